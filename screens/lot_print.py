""""Impression — Lot N°" (manual VI): which lot's bordereau de télétransmission to print again.
Returns the lot number (3 characters, "27" -> "027", "aae" -> "AAE"); the caller finds the lot (the most
recent one when a number was reused) and writes the PDF."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from app.commands import Command, bindings
from core.reports.bordereau import lot_number_from_text

DOUBLON = "En cas de doublon de numéro de lot, seul le plus récent sera pris en compte."


class LotPrintDialog(ModalScreen["str | None"]):
    COMMAND_SPECS = (
        Command("lot_print_validate", "f10", "validate", "Valider", "Imprimer le bordereau de ce lot."),
        Command("lot_print_cancel", "escape", "cancel", "Annuler", "Fermer sans imprimer."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, default: str = "") -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="lot-print"):
            yield Label("Impression", classes="dialog-title")
            with Horizontal(id="lot-print-line"):
                yield Label("Lot N°", id="lot-print-label")
                yield Input(self.default, max_length=3, compact=True, id="lot-print-number",
                            restrict=r"[0-9A-Za-z]*")
            yield Static(DOUBLON, id="lot-print-note")
            yield Static("", id="lot-print-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Annuler (Échap)", id="cancel", compact=True)
                yield Button("✓ Valider (F10)", variant="primary", id="ok", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_validate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_validate() if event.button.id == "ok" else self.action_cancel()

    def action_validate(self) -> None:
        number = lot_number_from_text(self.query_one(Input).value)
        if number is None:
            self.query_one("#lot-print-error", Static).update(
                "Indiquez un n° de lot : 3 chiffres (ex. 027) ou 3 lettres pour un lot DRE (ex. AAE).")
            self.app.bell()
            return
        self.dismiss(number)

    def action_cancel(self) -> None:
        self.dismiss(None)
