"""Numbered migrations, applied in order at start-up; the version reached is recorded.

Each module `mNNNN_<name>.py` exposes `apply(db)`. Rules: a released migration is never edited; schema
changes after 0001 go in a new module (use playhouse.migrate; see m0001 for the initial DDL snapshot).
A database whose recorded version is newer than the code is refused (DatabaseError) before any write.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from datetime import datetime
from typing import TYPE_CHECKING

from core.errors import DatabaseError

if TYPE_CHECKING:
    import peewee

log = logging.getLogger("lunetier.db")


def available() -> list[tuple[int, str]]:
    import core.migrations as pkg

    found = []
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            found.append((int(info.name[1:5]), info.name))
    return sorted(found)


def latest_version() -> int:
    return available()[-1][0]


def current_version(db: "peewee.Database") -> int:
    if "schema_version" not in db.get_tables():
        return 0
    row = db.execute_sql("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def apply_migrations(db: "peewee.Database") -> int:
    """Apply pending migrations, each in its own transaction. Returns the version reached."""
    import peewee

    try:
        version = current_version(db)
    except peewee.DatabaseError as exc:
        raise DatabaseError("Le fichier de base de données est endommagé ou illisible.",
                            log=f"cannot read schema version: {exc}") from exc
    latest = latest_version()
    if version > latest:
        raise DatabaseError(
            f"Cette base a été créée par une version plus récente de Lunetier (schéma {version}, "
            f"cette version connaît le schéma {latest}). Mettez Lunetier à jour.",
            log=f"database schema {version} is newer than code schema {latest}")
    for number, name in available():
        if number <= version:
            continue
        module = importlib.import_module(f"core.migrations.{name}")
        try:
            with db.atomic():
                if number == 1:
                    db.execute_sql("CREATE TABLE IF NOT EXISTS schema_version "
                                   "(version INTEGER PRIMARY KEY, applied_at VARCHAR(32) NOT NULL)")
                module.apply(db)
                db.execute_sql("INSERT INTO schema_version (version, applied_at) VALUES (%s, %s)"
                               if isinstance(db, peewee.PostgresqlDatabase)
                               else "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                               (number, datetime.now().isoformat(timespec="seconds")))
        except peewee.OperationalError as exc:
            raise DatabaseError(f"Mise à jour du schéma impossible (migration {number}) : {exc}",
                                log=f"migration {name} failed: {exc}") from exc
        log.info("applied migration %s", name)
        version = number
    return version
