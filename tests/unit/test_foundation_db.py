import os
import sqlite3
import stat

import peewee
import pytest

from core.db import connect, make_database
from core.errors import ConfigError, DatabaseError
from core.migrations import current_version, latest_version


def test_new_sqlite_file_is_private_and_migrated(data_dir):
    path = data_dir / "sub" / "shop.db"
    db = connect(str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert current_version(db) == latest_version()
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10000
    db.close()


def test_migrations_are_recorded_once(data_dir):
    path = str(data_dir / "a.db")
    db = connect(path)
    db.close()
    db = connect(path)
    rows = db.execute_sql("SELECT version FROM schema_version").fetchall()
    assert [r[0] for r in rows] == list(range(1, latest_version() + 1))
    db.close()


def test_schema_newer_than_code_is_refused_and_nothing_written(data_dir):
    path = str(data_dir / "future.db")
    db = connect(path)
    db.execute_sql("INSERT INTO schema_version (version, applied_at) VALUES (999, 'x')")
    db.close()
    before = open(path, "rb").read()
    with pytest.raises(DatabaseError) as err:
        connect(path)
    assert "plus récente" in err.value.message_fr
    assert sqlite3.connect(path).execute("SELECT max(version) FROM schema_version").fetchone()[0] == 999
    assert len(before) > 0


@pytest.mark.parametrize("url", ["mysql://x/y", "ftp://host/db", "redis://localhost"])
def test_unknown_scheme_is_a_config_error_and_creates_nothing(url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        make_database(url)
    assert "non reconnue" in err.value.message_fr
    assert list(tmp_path.iterdir()) == []


def test_read_only_directory_is_refused(tmp_path):
    if os.geteuid() == 0:
        # root ignores permission bits; use a path under /proc, which nobody can create files in
        with pytest.raises(DatabaseError):
            connect("/proc/lunetier-test/x.db")
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(DatabaseError):
        connect(str(ro / "x.db"))


def test_garbage_file_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DatabaseError) as err:
        connect(str(path))
    assert "endommagé" in err.value.message_fr or "illisible" in err.value.message_fr


def test_foreign_keys_enforced(ctx):
    from core.models import Dossier

    with pytest.raises(peewee.IntegrityError):
        with ctx.write():
            Dossier.create(client=424242, created_at=ctx.clock.now(), consultation_date=ctx.clock.today())
