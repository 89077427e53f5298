"""The simulated caisse: the Assurance Maladie / AMC side of the demonstration flow.

    caisse = SimulatedCaisse(FolderMailbox(root), Scenario.from_toml("scenario.toml"))
    report = caisse.process()            # one pass: every B2 file waiting in the shop's outbox

It takes the B2 files the shop sent (the counterpart end of the mailbox), parses them with the B2
reader, decides per lot with the seeded scenario, and answers with Lunetier demo ARL files in the shop's
inbox. A file it cannot read is quarantined (the shop then sees no ARL, as with a real caisse that never
received it). `lunetier caisse serve` runs it as its own process (core/caisse/server.py).

RSP hook: pass `rsp=` an object with the `RspEmitter` protocol (core/caisse/rsp.py, written by the
returns integration). It is called for every lot after its ARL decision, with the decision and the
parsed B2, and returns the (name, bytes) files to put in the shop's inbox (NOEMIE returns).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from core.caisse.arl import build_arl, lot_destination
from core.caisse.scenario import Decision, Scenario
from core.clock import Clock, SystemClock
from core.errors import FormatError
from core.formats.b2 import B2Document, B2LotNode, read_b2
from core.transport import FolderMailbox, Mailbox

__all__ = ["SimulatedCaisse", "CaisseAnswer", "CaisseReport", "RspEmitter", "Scenario", "Decision"]

log = logging.getLogger("lunetier.caisse")


class RspEmitter(Protocol):
    def emit(self, *, document: B2Document, lot: B2LotNode, decision: Decision, b2_name: str, now: datetime,
             scenario: Scenario) -> list[tuple[str, bytes]]:
        """NOEMIE files to send for this lot (may be empty, e.g. when the ARL was negative)."""


class CaisseAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)
    b2_name: str
    lot: str
    kind: str
    org_dest: str
    outcome: str
    code: str
    label: str
    arl_name: str = ""                  # "" when the scenario said "aucun"
    rsp_names: tuple[str, ...] = ()


class CaisseReport(BaseModel):
    model_config = ConfigDict(frozen=True)
    answers: tuple[CaisseAnswer, ...] = ()
    quarantined: tuple[tuple[str, str], ...] = ()   # (file name, reason)

    @property
    def messages(self) -> tuple[str, ...]:
        out = [f"{a.b2_name} lot {a.lot} ({a.org_dest}) : {a.outcome}"
               + (f" code {a.code}" if a.outcome not in ("positif", "aucun") else "")
               + (f" -> {a.arl_name}" if a.arl_name else " (pas d'ARL)") for a in self.answers]
        out += [f"{name} : quarantaine — {reason}" for name, reason in self.quarantined]
        return tuple(out)


class _Counter:
    """The caisse's ARL numbering, persisted next to the mailbox when it can be (re-sent files get new ARLs)."""

    def __init__(self, endpoint: Any) -> None:
        self.endpoint = endpoint
        self.path = getattr(endpoint, "state_file", None)
        self.value = 0
        if self.path is not None and self.path.is_file():
            try:
                self.value = int(json.loads(self.path.read_text(encoding="utf-8")).get("arl_id", 0))
            except (OSError, ValueError, AttributeError):
                log.warning("caisse state %s unreadable: numbering restarts", self.path)

    def next(self) -> int:
        self.value = self.value % 99_999_999 + 1
        if self.path is not None and hasattr(self.endpoint, "write_state"):
            self.endpoint.write_state(json.dumps({"arl_id": self.value}).encode())
        return self.value


class SimulatedCaisse:
    def __init__(self, mailbox: Mailbox | FolderMailbox, scenario: Scenario | None = None, *,
                 clock: Clock | None = None, rsp: RspEmitter | None = None) -> None:
        # Given the shop's folder mailbox, work on its other end.
        self.endpoint: Mailbox = mailbox.counterpart() if isinstance(mailbox, FolderMailbox) else mailbox
        self.scenario = scenario or Scenario()
        self.clock = clock or SystemClock()
        self.rsp = rsp
        self._counter = _Counter(self.endpoint)

    def process(self) -> CaisseReport:
        answers: list[CaisseAnswer] = []
        quarantined: list[tuple[str, str]] = []
        for name, data in self.endpoint.receive():
            if not name.lower().endswith(".b2"):
                reason = "fichier non B2 refusé par la caisse"
                self.endpoint.quarantine(name, reason)
                quarantined.append((name, reason))
                continue
            try:
                document = read_b2(data)
            except FormatError as exc:
                self.endpoint.quarantine(name, exc.message_fr)
                quarantined.append((name, exc.message_fr))
                continue
            for lot in document.lots:
                answers.append(self._answer(document, lot, name))
            self.endpoint.ack(name)
        return CaisseReport(answers=tuple(answers), quarantined=tuple(quarantined))

    def _answer(self, document: B2Document, lot: B2LotNode, b2_name: str) -> CaisseAnswer:
        kind, dest = lot_destination(lot)
        decision = self.scenario.decide(file_name=b2_name, lot=lot.number, organisme=dest, kind=kind)
        now = self.clock.now()
        arl_name = ""
        if decision.outcome != "aucun":
            arl_name, arl = build_arl(document, lot, decision, b2_name=b2_name, arl_id=self._counter.next(), now=now)
            self.endpoint.send(arl_name, arl)
        rsp_names: list[str] = []
        if self.rsp is not None:
            for rsp_name, rsp_data in self.rsp.emit(document=document, lot=lot, decision=decision, b2_name=b2_name,
                                                    now=now, scenario=self.scenario):
                self.endpoint.send(rsp_name, rsp_data)
                rsp_names.append(rsp_name)
        log.info("caisse: %s lot %s (%s) -> %s", b2_name, lot.number, dest, decision.outcome)
        return CaisseAnswer(b2_name=b2_name, lot=lot.number, kind=kind, org_dest=dest, outcome=decision.outcome,
                            code=decision.code, label=decision.label, arl_name=arl_name, rsp_names=tuple(rsp_names))
