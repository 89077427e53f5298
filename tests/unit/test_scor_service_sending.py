"""ScorService: blocking on missing documents, sending after a positive ARL, retention purge."""
from __future__ import annotations

from datetime import date

import pytest

from test_scor_service_support import files_under, make_invoice, scan, skewed_scan
from core.errors import ValidationError
from core.models import AuditLog, Lot, PieceJointe
from core.scor import DocumentType
from core.services.scor import PieceFilters, ScorService
from core.services.settings import ScorSettings, SettingsService


@pytest.fixture
def svc(ctx) -> ScorService:
    return ScorService(ctx)


def set_retention(ctx, days: int) -> None:
    SettingsService(ctx).update("scor", ScorSettings(retention_days=days))


# --- missing documents (Blocage de la télétransmission si documents absents) --------------------------------
def test_missing_for_fses(svc, tmp_path):
    sv = make_invoice(257)
    deg = make_invoice(258, mode="DEG")
    no_rows = make_invoice(259)                       # rows never created: still missing
    done = make_invoice(260)
    bad = make_invoice(261)
    for made in (sv, deg, done, bad):
        svc.required_documents(made.invoice_id)
    svc.add_document(done.invoice_id, scan(tmp_path, "ok.png"), "ORDN")
    svc.add_document(bad.invoice_id, skewed_scan(tmp_path, "ko.png"), "ORDN")
    ids = [sv.fse_id, deg.fse_id, no_rows.fse_id, done.fse_id, bad.fse_id]
    assert svc.missing_for_fses(ids) == {
        sv.fse_id: [DocumentType.ORDONNANCE],
        deg.fse_id: [DocumentType.ORDONNANCE, DocumentType.FEUILLE_DE_SOINS],
        no_rows.fse_id: ["ORDN"],                    # str enum: compares with the code too
        bad.fse_id: [DocumentType.ORDONNANCE],      # NON CONFORME cannot be sent
    }
    assert svc.missing_for_fses([]) == {}


# --- sending -------------------------------------------------------------------------------------------------
def test_documents_go_out_only_after_a_positive_arl(svc, ctx, tmp_path):
    made = make_invoice(257, lot_state="Lot expédié")
    added = svc.add_document(made.invoice_id, scan(tmp_path, "ordo.png"), "ORDN")
    assert svc.documents_ready_to_send() == ()
    with pytest.raises(ValidationError) as err:
        svc.mark_sent([added.pj_id])
    assert err.value.code == "not_ready" and PieceJointe.get_by_id(added.pj_id).sent_at is None

    for state in ("ARL négatif reçu", "Absence ARL Renvoyer lot"):
        Lot.update(state=state).where(Lot.id == made.lot_id).execute()
        assert svc.documents_ready_to_send() == ()
    Lot.update(state="ARL positif reçu").where(Lot.id == made.lot_id).execute()
    (ready,) = svc.documents_ready_to_send()
    assert (ready.pj_id, ready.invoice_number, ready.type_code, ready.lot_id) == (added.pj_id, 257, "ORDN",
                                                                                 made.lot_id)
    assert ready.path == added.detail.pdf_path

    assert svc.mark_sent([ready.pj_id]) == 1
    row = PieceJointe.get_by_id(added.pj_id)
    assert (row.state, row.sent_at, row.teletransmitted_on) == ("ARCHIVE", ctx.clock.now(), date(2024, 5, 28))
    assert svc.documents_ready_to_send() == ()
    listed = svc.list_pieces(PieceFilters()).rows[0]
    assert listed.date_envoi == date(2024, 5, 28) and listed.delai == "180 j" and not listed.can_delete


@pytest.mark.parametrize("lot_state", ["RSP", "Lot acquitté"])
def test_later_lot_states_also_allow_sending(svc, tmp_path, lot_state):
    made = make_invoice(257, lot_state=lot_state)
    svc.add_document(made.invoice_id, scan(tmp_path, "ordo.png"), "ORDN")
    assert len(svc.documents_ready_to_send()) == 1


def test_non_conforme_and_unlotted_documents_are_not_sent(svc, tmp_path):
    lotted = make_invoice(257, lot_state="ARL positif reçu")
    unlotted = make_invoice(258)
    svc.add_document(lotted.invoice_id, skewed_scan(tmp_path, "ko.png"), "ORDN")
    svc.add_document(unlotted.invoice_id, scan(tmp_path, "ok.png"), "ORDN")
    assert svc.documents_ready_to_send() == ()


def test_keep_paper_marks_sauvegarde_papier(svc, tmp_path):
    made = make_invoice(257, lot_state="ARL positif reçu")
    added = svc.add_document(made.invoice_id, scan(tmp_path, "ordo.png"), "ORDN")
    svc.mark_sent([added.pj_id], keep_paper=True)
    assert PieceJointe.get_by_id(added.pj_id).state == "SAUVEGARDE PAPIER"


# --- purge ---------------------------------------------------------------------------------------------------
def sent_document(svc, tmp_path, number: int, *, seed: int = 3) -> tuple[int, str]:
    made = make_invoice(number, lot_state="ARL positif reçu")
    added = svc.add_document(made.invoice_id, scan(tmp_path, f"{number}.png", seed=seed), "ORDN")
    svc.mark_sent([added.pj_id])
    return added.pj_id, added.detail.pdf_path


def test_purge_at_the_retention_setting_never_before_90_days(svc, ctx, clock, tmp_path):
    set_retention(ctx, 90)
    pj_id, pdf = sent_document(svc, tmp_path, 257)
    clock.advance(days=89)
    assert svc.purge().purged == ()
    assert PieceJointe.get_by_id(pj_id).purged_at is None
    clock.advance(days=1)
    result = svc.purge()
    assert result.purged == (pj_id,) and result.files_removed == 1 and result.retention_days == 90
    row = PieceJointe.get_by_id(pj_id)
    assert row.purged_at == clock.now() and row.state == "ARCHIVE" and row.file_path == ""
    assert files_under(ctx.settings.documents_path) == []
    (entry,) = AuditLog.select().where(AuditLog.action == "scor.purge")
    assert f"[{pj_id}]" in entry.details
    assert svc.purge().purged == ()                   # idempotent, no second audit row
    assert AuditLog.select().where(AuditLog.action == "scor.purge").count() == 1
    assert svc.list_pieces().rows[0].delai == "purgé"


def test_default_retention_is_six_months(svc, ctx, clock, tmp_path):
    first, _ = sent_document(svc, tmp_path, 257, seed=3)
    clock.advance(days=30)
    second, _ = sent_document(svc, tmp_path, 258, seed=4)
    clock.advance(days=149)                           # first sent 179 days ago
    assert svc.purge().purged == ()
    clock.advance(days=1)
    assert svc.purge().purged == (first,)
    clock.advance(days=30)
    assert svc.purge().purged == (second,)
    assert AuditLog.select().where(AuditLog.action == "scor.purge").count() == 2


def test_unsent_and_missing_pieces_are_never_purged(svc, ctx, clock, tmp_path):
    made = make_invoice(257)
    svc.required_documents(made.invoice_id)
    other = make_invoice(258)
    svc.add_document(other.invoice_id, scan(tmp_path, "ordo.png"), "ORDN")
    clock.advance(days=400)
    assert svc.purge().purged == ()
    assert len(files_under(ctx.settings.documents_path)) == 1


def test_purge_date_argument_overrides_the_clock(svc, tmp_path):
    pj_id, _ = sent_document(svc, tmp_path, 257)
    assert svc.purge(date(2024, 11, 23)).purged == ()  # 179 days
    assert svc.purge(date(2024, 11, 24)).purged == (pj_id,)
