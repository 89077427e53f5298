""""Choix du bénéficiaire" (manual §II): the bénéficiaires of the card read, the date of the day, and the
date de consultation, which only changes to redo an old dossier at the rate of its day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from app.commands import Command, bindings
from core.services.counter_dto import BeneficiaryChoiceDTO, CardReadDTO

__all__ = ["BeneficiaryPick", "BeneficiaryChoiceDialog", "parse_day", "choice_label"]


@dataclass(frozen=True)
class BeneficiaryPick:
    beneficiaire_id: int
    consultation_date: date
    label: str


def parse_day(text: str, today: date) -> date:
    """"JJ/MM/AAAA" -> date; ValueError with the French reason (not a date, in the future)."""
    try:
        day = datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"Date « {text.strip()} » invalide : saisissez JJ/MM/AAAA.") from None
    if day > today:
        raise ValueError(f"La date de consultation ({day:%d/%m/%Y}) ne peut pas être dans le futur.")
    return day


def choice_label(choice: BeneficiaryChoiceDTO, twins: bool) -> str:
    """The manual's "1 - DESMAUX NATHALIE (15/06/1955)"; twins (same birth date) also show their rang."""
    return f"{choice.label} — rang {choice.rang}" if twins else choice.label


class BeneficiaryChoiceDialog(ModalScreen[BeneficiaryPick | None]):
    HELP_TITLE = 'Choix du bénéficiaire'  # section title of the F1 help
    COMMAND_SPECS = (
        Command("benef_validate", "f10", "validate", "Valider", "Valider le bénéficiaire et la date."),
        Command("benef_back", "escape", "back", "Retour", "Revenir sans créer de dossier."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, read: CardReadDTO) -> None:
        super().__init__()
        self.read = read

    def compose(self) -> ComposeResult:
        births = [c.birth_date for c in self.read.beneficiaires]
        with Vertical(classes="dialog", id="benef-dialog"):
            yield Label("Choix du bénéficiaire", classes="dialog-title")
            yield Label("Bénéficiaires", classes="field-title")
            yield OptionList(*(Option(choice_label(c, births.count(c.birth_date) > 1), id=str(c.beneficiaire_id))
                               for c in self.read.beneficiaires), id="benef-list")
            yield Static(f"(date du jour : {self.read.date_du_jour:%d/%m/%Y})", id="benef-today", classes="muted")
            with Horizontal(id="benef-date-row"):
                yield Label("Date de consultation", id="benef-date-label")
                yield Input(f"{self.read.date_du_jour:%d/%m/%Y}", max_length=10, restrict=r"[0-9/]*",
                            id="benef-date", compact=True)
            yield Static("", id="benef-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Retour (Échap)", id="benef-back")
                yield Button("✓ Valider (F10)", variant="primary", id="benef-ok")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#benef-list")
    @on(Input.Submitted, "#benef-date")
    @on(Button.Pressed, "#benef-ok")
    def action_validate(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            self._error("Choisissez un bénéficiaire.")
            return
        try:
            day = parse_day(self.query_one("#benef-date", Input).value, self.read.date_du_jour)
        except ValueError as exc:
            self._error(str(exc))
            self.query_one("#benef-date", Input).focus()
            return
        option = options.get_option_at_index(options.highlighted)
        self.dismiss(BeneficiaryPick(int(option.id or 0), day, str(option.prompt)))

    @on(Button.Pressed, "#benef-back")
    def action_back(self) -> None:
        self.dismiss(None)

    def _error(self, text: str) -> None:
        self.query_one("#benef-error", Static).update(text)
