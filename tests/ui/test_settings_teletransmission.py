"""Paramètres > Mutuelles & SS > Télétransmission: keyboard edits, F10 saves (audited), Escape reverts."""
import json

from textual.widgets import Checkbox, DataTable, Input, Static

from core.models import AuditLog
from screens.parametres import ParametresScreen
from screens.settings_teletransmission import CHECKBOXES, RSP_CHECKBOX


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_pane(app, pilot):
    await pilot.press("f4")
    await settle(pilot)
    assert isinstance(app.screen, ParametresScreen)
    return app.screen.query_one("#section-teletransmission")


def stored(app):
    return app.services.settings.get().teletransmission


async def test_labels_follow_the_manual(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        labels = {str(cb.label) for cb in pane.query(Checkbox)}
        assert labels == {label for _, label, _ in (*CHECKBOXES, RSP_CHECKBOX)}
        assert "Blocage télétransmission des FSE si documents absents" in labels
        helps = " ".join(str(s.render()) for s in pane.query(".field-help"))
        assert "document SCOR" in helps and "Absence ARL Renvoyer lot" in helps
        table = pane.query_one("#concentrateurs", DataTable)
        assert [str(c.label) for c in table.columns.values()] == ["Nom du concentrateur", "Télétransmission", "PEC"]
        assert table.row_count == 3


async def test_checkbox_space_then_f10_is_persisted_and_audited(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        assert stored(app).blocage_si_documents_absents is False
        # keyboard only: Tab leaves the menu for the concentrateurs table, then the checkboxes follow.
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.focused is pane.query_one("#blocage_si_documents_absents")
        await pilot.press("space", "f10")
        await settle(pilot)
        assert stored(app).blocage_si_documents_absents is True
        row = AuditLog.get((AuditLog.action == "parametres.modification") & (AuditLog.entity_id == "teletransmission"))
        assert json.loads(row.details)["blocage_si_documents_absents"] == [False, True]


async def test_concentrateur_toggle_is_saved(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        await pilot.press("tab")
        table = pane.query_one("#concentrateurs", DataTable)
        assert app.focused is table
        await pilot.press("down", "right", "space")  # Sicorfe / Teletransmission: Non -> Oui
        assert table.get_cell_at(table.cursor_coordinate) == "Oui"
        await pilot.press("right", "enter")          # Sicorfe / PEC with Entrée
        await pilot.press("f10")
        await settle(pilot)
        sicorfe = stored(app).concentrateurs[1]
        assert (sicorfe.nom, sicorfe.teletransmission, sicorfe.pec) == ("Sicorfe", True, True)


async def test_delays_are_saved(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        pane.query_one("#absence_arl_renvoyer_jours", Input).value = ""
        pane.query_one("#absence_arl_manuel_jours", Input).value = ""
        pane.query_one("#absence_arl_renvoyer_jours", Input).focus()
        await pilot.press("5", "tab", "1", "5", "f10")
        await settle(pilot)
        assert (stored(app).absence_arl_renvoyer_jours, stored(app).absence_arl_manuel_jours) == (5, 15)


async def _refused(app, pilot, pane, renvoyer: str, manuel: str) -> str:
    pane.query_one("#absence_arl_renvoyer_jours", Input).value = renvoyer
    pane.query_one("#absence_arl_manuel_jours", Input).value = manuel
    pane.query_one("#absence_arl_manuel_jours", Input).focus()
    await pilot.press("f10")
    await settle(pilot)
    return str(pane.query_one(".form-error", Static).render())


async def test_invalid_values_are_refused_with_a_french_message(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        before = stored(app)
        assert "Absence ARL Renvoyer lot" in await _refused(app, pilot, pane, "0", "10")
        assert "1 au minimum" in str(pane.query_one(".form-error", Static).render())
        assert "doit dépasser" in await _refused(app, pilot, pane, "12", "5")
        assert "nombre entier" in await _refused(app, pilot, pane, "", "10")
        assert pane.has_class("-has-error")
        assert stored(app) == before
        assert AuditLog.select().count() == 0


async def test_escape_reverts_unsaved_edits(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        box = pane.query_one("#lettrage_auto", Checkbox)
        assert box.value is True
        box.focus()
        await pilot.press("space")
        assert box.value is False
        await pilot.press("escape")
        await settle(pilot)
        assert box.value is True
        assert stored(app).lettrage_auto is True
        assert AuditLog.select().count() == 0


async def test_saved_values_are_shown_on_next_start(make_app):
    app = make_app()
    svc_settings = app.services.settings
    svc_settings.update("teletransmission",
                        svc_settings.get().teletransmission.model_copy(update={"top_m": False,
                                                                                "absence_arl_manuel_jours": 20}))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        assert pane.query_one("#top_m", Checkbox).value is False
        assert pane.query_one("#absence_arl_manuel_jours", Input).value == "20"
