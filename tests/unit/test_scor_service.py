"""ScorService: required rows, attaching scans (checks, PDF, modes), conformity answers, deletion, list."""
from __future__ import annotations

import stat
from datetime import date

import pytest

import scor_fixtures as fx
from test_scor_service_support import corrupt_scan, files_under, make_invoice, scan, skewed_scan
from core.audit import verify_chain
from core.errors import DocumentError, ValidationError
from core.models import AuditLog, Fse, PieceJointe
from core.scor import DocumentType, verify_scor_pdf
from core.services.scor import PieceFilters, ScorService


@pytest.fixture
def svc(ctx) -> ScorService:
    return ScorService(ctx)


def rows_of(invoice_id: int) -> list[PieceJointe]:
    return list(PieceJointe.select().where(PieceJointe.invoice == invoice_id).order_by(PieceJointe.id))


def audit_actions() -> list[str]:
    return [a.action for a in AuditLog.select().order_by(AuditLog.seq)]


# --- required documents -------------------------------------------------------------------------------------
def test_required_documents_one_ordonnance_for_sv_and_idempotent(svc):
    made = make_invoice(257)
    first = svc.required_documents(made.invoice_id)
    second = svc.required_documents(made.invoice_id)
    assert [r.type_code for r in first.rows] == ["ORDN"]
    assert [(r.pj_id, r.state, r.etat_sv) for r in second.rows] == [(first.rows[0].pj_id, "MANQUANT", "SV")]
    assert first.missing == ("ORDN",) and len(rows_of(made.invoice_id)) == 1


def test_required_documents_degrade_needs_the_feuille_de_soins(svc):
    made = make_invoice(258, mode="DEG")
    pieces = svc.required_documents(made.invoice_id)
    assert [(r.type_code, r.type_label, r.state) for r in pieces.rows] == [
        ("ORDN", "Ordonnance", "MANQUANT"), ("FSOI", "Feuille de soins", "MANQUANT")]
    assert pieces.mode == "DEG"


def test_recreated_fse_is_followed_and_unneeded_rows_dropped(svc, clock):
    made = make_invoice(259, mode="DEG")
    svc.required_documents(made.invoice_id)
    # The user unticks and reticks "Générer FSE" to go from dégradé to SESAM-Vitale.
    Fse.update(deleted_at=clock.now(), state="FSE supprimée").where(Fse.id == made.fse_id).execute()
    clock.advance(minutes=5)
    new = Fse.create(invoice=made.invoice_id, number=260, mode="SV", created_at=clock.now())
    pieces = svc.required_documents(made.invoice_id)
    assert [r.type_code for r in pieces.rows] == ["ORDN"]
    assert {r.fse_id for r in rows_of(made.invoice_id)} == {new.id}


def test_invoice_without_fse_is_refused(svc):
    made = make_invoice(300, with_fse=False)
    with pytest.raises(ValidationError) as err:
        svc.required_documents(made.invoice_id)
    assert err.value.code == "no_fse" and "300" in err.value.message_fr


# --- adding ----------------------------------------------------------------------------------------------------
def test_good_scan_is_stored_conforme_as_a_private_verified_pdf(svc, ctx, tmp_path):
    made = make_invoice(257)
    result = svc.add_document(made.invoice_id, scan(tmp_path / "in", "ordonnance.png"), "ORDN")
    assert result.state == "CONFORME" and result.automatic_passed and not result.replaced
    row = PieceJointe.get_by_id(result.pj_id)
    pdf = ctx.settings.documents_path / row.file_path
    assert pdf.parent == ctx.settings.documents_path / "MAG01" / "257"
    assert row.name == "ordonnance.png" and row.id_pj == f"ORDN{row.id:07d}" and row.added_at == ctx.clock.now()
    assert verify_scor_pdf(pdf).page_count == 1
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    for folder in (pdf.parent, pdf.parent.parent, ctx.settings.documents_path):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    page = row.checks["pages"][0]
    assert len(page["phash"]) == 64 and page["passed"]
    assert {c["id"] for c in page["checks"]} >= {"non_vide", "droite", "lisible", "resolution", "format"}
    resolution = next(c for c in page["checks"] if c["id"] == "resolution")
    assert resolution["measured"] == pytest.approx(200, abs=0.5) and resolution["threshold"] == 200
    assert len(row.checks["source"]["sha256"]) == 64 and row.checks["source"]["format"] == "PNG"
    # Nothing else was left in the folder (no staging file).
    assert files_under(ctx.settings.documents_path) == [pdf]


def test_skewed_scan_is_stored_non_conforme_with_the_measure(svc, tmp_path):
    made = make_invoice(257)
    result = svc.add_document(made.invoice_id, skewed_scan(tmp_path, "penchee.png"), DocumentType.ORDONNANCE)
    assert result.state == "NON CONFORME" and not result.automatic_passed
    (page_no, failure), = result.detail.failures
    assert page_no == 1 and failure.check_id == "droite"
    assert abs(failure.measured) == pytest.approx(5, abs=0.6) and failure.threshold == 1.5
    assert "5,0°" in failure.detail_fr or "4," in failure.detail_fr


@pytest.mark.parametrize("maker", ["corrupt", "text", "missing"])
def test_refused_file_stores_nothing_and_leaves_no_file(svc, ctx, tmp_path, maker):
    made = make_invoice(257)
    svc.required_documents(made.invoice_id)
    path = {"corrupt": lambda: corrupt_scan(tmp_path, "coupe.png"),
            "text": lambda: fx.write(tmp_path, "notes.txt", b"pas une image"),
            "missing": lambda: tmp_path / "absent.png"}[maker]()
    before = audit_actions()
    with pytest.raises(DocumentError):
        svc.add_document(made.invoice_id, path, "ORDN")
    (row,) = rows_of(made.invoice_id)
    assert (row.state, row.file_path, row.name, row.checks) == ("MANQUANT", "", "", [])
    assert files_under(ctx.settings.documents_path) == []
    assert not (ctx.settings.documents_path / "MAG01" / "257").exists()
    assert audit_actions() == before


def test_second_ordonnance_is_refused_before_any_work(svc, ctx, tmp_path):
    made = make_invoice(257)
    svc.add_document(made.invoice_id, scan(tmp_path, "a.png"), "ORDN")
    with pytest.raises(ValidationError) as err:
        svc.add_document(made.invoice_id, scan(tmp_path, "b.png", seed=8), "ORDN")
    assert err.value.code == "already_attached"
    assert len(files_under(ctx.settings.documents_path)) == 1


def test_non_conforme_document_is_replaced_and_audited(svc, ctx, tmp_path):
    made = make_invoice(257)
    first = svc.add_document(made.invoice_id, skewed_scan(tmp_path, "penchee.png"), "ORDN")
    old_pdf = ctx.settings.documents_path / PieceJointe.get_by_id(first.pj_id).file_path
    second = svc.add_document(made.invoice_id, scan(tmp_path, "droite.png"), "ORDN")
    assert second.pj_id == first.pj_id and second.replaced and second.state == "CONFORME"
    assert not old_pdf.exists()
    assert files_under(ctx.settings.documents_path) == [ctx.settings.documents_path /
                                                        PieceJointe.get_by_id(first.pj_id).file_path]
    entry = AuditLog.select().where(AuditLog.action == "scor.remplacement").get()
    assert '"ancien": "penchee.png"' in entry.details


def test_same_page_twice_fails_the_duplicate_check(svc, tmp_path):
    made = make_invoice(257)
    svc.add_document(made.invoice_id, scan(tmp_path, "ordo.png", seed=4), "ORDN")
    again = svc.add_document(made.invoice_id, scan(tmp_path, "copie.png", seed=4), "AUTR")
    assert again.state == "NON CONFORME"
    assert [c.check_id for _, c in again.detail.failures] == ["pas_de_doublon"]


def test_unknown_type_is_refused(svc, tmp_path):
    made = make_invoice(257)
    with pytest.raises(ValidationError) as err:
        svc.add_document(made.invoice_id, scan(tmp_path, "a.png"), "XXXX")
    assert err.value.code == "document_type"


# --- conformity answer ---------------------------------------------------------------------------------------
def test_override_needs_a_reason_and_is_audited(svc, tmp_path):
    made = make_invoice(257)
    added = svc.add_document(made.invoice_id, skewed_scan(tmp_path, "penchee.png"), "ORDN")
    for reason in (None, "", "  x "):
        with pytest.raises(ValidationError) as err:
            svc.confirm_conformity(added.pj_id, True, reason)
        assert err.value.code == "reason_required"
    assert PieceJointe.get_by_id(added.pj_id).state == "NON CONFORME"
    assert "scor.forcage_conformite" not in audit_actions()

    detail = svc.confirm_conformity(added.pj_id, True, "Ordonnance originale lisible, scanner défectueux",
                                    actor="test")
    assert detail.state == "CONFORME" and detail.answer is True
    assert detail.override_reason == "Ordonnance originale lisible, scanner défectueux"
    entry = AuditLog.select().where(AuditLog.action == "scor.forcage_conformite").get()
    assert entry.entity_id == str(added.pj_id) and entry.actor == "test"
    assert '"controle": "droite"' in entry.details and "scanner défectueux" in entry.details
    assert verify_chain().ok


def test_user_may_declare_a_passing_document_non_conforme(svc, tmp_path):
    made = make_invoice(257)
    added = svc.add_document(made.invoice_id, scan(tmp_path, "ordo.png"), "ORDN")
    detail = svc.confirm_conformity(added.pj_id, False)
    assert detail.state == "NON CONFORME" and detail.answer is False and detail.override_reason == ""
    assert svc.confirm_conformity(added.pj_id, True).state == "CONFORME"  # checks passed: no reason needed
    assert "scor.forcage_conformite" not in audit_actions()


def test_answer_refused_on_a_missing_piece(svc):
    made = make_invoice(257)
    (row,) = svc.required_documents(made.invoice_id).rows
    with pytest.raises(ValidationError):
        svc.confirm_conformity(row.pj_id, True, "motif")


# --- deletion -------------------------------------------------------------------------------------------------
def test_delete_needs_a_reason_then_row_back_to_manquant(svc, ctx, tmp_path):
    made = make_invoice(257)
    added = svc.add_document(made.invoice_id, scan(tmp_path, "ordo.png"), "ORDN")
    pdf = ctx.settings.documents_path / PieceJointe.get_by_id(added.pj_id).file_path
    with pytest.raises(ValidationError):
        svc.delete_document(added.pj_id, " ")
    assert pdf.exists()
    detail = svc.delete_document(added.pj_id, "Mauvais patient", actor="test")
    assert detail is not None and detail.state == "MANQUANT" and detail.pdf_path == ""
    assert not pdf.exists() and not pdf.parent.exists()
    entry = AuditLog.select().where(AuditLog.action == "scor.suppression").get()
    assert "Mauvais patient" in entry.details and entry.entity_id == str(added.pj_id)
    assert svc.missing_for_fses([made.fse_id]) == {made.fse_id: [DocumentType.ORDONNANCE]}


def test_deleting_an_optional_document_removes_its_row(svc, tmp_path):
    made = make_invoice(257)
    extra = svc.add_document(made.invoice_id, scan(tmp_path, "autre.png", seed=12), "AUTR")
    assert svc.delete_document(extra.pj_id, "Document inutile") is None
    assert [r.type_code for r in rows_of(made.invoice_id)] == ["ORDN"]


# --- list -------------------------------------------------------------------------------------------------------
def test_list_has_the_manual_columns_filters_and_pages(svc, tmp_path):
    a = make_invoice(257, nom="DURAND", prenom="Denis", mode="DEG", invoice_date=date(2024, 5, 20))
    b = make_invoice(254, nom="DESMAUX", prenom="Nathalie", invoice_date=date(2024, 4, 2))
    c = make_invoice(200, nom="ESSAI", prenom="Alain", invoice_date=date(2023, 12, 1))
    for made in (a, b, c):
        svc.required_documents(made.invoice_id)
    svc.add_document(b.invoice_id, skewed_scan(tmp_path, "x.png"), "ORDN")

    page = svc.list_pieces(PieceFilters(date_from=date(2024, 1, 1), date_to=date(2024, 5, 28)))
    assert [(r.invoice_number, r.etat_sv, r.nom, r.prenom, r.state, r.type_label) for r in page.rows] == [
        (257, "DEG", "DURAND", "Denis", "MANQUANT", "Ordonnance"),
        (257, "DEG", "DURAND", "Denis", "MANQUANT", "Feuille de soins"),
        (254, "SV", "DESMAUX", "Nathalie", "NON CONFORME", "Ordonnance"),
    ]
    assert page.total == 3 and page.page_count == 1
    assert page.rows[0].can_add and not page.rows[0].can_delete
    assert page.rows[2].can_delete and page.rows[2].can_view and page.rows[2].date_envoi is None

    assert [r.nom for r in svc.list_pieces(PieceFilters(nom="desm")).rows] == ["DESMAUX"]
    assert [r.prenom for r in svc.list_pieces(PieceFilters(nom="Alain")).rows] == ["Alain"]
    assert [r.invoice_number for r in svc.list_pieces(PieceFilters(nom="durand  Denis")).rows] == [257, 257]
    assert svc.list_pieces(PieceFilters(nom="DURAND Nathalie")).rows == ()
    paged = svc.list_pieces(PieceFilters(page=2, page_size=2))
    assert (paged.page, paged.page_count, paged.total) == (2, 2, 4)
    assert [r.invoice_number for r in paged.rows] == [254, 200]
    assert svc.list_pieces(PieceFilters(page=9, page_size=2)).page == 2  # clamped
