"""80x24 snapshots of the SCOR screens: the Pièces Jointes pane with seeded rows, "Sélection des documents -
SCOR" and "Etat de la conformité" (deterministic: frozen clock, seeded scans, temp database)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))  # scan and row helpers live with the unit tests

from test_scor_service_support import make_invoice, scan, skewed_scan  # noqa: E402
from core.services.scor import ScorService  # noqa: E402

SIZE = (80, 24)


def seed(app, tmp_path):
    svc = ScorService(app.services.ctx)
    durand = make_invoice(257, nom="DURAND", prenom="Denis", mode="DEG")
    desmaux = make_invoice(254, nom="DESMAUX", prenom="Nathalie")
    issner = make_invoice(251, nom="ISSNER", prenom="Nathalie", lot_state="ARL positif reçu")
    essai = make_invoice(250, nom="ESSAI", prenom="Alexandre")
    for made in (durand, desmaux, issner, essai):
        svc.required_documents(made.invoice_id)
    bad = svc.add_document(desmaux.invoice_id, skewed_scan(tmp_path, "ordo-desmaux.png"), "ORDN")
    sent = svc.add_document(issner.invoice_id, scan(tmp_path, "ordo-issner.png", seed=4), "ORDN")
    svc.mark_sent([sent.pj_id])
    return svc, durand, bad


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_pieces_jointes_pane(snap_compare, make_app, tmp_path):
    app = make_app()
    seed(app, tmp_path)

    async def open_tab(pilot):
        await pilot.press("f3")
        pilot.app.screen.query_one("#tp-tabs").active = "pieces-jointes"
        await settle(pilot)
        pilot.app.screen.query_one("#pj-table").focus()
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_tab)


def test_scor_selection_dialog(snap_compare, make_app, tmp_path):
    app = make_app()
    svc, durand, _ = seed(app, tmp_path)
    svc.add_document(durand.invoice_id, scan(tmp_path, "ordonnance-durand.png", seed=7), "ORDN")

    async def open_dialog(pilot):
        from screens.scor_selection import ScorSelectionDialog

        pilot.app.push_screen(ScorSelectionDialog(durand.invoice_id))
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_dialog)


def test_scor_conformity_dialog_forcing(snap_compare, make_app, tmp_path):
    app = make_app()
    svc, _, bad = seed(app, tmp_path)
    detail = svc.piece_detail(bad.pj_id)

    async def open_dialog(pilot):
        from screens.scor_conformity import ScorConformityDialog

        pilot.app.push_screen(ScorConformityDialog(detail))
        await pilot.pause()
        await pilot.press("up", "enter")                 # "Conforme": the reason field appears
        await pilot.press(*"Original lisible")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_dialog)
