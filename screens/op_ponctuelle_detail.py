""""Détail opération ponctuelle" (manual §X): Information / Valeur rows as the RSP import stored them
(OperationPonctuelle.details), in the manual's order. ← / → show the previous / next operation of the list,
as the manual's two arrow buttons do; Échap closes."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.services.suivi_virements import OperationDetail
from screens.suivi_common import virements_service


def _label(text: str) -> str:
    """The manual prints most labels with a colon ("Date comptable:") and a few without; one rule here."""
    return text if text.endswith(":") else f"{text}:"


class OperationDetailDialog(ReportsWorkerErrors, ModalScreen[None]):
    COMMAND_SPECS = (
        Command("opd_close", "escape", "close", "Fermer", "Fermer le détail."),
        Command("opd_prev", "left", "move(-1)", "Précédente", "Opération précédente de la liste."),
        Command("opd_next", "right", "move(1)", "Suivante", "Opération suivante de la liste."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Loaded(Message):
        def __init__(self, detail: OperationDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, operation_ids: tuple[int, ...], index: int = 0) -> None:
        super().__init__()
        self.operation_ids = operation_ids
        self.index = index

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="op-detail"):
            with Horizontal(id="opd-title-line"):
                yield Label("Détail opération ponctuelle", classes="dialog-title", id="opd-title")
                yield Static("", id="opd-position")
            table = DataTable(cursor_type="none", id="opd-table")
            table.can_focus = False       # ←/→ belong to the dialog (previous / next operation)
            yield table
            with Horizontal(classes="dialog-buttons"):
                yield Button("← (←)", id="prev", compact=True)
                yield Button("→ (→)", id="next", compact=True)
                yield Button("Fermer (Échap)", id="close", compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#opd-table", DataTable)
        table.add_column("Information", width=26)
        table.add_column("Valeur", width=40)
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="opd-load")
    def load(self) -> None:
        detail = virements_service(self.app).operation_detail(self.operation_ids[self.index])
        self.post_message(self.Loaded(detail))

    def on_operation_detail_dialog_loaded(self, message: Loaded) -> None:
        message.stop()
        table = self.query_one("#opd-table", DataTable)
        table.clear()
        for label, value in message.detail.fields:
            table.add_row(_label(label), value)
        self.query_one("#opd-position", Static).update(f"{self.index + 1}/{len(self.operation_ids)}")
        self.query_one("#prev", Button).disabled = self.index == 0
        self.query_one("#next", Button).disabled = self.index >= len(self.operation_ids) - 1

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"prev": lambda: self.action_move(-1), "next": lambda: self.action_move(1)}.get(
            event.button.id or "", self.action_close)()

    def action_move(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.operation_ids):
            self.index = target
            self.load()

    def action_close(self) -> None:
        self.dismiss(None)
