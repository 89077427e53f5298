"""What every service gets: the database, the clock, the settings, the store; one transaction per use case."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import peewee
from pydantic import BaseModel, ConfigDict

from core import audit
from core.clock import Clock
from core.config import Settings
from core.errors import DatabaseError


class DTO(BaseModel):
    """Plain frozen value returned to screens and CLI (never a peewee row)."""
    model_config = ConfigDict(frozen=True)


# Any constant works: it names "the Lunetier write lock" for PostgreSQL advisory locking.
_PG_WRITE_LOCK = 0x4C554E45


@dataclass
class ServiceContext:
    db: peewee.Database
    clock: Clock
    settings: Settings

    @property
    def store(self) -> str:
        return self.settings.store

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction, serialised across processes and counters.

        SQLite: BEGIN IMMEDIATE takes the write lock up front, so two counters never deadlock on a lock
        upgrade; busy_timeout makes the second one wait. PostgreSQL: a transaction-scoped advisory lock
        gives the same "one writer at a time" rule, which keeps numbering and the audit chain gap-free.
        """
        try:
            if isinstance(self.db, peewee.SqliteDatabase):
                with self.db.atomic("IMMEDIATE"):
                    yield
            else:
                with self.db.atomic():
                    self.db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_PG_WRITE_LOCK,))
                    yield
        except peewee.OperationalError as exc:
            msg = str(exc).lower()
            if "locked" in msg or "busy" in msg:
                raise DatabaseError("La base de données est occupée par un autre poste ; réessayez dans un instant.",
                                    log=f"database busy: {exc}") from exc
            if "readonly" in msg or "read-only" in msg:
                raise DatabaseError("La base de données est en lecture seule.", log=f"read-only: {exc}") from exc
            if "disk" in msg and "full" in msg:
                raise DatabaseError("Disque plein : l'opération a été annulée, rien n'a été enregistré.",
                                    log=f"disk full: {exc}") from exc
            raise DatabaseError(f"Erreur de base de données : {exc}", log=f"database error: {exc}") from exc

    def audit(self, action: str, *, entity: str = "", entity_id: Any = "", details: dict | None = None,
              actor: str = "") -> None:
        audit.append(at=self.clock.now(), action=action, entity=entity, entity_id=entity_id,
                     details=details, actor=actor, store=self.store)

    def next_number(self, name: str, *, start: int = 1, wrap: int | None = None) -> int:
        """Allocate the next number of a counter; call inside write(). Wraps to `start` after `wrap`."""
        from core.models import Counter

        row, _ = Counter.get_or_create(store=self.store, name=name, defaults={"value": start - 1})
        value = row.value + 1
        if wrap is not None and value > wrap:
            value = start
        Counter.update(value=value).where(Counter.id == row.id).execute()
        return value
