"""Generic dialogs: error message, yes/no question, reason entry. Escape always cancels."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from app.commands import Command, bindings


class ErrorDialog(ModalScreen[None]):
    """One clear French message; details go to the log, never a traceback on screen."""

    COMMAND_SPECS = (Command("close", "escape,enter", "dismiss", "Fermer", "Fermer le message."),)
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, message: str, *, title: str = "Erreur") -> None:
        super().__init__()
        self.message = message
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="error-dialog"):
            yield Label(self.title_text, classes="dialog-title error-text")
            yield Static(self.message, id="error-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """The manual's "Question" box: Oui / Non."""

    COMMAND_SPECS = (
        Command("yes", "f10", "answer(True)", "Oui", "Confirmer."),
        Command("no", "escape", "answer(False)", "Non", "Annuler."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, question: str, *, title: str = "Question") -> None:
        super().__init__()
        self.question = question
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.question, id="question")
            with Horizontal(classes="dialog-buttons"):
                yield Button("✓ Oui (F10)", variant="primary", id="yes")
                yield Button("× Non (Échap)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ReasonDialog(ModalScreen[str | None]):
    """Asks a mandatory reason (manual states, overrides): the reason goes to the audit log."""

    COMMAND_SPECS = (
        Command("validate", "f10", "validate", "Valider", "Valider le motif."),
        Command("cancel", "escape", "cancel", "Annuler", "Annuler."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, question: str, *, title: str = "Motif obligatoire") -> None:
        super().__init__()
        self.question = question
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reason-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.question)
            yield Input(placeholder="Motif (obligatoire)", id="reason")
            yield Static("", id="reason-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("✓ Valider (F10)", variant="primary", id="ok")
                yield Button("← Annuler (Échap)", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_validate() if event.button.id == "ok" else self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_validate()

    def action_validate(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if len(reason) < 3:
            self.query_one("#reason-error", Static).update("Indiquez un motif (3 caractères au moins).")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
