"""Encryption at rest with SQLCipher (core/db_sqlcipher.py), the optional extra `encryption`."""
from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path

import peewee
import pytest

from core.errors import ConfigError, DatabaseError

pytest.importorskip("sqlcipher3", reason="optional extra 'encryption' (sqlcipher3-binary) not installed")

from core import backup as bk  # noqa: E402
from core.db_sqlcipher import SqlCipherDatabase, make_sqlcipher_database, parse_sqlcipher_url  # noqa: E402

KEY = "correct horse 'battery' staple"
MARKER = "ZEBULON-QUIXOTE-7731"


@pytest.fixture
def url(tmp_path: Path, monkeypatch) -> str:
    monkeypatch.setenv("LUNETIER_TEST_DB_KEY", KEY)
    return f"sqlcipher://{tmp_path}/data/enc.db?key_env=LUNETIER_TEST_DB_KEY"


def open_db(url: str) -> peewee.Database:
    """What core.db.connect does once make_database dispatches sqlcipher:// here (hook for the lead)."""
    from core.db import database_proxy
    from core.migrations import apply_migrations

    db = make_sqlcipher_database(url)
    db.connect(reuse_if_open=True)
    database_proxy.initialize(db)
    apply_migrations(db)
    return db


def write_marker(url: str) -> Path:
    from core.clock import FrozenClock
    from core.config import Settings
    from core.models import Client
    from core.services.base import ServiceContext
    from tests.conftest import FROZEN_AT

    db = open_db(url)
    ctx = ServiceContext(db=db, clock=FrozenClock(FROZEN_AT), settings=Settings(db=url, demo_data=False))
    with ctx.write():
        Client.create(nom=MARKER, prenom="Ada")
        ctx.audit("client.creation", entity="client", details={"nom": MARKER})
    db.close()
    return Path(parse_sqlcipher_url(url)[0])


def test_data_is_unreadable_without_the_key_and_readable_with_it(url: str) -> None:
    path = write_marker(url)
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert MARKER.encode() not in raw and b"client" not in raw
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()
    db = open_db(url)
    from core.audit import verify_chain
    from core.models import Client

    assert [c.nom for c in Client.select()] == [MARKER]
    assert verify_chain().ok
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_wal_is_encrypted_too(url: str) -> None:
    db = open_db(url)
    from core.models import Client

    Client.create(nom=MARKER)
    path = Path(parse_sqlcipher_url(url)[0])
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    assert MARKER.encode() not in wal.read_bytes()
    db.close()


def test_wrong_key_is_one_clear_database_error(url: str, monkeypatch) -> None:
    write_marker(url)
    monkeypatch.setenv("LUNETIER_TEST_DB_KEY", "not the key")
    with pytest.raises(DatabaseError) as err:
        open_db(url)
    msg = err.value.message_fr
    assert "clé" in msg and "LUNETIER_TEST_DB_KEY" in msg and "\n" not in msg
    assert KEY not in msg and "not the key" not in msg and KEY not in err.value.log


def test_plain_sqlite_file_with_a_key_is_refused(tmp_path: Path, monkeypatch) -> None:
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    monkeypatch.setenv("K", "k")
    with pytest.raises(DatabaseError):
        open_db(f"sqlcipher://{plain}?key_env=K")


@pytest.mark.parametrize("bad", [
    "sqlcipher://user:secret@/tmp/x.db?key_env=K",
    "sqlcipher:///tmp/x.db?key=secret",
    "sqlcipher:///tmp/x.db?key_env=K&passphrase=secret",
    "sqlcipher:///tmp/x.db",
    "sqlcipher:///tmp/x.db?key_env=BAD-NAME",
    "sqlcipher:///:memory:?key_env=K",
])
def test_urls_carrying_a_key_or_lacking_key_env_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_sqlcipher_url(bad)
    assert "secret" not in err.value.message_fr and "secret" not in err.value.log


def test_missing_key_variable_creates_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("LUNETIER_ABSENT_KEY", raising=False)
    target = tmp_path / "sub" / "x.db"
    with pytest.raises(ConfigError) as err:
        make_sqlcipher_database(f"sqlcipher://{target}?key_env=LUNETIER_ABSENT_KEY")
    assert "LUNETIER_ABSENT_KEY" in err.value.message_fr
    assert not target.parent.exists()


def test_missing_driver_is_a_config_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("K", "k")
    monkeypatch.setitem(sys.modules, "sqlcipher3", None)
    with pytest.raises(ConfigError) as err:
        make_sqlcipher_database(f"sqlcipher://{tmp_path}/x.db?key_env=K")
    assert "lunetier[encryption]" in err.value.message_fr
    assert not (tmp_path / "x.db").exists()


def test_key_never_reaches_logs(url: str, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("peewee", "lunetier"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    write_marker(url)
    open_db(url).close()
    assert caplog.records  # peewee did log its statements
    assert KEY not in caplog.text and KEY.replace("'", "''") not in caplog.text


def test_is_a_sqlite_database_for_the_rest_of_the_code(url: str) -> None:
    db = make_sqlcipher_database(url)
    assert isinstance(db, SqlCipherDatabase) and isinstance(db, peewee.SqliteDatabase)
    assert KEY not in repr(vars(db))
    assert KEY not in repr(db.connect_params)


def test_backup_and_restore_of_an_encrypted_base(url: str, tmp_path: Path) -> None:
    from datetime import datetime

    path = write_marker(url)
    now = datetime(2024, 5, 28, 11, 13)
    made = bk.backup_database(url, tmp_path / "enc-copy.db", data_dir=tmp_path, now=now)
    copy = made.dest.read_bytes()
    assert MARKER.encode() not in copy and not copy.startswith(b"SQLite format 3")
    db = open_db(url)
    from core.models import Client

    Client.create(nom="after-backup")
    db.close()
    result = bk.restore_database(url, made.dest, now=now)
    assert result.previous is not None and MARKER.encode() not in result.previous.read_bytes()
    db = open_db(url)
    assert [c.nom for c in Client.select()] == [MARKER]
    db.close()
    assert path.exists()


def test_through_core_db_connect_with_the_dispatch_hook(url: str, monkeypatch) -> None:
    """The one-line hook core/db.py's make_database needs, applied here by monkeypatch."""
    import core.db

    plain = core.db.make_database

    def hooked(u: str):
        if u.startswith("sqlcipher://"):
            return make_sqlcipher_database(u)
        return plain(u)

    monkeypatch.setattr(core.db, "make_database", hooked)
    db = core.db.connect(url)
    assert isinstance(db, SqlCipherDatabase)
    from core.migrations import current_version, latest_version

    assert current_version(db) == latest_version()
    core.db.close()
    monkeypatch.setenv("LUNETIER_TEST_DB_KEY", "wrong")
    with pytest.raises(DatabaseError) as err:
        core.db.connect(url)
    assert "clé" in err.value.message_fr
