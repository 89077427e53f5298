"""Pilot tests of "Sélection des documents - SCOR" and of the read-only conformity view."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))  # scan and row helpers live with the unit tests

from test_scor_service_support import make_invoice, scan  # noqa: E402
from core.models import PieceJointe  # noqa: E402
from core.services.scor import ScorService  # noqa: E402
from screens.dialogs import ErrorDialog  # noqa: E402
from screens.scor_conformity import ScorConformityDialog  # noqa: E402
from screens.scor_selection import RETENTION_NOTE, ScorSelectionDialog  # noqa: E402


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def table_rows(dialog) -> list[list[str]]:
    table = dialog.query_one("#selection-table")
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_selection_creates_the_required_rows_and_adds_documents(make_app, tmp_path):
    app = make_app()
    made = make_invoice(257, mode="DEG")
    ordo = scan(tmp_path, "ordonnance.png", seed=3)
    feuille = scan(tmp_path, "feuille.png", seed=21)
    results = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ScorSelectionDialog(made.invoice_id), results.append)
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ScorSelectionDialog)
        headers = [str(c.label) for c in dialog.query_one("#selection-table").columns.values()]
        assert headers == ["Type", "idPJ", "Nom", "Date", "Date Envoi", "Conformité"]
        assert [(r[0], r[5]) for r in table_rows(dialog)] == [("Ordonnance", "MANQUANT"),
                                                            ("Feuille de soins", "MANQUANT")]
        assert "6 mois maximum" in RETENTION_NOTE and "purgés" in str(dialog.query_one("#selection-note").render())
        assert [r.state for r in PieceJointe.select()] == ["MANQUANT", "MANQUANT"]

        await pilot.press(*str(ordo), "f6")                # the focus starts in the file field
        await settle(app, pilot)
        assert isinstance(app.screen, ScorConformityDialog)
        await pilot.press("f10")
        await settle(app, pilot)
        assert app.screen is dialog
        rows = table_rows(dialog)
        assert rows[0][2] == "ordonnance.png"
        assert rows[0][3] == "28/05/24" and rows[0][5] == "CONFORME" and rows[0][1].startswith("ORDN")
        assert dialog.query_one("#selection-type").value == "FSOI"   # next missing type offered

        dialog.query_one("#selection-file").focus()
        await pilot.press(*str(feuille), "enter")
        await settle(app, pilot)
        await pilot.press("f10")                          # answer "Conforme"
        await settle(app, pilot)
        assert [r[5] for r in table_rows(dialog)] == ["CONFORME", "CONFORME"]
        await pilot.press("f10")                          # Valider
        await pilot.pause()
        assert not isinstance(app.screen, ScorSelectionDialog)
    assert results == [True]
    assert ScorService(app.services.ctx).missing_for_fses([made.fse_id]) == {}


async def test_closing_with_missing_documents_returns_false(make_app):
    app = make_app()
    made = make_invoice(257)
    results = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ScorSelectionDialog(made.invoice_id), results.append)
        await settle(app, pilot)
        await pilot.press("f6")                           # empty path: an explanation, no worker
        assert "Indiquez le chemin" in str(app.screen.query_one("#selection-status").render())
        await pilot.press("escape")
        await pilot.pause()
    assert results == [False]


async def test_invoice_without_fse_shows_the_error(make_app):
    app = make_app()
    made = make_invoice(300, with_fse=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ScorSelectionDialog(made.invoice_id))
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog) and "n'a pas de FSE" in app.screen.message


async def test_conformity_of_a_sent_document_is_read_only(make_app, tmp_path):
    app = make_app()
    made = make_invoice(257, lot_state="ARL positif reçu")
    svc = ScorService(app.services.ctx)
    added = svc.add_document(made.invoice_id, scan(tmp_path, "ordo.png"), "ORDN")
    svc.mark_sent([added.pj_id])
    detail = svc.piece_detail(added.pj_id)
    results = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ScorConformityDialog(detail), results.append)
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#conformity-answer").disabled and dialog.answer_conforme
        assert "État PJ : ARCHIVE" in str(dialog.query_one("#conformity-summary").render())
        await pilot.press("f10")
        await pilot.pause()
    assert results == [None]
