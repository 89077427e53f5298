"""Pièce jointe states of the manual's "Pièces Jointes" list, their transitions, and retention rules.

Retention: the optician convention keeps the pièce numérique 90 days from télétransmission
([CONV-OPT] art. 43); the manual says the SCOR norm allows 6 months at most, after which documents
are purged. Hence (INFERRED, DOMAIN.md section 8): keep >= 90 days, purge at 6 months by default.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from types import MappingProxyType
from typing import Iterable, Mapping, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator

from core.errors import ValidationError

MIN_RETENTION_DAYS = 90       # [CONV-OPT] art. 43: never purge earlier
MAX_RETENTION_DAYS = 184      # "6 mois maximum": six calendar months are at most 184 days
DEFAULT_RETENTION_DAYS = 183  # "6 mois"


class PjState(str, Enum):
    """État PJ. The manual shows the last two truncated ("SAUVEGARDE P…", "COLLECTE PAPI…")."""

    MANQUANT = "MANQUANT"                     # no document attached
    NON_CONFORME = "NON CONFORME"             # attached, the user said it does not conform
    CONFORME = "CONFORME"                     # attached and validated: ready to send
    A_RECONSTITUER = "A RECONSTITUER"         # must be rescanned / rebuilt (caisse or user request)
    ARCHIVE = "ARCHIVE"                       # sent and accepted
    # INFERRED full label: sent during the SCOR verification period, the optician keeps the paper
    # copy ([CONV-OPT] art. 43); DOMAIN.md reads it as "saved / pending send".
    SAUVEGARDE_PAPIER = "SAUVEGARDE PAPIER"
    COLLECTE_PAPIER = "COLLECTE PAPIER"       # the caisse collects the paper instead

    @property
    def label_fr(self) -> str:
        return self.value


_T = PjState
ALLOWED_TRANSITIONS: Mapping[PjState, frozenset[PjState]] = MappingProxyType({
    # INFERRED from the manual's list: "+" attaches a document, "-" removes it, the user validates
    # conformity, sending archives it, the caisse may ask for a new one, paper is the fallback.
    _T.MANQUANT: frozenset({_T.CONFORME, _T.NON_CONFORME, _T.COLLECTE_PAPIER}),
    _T.NON_CONFORME: frozenset({_T.CONFORME, _T.MANQUANT, _T.COLLECTE_PAPIER}),
    _T.CONFORME: frozenset({_T.NON_CONFORME, _T.MANQUANT, _T.ARCHIVE, _T.SAUVEGARDE_PAPIER,
                            _T.COLLECTE_PAPIER}),
    _T.SAUVEGARDE_PAPIER: frozenset({_T.ARCHIVE, _T.A_RECONSTITUER}),
    _T.ARCHIVE: frozenset({_T.A_RECONSTITUER}),
    _T.A_RECONSTITUER: frozenset({_T.CONFORME, _T.NON_CONFORME, _T.MANQUANT, _T.COLLECTE_PAPIER}),
    _T.COLLECTE_PAPIER: frozenset(),
})

# States whose file may be purged once old enough: a missing piece has no file, and one to rebuild
# is still being worked on (its date restarts when it is sent again).
NOT_PURGEABLE = frozenset({PjState.MANQUANT, PjState.A_RECONSTITUER})


def can_transition(current: PjState, target: PjState) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def check_transition(current: PjState, target: PjState) -> None:
    """Raise ValidationError (French message) unless `current` may become `target`."""
    if not can_transition(current, target):
        raise ValidationError(f"Une pièce jointe à l'état « {current.label_fr} » ne peut pas passer à "
                              f"l'état « {target.label_fr} ».",
                              log=f"PJ transition refused: {current.value} -> {target.value}",
                              code="pj_transition")


class RetentionSettings(BaseModel):
    """How long a sent SCOR document is kept; validated to [90 days, 6 months]."""

    model_config = ConfigDict(frozen=True)

    retention_days: int = DEFAULT_RETENTION_DAYS

    @field_validator("retention_days")
    @classmethod
    def _bounds(cls, days: int) -> int:
        if days < MIN_RETENTION_DAYS:
            raise ValueError(f"la durée de conservation SCOR ne peut pas être inférieure à "
                             f"{MIN_RETENTION_DAYS} jours après télétransmission")
        if days > MAX_RETENTION_DAYS:
            raise ValueError(f"la norme SCOR impose une durée de conservation de 6 mois maximum "
                             f"({MAX_RETENTION_DAYS} jours)")
        return days


class RetainedDocument(Protocol):
    @property
    def id(self) -> object: ...

    @property
    def teletransmitted_on(self) -> date | None: ...

    @property
    def state(self) -> PjState: ...


@dataclass(frozen=True)
class RetentionItem:
    """Convenience implementation of RetainedDocument."""

    id: object
    teletransmitted_on: date | None
    state: PjState


D = TypeVar("D", bound=RetainedDocument)


def purge_date(teletransmitted_on: date, settings: RetentionSettings | None = None) -> date:
    """First day on which a document sent on `teletransmitted_on` may be purged."""
    days = (settings or RetentionSettings()).retention_days
    return teletransmitted_on + timedelta(days=max(days, MIN_RETENTION_DAYS))


def is_purgeable(doc: RetainedDocument, today: date, settings: RetentionSettings | None = None) -> bool:
    if doc.teletransmitted_on is None or doc.state in NOT_PURGEABLE:
        return False
    return today >= purge_date(doc.teletransmitted_on, settings)


def documents_to_purge(docs: Iterable[D], today: date, settings: RetentionSettings | None = None) -> list[D]:
    """The documents whose file must now be purged, in input order. Never one that was not sent,
    never one sent less than 90 days ago."""
    return [d for d in docs if is_purgeable(d, today, settings)]
