"""Append-only audit log with a hash chain.

Each row stores sha256(prev_hash + canonical row content). Editing, deleting or inserting a row in the
middle breaks the chain from that row on; `verify_chain` reports the first broken row.
Forçages, manual states, deletions and purges are written here, inside the same transaction as the change
they describe, so an action and its trace commit or roll back together.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.models import AuditLog

GENESIS = "0" * 64


def _canonical(seq: int, at: datetime, store: str, actor: str, action: str, entity: str, entity_id: str,
               details: str) -> str:
    return json.dumps([seq, at.isoformat(timespec="seconds"), store, actor, action, entity, entity_id, details],
                      ensure_ascii=False, separators=(",", ":"))


def _hash(prev: str, canonical: str) -> str:
    return hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()


def append(*, at: datetime, action: str, entity: str = "", entity_id: str | int = "",
           details: dict[str, Any] | None = None, actor: str = "", store: str = "MAG01") -> AuditLog:
    """Append one row. Call inside the business transaction."""
    last = AuditLog.select().order_by(AuditLog.seq.desc()).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    at = at.replace(microsecond=0)
    payload = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = _hash(prev, _canonical(seq, at, store, actor, action, entity, str(entity_id), payload))
    return AuditLog.create(seq=seq, at=at, store=store, actor=actor, action=action, entity=entity,
                           entity_id=str(entity_id), details=payload, prev_hash=prev, hash=digest)


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    rows: int
    first_broken_seq: int | None = None
    reason: str = ""


def verify_chain() -> ChainVerdict:
    prev = GENESIS
    expected_seq = 1
    count = 0
    for row in AuditLog.select().order_by(AuditLog.seq).iterator():
        count += 1
        if row.seq != expected_seq:
            return ChainVerdict(False, count, row.seq, f"séquence interrompue (attendu {expected_seq})")
        if row.prev_hash != prev:
            return ChainVerdict(False, count, row.seq, "lien vers la ligne précédente rompu")
        at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
        digest = _hash(prev, _canonical(row.seq, at, row.store, row.actor, row.action, row.entity,
                                        row.entity_id, row.details))
        if digest != row.hash:
            return ChainVerdict(False, count, row.seq, "contenu modifié")
        prev = row.hash
        expected_seq += 1
    return ChainVerdict(True, count)
