"""Pilot tests of Tiers Payant > Pièces Jointes: list, search, add (with the conformity answer), delete."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))  # scan and row helpers live with the unit tests

from test_scor_service_support import corrupt_scan, make_invoice, scan, skewed_scan  # noqa: E402
from core.models import AuditLog, PieceJointe  # noqa: E402
from core.services.scor import ScorService  # noqa: E402
from screens.dialogs import ErrorDialog, ReasonDialog  # noqa: E402
from screens.pieces_jointes import DocumentPathDialog, PiecesJointesPane  # noqa: E402
from screens.scor_conformity import ScorConformityDialog  # noqa: E402
from screens.tiers_payant import TiersPayantScreen  # noqa: E402


def seed(app, tmp_path):
    svc = ScorService(app.services.ctx)
    durand = make_invoice(257, nom="DURAND", prenom="Denis", mode="DEG")
    desmaux = make_invoice(254, nom="DESMAUX", prenom="Nathalie")
    for made in (durand, desmaux):
        svc.required_documents(made.invoice_id)
    svc.add_document(desmaux.invoice_id, skewed_scan(tmp_path, "penchee.png"), "ORDN")
    return durand, desmaux


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_pane(app, pilot) -> PiecesJointesPane:
    await pilot.press("f3")
    assert isinstance(app.screen, TiersPayantScreen)
    app.screen.query_one("#tp-tabs").active = "pieces-jointes"
    await settle(app, pilot)
    pane = app.screen.query_one(PiecesJointesPane)
    pane.query_one("#pj-table").focus()
    await pilot.pause()
    return pane


def table_rows(pane) -> list[list[str]]:
    table = pane.query_one("#pj-table")
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_pane_lists_with_the_manual_columns_and_filters(make_app, tmp_path):
    app = make_app()
    seed(app, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        headers = [str(c.label).replace("\n", " ") for c in pane.query_one("#pj-table").columns.values()]
        assert headers == ["Date envoi PJ", "N° Facture", "Etat SV", "Nom", "Prénom", "État PJ", "Type", "Délai"]
        assert [r[1:7] for r in table_rows(pane)] == [
            ["257", "DEG", "DURAND", "Denis", "MANQUANT", "Ordonnance"],
            ["257", "DEG", "DURAND", "Denis", "MANQUANT", "Feuille de soins"],
            ["254", "SV", "DESMAUX", "Nathalie", "NON CONFORME", "Ordonnance"],
        ]
        assert "Ctrl+A ajouter" in str(pane.query_one("#pj-detail").render())
        pane.query_one("#pj-nom").value = "desm"
        await settle(app, pilot)
        assert [r[3] for r in table_rows(pane)] == ["DESMAUX"]
        pane.query_one("#pj-from").value = "31/02/2024"
        pane.query_one("#pj-nom").value = ""
        await settle(app, pilot)
        assert "n'est pas une date valide" in str(pane.query_one("#pj-status").render())


async def test_paging_with_f7_f8(make_app, tmp_path):
    app = make_app()
    seed(app, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        pane.page_size = 2
        await pilot.press("f5")
        await settle(app, pilot)
        assert str(pane.query_one("#pj-page").render()) == "1/2" and len(table_rows(pane)) == 2
        await pilot.press("f8")
        await settle(app, pilot)
        assert str(pane.query_one("#pj-page").render()) == "2/2" and table_rows(pane)[0][1] == "254"
        await pilot.press("f7")
        await settle(app, pilot)
        assert str(pane.query_one("#pj-page").render()) == "1/2"


async def test_add_from_the_pane_then_answer_conforme(make_app, tmp_path):
    app = make_app()
    durand, _ = seed(app, tmp_path)
    path = scan(tmp_path / "scans", "ordonnance.png", seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("ctrl+a")
        assert isinstance(app.screen, DocumentPathDialog)
        await pilot.press(*str(path))
        await pilot.press("f10")
        await settle(app, pilot)
        assert isinstance(app.screen, ScorConformityDialog)
        assert app.screen.detail.automatic_passed and app.screen.answer_conforme
        assert not app.screen.query_one("#override-reason").display
        await pilot.press("f10")
        await settle(app, pilot)
        assert isinstance(app.screen, TiersPayantScreen)
        row = PieceJointe.get((PieceJointe.invoice == durand.invoice_id) & (PieceJointe.type_code == "ORDN"))
        assert row.state == "CONFORME" and row.checks["answer"]["conforme"] is True
        pane = app.screen.query_one(PiecesJointesPane)
        assert table_rows(pane)[0][5] == "CONFORME"


async def test_forcing_a_failed_check_needs_a_reason(make_app, tmp_path):
    app = make_app()
    _, desmaux = seed(app, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("down", "down", "enter")      # the NON CONFORME ordonnance
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ScorConformityDialog) and not dialog.answer_conforme
        assert "1 point non conforme" in str(dialog.query_one("#conformity-verdict").render())
        assert any("✗ Page droite" in str(s.render()) for s in dialog.query(".check-ko"))
        await pilot.press("up", "enter")                   # choose "Conforme" in the radio set
        assert dialog.answer_conforme and dialog.query_one("#override-reason").display
        await pilot.press("f10")
        assert app.screen is dialog and "motif du forçage" in str(dialog.query_one("#conformity-error").render())
        await pilot.press(*"Original lisible")
        await pilot.press("f10")
        await settle(app, pilot)
        assert isinstance(app.screen, TiersPayantScreen)
    row = PieceJointe.get((PieceJointe.invoice == desmaux.invoice_id) & (PieceJointe.type_code == "ORDN"))
    assert row.state == "CONFORME" and row.override_reason == "Original lisible"
    assert AuditLog.select().where(AuditLog.action == "scor.forcage_conformite").count() == 1


async def test_delete_asks_a_reason(make_app, tmp_path):
    app = make_app()
    _, desmaux = seed(app, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        await pilot.press("delete")                      # a MANQUANT row: nothing to delete
        await pilot.pause()
        assert isinstance(app.screen, TiersPayantScreen)
        await pilot.press("down", "down", "delete")
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"Mauvais patient", "f10")
        await settle(app, pilot)
        assert isinstance(app.screen, TiersPayantScreen)
        assert table_rows(pane)[2][5] == "MANQUANT"
    row = PieceJointe.get((PieceJointe.invoice == desmaux.invoice_id) & (PieceJointe.type_code == "ORDN"))
    assert row.state == "MANQUANT" and row.file_path == ""
    assert AuditLog.select().where(AuditLog.action == "scor.suppression").count() == 1


async def test_refused_file_shows_the_error_and_stores_nothing(make_app, tmp_path):
    app = make_app()
    durand, _ = seed(app, tmp_path)
    path = corrupt_scan(tmp_path / "scans", "coupe.png")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("ctrl+a", *str(path), "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert "endommagé" in app.screen.message
        await pilot.press("escape")
        assert isinstance(app.screen, TiersPayantScreen)
    assert PieceJointe.select().where((PieceJointe.invoice == durand.invoice_id)
                                      & (PieceJointe.file_path != "")).count() == 0


async def test_enter_on_a_missing_piece_only_explains(make_app, tmp_path):
    app = make_app()
    seed(app, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TiersPayantScreen)


async def test_coming_back_to_the_tab_refreshes_the_list(make_app, tmp_path):
    app = make_app()
    durand, _ = seed(app, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(app, pilot)
        assert table_rows(pane)[0][5] == "MANQUANT"
        # Meanwhile, at the counter: the ordonnance is scanned.
        ScorService(app.services.ctx).add_document(durand.invoice_id, scan(tmp_path, "o.png"), "ORDN")
        await pilot.press("ctrl+right")
        await settle(app, pilot)
        await pilot.press("ctrl+left")
        await settle(app, pilot)
        assert app.screen.query_one("#tp-tabs").active == "pieces-jointes"
        assert table_rows(pane)[0][5] == "CONFORME"
