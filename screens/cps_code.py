"""The "Code Porteur" dialog (manual §I "Demande du code CPS"): asked at the first card read of the day and
at each télétransmission / signature.

The code is typed masked, checked once per F10 through `vitale.unlock_cps(reader, code)` in a thread, and
returned to the caller for its one card call. It is never stored, logged or put in a worker description:
the worker reads it from the field itself. A wrong code shows the tries left and waits for the user
(never an automatic retry); the third wrong code blocks the CPS and the dialog explains what to do.
"""
from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from app.card_events import card_watch
from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import LunetierError

__all__ = ["CpsCodeDialog", "ask_cps_code", "request_cps_code", "BLOCKED_HELP"]

CODE_WRONG = "CPS_CODE_FAUX"
CODE_BLOCKED = "CPS_BLOQUEE"

# DOMAIN.md §3: the code de déblocage (8 digits) is on the letter of the code porteur; the holder unblocks
# the card through CPS Info Service or at the CPAM. Lunetier never asks for it.
BLOCKED_HELP = (
    "La CPS est bloquée après 3 codes porteur faux. Aucune FSE ne peut être signée ni télétransmise "
    "avec cette carte tant qu'elle n'est pas débloquée.\n"
    "Que faire : le titulaire de la CPS la débloque avec son code de déblocage (8 chiffres, sur le "
    "courrier du code porteur) en suivant la procédure du porteur de CPS : CPS Info Service "
    "(0 825 852 000) ou sa CPAM. Réinsérez ensuite la CPS et saisissez le code porteur."
)


class CpsCodeDialog(ReportsWorkerErrors, ModalScreen[str | None]):
    """Returns the accepted 4-digit code, or None (cancelled, blocked)."""
    HELP_TITLE = 'Code de la carte CPS'  # section title of the F1 help

    COMMAND_SPECS = (
        Command("cps_validate", "f10", "validate", "Valider", "Vérifier le code porteur sur la CPS."),
        Command("cps_cancel", "escape", "cancel", "Annuler", "Fermer sans saisir le code."),
        Command("cps_insert", "ctrl+o", "insert_card", "Insérer une carte",
                "Lecteur simulé : insérer la CPS (ou une autre carte du jeu de démonstration)."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason
        self.blocked = False
        self.checking = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="cps-dialog"):
            yield Label("Saisie Code Porteur", classes="dialog-title")
            if self.reason:
                yield Static(self.reason, id="cps-reason", classes="muted")
            with Horizontal(id="cps-row"):
                yield Label("Code Porteur", id="cps-label")
                yield Input(password=True, max_length=4, restrict=r"[0-9]*", placeholder="4 chiffres",
                            id="cps-code", compact=True)
            yield Static("", id="cps-message")
            yield Static(BLOCKED_HELP, id="cps-blocked-help")
            with Horizontal(classes="dialog-buttons"):
                yield Button("✓ OK (F10)", variant="primary", id="cps-ok")
                yield Button("Annuler (Échap)", id="cps-cancel")

    def on_mount(self) -> None:
        watch = card_watch(self.app)
        watch.ensure_started()
        if watch.started and watch.snapshot().cps_blocked:
            self._show_blocked("Carte CPS bloquée.")
        self.query_one("#cps-code", Input).focus()

    # --- actions ------------------------------------------------------------------------------------------
    @on(Button.Pressed, "#cps-ok")
    @on(Input.Submitted, "#cps-code")
    def action_validate(self) -> None:
        if self.blocked or self.checking:
            return
        code = self.query_one("#cps-code", Input).value
        if len(code) != 4 or not code.isdigit():
            self._say("Le code porteur de la CPS compte 4 chiffres.", error=True)
            return
        self.checking = True
        self._say("Vérification du code sur la CPS…")
        self._check()

    @on(Button.Pressed, "#cps-cancel")
    def action_cancel(self) -> None:
        self._clear()
        self.dismiss(None)

    def action_insert_card(self) -> None:
        from screens.card_deck_dialog import open_deck

        open_deck(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "insert_card":
            watch = card_watch(self.app)
            return watch.started and watch.simulated
        return True

    # --- the one card call -------------------------------------------------------------------------------
    @work(exclusive=True, group="cps-code", exit_on_error=False, description="Vérification du code porteur")
    async def _check(self) -> None:
        field = self.query_one("#cps-code", Input)
        code = field.value            # read here, never passed as a worker argument (worker descriptions)
        app: Any = self.app
        try:
            cps = await asyncio.to_thread(_unlock, app, code)
        except LunetierError as exc:
            self.checking = False
            field.value = ""
            if getattr(exc, "code", None) == CODE_BLOCKED:
                card_watch(app).cps_blocked()
                self._show_blocked("Carte CPS bloquée.")   # BLOCKED_HELP below says what to do
            else:
                self._say(exc.message_fr, error=True)
            return
        card_watch(app).cps_unlocked(cps.nom, cps.prenom)
        self._clear()
        self.dismiss(code)

    # --- display ------------------------------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#cps-message", Static)
        message.update(text)
        message.set_class(error, "error-text")

    def _show_blocked(self, text: str) -> None:
        self.blocked = True
        self.add_class("-blocked")
        self._say(text, error=True)
        field = self.query_one("#cps-code", Input)
        field.value = ""
        field.disabled = True
        self.query_one("#cps-ok", Button).display = False
        self.query_one("#cps-cancel", Button).label = "Fermer (Échap)"
        self.query_one("#cps-cancel", Button).focus()

    def _clear(self) -> None:
        self.query_one("#cps-code", Input).value = ""


def _unlock(app: Any, code: str) -> Any:
    services = app.services
    return services.counter.vitale.unlock_cps(services.reader, code)


async def ask_cps_code(app: Any, *, reason: str) -> str | None:
    """The "Code Porteur" dialog; the accepted 4-digit code or None. Await it inside a worker."""
    return await app.push_screen_wait(CpsCodeDialog(reason))


async def request_cps_code(app: Any, reason: str = "") -> str | None:
    """What `LunetierApp.request_cps_code` calls (télétransmission, signature)."""
    return await ask_cps_code(app, reason=reason or "Code porteur demandé pour la télétransmission.")
