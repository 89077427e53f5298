"""Paramètres > Mutuelles & SS > Mutuelles: search, the "Paramétrage : Mutuelle" dialog, Copier."""
import json

from textual.widgets import Checkbox, DataTable, Input, Select, Static

from core.models import AuditLog, Mutuelle
from screens.settings_mutuelle_dialog import MutuelleEditor


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def seed() -> dict[str, int]:
    rows = [
        Mutuelle.create(numero="0062013354", nom="Mutuelle Générale de l'Éducation Nationale",
                        mode_gestion_sv="unique", teletransmission_defaut=True),
        Mutuelle.create(numero="1100000000", nom="Mut. Test CNDA", numero_prefectoral="1100000000"),
        Mutuelle.create(numero="99999997", nom="Harmonie Mutuelle", pec_obligatoire=True),
    ]
    return {r.numero: r.id for r in rows}


async def open_list(app, pilot):
    await pilot.press("f4", "down")
    await settle(pilot)
    await pilot.press("tab")
    pane = app.screen.query_one("#section-mutuelles")
    assert app.focused is pane.query_one("#mutuelle-search", Input)
    return pane, pane.query_one("#mutuelles-table", DataTable)


def numbers(table: DataTable) -> list[str]:
    return [table.get_row_at(i)[0] for i in range(table.row_count)]


async def test_list_columns_and_search_filters(make_app):
    app = make_app()
    seed()
    async with app.run_test(size=(80, 24)) as pilot:
        pane, table = await open_list(app, pilot)
        assert [str(c.label) for c in table.columns.values()] == \
            ["N°", "Nom", "N° Préfectoral", "Mode Gestion SV", "Télétrans. défaut", "PEC obligatoire"]
        assert numbers(table) == ["0062013354", "1100000000", "99999997"]
        assert table.get_row_at(0)[3:] == ["Unique", "Oui", "Non"]
        await pilot.press(*"harmonie")
        await settle(pilot)
        assert numbers(table) == ["99999997"]
        pane.query_one("#mutuelle-search", Input).value = ""
        await pilot.press(*"generale")          # accents ignored
        await settle(pilot)
        assert numbers(table) == ["0062013354"]
        pane.query_one("#mutuelle-search", Input).value = ""
        await pilot.press(*"mgen")              # fuzzy: letters in order
        await settle(pilot)
        assert numbers(table)[0] == "0062013354"
        pane.query_one("#mutuelle-search", Input).value = ""
        await pilot.press(*"1100")
        await settle(pilot)
        assert numbers(table) == ["1100000000"]
        pane.query_one("#mutuelle-search", Input).value = ""
        await pilot.press(*"zzzz")
        await settle(pilot)
        assert table.row_count == 0
        assert "Aucune mutuelle" in str(pane.query_one("#mutuelles-count", Static).render())


async def test_edit_is_persisted_and_audited(make_app):
    app = make_app()
    ids = seed()
    async with app.run_test(size=(80, 24)) as pilot:
        pane, table = await open_list(app, pilot)
        await pilot.press("tab", "down", "enter")      # second row: Mut. Test CNDA
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, MutuelleEditor)
        assert editor.query_one("#nom", Input).value == "Mut. Test CNDA"
        assert app.focused is editor.query_one("#nom", Input)
        email = editor.query_one("#email", Input)
        email.focus()
        await pilot.press(*"dre@cnda.fr")
        editor.query_one("#mode_gestion_sv", Select).focus()
        await pilot.press("enter", "down", "enter")   # Gestion unique
        await settle(pilot)
        editor.query_one("#teletransmission_defaut", Checkbox).focus()
        await pilot.press("space", "f10")
        await settle(pilot)
        assert not isinstance(app.screen, MutuelleEditor)
        row = Mutuelle.get_by_id(ids["1100000000"])
        assert (row.email, row.mode_gestion_sv, row.teletransmission_defaut) == ("dre@cnda.fr", "unique", True)
        details = json.loads(AuditLog.get(AuditLog.action == "mutuelle.modification").details)
        assert set(details) == {"email", "mode_gestion_sv", "teletransmission_defaut"}
        # the list shows the new values and keeps the edited row selected
        assert [str(c) for c in table.get_row_at(table.cursor_row)[:4]] == \
            ["1100000000", "Mut. Test CNDA", "1100000000", "Unique"]


async def test_invalid_prefectoral_and_email_are_refused(make_app):
    app = make_app()
    ids = seed()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_list(app, pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        editor = app.screen
        prefectoral = editor.query_one("#numero_prefectoral", Input)
        prefectoral.value = ""
        prefectoral.focus()
        await pilot.press(*"12345", "f10")
        await settle(pilot)
        assert app.screen is editor
        error = editor.query_one("#mutuelle-error", Static)
        assert "10 chiffres" in str(error.render())
        assert app.focused is prefectoral
        prefectoral.value = "0062013354"
        editor.query_one("#email", Input).value = "contact-at-mgen"
        await pilot.press("f10")
        await settle(pilot)
        assert "email" in str(error.render()).lower()
        assert app.focused is editor.query_one("#email", Input)
        assert Mutuelle.get_by_id(ids["0062013354"]).numero_prefectoral == ""
        assert AuditLog.select().count() == 0


async def test_escape_cancels_the_dialog_without_writing(make_app):
    app = make_app()
    ids = seed()
    async with app.run_test(size=(80, 24)) as pilot:
        pane, _ = await open_list(app, pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        await pilot.press(*" modifié")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#section-mutuelles") is pane
        assert Mutuelle.get_by_id(ids["0062013354"]).nom == "Mutuelle Générale de l'Éducation Nationale"


async def test_copier_in_the_dialog_creates_a_copy_and_edits_it(make_app):
    app = make_app()
    ids = seed()
    async with app.run_test(size=(80, 24)) as pilot:
        _, table = await open_list(app, pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        editor = app.screen
        await pilot.press("f5")
        await settle(pilot)
        assert editor.query_one("#nom", Input).value == "Mutuelle Générale de l'Éducation Nationale (copie)"
        assert editor.mutuelle.id not in ids.values()
        copy = Mutuelle.get_by_id(editor.mutuelle.id)
        assert (copy.mode_gestion_sv, copy.teletransmission_defaut) == ("unique", True)
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 4
        assert str(table.get_row_at(table.cursor_row)[1]).endswith("(copie)")  # the list selects the copy
        assert AuditLog.get(AuditLog.action == "mutuelle.copie").entity_id == str(copy.id)


async def test_copier_refused_while_the_form_has_unsaved_edits(make_app):
    app = make_app()
    seed()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_list(app, pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        await pilot.press("x", "f5")
        await settle(pilot)
        assert "avant de copier" in str(app.screen.query_one("#mutuelle-error", Static).render())
        assert Mutuelle.select().count() == 3


async def test_f5_in_the_list_copies_the_highlighted_mutuelle(make_app):
    app = make_app()
    seed()
    async with app.run_test(size=(80, 24)) as pilot:
        _, table = await open_list(app, pilot)
        await pilot.press("tab", "down", "down", "f5")
        await settle(pilot)
        assert Mutuelle.select().where(Mutuelle.nom == "Harmonie Mutuelle (copie)").exists()
        assert table.row_count == 4
        assert "Harmonie Mutuelle (copie)" in str(table.get_row_at(table.cursor_row)[1])
