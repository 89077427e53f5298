"""Backup and restore of the Lunetier database.

SQLite (and SQLCipher): SQLite's online backup API copies a consistent snapshot while counters keep
working (in WAL mode readers never block writers). The copy goes to a private temp file next to the
destination, is switched to a single-file journal mode, checked with PRAGMA integrity_check, fsynced, and
only then renamed into place: a backup file that exists is complete and sound.

Restore (SQLite only) refuses anything that is not a Lunetier database (schema_version present and not
newer than the code, integrity ok), first saves the current database as
``<name>.before-restore-<timestamp>``, then copies the backup into the live database with the same
backup API, so counters that still have it open see either the old or the new content, never a torn file.

PostgreSQL: pg_dump / pg_restore do this job; `postgres_commands` builds the exact commands for the
configured URL without the password (libpq reads it from ~/.pgpass or PGPASSWORD).
"""
from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, quote, unquote, urlparse

from core.errors import ConfigError, DatabaseError, ValidationError

BACKUP_SUFFIX = ".db"
_BUSY_MS = 10_000


@dataclass(frozen=True)
class BackupResult:
    source: Path
    dest: Path
    bytes: int
    schema_version: int
    integrity: str = "ok"


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    restored_from: Path
    previous: Path | None          # the saved copy of the database as it was (None: there was none)
    schema_version: int


@dataclass(frozen=True)
class PostgresCommands:
    url: str          # password redacted
    dump: str
    restore: str
    note_fr: str


# --- URLs -----------------------------------------------------------------------------------------------
def redact_url(url: str) -> str:
    """The URL with its password replaced by ***."""
    parsed = urlparse(url)
    if parsed.password is None:
        return url
    netloc = parsed.netloc.rsplit("@", 1)
    user = parsed.username or ""
    return parsed._replace(netloc=f"{user}:***@{netloc[-1]}").geturl()


@dataclass(frozen=True)
class _Target:
    path: Path
    key_env: str | None = None     # SQLCipher


def _target(url: str) -> _Target:
    from core.db import _sqlite_path
    from core.db_sqlcipher import is_sqlcipher_url, parse_sqlcipher_url

    if is_sqlcipher_url(url):
        path, key_env = parse_sqlcipher_url(url)
        return _Target(Path(path).expanduser(), key_env)
    path = _sqlite_path(url)
    if path == ":memory:":
        raise ValidationError("Une base en mémoire ne se sauvegarde pas.", log="backup of :memory:")
    return _Target(Path(path).expanduser())


def _connect(target: _Target, path: Path, *, must_exist: bool) -> Any:
    """A DB-API connection to `path` (plain sqlite3, or sqlcipher3 with the target's key)."""
    if must_exist and not path.is_file():
        raise DatabaseError(f"La base {path} n'existe pas.", log=f"no database file {path}")
    if target.key_env:
        from core.db_sqlcipher import open_raw, wrong_key_error

        try:
            conn = open_raw(str(path), target.key_env, timeout=_BUSY_MS / 1000)
        except _driver_errors() as exc:
            if "not a database" in str(exc).lower():
                raise wrong_key_error(str(path), target.key_env, exc) from exc
            raise
        return conn
    uri = f"file:{quote(str(path))}?mode={'rw' if must_exist else 'rwc'}"
    return sqlite3.connect(uri, uri=True, timeout=_BUSY_MS / 1000)


# --- Backup ---------------------------------------------------------------------------------------------
def default_backup_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def backup_name(db_path: Path, now: datetime) -> str:
    return f"{db_path.stem}-{now:%Y%m%d-%H%M%S}{BACKUP_SUFFIX}"


def _private_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ValidationError(f"Impossible de créer le dossier {folder} : {exc.strerror}.",
                              log=f"cannot create {folder}: {exc}") from exc


def _resolve_dest(db_path: Path, dest: Path | None, data_dir: Path, now: datetime) -> Path:
    if dest is None:
        folder = default_backup_dir(data_dir)
        _private_dir(folder)
        return folder / backup_name(db_path, now)
    dest = dest.expanduser()
    if dest.is_dir():
        return dest / backup_name(db_path, now)
    if dest.exists():
        raise ValidationError(f"Le fichier {dest} existe déjà : choisissez un autre nom de sauvegarde.",
                              log=f"backup destination exists {dest}")
    if not dest.parent.is_dir():
        raise ValidationError(f"Le dossier {dest.parent} n'existe pas.", log=f"no folder {dest.parent}")
    return dest


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _read_version(conn: Any) -> int | None:
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
    if not has:
        return None
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def _integrity(conn: Any) -> str:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(r[0]) for r in rows[:5])


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _snapshot_to(source_conn: Any, target: _Target, final: Path,
                 progress: Callable[[int, int, int], None] | None = None) -> tuple[int, int]:
    """Online-backup `source_conn` to `final` atomically (temp + rename), 0600, integrity-checked.

    Returns (bytes, schema_version). Nothing is left behind on failure."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)  # mkstemp creates the file 0600; SQLite reopens it by name
    tmp = Path(tmp_name)
    try:
        with closing(_connect(target, tmp, must_exist=False)) as copy:
            source_conn.backup(copy, progress=progress)
            # The copy keeps the source's WAL flag; a backup must be one self-contained file.
            copy.execute("PRAGMA journal_mode = DELETE").fetchone()
            verdict = _integrity(copy)
            if verdict != "ok":
                raise DatabaseError(f"La copie de sauvegarde est défectueuse ({verdict}) : rien n'a été enregistré.",
                                    log=f"backup integrity_check failed: {verdict}")
            version = _read_version(copy) or 0
        os.chmod(tmp, 0o600)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final.stat().st_size, version


def _driver_errors() -> tuple[type[BaseException], ...]:
    """DatabaseError classes of the drivers in use (sqlite3, and sqlcipher3 when installed)."""
    errors: list[type[BaseException]] = [sqlite3.DatabaseError]
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        pass
    else:
        errors.append(dbapi2.DatabaseError)
    return tuple(errors)


def _sqlite_error(action: str, exc: Exception) -> DatabaseError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseError(f"{action} impossible : la base est occupée par un autre poste ; réessayez.",
                             log=f"{action}: busy: {exc}")
    if "full" in text:
        return DatabaseError(f"{action} impossible : disque plein. Rien n'a été enregistré.",
                             log=f"{action}: disk full: {exc}")
    return DatabaseError(f"{action} impossible : {exc}", log=f"{action} failed: {exc}")


def backup_database(url: str, dest: Path | None, *, data_dir: Path, now: datetime,
                    progress: Callable[[int, int, int], None] | None = None) -> BackupResult:
    """Online backup of the SQLite (or SQLCipher) database at `url` to `dest` (a file or a folder;
    default: <data_dir>/backups/<name>-<timestamp>.db). Same key as the source for SQLCipher."""
    target = _target(url)
    final = _resolve_dest(target.path, dest, data_dir, now)
    if _same_file(final, target.path):
        raise ValidationError("La sauvegarde ne peut pas remplacer la base elle-même.", log="backup onto itself")
    try:
        with closing(_connect(target, target.path, must_exist=True)) as source:
            source.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            if _read_version(source) is None:
                raise ValidationError(f"{target.path} n'est pas une base Lunetier (table schema_version absente).",
                                      log=f"not a lunetier database {target.path}")
            size, version = _snapshot_to(source, target, final, progress)
    except _driver_errors() as exc:
        if "not a database" in str(exc).lower():
            raise DatabaseError(f"{target.path} n'est pas une base SQLite.", log=f"not a database: {exc}") from exc
        raise _sqlite_error("Sauvegarde", exc) from exc
    except OSError as exc:
        raise DatabaseError(f"Sauvegarde impossible : {exc.strerror}.", log=f"backup failed: {exc}") from exc
    return BackupResult(source=target.path, dest=final, bytes=size, schema_version=version)


# --- Restore --------------------------------------------------------------------------------------------
def check_backup_file(path: Path, target: _Target | None = None) -> int:
    """Schema version of a backup file; ValidationError unless it is a sound Lunetier database that this
    version of the code can open."""
    from core.migrations import latest_version

    target = target or _Target(path)
    if not path.is_file():
        raise ValidationError(f"Le fichier {path} n'existe pas.", log=f"restore: no file {path}")
    try:
        if target.key_env:
            conn = _connect(target, path, must_exist=True)
        else:
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
        with closing(conn):
            version = _read_version(conn)
            verdict = _integrity(conn) if version is not None else ""
    except _driver_errors() as exc:  # not a database, unreadable...
        raise ValidationError(f"{path} n'est pas une base Lunetier (fichier illisible ou endommagé).",
                              log=f"restore: unreadable {path}: {exc}") from exc
    if version is None:
        raise ValidationError(f"{path} n'est pas une base Lunetier (table schema_version absente).",
                              log=f"restore: no schema_version in {path}")
    if version > latest_version():
        raise ValidationError(f"{path} vient d'une version plus récente de Lunetier (schéma {version}, cette "
                              f"version connaît le schéma {latest_version()}) : mettez Lunetier à jour d'abord.",
                              log=f"restore: schema {version} newer than {latest_version()}")
    if verdict != "ok":
        raise ValidationError(f"{path} est endommagé ({verdict}) : restauration refusée.",
                              log=f"restore: integrity_check failed for {path}: {verdict}")
    return version


def before_restore_name(db_path: Path, now: datetime) -> Path:
    return db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}")


_COMPANIONS = ("-wal", "-shm", "-journal")


def _live_is_sound(target: _Target) -> bool:
    """False when the current database cannot be read or fails quick_check (the usual reason to restore)."""
    try:
        with closing(_connect(target, target.path, must_exist=True)) as live:
            live.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            rows = live.execute("PRAGMA quick_check").fetchall()
    except DatabaseError:
        raise  # wrong SQLCipher key: not a damaged base
    except _driver_errors() as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise _sqlite_error("Restauration", exc) from exc
        return False
    return [r[0] for r in rows] == ["ok"]


def _keep_raw(db: Path, previous: Path) -> None:
    """Byte copies (0600) of a damaged database and its companions, for a later diagnosis."""
    for suffix in ("", *_COMPANIONS):
        src = db.with_name(db.name + suffix)
        if not src.exists():
            continue
        dest = previous.with_name(previous.name + suffix)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)
            out.flush()
            os.fsync(out.fileno())


def restore_database(url: str, source: Path, *, now: datetime) -> RestoreResult:
    """Replace the database at `url` with the backup `source` (see the module docstring).

    A damaged current database (unreadable, quick_check failing) cannot be copied through SQLite: its
    files are kept byte for byte as <name>.before-restore-<timestamp>[-wal|-shm], and the restored copy
    takes its place by rename. Other counters must be stopped in that case (they are failing anyway)."""
    target = _target(url)
    source = source.expanduser()
    if _same_file(source, target.path):
        raise ValidationError("Le fichier à restaurer est la base elle-même.", log="restore from itself")
    version = check_backup_file(source, target)
    previous: Path | None = None
    verdict = "ok"
    try:
        if target.path.exists():
            previous = before_restore_name(target.path, now)
            if previous.exists():
                raise ValidationError(f"{previous} existe déjà : réessayez dans une seconde.",
                                      log=f"restore: {previous} exists")
            if _live_is_sound(target):
                with closing(_connect(target, target.path, must_exist=True)) as live:
                    live.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
                    _snapshot_to(live, target, previous)
                    with closing(_connect(target, source, must_exist=True)) as backup:
                        # Pages are copied inside one write transaction of the live database: other
                        # connections wait (busy timeout) and then see the restored content.
                        backup.backup(live)
                    verdict = _integrity(live)
            else:
                _keep_raw(target.path, previous)
                for suffix in _COMPANIONS:  # they belong to the damaged file, not to the restored one
                    target.path.with_name(target.path.name + suffix).unlink(missing_ok=True)
                with closing(_connect(target, source, must_exist=True)) as backup:
                    _snapshot_to(backup, target, target.path)
        else:
            _private_dir(target.path.parent)
            with closing(_connect(target, source, must_exist=True)) as backup:
                _snapshot_to(backup, target, target.path)
    except _driver_errors() as exc:
        raise _sqlite_error("Restauration", exc) from exc
    except OSError as exc:
        raise DatabaseError(f"Restauration impossible : {exc.strerror}.", log=f"restore failed: {exc}") from exc
    if verdict != "ok":  # pragma: no cover - the source was checked; this guards the copy itself
        raise DatabaseError(f"Base restaurée défectueuse ({verdict}) ; l'ancienne est dans {previous}.",
                            log=f"restored database integrity_check failed: {verdict}")
    return RestoreResult(database=target.path, restored_from=source, previous=previous, schema_version=version)


# --- PostgreSQL -----------------------------------------------------------------------------------------
def postgres_commands(url: str, dest: Path | None, *, now: datetime) -> PostgresCommands:
    """The pg_dump / pg_restore commands for a postgresql:// URL; the password never appears."""
    parsed = urlparse(url)
    dbname = unquote(parsed.path.lstrip("/"))
    if not dbname:
        raise ConfigError("Adresse PostgreSQL sans nom de base.", log="postgres URL without database name")
    schema = parse_qs(parsed.query).get("schema", [None])[0]
    conn: list[str] = []
    if parsed.hostname:
        conn.append(f"--host={parsed.hostname}")
    if parsed.port:
        conn.append(f"--port={parsed.port}")
    if parsed.username:
        conn.append(f"--username={unquote(parsed.username)}")
    conn.append(f"--dbname={dbname}")
    file = str(dest.expanduser()) if dest is not None else f"lunetier-{dbname}-{now:%Y%m%d-%H%M%S}.dump"
    dump = ["pg_dump", "--format=custom", "--no-owner", *conn]
    if schema:
        dump.append(f"--schema={schema}")
    dump.append(f"--file={file}")
    restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *conn, file]
    return PostgresCommands(
        url=redact_url(url), dump=shlex.join(dump), restore=shlex.join(restore),
        note_fr="Mot de passe : fichier ~/.pgpass ou variable PGPASSWORD (jamais sur la ligne de commande). "
                "Arrêtez les postes avant pg_restore.")
