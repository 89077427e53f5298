""""Lire l'appli Carte Vitale" (ApCV, manual §II): the QR code of the app is scanned (a scanner types it)
or pasted; its payload is checked here, then the caller reads the rights through ADRi and opens the
"Choix du bénéficiaire". Payload format: core/services/vitale_service.py (APCV1)."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from app.commands import Command, bindings
from core.errors import LunetierError
from core.services.vitale_service import parse_apcv_payload

__all__ = ["ApcvDialog", "APCV_EXAMPLE"]

APCV_EXAMPLE = "APCV1|255069999999934|15/06/1955|1"


class ApcvDialog(ModalScreen[str | None]):
    """Returns the checked payload, or None."""
    HELP_TITLE = 'Appli carte Vitale'  # section title of the F1 help

    COMMAND_SPECS = (
        Command("apcv_validate", "f10", "validate", "Valider", "Lire les droits de l'appli carte Vitale."),
        Command("apcv_cancel", "escape", "cancel", "Annuler", "Fermer sans lire."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="apcv-dialog"):
            yield Label("Lire l'appli Carte Vitale", classes="dialog-title")
            yield Static("Scannez le QR code affiché par l'appli carte Vitale du patient, ou collez son "
                         "contenu (Ctrl+V) :")
            yield Input(placeholder=APCV_EXAMPLE, id="apcv-payload", compact=True)
            yield Static(f"Format : APCV1|NIR|date de naissance|rang — ex. {APCV_EXAMPLE}\n"
                         "Les droits sont lus sur le serveur du régime obligatoire (ADRi).", classes="muted",
                         id="apcv-help")
            yield Static("", id="apcv-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Annuler (Échap)", id="apcv-cancel")
                yield Button("✓ Valider (F10)", variant="primary", id="apcv-ok")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#apcv-payload")
    @on(Button.Pressed, "#apcv-ok")
    def action_validate(self) -> None:
        payload = self.query_one(Input).value.strip()
        if not payload:
            self.query_one("#apcv-error", Static).update("Scannez ou collez le code de l'appli carte Vitale.")
            return
        try:
            parse_apcv_payload(payload)
        except LunetierError as exc:
            self.query_one("#apcv-error", Static).update(exc.message_fr)
            return
        self.dismiss(payload)

    @on(Button.Pressed, "#apcv-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
