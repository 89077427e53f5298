""""AreaFSE - Choix de la convention AMC/Mutuelle" (manual §V) and the "Information importante" box of
the -1300 case.

The choice window lists the conventions of the dossier's mutuelle RC1 (amc.search_for_dossier), or those
matching the text typed in the search box (amc.search_conventions); F7/F8 change page. Valider (F10) stores
the highlighted convention in the Attestation AMC (amc.choose_convention, audited) and returns it.
When the search matches too many rows (code -1300) the window shows the manual's text and F5 opens the
Attestation AMC to type 'Type Conv.' and 'Crit. Secondaire'.
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Static

from app.commands import Command, bindings
from core.services.counter_dto import ConventionDTO, ConventionSearchDTO
from screens.counter_flow_common import CounterDialog, counter, error_line

__all__ = ["ConventionChoiceDialog", "InformationDialog", "ATTESTATION", "COLUMNS", "too_many_text"]

ATTESTATION = "attestation"
# (header, field, width): headers are cut as in the manual ("Id. signat...", "Lib. signa..."); ←/→ scroll.
COLUMNS = (("Id. signataire", "id_signataire", 10), ("Lib. signataire", "lib_signataire", 14),
           ("Conv. groupe", "conv_groupe", 5), ("Type conv.", "type_convention", 5),
           ("Crit. secondaire", "crit_secondaire", 5), ("Type accord", "type_accord", 5),
           ("N° AMC", "numero_amc", 10), ("Lib. AMC", "lib_amc", 22), ("Desactiv.", "desactive", 4))


def too_many_text(search: ConventionSearchDTO) -> str:
    """The manual's "Information importante" text: guidance, then the engine's message and its code."""
    return f"{search.guidance_fr}\n\n{search.message_fr}\nCode : {search.error_code}"


class InformationDialog(CounterDialog["str | None"]):
    """"Information importante": a message; F5 "Attestation AMC" (returns ATTESTATION), F10 Valider (None)."""
    HELP_TITLE = 'Information'  # section title of the F1 help

    COMMAND_SPECS = (
        Command("information_attestation", "f5", "attestation", "Attestation AMC",
                "Ouvrir l'Attestation AMC pour renseigner Type Conv. et Crit. Secondaire."),
        Command("information_validate", "f10,escape", "validate", "Valider", "Fermer le message."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, message: str, *, title: str = "Information importante", attestation: bool = True) -> None:
        super().__init__()
        self.message = message
        self.title_text = title
        self.attestation = attestation

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="information-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, id="information-message")
            with Horizontal(classes="dialog-buttons"):
                if self.attestation:
                    yield Button("Attestation AMC (F5)", id="attestation", compact=True)
                yield Button("✓ Valider (F10)", id="validate", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#attestation" if self.attestation else "#validate", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_attestation() if event.button.id == "attestation" else self.action_validate()

    def action_attestation(self) -> None:
        if self.attestation:
            self.dismiss(ATTESTATION)

    def action_validate(self) -> None:
        self.dismiss(None)


class ConventionChoiceDialog(CounterDialog["ConventionDTO | str | None"]):
    """Returns the chosen ConventionDTO (already stored), ATTESTATION when the user asks for the
    Attestation AMC, or None."""
    HELP_TITLE = 'Choix de la convention'  # section title of the F1 help

    COMMAND_SPECS = (
        Command("convention_validate", "f10", "validate", "Valider", "Retenir la convention sélectionnée."),
        Command("convention_previous", "f7", "page(-1)", "Page préc.", "Page précédente des conventions."),
        Command("convention_next", "f8", "page(1)", "Page suiv.", "Page suivante des conventions."),
        Command("convention_attestation", "f5", "attestation", "Attestation AMC",
                "Renseigner Type Conv. et Crit. Secondaire dans l'Attestation AMC."),
        Command("convention_cancel", "escape", "cancel", "Retour", "Fermer sans choisir."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, dossier_id: int, search: ConventionSearchDTO | None = None) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.search = search
        self.text = ""
        self.rows: tuple[ConventionDTO, ...] = ()
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="convention-dialog"):
            yield Label("AreaFSE - Choix de la convention AMC/Mutuelle", classes="dialog-title")
            with Horizontal(id="convention-search-line"):
                yield Label("🔍 Veuillez choisir une convention :", id="convention-search-label")
                yield Input(placeholder="nom ou n° (Entrée)", compact=True, id="convention-search")
            table: DataTable = DataTable(cursor_type="row", id="convention-table", fixed_columns=1)
            yield table
            yield Static("", id="convention-status")
            yield error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("<", id="previous", compact=True)
                yield Button(">", id="next", compact=True)
                yield Button("Attestation AMC (F5)", id="attestation", compact=True)
                yield Button("←", id="cancel", compact=True)
                yield Button("✓ Valider (F10)", id="validate", variant="primary", compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        if self.search is not None:
            self.show(self.search)
        else:
            self.fetch(1)
        table.focus()

    def show(self, search: ConventionSearchDTO) -> None:
        self.search = search
        self.rows = search.rows
        table = self.query_one(DataTable)
        table.clear()
        for i, row in enumerate(search.rows):
            cells = [Text(str(getattr(row, key)), no_wrap=True, overflow="ellipsis") for _, key, _ in COLUMNS[:-1]]
            table.add_row(*cells, Text("1" if row.desactive else "0"), key=str(i))
        status = self.query_one("#convention-status", Static)
        if search.too_many:
            status.update(too_many_text(search))
            status.add_class("warning-text")
        else:
            status.remove_class("warning-text")
            status.update(f"Page {search.page}/{search.pages} — {search.total} convention(s)")

    @on(Input.Submitted, "#convention-search")
    def _search(self, event: Input.Submitted) -> None:
        self.text = event.value.strip()
        self.fetch(1)

    @work(exclusive=True, group="convention-search", exit_on_error=False)
    async def fetch(self, page: int) -> None:
        amc = counter(self.app).amc
        if self.text:
            ok, found = await self.attempt(amc.search_conventions, self.text, page=page)
        else:
            ok, found = await self.attempt(amc.search_for_dossier, self.dossier_id, page)
        if ok:
            self.set_error("")
            self.show(found)

    def action_page(self, step: int) -> None:
        if self.search is None or self.search.too_many:
            return
        page = self.search.page + step
        if 1 <= page <= self.search.pages:
            self.fetch(page)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"validate": self.action_validate, "attestation": self.action_attestation,
                   "cancel": self.action_cancel, "previous": lambda: self.action_page(-1),
                   "next": lambda: self.action_page(1)}
        actions[event.button.id or "cancel"]()

    def highlighted(self) -> ConventionDTO | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_validate(self) -> None:
        row = self.highlighted()
        if row is None:
            self.set_error("Aucune convention sélectionnée.")
            return
        if not self.busy:
            self.busy = True
            self.choose(row)

    @work(exclusive=True, group="convention-choose", exit_on_error=False)
    async def choose(self, row: ConventionDTO) -> None:
        try:
            ok, _ = await self.attempt(counter(self.app).amc.choose_convention, self.dossier_id, row)
        finally:
            self.busy = False
        if ok:
            self.app.notify(f"Convention retenue : {row.id_signataire} {row.lib_signataire}.", timeout=3)
            self.dismiss(row)

    def action_attestation(self) -> None:
        self.dismiss(ATTESTATION)

    def action_cancel(self) -> None:
        self.dismiss(None)
