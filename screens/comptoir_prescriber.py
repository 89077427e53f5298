"""Prescriber search results and creation (Ordonnance panel): "Choix du prescripteur" lists the matches of
a name / RPPS / n° AM with a "Nouveau prescripteur…" entry; "Nouveau prescripteur" creates (or updates, by
RPPS) one through the service, which checks the RPPS key and the n° AM."""
from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import LunetierError
from core.services.counter_dto import PrescriberDTO, PrescriberInput

__all__ = ["NEW_PRESCRIBER", "PrescriberChoiceDialog", "PrescriberFormDialog", "prefill"]

NEW_PRESCRIBER = "new"


def prefill(text: str) -> PrescriberInput:
    """What was typed goes to the RPPS (11 digits), the n° AM (9 digits) or the name."""
    text = text.strip()
    if text.isdigit() and len(text) == 11:
        return PrescriberInput(nom="", rpps=text)
    if text.isdigit() and len(text) == 9:
        return PrescriberInput(nom="", numero_am=text)
    return PrescriberInput(nom=text.upper())


class PrescriberChoiceDialog(ModalScreen[PrescriberDTO | str | None]):
    """Returns the chosen PrescriberDTO, NEW_PRESCRIBER, or None."""

    COMMAND_SPECS = (
        Command("prescriber_pick", "f10", "pick", "Valider", "Choisir le prescripteur en surbrillance."),
        Command("prescriber_back", "escape", "back", "Retour", "Revenir sans choisir."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, found: tuple[PrescriberDTO, ...], text: str) -> None:
        super().__init__()
        self.found = found
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="prescriber-choice"):
            yield Label("Choix du prescripteur", classes="dialog-title")
            yield Static(f"Recherche : « {self.text} »" if self.text else "Prescripteurs", classes="muted")
            options = [Option(p.label, id=str(p.id)) for p in self.found]
            options.append(Option("Nouveau prescripteur…", id=NEW_PRESCRIBER))
            yield OptionList(*options, id="prescriber-list")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#prescriber-list")
    def action_pick(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option_id = options.get_option_at_index(options.highlighted).id
        if option_id == NEW_PRESCRIBER:
            self.dismiss(NEW_PRESCRIBER)
            return
        self.dismiss(next(p for p in self.found if str(p.id) == option_id))

    def action_back(self) -> None:
        self.dismiss(None)


class PrescriberFormDialog(ReportsWorkerErrors, ModalScreen[PrescriberDTO | None]):
    """"Nouveau prescripteur": saved through dossiers.upsert_prescriber; returns the stored prescriber."""

    COMMAND_SPECS = (
        Command("prescriber_save", "f10", "save", "Valider", "Enregistrer le prescripteur."),
        Command("prescriber_cancel", "escape", "cancel", "Annuler", "Revenir sans enregistrer."),
    )
    BINDINGS = bindings(COMMAND_SPECS)
    FIELDS = (("nom", "Nom", 0), ("prenom", "Prénom", 0), ("rpps", "N° RPPS", 11), ("numero_am", "N° AM", 9),
              ("specialite", "Spécialité", 0))

    def __init__(self, initial: PrescriberInput) -> None:
        super().__init__()
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="prescriber-form"):
            yield Label("Nouveau prescripteur", classes="dialog-title")
            for field, label, length in self.FIELDS:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield Input(getattr(self.initial, field), id=f"presc-{field}", compact=True,
                                max_length=length, restrict=r"[0-9]*" if length else None)
            yield Static("Ex. ophtalmologiste : spécialité 15. Le RPPS compte 11 chiffres (clé de Luhn).",
                         classes="muted")
            yield Static("", id="presc-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Annuler (Échap)", id="presc-cancel")
                yield Button("✓ Valider (F10)", variant="primary", id="presc-ok")

    def on_mount(self) -> None:
        first_empty = next((f for f, _, _ in self.FIELDS if not getattr(self.initial, f)), "nom")
        self.query_one(f"#presc-{first_empty}", Input).focus()

    @on(Button.Pressed, "#presc-ok")
    def action_save(self) -> None:
        values = {f: self.query_one(f"#presc-{f}", Input).value for f, _, _ in self.FIELDS}
        self._save(PrescriberInput(**values))

    @on(Button.Pressed, "#presc-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(exclusive=True, group="prescriber", exit_on_error=False, description="Enregistrement du prescripteur")
    async def _save(self, data: PrescriberInput) -> None:
        app: Any = self.app
        try:
            saved = await asyncio.to_thread(app.services.counter.dossiers.upsert_prescriber, data)
        except LunetierError as exc:
            self.query_one("#presc-error", Static).update(exc.message_fr)
            return
        self.dismiss(saved)
