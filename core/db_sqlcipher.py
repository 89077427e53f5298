"""Optional encryption at rest: SQLCipher, selected by the database URL.

URL form: ``sqlcipher:///path/to/lunetier.db?key_env=LUNETIER_DB_KEY``.
The key is read from the environment variable named by ``key_env`` each time a connection opens: it is
never part of the URL (a URL carrying a key or a password is refused, because URLs end up in settings
files, `ps` output and logs), never stored on the database object and never logged.

Needs the optional extra ``encryption`` (pip package sqlcipher3-binary). Without it the URL is a
ConfigError with the install command, before anything is created on disk.

The database object is a peewee SqliteDatabase subclass, so everything SQLite-specific in Lunetier
(BEGIN IMMEDIATE in ServiceContext.write, pragmas, migrations) applies unchanged.
"""
from __future__ import annotations

import datetime
import decimal
import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import peewee

from core.errors import ConfigError, DatabaseError

SCHEME = "sqlcipher"
_ALLOWED_PARAMS = {"key_env"}


def is_sqlcipher_url(url: str) -> bool:
    return url.startswith(f"{SCHEME}://")


def parse_sqlcipher_url(url: str) -> tuple[str, str]:
    """-> (file path, name of the environment variable holding the key). Refuses keys inside the URL."""
    parsed = urlparse(url)
    if parsed.password is not None or parsed.username is not None:
        # Do not echo the URL: it may contain the secret.
        raise ConfigError("Adresse sqlcipher:// refusée : la clé ne doit jamais figurer dans l'adresse ; "
                          "indiquez le nom d'une variable d'environnement avec ?key_env=NOM.",
                          log="sqlcipher URL with credentials refused")
    params = parse_qs(parsed.query, keep_blank_values=True)
    unknown = sorted(set(params) - _ALLOWED_PARAMS)
    if unknown:
        raise ConfigError("Adresse sqlcipher:// refusée : seul le paramètre key_env est accepté (la clé elle-même "
                          "se donne par une variable d'environnement).",
                          log=f"sqlcipher URL with unexpected parameters {unknown}")
    key_env = (params.get("key_env") or [""])[0]
    if not key_env:
        raise ConfigError("Base chiffrée : indiquez la variable d'environnement qui contient la clé "
                          "(sqlcipher:///chemin/lunetier.db?key_env=LUNETIER_DB_KEY).",
                          log="sqlcipher URL without key_env")
    if not key_env.replace("_", "").isalnum():
        raise ConfigError(f"Nom de variable d'environnement invalide : {key_env}", log=f"bad key_env {key_env!r}")
    path = unquote(parsed.netloc + parsed.path)
    if not path or path in ("/:memory:", ":memory:"):
        raise ConfigError("Base chiffrée : indiquez un fichier (sqlcipher:///chemin/lunetier.db?key_env=...).",
                          log="sqlcipher URL without a file path")
    return path, key_env


def read_key(key_env: str) -> str:
    key = os.environ.get(key_env, "")
    if not key:
        raise ConfigError(f"Base chiffrée : la variable d'environnement {key_env} (clé de chiffrement) "
                          "n'est pas définie ou est vide.", log=f"encryption key variable {key_env} unset or empty")
    return key


def _driver() -> Any:
    try:
        from sqlcipher3 import dbapi2
    except ImportError as exc:
        raise ConfigError("Le chiffrement de la base demande le paquet sqlcipher3-binary : "
                          "pip install 'lunetier[encryption]'.", log="sqlcipher3 not installed") from exc
    # Same adapters peewee's own sqlcipher integration registers: dates and decimals stored as text.
    dbapi2.register_adapter(decimal.Decimal, str)
    dbapi2.register_adapter(datetime.date, str)
    dbapi2.register_adapter(datetime.time, str)
    return dbapi2


def open_raw(path: str, key_env: str, **kwargs: Any) -> Any:
    """A plain DB-API connection to the encrypted file with the key applied and checked (backup uses it)."""
    conn = _driver().connect(path, **kwargs)
    try:
        _apply_key(conn, key_env)
    except BaseException:
        conn.close()
        raise
    return conn


def _apply_key(conn: Any, key_env: str) -> None:
    # cipher_log_level: SQLCipher otherwise prints decryption errors on stderr (over the TUI).
    conn.execute("PRAGMA cipher_log_level = NONE")
    # PRAGMA key cannot take a bound parameter; quotes are doubled as SQL requires. Never logged: this goes
    # straight to the driver, not through peewee's execute_sql (which logs statements at DEBUG).
    conn.execute("PRAGMA key = '%s'" % read_key(key_env).replace("'", "''"))
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a wrong key fails here


def wrong_key_error(path: str, key_env: str, exc: Exception) -> DatabaseError:
    return DatabaseError(f"Base chiffrée illisible : la clé de la variable {key_env} est incorrecte, ou {path} "
                         "n'est pas une base chiffrée Lunetier.",
                         log=f"cannot decrypt {path} with key from {key_env}: {exc}")


class SqlCipherDatabase(peewee.SqliteDatabase):
    """peewee SQLite database on sqlcipher3's DB-API; the key comes from the environment at connect time."""

    def __init__(self, database: str, *, key_env: str, **kwargs: Any) -> None:
        self.key_env = key_env
        super().__init__(database, **kwargs)

    def _connect(self) -> Any:
        conn = _driver().connect(self.database, timeout=self._timeout, isolation_level=None, **self.connect_params)
        try:
            _apply_key(conn, self.key_env)
            self._add_conn_hooks(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def connect(self, reuse_if_open: bool = False) -> bool:
        try:
            return super().connect(reuse_if_open)
        except peewee.DatabaseError as exc:
            text = str(exc).lower()
            if "not a database" in text or "encrypted" in text:
                raise wrong_key_error(self.database, self.key_env, exc) from exc
            raise


def make_sqlcipher_database(url: str) -> SqlCipherDatabase:
    """Build (not connect) the encrypted database for a sqlcipher:// URL."""
    from core.db import SQLITE_PRAGMAS, _prepare_sqlite_file

    path, key_env = parse_sqlcipher_url(url)
    _driver()          # missing extra -> ConfigError before the file is created
    read_key(key_env)  # missing key -> ConfigError before the file is created
    _prepare_sqlite_file(path)
    return SqlCipherDatabase(path, key_env=key_env, pragmas=SQLITE_PRAGMAS, timeout=10)
