"""Paramètres > Mutuelles & SS > Mutuelles (manual §V): the list of mutuelles with a search field;
Entrée opens "Paramétrage : Mutuelle", F5 copies the highlighted mutuelle."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.services.mutuelles import MutuelleDTO
from screens.settings_form import ACTOR
from screens.settings_mutuelle_dialog import MutuelleEditor, mutuelle_service

COLUMNS = (("N°", "numero"), ("Nom", "nom"), ("N° Préfectoral", "numero_prefectoral"),
           ("Mode Gestion SV", "mode"), ("Télétrans. défaut", "teletrans"), ("PEC obligatoire", "pec"))
_YES_NO = {True: "Oui", False: "Non"}


def row_cells(m: MutuelleDTO) -> tuple[str | Text, ...]:
    mode = {"separee": "Séparée", "unique": "Unique"}.get(m.mode_gestion_sv, m.mode_gestion_sv)
    return (m.numero, Text(m.nom, no_wrap=True, overflow="ellipsis"), m.numero_prefectoral, mode,
            _YES_NO[m.teletransmission_defaut], _YES_NO[m.pec_obligatoire])


def detail_line(m: MutuelleDTO) -> str:
    return (f"{m.mode_gestion_label} · Télétrans. défaut : {_YES_NO[m.teletransmission_defaut]} · "
            f"PEC obligatoire : {_YES_NO[m.pec_obligatoire]}")


class MutuellesSettingsPane(ReportsWorkerErrors, Vertical):
    COMMAND_SPECS = (
        Command("mutuelles_search", "ctrl+f", "focus_search", "Rechercher", "Aller au champ de recherche.",
                show=False),
        Command("mutuelles_copy", "f5", "copy", "Copier",
                "Créer une nouvelle mutuelle avec les paramètres de la mutuelle sélectionnée."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Listed(Message):
        def __init__(self, items: list[MutuelleDTO], select_id: int | None) -> None:
            super().__init__()
            self.items = items
            self.select_id = select_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: dict[int, MutuelleDTO] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Rechercher : nom, N°, N° préfectoral, ville", compact=True, id="mutuelle-search")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="mutuelles-table")
        yield Static("", id="mutuelle-detail", classes="field-help")
        yield Static("", id="mutuelles-count", classes="field-help")
        yield Static("Entrée Modifier · F5 Copier · Ctrl+F Rechercher", classes="form-keys")

    def on_mount(self) -> None:
        table = self.query_one("#mutuelles-table", DataTable)
        for label, key in COLUMNS:
            # Nom is capped so that N°, Nom and N° Préfectoral fit at 80 columns; ←/→ scroll to the rest,
            # and the detail line below the table repeats them for the highlighted row.
            table.add_column(label, key=key, width=20 if key == "nom" else None)
        self.refresh_list()

    # --- data ---------------------------------------------------------------------------------------
    @property
    def query_text(self) -> str:
        return self.query_one("#mutuelle-search", Input).value

    def refresh_list(self, select_id: int | None = None) -> None:
        self._list(self.query_text, select_id)

    @work(thread=True, exit_on_error=False, exclusive=True, group="mutuelles-list")
    def _list(self, query: str, select_id: int | None) -> None:
        items = mutuelle_service(self.app).list(query)
        if not get_current_worker().is_cancelled:  # a newer keystroke already asked for another list
            self.post_message(self.Listed(items, select_id))

    def on_mutuelles_settings_pane_listed(self, message: Listed) -> None:
        message.stop()
        table = self.query_one("#mutuelles-table", DataTable)
        keep = select_id = message.select_id
        if keep is None and table.row_count:
            keep = self.highlighted_id()
        table.clear()
        self.items = {m.id: m for m in message.items}
        for m in message.items:
            table.add_row(*row_cells(m), key=str(m.id))
        if keep is not None and keep in self.items:
            table.move_cursor(row=table.get_row_index(str(keep)))
        count = len(message.items)
        self.query_one("#mutuelles-count", Static).update(
            "Aucune mutuelle ne correspond." if not count and self.query_text.strip()
            else f"{count} mutuelle{'s' if count > 1 else ''}")
        if select_id is not None:
            table.focus()
        self._show_detail()

    @on(DataTable.RowHighlighted, "#mutuelles-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        mutuelle = self.items.get(self.highlighted_id() or 0)
        self.query_one("#mutuelle-detail", Static).update(detail_line(mutuelle) if mutuelle else "")

    def highlighted_id(self) -> int | None:
        table = self.query_one("#mutuelles-table", DataTable)
        if not table.row_count:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(row_key.value) if row_key.value is not None else None

    # --- events and actions -------------------------------------------------------------------------
    @on(Input.Changed, "#mutuelle-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.refresh_list()

    @on(Input.Submitted, "#mutuelle-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#mutuelles-table", DataTable).focus()

    @on(DataTable.RowSelected, "#mutuelles-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        mutuelle = self.items.get(int(event.row_key.value or 0))
        if mutuelle is not None:
            self.open_editor(mutuelle)

    def open_editor(self, mutuelle: MutuelleDTO) -> None:
        editor = MutuelleEditor(mutuelle)

        def done(wrote: bool | None) -> None:
            if wrote:  # select what the dialog ended on (the copy, after "Copier")
                self.refresh_list(select_id=editor.mutuelle.id)

        self.app.push_screen(editor, done)

    def action_focus_search(self) -> None:
        self.query_one("#mutuelle-search", Input).focus()

    def action_copy(self) -> None:
        mutuelle_id = self.highlighted_id()
        if mutuelle_id is not None:
            self._copy(mutuelle_id)

    @work(thread=True, exit_on_error=False, exclusive=True, group="mutuelles-write")
    def _copy(self, mutuelle_id: int) -> None:
        copy = mutuelle_service(self.app).copy(mutuelle_id, actor=ACTOR)
        self.app.call_from_thread(self._copied, copy)

    def _copied(self, copy: MutuelleDTO) -> None:
        self.app.notify(f"Copie créée : {copy.nom}", timeout=3)
        self.refresh_list(select_id=copy.id)
