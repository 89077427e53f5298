"""The "Télétransmission" step dialog (F8): the manual's steps, run one by one, with the progress fed by
the worker, the messages, and the bordereau when "Edition Bordereau" is ticked."""
from __future__ import annotations

from textual.widgets import Checkbox, Log

from core.services.settings import SettingsService
from screens.teletransmission_dialog import StepProgress, TeletransmissionDialog
from screens.teletransmissions import TELETRANSMIS
from screens.tiers_payant import TiersPayantScreen
from test_teletrans_ui_support import fake_cps_code, lot_row, open_pane, settle


def boxes(dialog) -> dict[str, bool]:
    return {str(box.label): box.value for box in dialog.query(Checkbox)}


def messages(dialog) -> list[str]:
    return list(dialog.query_one("#tt-messages", Log).lines)


async def open_dialog(pilot) -> TeletransmissionDialog:
    pane = await open_pane(pilot)
    await pilot.press("f8")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, TeletransmissionDialog)
    return pane, dialog


async def test_the_dialog_shows_the_manual_steps(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        _, dialog = await open_dialog(pilot)
        assert boxes(dialog) == {"Mettre en Lot": True, "Mettre en Fichier": True, "Envoyer et Recevoir": True,
                                 "Recevoir uniquement": False, "Edition Bordereau": False}
        assert str(dialog.query_one("#tt-date").render()) == "Date du jour : 28/05/2024"
        labels = [str(label.render()) for label in dialog.query(".tt-section")]
        assert labels == ["Traitements à effectuer", "Télétransmission", "Edition", "Message pour Mettre en Fichier"]
        await pilot.press("escape")
        assert isinstance(app.screen, TiersPayantScreen)


async def test_edition_bordereau_follows_edition_apres_teletransmission(make_app):
    app = make_app(demo=True)
    settings = SettingsService(app.services.ctx)
    settings.update("sv", settings.get().sv.model_copy(update={"edition_apres_teletransmission": True}))
    async with app.run_test(size=(80, 24)) as pilot:
        _, dialog = await open_dialog(pilot)
        assert boxes(dialog)["Edition Bordereau"] is True


async def test_the_two_teletransmission_choices_exclude_each_other_and_one_step_is_needed(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        _, dialog = await open_dialog(pilot)
        dialog.query_one("#tt-recevoir", Checkbox).value = True
        await pilot.pause()
        assert boxes(dialog)["Envoyer et Recevoir"] is False
        for box in dialog.query(Checkbox):
            box.value = False
        await pilot.press("f10")
        await settle(pilot)
        assert str(dialog.query_one("#tt-dialog-error").render()) == "Cochez au moins un traitement."
        assert app.screen is dialog


async def test_steps_one_by_one_then_the_bordereau(make_app):
    app = make_app(demo=True)
    app.request_cps_code = fake_cps_code
    seen: list[StepProgress] = []
    async with app.run_test(size=(80, 24),
                            message_hook=lambda m: seen.append(m) if isinstance(m, StepProgress) else None) as pilot:
        pane, dialog = await open_dialog(pilot)
        dialog.query_one("#tt-envoyer", Checkbox).value = False                 # lot and file only
        await pilot.press("f10")
        await settle(pilot)
        assert messages(dialog)[:2] == ["Mettre en Lot : 1", "  Lot 038 (10 349, SV) : 1 FSE"]
        assert "  Lot 038 (10 349) : fichier B2-000001-038.b2" in messages(dialog)
        assert {m.step for m in seen} == {"Mettre en Lot", "Mettre en Fichier"}
        assert str(dialog.query_one("#ok").label) == "✓ Fermer (F10)"
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, TiersPayantScreen) and pane.mode == TELETRANSMIS
        assert lot_row(pane, "038").etat_lot == "Fichier créé"

        _, dialog = await open_dialog(pilot)                                    # send it, with the bordereau
        for box_id, value in (("tt-lot", False), ("tt-fichier", False), ("tt-envoyer", True), ("tt-edition", True)):
            dialog.query_one(f"#{box_id}", Checkbox).value = value
        await pilot.press("f10")
        await settle(pilot)
        log = messages(dialog)
        assert "Envoyer : 1" in log and "  Lot 038 (10 349) expédié : B2-000001-038.b2" in log
        folder = app.settings.data_dir / "bordereaux"
        assert log[-1] == f"Bordereau : {folder / 'bordereau-lot-038-20240528-111300.pdf'}"
        await pilot.press("escape")
        await settle(pilot)
        assert lot_row(pane, "038").send_count == 1


async def test_edition_bordereau_alone_prints_the_lots_sent_today(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        _, dialog = await open_dialog(pilot)
        for box in dialog.query(Checkbox):
            box.value = box.id == "tt-edition"
        await pilot.press("f10")
        await settle(pilot)
        [pdf] = sorted((app.settings.data_dir / "bordereaux").iterdir())
        assert messages(dialog) == [f"Bordereau : {pdf}"]
        assert pdf.name.endswith("-lots.pdf")                                 # 025, 026, 027, AAE, 028 of 28/05
