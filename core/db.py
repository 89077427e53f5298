"""Database access: one peewee DatabaseProxy, URL parsing, pragmas, numbered migrations.

URL forms accepted:
- a plain path or `sqlite:///path/to/file.db` (default: lunetier.db in the user data dir)
- `sqlite:///:memory:` or `:memory:` (tests)
- `sqlcipher:///path?key_env=VAR` (encrypted SQLite; the key comes from the environment variable VAR)
- `postgresql://user:pass@host:port/dbname[?schema=name]` (shops with several counters, chains; the optional
  schema sets search_path, which the test suite uses to isolate tests on one server)
Anything else is a ConfigError, before anything is created on disk.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import peewee
from peewee import DatabaseProxy

from core.errors import ConfigError, DatabaseError

log = logging.getLogger("lunetier.db")

# peewee binds models to a database object at class-definition time; the proxy is the one documented way
# to choose the real database at run time (tests pass :memory: or a temp file, production a file or server).
database_proxy = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,   # ms: several counters writing at once wait instead of failing
    "synchronous": "normal",  # with WAL: durable at checkpoint, no corruption on power loss
}


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def _sqlite_path(url: str) -> str:
    if url.startswith("sqlite://"):
        parsed = urlparse(url)
        path = unquote(parsed.netloc + parsed.path)
        if path.startswith("/:memory:"):
            return ":memory:"
        return path
    return url


def _prepare_sqlite_file(path: str) -> None:
    """Create the file (and its folder) private to the user before SQLite touches it."""
    if path == ":memory:":
        return
    p = Path(path).expanduser()
    try:
        if not p.parent.exists():
            p.parent.mkdir(parents=True, mode=0o700)
        if not p.exists():
            fd = os.open(p, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
            os.close(fd)
            log.info("created database file %s (mode 0600)", p)
    except PermissionError as exc:
        raise DatabaseError(f"Impossible de créer la base {p} : accès refusé.",
                            log=f"cannot create database {p}: {exc}") from exc
    except FileNotFoundError as exc:
        raise DatabaseError(f"Impossible de créer la base {p} : le dossier n'existe pas et ne peut pas être créé.",
                            log=f"cannot create database {p}: {exc}") from exc
    except OSError as exc:
        raise DatabaseError(f"Impossible de créer la base {p} (erreur système {exc.errno}).",
                            log=f"cannot create database {p}: {exc}") from exc
    if not os.access(p, os.R_OK):
        raise DatabaseError(f"La base {p} n'est pas lisible (droits insuffisants).", log=f"unreadable {p}")
    if not os.access(p, os.W_OK) or not os.access(p.parent, os.W_OK):
        raise DatabaseError(f"La base {p} est en lecture seule : Lunetier a besoin d'y écrire.",
                            log=f"read-only database {p}")


def make_database(url: str) -> peewee.Database:
    """Build (not connect) the database object for a URL. Unknown schemes are refused."""
    if url.startswith("sqlcipher://"):  # encryption at rest (optional extra "encryption")
        from core.db_sqlcipher import make_sqlcipher_database

        return make_sqlcipher_database(url)
    if is_postgres_url(url):
        parsed = urlparse(url)
        try:
            import psycopg2  # noqa: F401
        except ImportError as exc:
            raise ConfigError("PostgreSQL demande le paquet psycopg2 : pip install 'lunetier[postgres]'.",
                              log="psycopg2 not installed") from exc
        extra = {}
        schema = parse_qs(parsed.query).get("schema", [None])[0]
        if schema:
            if not schema.replace("_", "").isalnum():
                raise ConfigError(f"Nom de schéma PostgreSQL invalide : {schema}", log=f"bad schema {schema!r}")
            extra["options"] = f"-c search_path={schema}"
        return peewee.PostgresqlDatabase(
            parsed.path.lstrip("/"), user=unquote(parsed.username or "") or None,
            password=unquote(parsed.password or "") or None, host=parsed.hostname or None,
            port=parsed.port, **extra,
        )
    scheme = urlparse(url).scheme
    if scheme and scheme != "sqlite" and len(scheme) > 1:  # len>1: keep Windows drive letters
        raise ConfigError(f"Adresse de base de données non reconnue : « {scheme}:// » "
                          "(attendu : chemin SQLite, sqlite:/// ou postgresql://).",
                          log=f"unknown database URL scheme {scheme!r}")
    path = _sqlite_path(url)
    _prepare_sqlite_file(path)
    return peewee.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=10)


def connect(url: str, *, migrate_schema: bool = True) -> peewee.Database:
    """Bind the proxy to the database at `url`, connect, and apply pending migrations."""
    from core.migrations import apply_migrations

    db = make_database(url)
    try:
        db.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        raise DatabaseError(f"Base de données inaccessible : {exc}", log=f"cannot connect to {url}: {exc}") from exc
    except peewee.DatabaseError as exc:  # e.g. "file is not a database" raised by the first PRAGMA
        raise DatabaseError("Le fichier de base de données est endommagé ou n'est pas une base SQLite.",
                            log=f"not a database {url}: {exc}") from exc
    database_proxy.initialize(db)
    if isinstance(db, peewee.SqliteDatabase):
        _check_sqlite_readable(db, url)
    if migrate_schema:
        apply_migrations(db)
    return db


def _check_sqlite_readable(db: peewee.SqliteDatabase, url: str) -> None:
    try:
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        raise DatabaseError("Le fichier de base de données est endommagé ou n'est pas une base SQLite.",
                            log=f"not a database {url}: {exc}") from exc


def close() -> None:
    obj = database_proxy.obj
    if obj is not None and not obj.is_closed():
        obj.close()
