"""F1 help: every key of the app and of the screens on the stack, generated from the command registry."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from app.commands import Command, bindings


_KEY_NAMES = {"ENTER": "Entrée", "PAGEUP": "Page préc.", "PAGEDOWN": "Page suiv.", "DELETE": "Suppr",
              "ESCAPE": "Échap", "LEFT": "←", "RIGHT": "→", "UP": "↑", "DOWN": "↓", "TAB": "Tab",
              "SPACE": "Espace", "HOME": "Début", "END": "Fin", "BACKSPACE": "Retour arr."}


def _one_key(key: str) -> str:
    *mods, name = key.strip().split("+")
    name = _KEY_NAMES.get(name.upper(), name.upper())
    return "".join(f"{m.capitalize()}+" for m in mods) + name


def _key_label(key: str) -> str:
    return " / ".join(_one_key(k) for k in key.split(","))


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def section_title(name: str) -> str:
    """The sections are named after the class declaring the keys: show its French HELP_TITLE (or AREA_TITLE)."""
    for cls in _subclasses(DOMNode):
        if cls.__name__ == name:
            return getattr(cls, "HELP_TITLE", None) or getattr(cls, "AREA_TITLE", "") or name
    return name


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
            # Narrow key column, the description takes the rest and wraps (nothing cut at 80 columns).
            table.add_column("Touche", width=12)
            table.add_column("Commande", width=16)
            table.add_column("Description", width=36)
            for section, commands in self.sections:
                table.add_row(Text(section_title(section), style="bold"), "", "")
                for c in commands:
                    table.add_row(Text(_key_label(c.key)), Text(c.title), Text(c.help), height=None)
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
