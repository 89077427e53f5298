"""The inbox handler for NOEMIE returns: lets "Recevoir" integrate RSP files next to the ARLs.

    TeletransmissionService(ctx, mailbox, inbox_handlers=(RspInboxHandler(ctx),))

- `accepts`: files named "*.rsp", and any file that starts like a NOEMIE file (a "000" header and '@'
  delimiters), since real mailboxes do not always keep Lunetier's names.
- `handle`: when "Intégrer les fichiers RSP après télétransmission" is off (and `force` is not set) the
  file is left in the inbox ("en attente") for the manual "Récupération automatique Lots/RSPs"; otherwise
  `ReturnsService.import_rsp` integrates it in its own transaction: "intégré", "doublon" for bytes already
  imported, and a FormatError (-> quarantine by the télétransmission service) for a rejected file, which
  stays recorded as rejected with its error and byte offset.
"""
from __future__ import annotations

from core.errors import FormatError
from core.services.base import ServiceContext
from core.services.returns import ReturnsService
from core.services.teletransmission import InboxFileResult

__all__ = ["RspInboxHandler", "looks_like_rsp"]


def looks_like_rsp(name: str, data: bytes) -> bool:
    if name.lower().endswith(".rsp"):
        return True
    return data[:3] == b"000" and len(data) >= 256 and b"@" in data[:65_536]


class RspInboxHandler:
    kind = "RSP"

    def __init__(self, ctx: ServiceContext, *, force: bool = False, actor: str = "") -> None:
        self.ctx = ctx
        self.force = force
        self.actor = actor

    def accepts(self, name: str, data: bytes) -> bool:
        return looks_like_rsp(name, data)

    def _enabled(self) -> bool:
        from core.services.settings import SettingsService

        return self.force or SettingsService(self.ctx).get().teletransmission.integrer_rsp_apres_teletransmission

    def handle(self, name: str, data: bytes) -> InboxFileResult:
        if not self._enabled():
            return InboxFileResult(name=name, kind=self.kind, status="en attente",
                                   message="intégration des RSP désactivée : utiliser « Récupération automatique "
                                           "Lots/RSPs »")
        summary = ReturnsService(self.ctx).import_rsp(name, data, actor=self.actor)
        if summary.status == "rejected":
            raise FormatError(summary.error, log=f"RSP {name} rejected: {summary.error}", offset=summary.error_offset)
        lots = ", ".join(label.split(" ")[0] for label in summary.lots)
        return InboxFileResult(name=name, kind=self.kind,
                               status="intégré" if summary.status == "imported" else "doublon",
                               message=summary.message, lot=lots, etat_lot="RSP" if lots else "")
