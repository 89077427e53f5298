"""File permissions (core/security.py): private after normal use, findings for open modes, fixing them."""
from __future__ import annotations

import logging
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from core.config import Settings
from core.security import Finding, check_permissions, fix_permissions


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def permissive_umask():
    """The worst usual umask (group-writable shared machines): Lunetier must set its modes explicitly."""
    old = os.umask(0o002)
    yield
    os.umask(old)


@pytest.fixture
def file_log(settings: Settings):
    from app.logging_setup import setup_file_logging

    root = logging.getLogger("lunetier")
    before = (list(root.handlers), root.level, root.propagate)
    setup_file_logging(settings.data_dir / "lunetier.log")
    yield settings.data_dir / "lunetier.log"
    for h in root.handlers[len(before[0]):]:
        h.close()
    root.handlers[:], root.level, root.propagate = before[0], before[1], before[2]


def normal_use(ctx, settings: Settings, tmp_path: Path) -> None:
    """A day at the shop: database writes, a scanned ordonnance attached, a lot file in the mailbox, a log
    line, a backup."""
    import test_scor_service_support as scor
    from core.backup import backup_database
    from core.services.scor import ScorService
    from core.transport import FolderMailbox

    with ctx.write():
        made = scor.make_invoice(253)
        ctx.audit("test.usage", entity="invoice", entity_id=made.invoice_id)
    ScorService(ctx).add_document(made.invoice_id, scor.scan(tmp_path / "scanner", "ordonnance.png"))
    mailbox = FolderMailbox(settings.mailbox_path)
    mailbox.stage("B2_000001", b"lot file")
    logging.getLogger("lunetier.test").warning("a day at the shop")
    backup_database(settings.database_url, None, data_dir=settings.data_dir, now=datetime(2024, 5, 28, 18, 0))


def test_everything_is_private_after_normal_use(sqlite_ctx, settings: Settings, file_log: Path, tmp_path: Path,
                                                permissive_umask) -> None:
    normal_use(sqlite_ctx, settings, tmp_path)
    db = Path(settings.database_url)
    wal = db.with_name(db.name + "-wal")
    docs = settings.documents_path
    assert wal.exists() and any(p.suffix == ".pdf" for p in docs.rglob("*")) and file_log.stat().st_size > 0
    assert check_permissions(settings) == []
    # Stated explicitly for the two folders that hold health data:
    for folder in (db.parent, docs, *[p for p in docs.rglob("*") if p.is_dir()]):
        assert mode(folder) & 0o077 == 0, f"{folder} is {mode(folder):04o}"
    for f in (db, wal, *[p for p in docs.rglob("*") if p.is_file()]):
        assert mode(f) & 0o077 == 0, f"{f} is {mode(f):04o}"


def test_open_modes_are_findings_and_fixed(sqlite_ctx, settings: Settings, file_log: Path, tmp_path: Path) -> None:
    normal_use(sqlite_ctx, settings, tmp_path)
    db = Path(settings.database_url)
    pdf = next(p for p in settings.documents_path.rglob("*.pdf"))
    opened = {db: 0o644, db.parent: 0o755, settings.documents_path: 0o750, pdf: 0o640,
              settings.mailbox_path: 0o711, file_log: 0o604}
    for path, m in opened.items():
        os.chmod(path, m)
    findings = check_permissions(settings)
    assert {f.path: f.mode for f in findings} == {p.resolve(): m for p, m in opened.items()}
    by_path = {f.path: f for f in findings}
    assert by_path[db.resolve()].expected == 0o600 and by_path[db.parent.resolve()].expected == 0o700
    assert by_path[db.resolve()].message_fr == (
        f"base de données {db.resolve()} accessible par le groupe et les autres utilisateurs "
        "(droits 0644, attendu 0600).")
    assert "par le groupe (droits 0750" in by_path[settings.documents_path.resolve()].message_fr
    assert fix_permissions(settings) == []
    assert check_permissions(settings) == []
    assert {p: mode(p) for p in opened} == {p: (0o700 if p.is_dir() else 0o600) for p in opened}


def test_missing_paths_and_postgres_are_not_findings(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path / "nothing-yet", db=None, demo_data=False)
    assert check_permissions(s) == []
    pg = Settings(data_dir=tmp_path, db="postgresql://u:p@h/d", documents_dir=tmp_path / "docs", demo_data=False)
    (tmp_path / "docs").mkdir(mode=0o700)
    os.chmod(tmp_path, 0o755)  # the data dir itself is not the database folder of a PostgreSQL shop
    assert check_permissions(pg) == []


def test_symlinks_inside_folders_are_not_followed(settings: Settings, tmp_path: Path) -> None:
    docs = settings.documents_path
    docs.mkdir(mode=0o700)
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    os.chmod(outside, 0o644)
    (docs / "link").symlink_to(outside)
    assert check_permissions(settings) == []
    assert fix_permissions(settings) == [] and mode(outside) == 0o644


def test_foreign_owner_is_reported_not_fixed(settings: Settings, monkeypatch) -> None:
    docs = settings.documents_path
    docs.mkdir(mode=0o700)
    monkeypatch.setattr(os, "getuid", lambda: os.geteuid() + 4242)
    findings = check_permissions(settings)
    # The database folder (= the data dir here) and the documents folder exist; nothing else does yet.
    assert [f.path for f in findings] == [settings.data_dir.resolve(), docs.resolve()]
    assert all(not f.fixable and "appartient à un autre utilisateur" in f.message_fr for f in findings)
    assert fix_permissions(settings) == findings


def test_finding_is_a_frozen_value() -> None:
    f = Finding(path=Path("/x"), what="fichier journal", mode=0o644, expected=0o600)
    with pytest.raises(AttributeError):
        f.mode = 0o600  # type: ignore[misc]
