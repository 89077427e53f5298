"""ScorService.import_inbox / watch_inbox: the scanner drop folder."""
from __future__ import annotations

import shutil
import stat
import threading

import pytest

from test_scor_service_support import corrupt_scan, files_under, make_invoice, scan
from core.errors import ValidationError
from core.models import PieceJointe
from core.services.scor import ScorService


@pytest.fixture
def svc(ctx) -> ScorService:
    return ScorService(ctx)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_inbox_imports_moves_and_rejects(svc, ctx, tmp_path):
    made = make_invoice(257, mode="DEG")
    inbox = tmp_path / "scanner"
    scan(inbox, "257-ORDN-001.png", seed=3)
    scan(inbox, "257-fsoi_page.png", seed=21)          # separator "_" and lower-case type
    scan(inbox, "photo.png", seed=4)                  # no invoice/type in the name
    scan(inbox, "999-ORDN-x.png", seed=5)             # unknown invoice
    corrupt_scan(inbox, "257-AUTR-coupe.png")
    scan(inbox, ".257-ORDN-partial.png", seed=6)      # hidden: a scanner still writing
    results = {r.file_name: r for r in svc.import_inbox(inbox)}

    assert set(results) == {"257-ORDN-001.png", "257-fsoi_page.png", "photo.png", "999-ORDN-x.png",
                            "257-AUTR-coupe.png"}
    assert results["257-ORDN-001.png"].status == "importé" and results["257-ORDN-001.png"].state == "CONFORME"
    assert results["257-fsoi_page.png"].status == "importé"
    for name, why in (("photo.png", "nom de fichier"), ("999-ORDN-x.png", "999 inconnue"),
                      ("257-AUTR-coupe.png", "endommagé")):
        assert results[name].status == "refusé" and why in results[name].message
        note = inbox / "rejected" / f"{name}.error.txt"
        assert why in note.read_text(encoding="utf-8") and mode(note) == 0o600
        assert (inbox / "rejected" / name).exists()
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["257-ORDN-001.png", "257-fsoi_page.png"]
    assert mode(inbox / "done") == 0o700 and mode(inbox / "rejected") == 0o700
    assert mode(inbox / "done" / "257-ORDN-001.png") == 0o600
    assert [p.name for p in inbox.iterdir() if p.is_file()] == [".257-ORDN-partial.png"]
    assert {r.type_code: r.state for r in PieceJointe.select().where(PieceJointe.invoice == made.invoice_id)} \
        == {"ORDN": "CONFORME", "FSOI": "CONFORME"}


def test_inbox_is_idempotent_by_content(svc, tmp_path):
    made = make_invoice(257)
    inbox = tmp_path / "scanner"
    scan(inbox, "257-ORDN-a.png", seed=3)
    (first,) = svc.import_inbox(inbox)
    assert svc.import_inbox(inbox) == ()              # nothing new
    # The same scan dropped again (another name): recognised, not imported twice.
    shutil.copy(inbox / "done" / "257-ORDN-a.png", inbox / "257-ORDN-again.png")
    (again,) = svc.import_inbox(inbox)
    assert again.status == "déjà importé" and again.pj_id == first.pj_id
    assert PieceJointe.select().where(PieceJointe.invoice == made.invoice_id).count() == 1
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["257-ORDN-a.png", "257-ORDN-again.png"]


def test_crash_before_the_move_is_recovered(svc, tmp_path):
    """The row was committed but the file stayed in the inbox: the next run only moves it."""
    made = make_invoice(257)
    inbox = tmp_path / "scanner"
    path = scan(inbox, "257-ORDN-a.png", seed=3)
    svc.add_document(made.invoice_id, path, "ORDN")
    (result,) = svc.import_inbox(inbox)
    assert result.status == "déjà importé" and not path.exists()


def test_purge_removes_the_inbox_copy(svc, ctx, clock, tmp_path):
    make_invoice(257, lot_state="ARL positif reçu")
    inbox = tmp_path / "scanner"
    scan(inbox, "257-ORDN-a.png", seed=3)
    (imported,) = svc.import_inbox(inbox)
    svc.mark_sent([imported.pj_id])
    clock.advance(days=200)
    assert svc.purge().files_removed == 2
    assert files_under(inbox) == [] and files_under(ctx.settings.documents_path) == []


def test_deleting_a_document_removes_its_inbox_copy(svc, tmp_path):
    make_invoice(257)
    inbox = tmp_path / "scanner"
    scan(inbox, "257-ORDN-a.png", seed=3)
    (imported,) = svc.import_inbox(inbox)
    svc.delete_document(imported.pj_id, "Mauvais document")
    assert files_under(inbox / "done") == []


def test_custom_resolver_and_missing_folder(svc, tmp_path):
    made = make_invoice(257)
    inbox = tmp_path / "scanner"
    scan(inbox, "42-ORDN-a.png")
    (result,) = svc.import_inbox(inbox, lambda token: made.invoice_id if token == "42" else None)
    assert result.status == "importé"
    with pytest.raises(ValidationError):
        svc.import_inbox(tmp_path / "absent")


def test_watch_inbox_polls_until_stopped(svc, tmp_path):
    make_invoice(257)
    inbox = tmp_path / "scanner"
    scan(inbox, "257-ORDN-a.png")
    stop = threading.Event()
    seen = []

    def collect(results):
        seen.extend(results)
        stop.set()

    svc.watch_inbox(inbox, stop=stop, interval=0.01, settle_seconds=0, on_results=collect)
    assert [r.status for r in seen] == ["importé"]
