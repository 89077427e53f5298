"""80x24 snapshots of the Paramètres panes and of the "Paramétrage : Mutuelle" dialog.

Deterministic: frozen clock, temp database with rows created here, workers awaited and the input cursor
blink switched off before the picture is taken.
"""
from datetime import date

from textual.widgets import Input

SIZE = (80, 24)


def seed_mutuelles() -> None:
    from core.models import Mutuelle

    Mutuelle.create(numero="0062013354", nom="Mutuelle Générale de l'Éducation Nationale",
                    mode_gestion_sv="unique", teletransmission_defaut=True, ville="Paris")
    Mutuelle.create(numero="1100000000", nom="Mut. Test CNDA", numero_prefectoral="1100000000",
                    adresse1="1 rue de la Santé", code_postal="75013", ville="Paris", email="dre@cnda.fr",
                    norme_b2="062007 - Juin 2007", organisme_payeur="CNDA", indicateur_facture_rc=True)
    Mutuelle.create(numero="99999997", nom="Harmonie Mutuelle", pec_obligatoire=True)


def keys(*presses: str):
    async def run_before(pilot) -> None:
        for key in presses:
            await pilot.press(key)
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()
    return run_before


def test_teletransmission(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=keys("f4", "tab"))


def test_teletransmission_invalid_delay(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await keys("f4")(pilot)
        field = pilot.app.screen.query_one("#absence_arl_renvoyer_jours", Input)
        field.value = "0"
        field.focus()
        await keys("f10")(pilot)
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_mutuelles_list(snap_compare, make_app):
    app = make_app()
    seed_mutuelles()
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("f4", "down", "tab", "tab"))


def test_mutuelles_search(snap_compare, make_app):
    app = make_app()
    seed_mutuelles()
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("f4", "down", "tab", *"harm"))


def test_mutuelle_editor(snap_compare, make_app):
    app = make_app()
    seed_mutuelles()
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("f4", "down", "tab", "tab", "down", "enter"))


def test_mutuelle_editor_bottom_and_error(snap_compare, make_app):
    app = make_app()
    seed_mutuelles()

    async def run_before(pilot) -> None:
        await keys("f4", "down", "tab", "tab", "down", "enter")(pilot)
        pilot.app.screen.query_one("#email", Input).value = "pas-un-email"
        pilot.app.screen.query_one("#pec_obligatoire").focus()
        await keys("f10")(pilot)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_parametrage_ps(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=keys("f4", "down", "down", "tab"))


def test_parametrage_sv(snap_compare, make_app):
    app = make_app()
    svc = app.services.settings
    svc.update("sv", svc.get().sv.model_copy(update={"date_activation_sv": date(2019, 9, 2),
                                                     "date_edition_dernier_lot": date(2024, 5, 27)}))
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("f4", "down", "down", "down", "tab"))
