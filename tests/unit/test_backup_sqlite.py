"""Online backup and restore of the SQLite database (core/backup.py)."""
from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import datetime
from pathlib import Path

import pytest

from core import backup as bk
from core.db import close, connect
from core.errors import DatabaseError, ValidationError
from core.migrations import latest_version

NOW = datetime(2024, 5, 28, 11, 13, 0)


def make_db(path: Path, values: list[str]) -> Path:
    """A migrated Lunetier database holding one Setting row per value."""
    from core.models import Setting

    connect(str(path))
    for v in values:
        Setting.create(store="MAG01", key=f"k.{v}", value={"v": v})
    close()
    return path


def keys(path: Path) -> list[str]:
    with sqlite3.connect(path) as con:
        return [r[0] for r in con.execute("SELECT key FROM setting ORDER BY key")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return make_db(data_dir / "lunetier.db", ["a", "b"])


def test_backup_is_private_complete_single_file_and_checked(db_path: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    result = bk.backup_database(str(db_path), dest, data_dir=db_path.parent, now=NOW)
    assert result.dest == dest / "lunetier-20240528-111300.db"
    assert result.schema_version == latest_version()
    assert result.integrity == "ok"
    assert result.bytes == result.dest.stat().st_size > 0
    assert mode(result.dest) == 0o600
    assert keys(result.dest) == ["k.a", "k.b"]
    with sqlite3.connect(result.dest) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in dest.iterdir()) == [result.dest.name]  # no temp file left


def test_default_destination_is_a_private_backups_folder(db_path: Path) -> None:
    result = bk.backup_database(str(db_path), None, data_dir=db_path.parent, now=NOW)
    assert result.dest.parent == db_path.parent / "backups"
    assert mode(result.dest.parent) == 0o700


def test_backup_sees_only_committed_data_while_a_counter_is_writing(db_path: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO setting (store, key, value) VALUES ('MAG01', 'k.pending', '{}')")
    try:
        result = bk.backup_database(str(db_path), tmp_path / "snap.db", data_dir=db_path.parent, now=NOW)
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert keys(result.dest) == ["k.a", "k.b"]
    assert "k.pending" in keys(db_path)


def test_backup_under_continuous_writes_is_consistent(db_path: Path, tmp_path: Path) -> None:
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        con = sqlite3.connect(db_path, isolation_level=None, timeout=10)
        i = 0
        while not stop.is_set() or i < 50:
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO setting (store, key, value) VALUES ('MAG01', ?, '{}')", (f"w.{i:05d}",))
            con.execute("COMMIT")
            written.append(i)
            i += 1
        con.close()

    t = threading.Thread(target=write)
    t.start()
    try:
        results = [bk.backup_database(str(db_path), tmp_path / f"b{n}.db", data_dir=db_path.parent, now=NOW)
                   for n in range(3)]
    finally:
        stop.set()
        t.join()
    for r in results:
        got = [k for k in keys(r.dest) if k.startswith("w.")]
        # A prefix of the committed writes: no torn transaction, no hole.
        assert got == [f"w.{i:05d}" for i in range(len(got))]


@pytest.mark.parametrize("case", ["exists", "itself", "no-folder"])
def test_bad_destination_is_refused(db_path: Path, tmp_path: Path, case: str) -> None:
    dest = {"exists": tmp_path / "x.db", "itself": db_path, "no-folder": tmp_path / "nope" / "x.db"}[case]
    if case == "exists":
        dest.write_bytes(b"keep me")
    with pytest.raises(ValidationError):
        bk.backup_database(str(db_path), dest, data_dir=db_path.parent, now=NOW)
    if case == "exists":
        assert dest.read_bytes() == b"keep me"


def test_missing_or_foreign_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as err:
        bk.backup_database(str(tmp_path / "none.db"), tmp_path / "o.db", data_dir=tmp_path, now=NOW)
    assert "n'existe pas" in err.value.message_fr
    assert not (tmp_path / "none.db").exists()  # not created by the attempt
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ValidationError) as err:
        bk.backup_database(str(other), tmp_path / "o.db", data_dir=tmp_path, now=NOW)
    assert "pas une base Lunetier" in err.value.message_fr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite" * 500)
    with pytest.raises(DatabaseError):
        bk.backup_database(str(junk), tmp_path / "o.db", data_dir=tmp_path, now=NOW)
    assert not (tmp_path / "o.db").exists()


def test_failed_integrity_check_leaves_nothing(db_path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bk, "_integrity", lambda conn: "*** in database main *** Page 3 is never used")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(DatabaseError) as err:
        bk.backup_database(str(db_path), out, data_dir=db_path.parent, now=NOW)
    assert "défectueuse" in err.value.message_fr
    assert list(out.iterdir()) == []


# --- restore ---------------------------------------------------------------------------------------------
def test_restore_keeps_the_current_base_and_replaces_it(db_path: Path, tmp_path: Path) -> None:
    saved = bk.backup_database(str(db_path), tmp_path / "saved.db", data_dir=db_path.parent, now=NOW).dest
    make_db(db_path, ["c"])  # work done after the backup
    counter = sqlite3.connect(db_path)  # a counter still has the base open
    assert "k.c" in [r[0] for r in counter.execute("SELECT key FROM setting")]
    result = bk.restore_database(str(db_path), saved, now=NOW)
    assert result.previous == db_path.with_name("lunetier.db.before-restore-20240528-111300")
    assert keys(result.previous) == ["k.a", "k.b", "k.c"]
    assert mode(result.previous) == 0o600
    assert keys(db_path) == ["k.a", "k.b"]
    assert [r[0] for r in counter.execute("SELECT key FROM setting ORDER BY key")] == ["k.a", "k.b"]
    counter.close()
    with sqlite3.connect(db_path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert mode(db_path) == 0o600
    connect(str(db_path))  # the app opens it normally afterwards
    close()


def test_restore_onto_a_new_machine_creates_the_base(db_path: Path, tmp_path: Path) -> None:
    saved = bk.backup_database(str(db_path), tmp_path / "saved.db", data_dir=db_path.parent, now=NOW).dest
    fresh = tmp_path / "new" / "lunetier.db"
    result = bk.restore_database(str(fresh), saved, now=NOW)
    assert result.previous is None
    assert keys(fresh) == ["k.a", "k.b"]
    assert mode(fresh) == 0o600 and mode(fresh.parent) == 0o700


def _future(path: Path) -> Path:
    make_db(path, [])
    with sqlite3.connect(path) as con:
        con.execute("INSERT INTO schema_version (version, applied_at) VALUES (999, 'x')")
    return path


def _corrupt(path: Path) -> Path:
    make_db(path, [str(i) for i in range(300)])
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA journal_mode = DELETE")
    data = bytearray(path.read_bytes())
    page = 4096
    for off in range(page * 3, min(len(data), page * 6)):  # scribble over btree pages
        data[off] = 0x5A
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind,expected", [
    ("missing", "n'existe pas"), ("junk", "pas une base Lunetier"), ("foreign", "schema_version absente"),
    ("future", "plus récente"), ("corrupt", "endommagé"),
])
def test_restore_refuses_bad_files_and_touches_nothing(db_path: Path, tmp_path: Path, kind: str,
                                                       expected: str) -> None:
    src = tmp_path / f"{kind}.db"
    if kind == "junk":
        src.write_bytes(os.urandom(8192))
    elif kind == "foreign":
        sqlite3.connect(src).execute("CREATE TABLE t (x)").connection.close()
    elif kind == "future":
        _future(src)
    elif kind == "corrupt":
        _corrupt(src)
    before = keys(db_path)
    with pytest.raises(ValidationError) as err:
        bk.restore_database(str(db_path), src, now=NOW)
    assert expected in err.value.message_fr
    assert "\n" not in err.value.message_fr
    assert keys(db_path) == before
    assert not list(db_path.parent.glob("*.before-restore-*"))


def test_restore_from_the_base_itself_is_refused(db_path: Path) -> None:
    with pytest.raises(ValidationError):
        bk.restore_database(str(db_path), db_path, now=NOW)


# --- PostgreSQL commands ---------------------------------------------------------------------------------
def test_postgres_commands_never_show_the_password() -> None:
    url = "postgresql://shop:s3cr%40t@db.example:5433/lunetier?schema=mag01"
    cmds = bk.postgres_commands(url, Path("/var/backups/l.dump"), now=NOW)
    assert cmds.url == "postgresql://shop:***@db.example:5433/lunetier?schema=mag01"
    assert cmds.dump == ("pg_dump --format=custom --no-owner --host=db.example --port=5433 --username=shop "
                         "--dbname=lunetier --schema=mag01 --file=/var/backups/l.dump")
    assert cmds.restore == ("pg_restore --clean --if-exists --no-owner --single-transaction --host=db.example "
                            "--port=5433 --username=shop --dbname=lunetier /var/backups/l.dump")
    for text in (cmds.url, cmds.dump, cmds.restore, cmds.note_fr):
        assert "s3cr" not in text
    default = bk.postgres_commands("postgresql://u@h/db", None, now=NOW)
    assert default.dump.endswith("--file=lunetier-db-20240528-111300.dump")


@pytest.mark.parametrize("url,expected", [
    ("postgresql://u:p@h:1/d", "postgresql://u:***@h:1/d"),
    ("postgresql://u@h/d", "postgresql://u@h/d"),
    ("postgresql://u:p%40ss@h/d?schema=x", "postgresql://u:***@h/d?schema=x"),
])
def test_redact_url(url: str, expected: str) -> None:
    assert bk.redact_url(url) == expected


def test_restore_over_a_damaged_base_keeps_its_bytes(db_path: Path, tmp_path: Path) -> None:
    saved = bk.backup_database(str(db_path), tmp_path / "saved.db", data_dir=db_path.parent, now=NOW).dest
    _corrupt(db_path)  # the base the shop wants to get rid of
    damaged = db_path.read_bytes()
    result = bk.restore_database(str(db_path), saved, now=NOW)
    assert result.previous is not None and result.previous.read_bytes() == damaged
    assert mode(result.previous) == 0o600
    assert keys(db_path) == ["k.a", "k.b"] and mode(db_path) == 0o600
    connect(str(db_path))
    close()


def test_paths_with_uri_characters(tmp_path: Path) -> None:
    folder = tmp_path / "caisse #2 ?100%"
    folder.mkdir()
    db = make_db(folder / "base ?x=1#y.db", ["z"])
    made = bk.backup_database(str(db), folder, data_dir=folder, now=NOW)
    assert keys(made.dest) == ["k.z"]
    assert bk.restore_database(str(db), made.dest, now=NOW).previous.exists()
