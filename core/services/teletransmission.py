"""Télétransmission use cases (manual VI): Mettre en Lot, Mettre en Fichier, Envoyer et Recevoir,
Recevoir uniquement, "Télétransmettre Auto", plus the lists of the Télétransmissions screen.

    service = TeletransmissionService(ctx)            # mailbox: FolderMailbox(settings.mailbox_path)
    summary = service.auto(on_progress=...)           # lot -> file -> send -> receive -> ARL timers

Transactions: one per lot for files and sending, one per received file; a crash leaves every lot in a
state it can resume from. Files are written before the transaction that records them commits: a
staged file whose transaction rolled back is simply replaced by the next attempt (same file number),
and a delivered file whose state did not commit is recognised when its ARL comes back.

Inbox: Lunetier ARL files are integrated here. Other kinds (NOEMIE RSP returns) are handed to
`inbox_handlers` (see `InboxHandler`); "*.rsp" files no handler takes are left in the inbox for the
returns integration; anything else is quarantined.
"""
from __future__ import annotations

import hashlib
from typing import Callable, Protocol, Sequence

from pydantic import computed_field

from core.errors import FormatError, LunetierError, TransportError, ValidationError
from core.formats.arl import ArlFile, ArlVerdict, is_arl, read_arl
from core.models import Arl, Lot, Practitioner
from core.services import lots as lots_mod
from core.services.b2_mapping import lot_file
from core.services.base import DTO, ServiceContext
from core.services.lot_states import (TRANSITIONS, IllegalLotTransition, LotState, TimeoutChange,
                                      apply_transition, can_transition, check_arl_timeouts)
from core.services.lots import (ATeletransmettreRow, LotDetail, MiseEnLotResult, TeletransmisRow,
                                practitioner_for)
from core.transport import FolderMailbox, ShopMailbox

__all__ = ["TeletransmissionService", "InboxHandler", "InboxFileResult", "FileCreated", "MiseEnFichierResult",
           "LotSent", "EnvoiResult", "ReceptionResult", "EnvoiEtReceptionResult", "StepReport",
           "TeletransmissionSummary", "VERDICT_STATES", "lot_file_name", "PendingLot", "ACTION_STATES",
           "ACTION_HINTS", "attention_lines"]

ProgressFn = Callable[[str, int, int], None]

STEP_LOT, STEP_FICHIER, STEP_ENVOI, STEP_RECEPTION = "Mettre en Lot", "Mettre en Fichier", "Envoyer", "Recevoir"

VERDICT_STATES = {
    ArlVerdict.POSITIF: LotState.ARL_POSITIF,
    ArlVerdict.NEGATIF: LotState.ARL_NEGATIF,
    ArlVerdict.REJET: LotState.REJETE,
    ArlVerdict.ACHEMINE: LotState.ACHEMINE,
    ArlVerdict.PROVISOIRE: LotState.AR_PROVISOIRE,
    ArlVerdict.NON_REMISE: LotState.NON_REMISE,
}
# States that ask the user to act (exit code 1 of the CLI).
ATTENTION_STATES = frozenset({LotState.ARL_NEGATIF.value, LotState.REJETE.value, LotState.NON_REMISE.value,
                              LotState.ABSENCE_RENVOYER.value, LotState.ABSENCE_MANUEL.value,
                              LotState.ERREUR.value})
# Lots that stay waiting for the user after any run (one rule for the app's "à vérifier" dialog and the CLI):
# the attention states the lot can still leave. "Lot rejeté" is final: reported once, when its ARL arrives.
ACTION_STATES = frozenset(s for s in ATTENTION_STATES if TRANSITIONS[LotState(s)])
# Short hint of what to do, for lists without an ARL/RSP label (the full state is in the detail line).
ACTION_HINTS = {LotState.ABSENCE_RENVOYER.value: "Renvoyer le lot", LotState.ABSENCE_MANUEL.value: "Traitement manuel",
                LotState.ARL_NEGATIF.value: "Renvoyer le lot", LotState.NON_REMISE.value: "Renvoyer le lot"}


def lot_file_name(file_number: int, lot_number: str) -> str:
    return f"B2-{file_number:06d}-{lot_number}.b2"


# --- DTOs ---------------------------------------------------------------------------------------------
class InboxFileResult(DTO):
    name: str
    kind: str                   # "ARL" | "RSP" | "?"
    status: str                 # "intégré" | "doublon" | "quarantaine" | "en attente"
    message: str = ""
    lot: str = ""
    etat_lot: str = ""


class InboxHandler(Protocol):
    """A handler for inbox files other than ARL (the returns engineer's RSP integration).

    `handle` integrates one file in its own transaction and must be idempotent (same bytes twice change
    nothing: return status "doublon"). Raise a LunetierError to have the file quarantined with its
    message; the service acks the file after any other return."""

    kind: str

    def accepts(self, name: str, data: bytes) -> bool: ...

    def handle(self, name: str, data: bytes) -> InboxFileResult: ...


class FileCreated(DTO):
    lot_id: int
    lot: str
    org_dest: str
    file_name: str
    fse_count: int


class MiseEnFichierResult(DTO):
    files: tuple[FileCreated, ...] = ()
    errors: tuple[str, ...] = ()          # lots moved to "Erreur", with the reason
    messages: tuple[str, ...] = ()


class LotSent(DTO):
    lot_id: int
    lot: str
    org_dest: str
    file_name: str
    send_count: int


class EnvoiResult(DTO):
    sent: tuple[LotSent, ...] = ()
    errors: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()


class ReceptionResult(DTO):
    files: tuple[InboxFileResult, ...] = ()
    timeouts: tuple[TimeoutChange, ...] = ()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def integrated(self) -> int:
        return sum(1 for f in self.files if f.status == "intégré")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def duplicates(self) -> int:
        return sum(1 for f in self.files if f.status == "doublon")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def quarantined(self) -> int:
        return sum(1 for f in self.files if f.status == "quarantaine")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def left_in_inbox(self) -> int:
        return sum(1 for f in self.files if f.status == "en attente")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def attention(self) -> int:
        """Files quarantined, lots answered with a state that needs the user, lots that timed out."""
        return (self.quarantined + len(self.timeouts)
                + sum(1 for f in self.files if f.status == "intégré" and f.etat_lot in ATTENTION_STATES))

    @property
    def messages(self) -> tuple[str, ...]:
        out = []
        for f in self.files:
            what = f"lot {f.lot} : {f.etat_lot}" if f.lot and f.status == "intégré" else f.message
            out.append(f"{f.name} ({f.kind}) : {f.status}" + (f" — {what}" if what else ""))
        out += [f"Lot {t.lot} ({t.org_dest}) : {t.to_state}" for t in self.timeouts]
        return tuple(out)


class EnvoiEtReceptionResult(DTO):
    envoi: EnvoiResult
    reception: ReceptionResult


class StepReport(DTO):
    step: str
    count: int
    messages: tuple[str, ...] = ()


class PendingLot(DTO):
    """A lot left in a state that asks the user to act (ACTION_STATES), whenever it got there."""
    lot_id: int
    lot: str
    kind: str
    org_dest: str
    state: str


class TeletransmissionSummary(DTO):
    """What "Télétransmettre Auto" (or `lunetier teletransmission send`) did, and what is left to act on."""
    mise_en_lot: MiseEnLotResult | None = None
    mise_en_fichier: MiseEnFichierResult | None = None
    envoi: EnvoiResult | None = None
    reception: ReceptionResult | None = None
    pending: tuple[PendingLot, ...] = ()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def steps(self) -> tuple[StepReport, ...]:
        out = []
        if self.mise_en_lot is not None:
            out.append(StepReport(step=STEP_LOT, count=len(self.mise_en_lot.lots), messages=self.mise_en_lot.messages))
        if self.mise_en_fichier is not None:
            out.append(StepReport(step=STEP_FICHIER, count=len(self.mise_en_fichier.files),
                                  messages=self.mise_en_fichier.messages))
        if self.envoi is not None:
            out.append(StepReport(step=STEP_ENVOI, count=len(self.envoi.sent), messages=self.envoi.messages))
        if self.reception is not None:
            out.append(StepReport(step=STEP_RECEPTION, count=self.reception.integrated,
                                  messages=self.reception.messages))
        return tuple(out)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def needs_attention(self) -> bool:
        return bool((self.mise_en_lot and self.mise_en_lot.held_back)
                    or (self.mise_en_fichier and self.mise_en_fichier.errors)
                    or (self.envoi and self.envoi.errors)
                    or (self.reception and self.reception.attention)
                    or self.pending)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def attention_lines(self) -> tuple[str, ...]:
        return attention_lines(self)


def _lot_line(lot: str, org_dest: str, state: str) -> str:
    hint = ACTION_HINTS.get(state)
    return f"Lot {lot} ({org_dest}) : {state}" + (f" — {hint}" if hint else "")


def attention_lines(summary: TeletransmissionSummary) -> tuple[str, ...]:
    """What needs the user, naming the lots and invoices, each lot once with its current state."""
    lines: list[str] = []
    if summary.mise_en_lot:
        lines += [f"Facture {h.invoice_number} ({h.nom} {h.prenom}) retenue : {h.reason}"
                  for h in summary.mise_en_lot.held_back]
    if summary.mise_en_fichier:
        lines += list(summary.mise_en_fichier.errors)
    if summary.envoi:
        lines += list(summary.envoi.errors)
    seen: set[str] = set()
    if summary.reception:
        for f in summary.reception.files:
            if f.status == "quarantaine":
                lines.append(f"Fichier {f.name} mis en quarantaine : {f.message}")
            elif f.status == "intégré" and f.etat_lot in ATTENTION_STATES:
                seen.add(f.lot)
                lines.append(f"Lot {f.lot} : {f.etat_lot}" + (f" — {f.message}" if f.message else ""))
        for t in summary.reception.timeouts:
            if t.lot not in seen:
                seen.add(t.lot)
                lines.append(_lot_line(t.lot, t.org_dest, t.to_state))
    lines += [_lot_line(p.lot, p.org_dest, p.state) for p in summary.pending if p.lot not in seen]
    return tuple(lines)


class _Refused(LunetierError):
    """An inbox file that must go to quarantine (message_fr = the reason)."""


# --- Service ------------------------------------------------------------------------------------------
class TeletransmissionService:
    def __init__(self, ctx: ServiceContext, mailbox: ShopMailbox | None = None, *,
                 inbox_handlers: Sequence[InboxHandler] = (),
                 peer: Callable[[ShopMailbox], object] | None = None) -> None:
        """`peer`, when given, is run on the mailbox between sending and receiving: the demo build passes the
        in-process simulated caisse there, so "Envoyer et Recevoir" gets its ARL/RSP at once."""
        self.ctx = ctx
        self._mailbox = mailbox
        self.inbox_handlers = tuple(inbox_handlers)
        self.peer = peer

    @property
    def mailbox(self) -> ShopMailbox:
        """Opened on first use, so that the lists work even when the mailbox folder is unusable."""
        if self._mailbox is None:
            self._mailbox = FolderMailbox(self.ctx.settings.mailbox_path)
        return self._mailbox

    # --- Steps ---------------------------------------------------------------------------------------
    def mettre_en_lot(self, on_progress: ProgressFn | None = None) -> MiseEnLotResult:
        return lots_mod.mettre_en_lot(self.ctx, on_progress=on_progress)

    def mettre_en_fichier(self, on_progress: ProgressFn | None = None) -> MiseEnFichierResult:
        """One B2 file per lot "Mis en Lot", staged in the mailbox outbox; the lot becomes "Fichier créé".
        A lot whose file cannot be built goes to "Erreur" with the reason (see `reprendre`)."""
        ps = practitioner_for(self.ctx)
        pending = self._lots_in(LotState.MIS_EN_LOT)
        files: list[FileCreated] = []
        errors: list[str] = []
        for done, lot_id in enumerate(pending, start=1):
            outcome = self._file_one(lot_id, ps)
            if isinstance(outcome, FileCreated):
                files.append(outcome)
            elif outcome:
                errors.append(outcome)
            if on_progress:
                on_progress(STEP_FICHIER, done, len(pending))
        messages = tuple([f"Lot {f.lot} ({f.org_dest}) : fichier {f.file_name}" for f in files] + errors)
        return MiseEnFichierResult(files=tuple(files), errors=tuple(errors), messages=messages)

    def _lots_in(self, state: LotState) -> list[int]:
        return [lot.id for lot in Lot.select(Lot.id).where((Lot.store == self.ctx.store) & (Lot.state == state.value))
                .order_by(Lot.id)]

    def _file_one(self, lot_id: int, ps: Practitioner) -> FileCreated | str | None:
        ctx = self.ctx
        with ctx.write():
            lot = Lot.get_by_id(lot_id)
            if lot.state != LotState.MIS_EN_LOT.value:
                return None  # another counter took it meanwhile
            file_number = ctx.next_number("b2.file", start=1, wrap=999_999)
            name = lot_file_name(file_number, lot.number)
            try:
                data = lot_file(ctx, lot, ps, file_number)
            except FormatError as exc:
                return self._error(lot, f"Erreur B2 : {exc.message_fr}")
            self.mailbox.stage(name, data)
            Lot.update(file_name=name, arl_label="").where(Lot.id == lot.id).execute()
            apply_transition(ctx, lot, LotState.FICHIER_CREE, reason=name)
        return FileCreated(lot_id=lot.id, lot=lot.number, org_dest=lot.org_dest, file_name=name,
                           fse_count=_fse_count(lot))

    def _error(self, lot: Lot, reason: str) -> str:
        """Inside a write(): the lot goes to "Erreur", the reason shows in its "Libellé ARL/RSP"."""
        Lot.update(arl_label=reason[:255]).where(Lot.id == lot.id).execute()
        apply_transition(self.ctx, lot, LotState.ERREUR, reason=reason)
        return f"Lot {lot.number} ({lot.org_dest}) : {reason}"

    def envoyer(self, on_progress: ProgressFn | None = None) -> EnvoiResult:
        """Send every "Fichier créé" lot: it becomes "Lot expédié" (sent_at, send_count + 1)."""
        pending = self._lots_in(LotState.FICHIER_CREE)
        sent: list[LotSent] = []
        errors: list[str] = []
        for done, lot_id in enumerate(pending, start=1):
            outcome = self._send_one(lot_id)
            if isinstance(outcome, LotSent):
                sent.append(outcome)
            elif outcome:
                errors.append(outcome)
            if on_progress:
                on_progress(STEP_ENVOI, done, len(pending))
        messages = tuple([f"Lot {s.lot} ({s.org_dest}) expédié : {s.file_name}" for s in sent] + errors)
        return EnvoiResult(sent=tuple(sent), errors=tuple(errors), messages=messages)

    def _send_one(self, lot_id: int) -> LotSent | str | None:
        with self.ctx.write():
            lot = Lot.get_by_id(lot_id)
            if lot.state != LotState.FICHIER_CREE.value:
                return None
            try:
                data = self.mailbox.read_copy(lot.file_name)
            except TransportError as exc:
                return self._error(lot, f"Envoi impossible : {exc.message_fr}")
            self._send(lot, data, LotState.EXPEDIE)
        return LotSent(lot_id=lot.id, lot=lot.number, org_dest=lot.org_dest, file_name=lot.file_name,
                       send_count=lot.send_count)

    def _send(self, lot: Lot, data: bytes, target: LotState, reason: str = "") -> None:
        if not can_transition(lot.state, target):
            raise IllegalLotTransition(lot.number, lot.state, target.value)
        self.mailbox.send(lot.file_name, data)
        now = self.ctx.clock.now()
        lot.send_count += 1
        lot.sent_at = now
        Lot.update(sent_at=now, send_count=lot.send_count).where(Lot.id == lot.id).execute()
        apply_transition(self.ctx, lot, target, at=now, reason=reason or lot.file_name)

    def renvoyer(self, lot_id: int, *, actor: str = "") -> TeletransmisRow:
        """"Renvoyer": send the same file again; the lot becomes "Réexpédié" (send_count + 1)."""
        ctx = self.ctx
        with ctx.write():
            lot = lots_mod.get_lot(ctx, lot_id)
            if not can_transition(lot.state, LotState.REEXPEDIE):
                raise IllegalLotTransition(lot.number, lot.state, LotState.REEXPEDIE.value)
            data = self.mailbox.read_copy(lot.file_name)
            self._send(lot, data, LotState.REEXPEDIE, reason=f"renvoi n° {lot.send_count + 1} de {lot.file_name}")
            ctx.audit("teletransmission.renvoi", entity="lot", entity_id=lot.id,
                      details={"lot": lot.number, "file": lot.file_name, "send_count": lot.send_count}, actor=actor)
        return lots_mod.lot_row(ctx, lot_id)

    def reprendre(self, lot_id: int, *, actor: str = "") -> TeletransmisRow:
        """A lot in "Erreur" goes back to "Mis en Lot" (its file is rebuilt by the next Mettre en Fichier)."""
        ctx = self.ctx
        with ctx.write():
            lot = lots_mod.get_lot(ctx, lot_id)
            apply_transition(ctx, lot, LotState.MIS_EN_LOT, reason="repris par l'utilisateur")
            ctx.audit("teletransmission.reprise", entity="lot", entity_id=lot.id, details={"lot": lot.number},
                      actor=actor)
        return lots_mod.lot_row(ctx, lot_id)

    def recevoir_uniquement(self, on_progress: ProgressFn | None = None) -> ReceptionResult:
        """Integrate what the inbox holds, then apply the absence-of-ARL timers."""
        files = []
        inbox = self.mailbox.receive()
        for done, (name, data) in enumerate(inbox, start=1):
            files.append(self._receive_one(name, data))
            if on_progress:
                on_progress(STEP_RECEPTION, done, len(inbox))
        return ReceptionResult(files=tuple(files), timeouts=check_arl_timeouts(self.ctx))

    def envoyer_et_recevoir(self, on_progress: ProgressFn | None = None) -> EnvoiEtReceptionResult:
        envoi = self.envoyer(on_progress)
        if self.peer is not None:
            self.peer(self.mailbox)
        return EnvoiEtReceptionResult(envoi=envoi, reception=self.recevoir_uniquement(on_progress))

    def auto(self, on_progress: ProgressFn | None = None) -> TeletransmissionSummary:
        """"Télétransmettre Auto": every step in order."""
        lot_result = self.mettre_en_lot(on_progress)
        file_result = self.mettre_en_fichier(on_progress)
        both = self.envoyer_et_recevoir(on_progress)
        return TeletransmissionSummary(mise_en_lot=lot_result, mise_en_fichier=file_result, envoi=both.envoi,
                                       reception=both.reception, pending=self.lots_a_traiter())

    def lots_a_traiter(self) -> tuple[PendingLot, ...]:
        """Lots waiting for the user (ACTION_STATES), e.g. still without ARL after an earlier run."""
        return tuple(PendingLot(lot_id=r.lot_id, lot=r.lot, kind=r.kind, org_dest=r.org_dest, state=r.etat_lot)
                     for r in self.teletransmis() if not r.superseded and r.etat_lot in ACTION_STATES)

    def check_arl_timeouts(self) -> tuple[TimeoutChange, ...]:
        return check_arl_timeouts(self.ctx)

    # --- Lists ---------------------------------------------------------------------------------------
    def a_teletransmettre(self) -> tuple[ATeletransmettreRow, ...]:
        return lots_mod.a_teletransmettre(self.ctx)

    def teletransmis(self) -> tuple[TeletransmisRow, ...]:
        return lots_mod.teletransmis(self.ctx)

    def lot_detail(self, lot_id: int) -> LotDetail:
        return lots_mod.lot_detail(self.ctx, lot_id)

    def lot_par_numero(self, number: str, kind: str | None = None) -> TeletransmisRow | None:
        """The lot a user means by its number: the most recent one after a wrap."""
        lot = lots_mod.find_lot(self.ctx, number, kind)
        return lots_mod.lot_row(self.ctx, lot.id) if lot else None

    # --- Inbox ---------------------------------------------------------------------------------------
    def _receive_one(self, name: str, data: bytes) -> InboxFileResult:
        if name.lower().endswith(".arl") or is_arl(data):
            try:
                result = self._integrate_arl(name, data)
            except (_Refused, FormatError, ValidationError) as exc:
                return self._quarantine(name, "ARL", exc.message_fr)
        else:
            handler = next((h for h in self.inbox_handlers if h.accepts(name, data)), None)
            if handler is None:
                if name.lower().endswith(".rsp"):
                    return InboxFileResult(name=name, kind="RSP", status="en attente",
                                           message="retour NOEMIE laissé pour l'intégration des RSP")
                return self._quarantine(name, "?", "Fichier inconnu : ni ARL ni retour NOEMIE.")
            try:
                result = handler.handle(name, data)
            except LunetierError as exc:
                return self._quarantine(name, handler.kind, exc.message_fr)
            if result.status == "en attente":
                return result
        self.mailbox.ack(name)
        return result

    def _quarantine(self, name: str, kind: str, reason: str) -> InboxFileResult:
        self.mailbox.quarantine(name, reason)
        return InboxFileResult(name=name, kind=kind, status="quarantaine", message=reason)

    def _integrate_arl(self, name: str, data: bytes) -> InboxFileResult:
        ctx = self.ctx
        digest = hashlib.sha256(data).hexdigest()
        if Arl.select().where(Arl.sha256 == digest).exists():
            return InboxFileResult(name=name, kind="ARL", status="doublon", message="ARL déjà intégré")
        arl = read_arl(data)
        ps = practitioner_for(ctx)
        if arl.ps_number != ps.numero_am:
            raise _Refused(f"ARL destiné à un autre professionnel de santé (n° {arl.ps_number}).",
                           log=f"ARL {name} for PS {arl.ps_number}, we are {ps.numero_am}")
        with ctx.write():
            if Arl.select().where(Arl.sha256 == digest).exists():  # another counter integrated it meanwhile
                return InboxFileResult(name=name, kind="ARL", status="doublon", message="ARL déjà intégré")
            lot = self._lot_for(arl)
            target = VERDICT_STATES[arl.verdict]
            now = ctx.clock.now()
            if lot.state == LotState.FICHIER_CREE.value:
                # The file left but the transaction that recorded it did not commit: the ARL proves it.
                apply_transition(ctx, lot, LotState.EXPEDIE, at=now, reason="envoi constaté à réception de l'ARL")
                Lot.update(sent_at=now, send_count=Lot.send_count + 1).where(Lot.id == lot.id).execute()
            if lot.state != target.value:
                apply_transition(ctx, lot, target, at=now, reason=f"{name} : {arl.libelle}")
            negative = arl.verdict in (ArlVerdict.NEGATIF, ArlVerdict.REJET, ArlVerdict.NON_REMISE)
            Lot.update(received_on=ctx.clock.today(), arl_label=(arl.libelle if negative else "")[:255]) \
                .where(Lot.id == lot.id).execute()
            Arl.create(lot=lot.id, received_at=now, positive=arl.verdict is ArlVerdict.POSITIF, code=arl.code,
                       label=arl.label, file_name=name, sha256=digest)
        return InboxFileResult(name=name, kind="ARL", status="intégré", lot=lot.number, etat_lot=lot.state,
                               message=arl.libelle if negative else arl.verdict.label_fr)

    def _lot_for(self, arl: ArlFile) -> Lot:
        query = Lot.select().where((Lot.store == self.ctx.store) & (Lot.number == arl.lot_number)
                                   & (Lot.kind == arl.lot_kind))
        if arl.b2_file_name:
            query = query.where(Lot.file_name == arl.b2_file_name)
        lot = query.order_by(Lot.created_at.desc(), Lot.id.desc()).first()
        if lot is None:
            raise _Refused(f"ARL pour un lot inconnu : lot {arl.lot_number} ({arl.lot_kind})"
                           + (f", fichier {arl.b2_file_name}" if arl.b2_file_name else "") + ".",
                           log=f"ARL for unknown lot {arl.lot_kind} {arl.lot_number} {arl.b2_file_name!r}")
        return lot


def _fse_count(lot: Lot) -> int:
    from core.models import Fse

    column = Fse.lot if lot.kind == "AMO" else Fse.dre_lot
    return Fse.select().where(column == lot.id).count()
