"""The simulated reader's deck (ctrl+o): insert a demo card (Vitale cards, the CPS, an unknown card) or
pull one out (ctrl+e). Only offered when the services run the simulated reader; with a PC/SC reader the
cards go in the real slots."""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from app.card_events import ReaderState, card_watch
from app.commands import Command, bindings
from core.card.atr import CardKind
from core.card.deck import deck_entry, vitale_content
from core.card.simulated import SLOT_CPS, SLOT_VITALE

__all__ = ["DeckChoice", "CardDeckDialog", "open_deck", "insert_card", "remove_card", "slots_line"]

REMOVE_VITALE = "remove:vitale"
REMOVE_CPS = "remove:cps"


@dataclass(frozen=True)
class DeckChoice:
    action: Literal["insert", "remove"]
    target: str                      # deck card name, or slot name


def slots_line(state: ReaderState) -> str:
    """"Fente Vitale : CV DESMAUX · Fente CPS : CPS"."""
    def what(slot: str) -> str:
        held = state.slots.get(slot)
        if held is None:
            return "vide"
        if held.info.is_vitale and held.holder:
            return f"CV {held.holder}"
        return held.info.label_fr
    return f"Fente Vitale : {what(SLOT_VITALE)} · Fente CPS : {what(SLOT_CPS)}"


class CardDeckDialog(ModalScreen[DeckChoice | None]):
    HELP_TITLE = 'Lecteur simulé : cartes de démonstration'  # section title of the F1 help
    COMMAND_SPECS = (
        Command("deck_insert", "f10", "insert", "Insérer", "Insérer la carte choisie."),
        Command("deck_remove", "ctrl+e", "remove", "Retirer la CV", "Retirer la carte de la fente Vitale."),
        Command("deck_close", "escape", "close", "Fermer", "Fermer sans rien changer."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, deck: list[tuple[str, str]], state: ReaderState) -> None:
        super().__init__()
        self.deck = deck
        self.state = state

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="deck-dialog"):
            yield Label("Lecteur simulé — cartes de démonstration", classes="dialog-title")
            yield Static(slots_line(self.state), id="deck-slots")
            options = [Option(label, id=name) for name, label in self.deck]
            options += [None, Option("Retirer la carte de la fente Vitale", id=REMOVE_VITALE),
                        Option("Retirer la CPS", id=REMOVE_CPS)]
            yield OptionList(*options, id="deck-list")
            yield Static("Entrée / F10 : insérer · Ctrl+E : retirer la carte Vitale · Échap : fermer",
                         classes="muted", id="deck-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#deck-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def action_insert(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def action_remove(self) -> None:
        self.dismiss(DeckChoice("remove", SLOT_VITALE))

    def action_close(self) -> None:
        self.dismiss(None)

    def _choose(self, option_id: str | None) -> None:
        if option_id == REMOVE_VITALE:
            self.dismiss(DeckChoice("remove", SLOT_VITALE))
        elif option_id == REMOVE_CPS:
            self.dismiss(DeckChoice("remove", SLOT_CPS))
        elif option_id:
            self.dismiss(DeckChoice("insert", option_id))


# --- what ctrl+o / ctrl+e do -------------------------------------------------------------------------------
def _holder(name: str) -> str:
    entry = deck_entry(name)
    if entry.kind in (CardKind.VITALE_1, CardKind.VITALE_2):
        return vitale_content(name).nom_assure
    return ""


def insert_card(app: Any, name: str) -> None:
    """Insert deck card ``name`` in its slot (thread worker; the reader's events update the status line)."""
    watch = card_watch(app)
    slot = SLOT_CPS if deck_entry(name).kind is CardKind.CPS else SLOT_VITALE
    watch.expect(slot, _holder(name))

    def insert() -> None:
        try:
            watch.reader.insert(name)
        except BaseException:
            watch.forget_expected(slot)
            raise

    app.run_worker(insert, thread=True, exit_on_error=False, group="deck", description="Insertion d'une carte")


def remove_card(app: Any, slot: str | None = None) -> None:
    """Pull out the card of ``slot`` (default: the Vitale slot, else the CPS)."""
    watch = card_watch(app)
    state = watch.snapshot()
    if slot is None:
        slot = SLOT_VITALE if SLOT_VITALE in state.slots else SLOT_CPS
    if slot not in state.slots:
        app.notify("Aucune carte à retirer.", timeout=3)
        return
    app.run_worker(partial(watch.reader.remove, slot), thread=True, exit_on_error=False, group="deck",
                   description="Retrait d'une carte")


def apply_choice(app: Any, choice: DeckChoice | None) -> None:
    if choice is None:
        return
    if choice.action == "insert":
        insert_card(app, choice.target)
    else:
        remove_card(app, choice.target)


def simulated_or_explain(app: Any) -> bool:
    """True with the simulated reader; else tells the user to use the real reader."""
    watch = card_watch(app)
    watch.ensure_started()
    if not app.services_ready:
        app.notify("Ouverture de la base en cours : réessayez dans un instant.", timeout=3)
        return False
    if not watch.simulated:
        app.notify("Lecteur PC/SC : insérez ou retirez la carte directement dans le lecteur.", timeout=4)
        return False
    return True


def open_deck(node: Any) -> None:
    """ctrl+o: the deck dialog, then the insertion or removal chosen."""
    app = node.app
    if not simulated_or_explain(app):
        return
    watch = card_watch(app)
    app.push_screen(CardDeckDialog(watch.reader.deck(), watch.snapshot()), partial(apply_choice, app))
