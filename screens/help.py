"""F1 help: every key of the app and of the screens on the stack, generated from the command registry."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from app.commands import Command, bindings


def _key_label(key: str) -> str:
    return " / ".join(k.strip().upper().replace("CTRL+", "Ctrl+").replace("ESCAPE", "Échap")
                      for k in key.split(","))


class HelpScreen(ModalScreen[None]):
    COMMAND_SPECS = (Command("close_help", "escape,f1", "close", "Fermer", "Fermer l'aide."),)
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, sections: list[tuple[str, tuple[Command, ...]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label("Aide — touches du clavier (Échap pour fermer)", classes="dialog-title")
            table: DataTable = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("Touche", "Commande", "Description")
            for section, commands in self.sections:
                table.add_row(f"[b]{section}[/b]", "", "")
                for c in commands:
                    table.add_row(_key_label(c.key), c.title, c.help)
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
