"""Lot states of the manual (VI, "Etat lot"), their allowed transitions, and the absence-of-ARL timers.

Every change goes through `apply_transition`, which refuses what the table below does not allow
(`IllegalLotTransition`) and writes one LotStateChange row, inside the caller's transaction.

Usual path (manual): Mis en Lot -> Fichier créé -> Lot expédié -> ARL positif reçu -> RSP.
The meaning of the rarer states is INFERRED (DOMAIN.md 10.1); so are the edges that reach them.

Absence of ARL (the manual names the states, not the delays; the delays are shop settings):
- a lot "Lot expédié" / "Réexpédié" whose last sending is `absence_arl_renvoyer_jours` old without an
  answer becomes "Absence ARL Renvoyer lot" (the user, or the screen, then re-sends the same file:
  "Réexpédié", send_count + 1);
- a lot still unanswered `absence_arl_manuel_jours` after its FIRST sending becomes "Absence ARL
  Manuel obligatoire", whatever the re-sendings in between: re-sending forever is not a way out.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from types import MappingProxyType
from typing import Mapping

import peewee as pw

from core.errors import ValidationError
from core.models import Lot, LotStateChange
from core.services.base import DTO, ServiceContext

__all__ = ["LotState", "TRANSITIONS", "IllegalLotTransition", "can_transition", "apply_transition",
           "check_arl_timeouts", "TimeoutChange", "AWAITING_ARL", "first_sent_at", "record_creation"]


class LotState(str, Enum):
    MIS_EN_LOT = "Mis en Lot"
    FICHIER_CREE = "Fichier créé"
    EXPEDIE = "Lot expédié"
    REEXPEDIE = "Réexpédié"
    ACHEMINE = "Lot Acheminé"
    ARL_POSITIF = "ARL positif reçu"
    RSP = "RSP"
    ACQUITTE = "Lot acquitté"
    ARL_NEGATIF = "ARL négatif reçu"
    AR_PROVISOIRE = "AR Provisoire"
    ABSENCE_MANUEL = "Absence ARL Manuel obligatoire"
    ABSENCE_RENVOYER = "Absence ARL Renvoyer lot"
    NON_REMISE = "Avis de non remise"
    REJETE = "Lot rejeté"
    ERREUR = "Erreur"


S = LotState
# Answers the counterpart may send about a lot that is out and not yet acknowledged.
_ANSWERS = frozenset({S.ACHEMINE, S.AR_PROVISOIRE, S.ARL_POSITIF, S.ARL_NEGATIF, S.REJETE, S.NON_REMISE})
AWAITING_ARL = frozenset({S.EXPEDIE, S.REEXPEDIE})

TRANSITIONS: Mapping[LotState, frozenset[LotState]] = MappingProxyType({
    S.MIS_EN_LOT: frozenset({S.FICHIER_CREE, S.ERREUR}),
    S.FICHIER_CREE: frozenset({S.EXPEDIE, S.ERREUR}),
    S.EXPEDIE: _ANSWERS | {S.ABSENCE_RENVOYER, S.ERREUR},
    S.REEXPEDIE: _ANSWERS | {S.ABSENCE_RENVOYER, S.ERREUR},
    # Transport notices come before the ARL; the ARL may still fail to come.
    S.ACHEMINE: frozenset({S.AR_PROVISOIRE, S.ARL_POSITIF, S.ARL_NEGATIF, S.REJETE, S.ERREUR}),
    S.AR_PROVISOIRE: frozenset({S.ARL_POSITIF, S.ARL_NEGATIF, S.REJETE, S.ERREUR}),
    # Late answers are still welcome after the timers fired.
    S.ABSENCE_RENVOYER: _ANSWERS | {S.REEXPEDIE, S.ABSENCE_MANUEL},
    S.ABSENCE_MANUEL: _ANSWERS | {S.REEXPEDIE},
    S.NON_REMISE: frozenset({S.REEXPEDIE}),
    # "il vous faudra alors réémettre votre fichier" (ameli, DOMAIN.md 7.3).
    S.ARL_NEGATIF: frozenset({S.REEXPEDIE}),
    S.ARL_POSITIF: frozenset({S.RSP, S.ACQUITTE, S.REJETE}),
    S.RSP: frozenset({S.ACQUITTE}),
    S.ACQUITTE: frozenset(),
    S.REJETE: frozenset(),
    # A lot whose file could not be built or sent: back to "Mis en Lot" once the cause is fixed.
    S.ERREUR: frozenset({S.MIS_EN_LOT}),
})


class IllegalLotTransition(ValidationError):
    """A lot was asked to move to a state the table does not allow from its current state."""

    def __init__(self, number: str, current: str, target: str) -> None:
        super().__init__(f"Le lot {number} est à l'état « {current} » : il ne peut pas passer à l'état "
                         f"« {target} ».", log=f"lot {number}: illegal transition {current!r} -> {target!r}",
                         code="lot.transition")
        self.current = current
        self.target = target


def _state(value: str | LotState) -> LotState | None:
    try:
        return LotState(value)
    except ValueError:
        return None


def can_transition(current: str | LotState, target: str | LotState) -> bool:
    cur, tgt = _state(current), _state(target)
    return cur is not None and tgt is not None and tgt in TRANSITIONS[cur]


def apply_transition(ctx: ServiceContext, lot: Lot, target: LotState, *, reason: str = "",
                     at: datetime | None = None) -> LotStateChange:
    """Move `lot` to `target` and record it; call inside ctx.write(). Saves only the state column;
    the caller saves the other columns it changed."""
    target = LotState(target)
    if not can_transition(lot.state, target):
        raise IllegalLotTransition(lot.number, lot.state, target.value)
    at = at or ctx.clock.now()
    change = LotStateChange.create(lot=lot.id, at=at, from_state=lot.state, to_state=target.value,
                                   reason=reason[:255])
    lot.state = target.value
    Lot.update(state=target.value).where(Lot.id == lot.id).execute()
    return change


def record_creation(lot_id: int, at: datetime, reason: str = "") -> None:
    """The first history row of a lot ("" -> "Mis en Lot")."""
    LotStateChange.create(lot=lot_id, at=at, from_state="", to_state=LotState.MIS_EN_LOT.value, reason=reason)


class TimeoutChange(DTO):
    lot_id: int
    lot: str
    kind: str
    org_dest: str
    from_state: str
    to_state: str


def first_sent_at(lot_id: int) -> datetime | None:
    row = (LotStateChange.select(pw.fn.MIN(LotStateChange.at))
           .where((LotStateChange.lot == lot_id) & (LotStateChange.to_state == LotState.EXPEDIE.value))
           .scalar())
    return row


def check_arl_timeouts(ctx: ServiceContext) -> tuple[TimeoutChange, ...]:
    """Apply the absence-of-ARL timers to every lot of the store; one transaction."""
    from core.services.settings import SettingsService

    settings = SettingsService(ctx).get().teletransmission
    renvoyer = timedelta(days=settings.absence_arl_renvoyer_jours)
    manuel = timedelta(days=settings.absence_arl_manuel_jours)
    changes: list[TimeoutChange] = []
    with ctx.write():
        now = ctx.clock.now()
        waiting = {S.EXPEDIE.value, S.REEXPEDIE.value, S.ABSENCE_RENVOYER.value}
        lots = list(Lot.select().where((Lot.store == ctx.store) & Lot.state.in_(waiting)).order_by(Lot.id))
        for lot in lots:
            sent = lot.sent_at
            if sent is None:
                continue
            first = first_sent_at(lot.id) or sent
            steps: list[LotState] = []
            if lot.state in (S.EXPEDIE.value, S.REEXPEDIE.value) and (now - sent >= renvoyer or now - first >= manuel):
                steps.append(S.ABSENCE_RENVOYER)
            if now - first >= manuel:
                steps.append(S.ABSENCE_MANUEL)
            if not steps:
                continue
            before = lot.state
            for target in steps:
                days = (now - (first if target is S.ABSENCE_MANUEL else sent)).days
                apply_transition(ctx, lot, target, at=now, reason=f"aucun ARL depuis {days} jour(s)")
            # Both timers may fire in one pass (history keeps both rows); report the lot once, final state.
            changes.append(TimeoutChange(lot_id=lot.id, lot=lot.number, kind=lot.kind, org_dest=lot.org_dest,
                                         from_state=before, to_state=lot.state))
        if changes:
            ctx.audit("teletransmission.absence_arl", entity="lot",
                      details={"lots": [f"{c.lot}:{c.to_state}" for c in changes]})
    return tuple(changes)
