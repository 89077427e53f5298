"""What the Comptoir's panels share: the messages they post up to the screen (attributes down, messages up)
and a thread worker that calls one dossier service and reports the new DossierDTO or a French notice."""
from __future__ import annotations

from typing import Any, Callable, Literal

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox

from app.workers import ReportsWorkerErrors
from core.errors import LunetierError
from core.services.counter_dto import DossierDTO

__all__ = ["DossierUpdated", "Notice", "DossierPanel", "Level", "dossier_of", "Toggle"]

Level = Literal["error", "warning", "info"]


class DossierUpdated(Message):
    """A service returned the dossier as it now is: the screen re-renders every panel."""

    def __init__(self, dossier: DossierDTO | None, notice: str = "", level: Level = "info", *,
                 keep_notice: bool = False) -> None:
        super().__init__()
        self.dossier = dossier
        self.notice = notice          # "" clears the message bar, unless keep_notice
        self.level = level
        self.keep_notice = keep_notice


class Notice(Message):
    """A French message for the Comptoir's message bar (errors keep the retry key in the text)."""

    def __init__(self, text: str, level: Level = "info") -> None:
        super().__init__()
        self.text = text
        self.level = level


def dossier_of(result: Any) -> DossierDTO:
    """Service results are a DossierDTO or a DTO holding one (.dossier)."""
    return result if isinstance(result, DossierDTO) else result.dossier


class DossierPanel(ReportsWorkerErrors, Widget):
    """A part of the dossier. The screen calls `show(dossier)`; the panel calls services in workers."""

    dossier: DossierDTO | None = None

    def show(self, dossier: DossierDTO | None) -> None:
        self.dossier = dossier

    @property
    def counter(self) -> Any:
        return self.app.services.counter  # type: ignore[attr-defined]

    @work(thread=True, exit_on_error=False, group="dossier", description="Mise à jour du dossier")
    def call_service(self, call: Callable[[], Any], notice: Callable[[Any], tuple[str, Level]] | None = None) -> None:
        """Run ``call`` (one service transaction) in a thread. LunetierError -> notice and the panel
        re-shows the dossier as it was (nothing half-written: the service rolled back)."""
        try:
            result = call()
        except LunetierError as exc:
            self.post_message(Notice(exc.message_fr, "error"))
            self.post_message(DossierUpdated(self.dossier, keep_notice=True))
            return
        text, level = notice(result) if notice else ("", "info")
        self.post_message(DossierUpdated(dossier_of(result), text, level))


class Toggle(Checkbox):
    """A compact checkbox whose box is empty when off: readable on a 16-colour terminal, where the stock
    widget shows the same "X" in both states and only the colour changes."""

    def __init__(self, label: str, value: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(label, value, **kwargs)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        super().watch_value()
