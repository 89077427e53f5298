"""Tiers Payant > Pièces Jointes (manual §VIII): the state of every SCOR document, with the manual's
columns; add (Ctrl+A), delete (Suppr, with a reason), conformity detail (Entrée)."""
from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static
from textual.worker import get_current_worker

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import ValidationError
from core.scor.model import DocumentType
from core.services.scor import PieceFilters, PieceRow, PiecesPage
from screens.scor_conformity import ScorFlows, scor_service

PAGE_SIZE = 200  # rows per page (the manual pages its lists: "1/2")
# (label, key, width): the manual's columns, sized so that all of them fit at 80 columns; the line under
# the table repeats the highlighted row in full.
# Two-line headers keep the manual's labels whole in narrow columns.
COLUMNS = (("Date envoi\nPJ", "date_envoi", 8), ("N°\nFacture", "facture", 7), ("Etat\nSV", "sv", 4),
           ("Nom", "nom", 10), ("Prénom", "prenom", 7), ("État PJ", "etat", 12), ("Type", "type", 10),
           ("Délai", "delai", 5))
TYPE_CHOICES = tuple((f"{t.label_fr} | {t.value}", t.value) for t in DocumentType)


def parse_date_fr(text: str, label: str) -> date | None:
    """'28/05/2024' -> date, '' -> None, anything else -> ValidationError naming the field."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise ValidationError(f"{label} : « {text} » n'est pas une date valide (format JJ/MM/AAAA).",
                              log=f"invalid date for {label!r}: {text!r}") from None


def format_date_fr(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def row_cells(r: PieceRow) -> tuple[str | Text, ...]:
    def cut(text: str) -> Text:
        return Text(text, no_wrap=True, overflow="ellipsis")

    sent = r.date_envoi.strftime("%d/%m/%y") if r.date_envoi else ""
    return (sent, str(r.invoice_number), r.etat_sv, cut(r.nom), cut(r.prenom), cut(r.state), cut(r.type_label),
            r.delai)


def detail_line(r: PieceRow) -> str:
    parts = [f"Facture N° {r.invoice_number}", f"{r.nom} {r.prenom}".strip(), f"{r.type_label} : {r.state}"]
    if r.name:
        parts.append(f"« {r.name} » ({r.id_pj})")
    if r.delai:
        parts.append("purgé" if r.purged else f"purge dans {r.delai}")
    if r.state == "NON CONFORME":
        parts.append("document refusé à la vérification : joignez un nouveau scan (Ctrl+A)")
    elif r.state == "A RECONSTITUER":
        parts.append("document à numériser de nouveau (Ctrl+A)")
    actions = [a for a, ok in (("Ctrl+A ajouter", r.can_add), ("Suppr supprimer", r.can_delete),
                               ("Entrée conformité", r.can_view)) if ok]
    return " · ".join(parts + actions)


class DocumentPathDialog(ModalScreen["tuple[str, str] | None"]):
    """Ask the file of a scan and its type; returns (path, type code)."""

    COMMAND_SPECS = (
        Command("scor_path_validate", "f10", "validate", "Valider", "Joindre ce fichier."),
        Command("scor_path_cancel", "escape", "cancel", "Annuler", "Fermer sans rien joindre."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, invoice_number: int, type_code: str) -> None:
        super().__init__()
        self.invoice_number = invoice_number
        self.type_code = type_code

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="scor-path-dialog"):
            yield Label(f"Ajouter un document — facture N° {self.invoice_number}", classes="dialog-title")
            with Horizontal(classes="path-line"):
                yield Label("Type :", classes="path-label")
                yield Select(TYPE_CHOICES, value=self.type_code, allow_blank=False, compact=True, id="path-type")
            with Horizontal(classes="path-line"):
                yield Label("Fichier :", classes="path-label")
                yield Input(placeholder="chemin du scan (PDF, PNG, JPEG, TIFF)", compact=True, id="path-file")
            yield Static("", id="path-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Annuler (Échap)", id="cancel", compact=True)
                yield Button("✓ Valider (F10)", id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#path-file", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_validate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_validate() if event.button.id == "ok" else self.action_cancel()

    def action_validate(self) -> None:
        path = self.query_one("#path-file", Input).value.strip()
        if not path:
            self.query_one("#path-error", Static).update("Indiquez le chemin du fichier scanné.")
            return
        self.dismiss((path, str(self.query_one("#path-type", Select).value)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PiecesJointesPane(ReportsWorkerErrors, ScorFlows, Vertical):
    COMMAND_SPECS = (
        Command("pj_refresh", "f5", "refresh", "Actualiser", "Relire la liste des pièces jointes."),
        Command("pj_add", "ctrl+a", "add", "Ajouter", "Joindre un document scanné à la facture sélectionnée."),
        Command("pj_delete", "delete,ctrl+d", "delete", "Supprimer",
                "Supprimer le document de la ligne sélectionnée (motif obligatoire)."),
        Command("pj_view", "enter", "view", "Conformité",
                "Afficher l'état de la conformité du document sélectionné."),
        Command("pj_prev_page", "f7,pageup", "page(-1)", "Page préc.", "Page précédente de la liste."),
        Command("pj_next_page", "f8,pagedown", "page(1)", "Page suiv.", "Page suivante de la liste."),
        Command("pj_search", "ctrl+f", "focus_search", "Rechercher", "Aller aux champs de recherche.",
                show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)
    page_size = PAGE_SIZE

    class Listed(Message):
        def __init__(self, page: PiecesPage, select_id: int | None) -> None:
            super().__init__()
            self.page = page
            self.select_id = select_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: dict[int, PieceRow] = {}
        self.page_number = 1
        self.page_count = 1

    def compose(self) -> ComposeResult:
        with Horizontal(id="pj-search"):
            yield Label("Recherche", id="pj-search-label")
            yield Input(placeholder="JJ/MM/AAAA", compact=True, id="pj-from", max_length=10)
            yield Input(placeholder="JJ/MM/AAAA", compact=True, id="pj-to", max_length=10)
            yield Input(placeholder="Nom Prénom", compact=True, id="pj-nom")
            yield Static("1/1", id="pj-page")
        yield DataTable(cursor_type="row", zebra_stripes=True, header_height=2, id="pj-table")
        yield Static("", id="pj-detail")
        yield Static("", id="pj-status")

    def on_mount(self) -> None:
        table = self.query_one("#pj-table", DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        # The manual's default search: from the first of January to today.
        today = self.app.clock.today()  # type: ignore[attr-defined]
        self.query_one("#pj-from", Input).value = format_date_fr(date(today.year, 1, 1))
        self.query_one("#pj-to", Input).value = format_date_fr(today)
        self.refresh_list()

    def on_show(self) -> None:
        # Back on the tab: a télétransmission or the counter may have changed the documents meanwhile.
        self.refresh_list()

    # --- data ---------------------------------------------------------------------------------------------
    def filters(self) -> PieceFilters:
        return PieceFilters(date_from=parse_date_fr(self.query_one("#pj-from", Input).value, "Du"),
                            date_to=parse_date_fr(self.query_one("#pj-to", Input).value, "Au"),
                            nom=self.query_one("#pj-nom", Input).value, page=self.page_number,
                            page_size=self.page_size)

    def refresh_list(self, select_id: int | None = None) -> None:
        try:
            filters = self.filters()
        except ValidationError as exc:
            self.scor_status(exc.message_fr)
            return
        self._list(filters, select_id)

    @work(thread=True, exit_on_error=False, exclusive=True, group="pj-list")
    def _list(self, filters: PieceFilters, select_id: int | None) -> None:
        page = scor_service(self.app).list_pieces(filters)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(page, select_id))

    def on_pieces_jointes_pane_listed(self, message: Listed) -> None:
        message.stop()
        table = self.query_one("#pj-table", DataTable)
        previous = self.highlighted_id()
        table.clear()
        self.rows = {r.pj_id: r for r in message.page.rows}
        for r in message.page.rows:
            table.add_row(*row_cells(r), key=str(r.pj_id))
        for keep in (message.select_id, previous):
            if keep in self.rows:
                table.move_cursor(row=table.get_row_index(str(keep)))
                break
        self.page_number, self.page_count = message.page.page, message.page.page_count
        self.query_one("#pj-page", Static).update(f"{self.page_number}/{self.page_count}")
        self.scor_status("" if message.page.total else "Aucune pièce jointe ne correspond à la recherche.")
        self._show_detail()

    def highlighted(self) -> PieceRow | None:
        table = self.query_one("#pj-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(int(key)) if key is not None else None

    def highlighted_id(self) -> int | None:
        row = self.highlighted()
        return row.pj_id if row else None

    def _show_detail(self) -> None:
        row = self.highlighted()
        self.query_one("#pj-detail", Static).update(detail_line(row) if row else "")

    # --- ScorFlows hooks ------------------------------------------------------------------------------------
    def scor_changed(self, pj_id: int | None) -> None:
        self.refresh_list(select_id=pj_id)

    def scor_status(self, text: str) -> None:
        self.query_one("#pj-status", Static).update(text)

    # --- events --------------------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#pj-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#pj-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_view()

    @on(Input.Submitted, "#pj-search Input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.page_number = 1
        self.refresh_list()
        self.query_one("#pj-table", DataTable).focus()

    @on(Input.Changed, "#pj-nom")
    def _name_changed(self, event: Input.Changed) -> None:
        self.page_number = 1
        self.refresh_list()

    # --- actions -------------------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.refresh_list()

    def action_page(self, step: int) -> None:
        target = min(max(1, self.page_number + step), self.page_count)
        if target != self.page_number:
            self.page_number = target
            self.refresh_list()

    def action_focus_search(self) -> None:
        self.query_one("#pj-nom", Input).focus()

    def action_view(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        if not row.can_view:
            self.app.notify("Aucun document n'est joint : Ctrl+A pour en ajouter un.", timeout=3)
            return
        self.start_view(row.pj_id)

    def action_add(self) -> None:
        row = self.highlighted()
        if row is None:
            return

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.start_add(row.invoice_id, *result)

        self.app.push_screen(DocumentPathDialog(row.invoice_number, row.type_code), chosen)

    def action_delete(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        if not row.can_delete:
            self.app.notify(f"Une pièce à l'état « {row.state} » ne peut pas être supprimée.", timeout=3)
            return
        self.start_delete(row.pj_id, f"« {row.type_label} » de la facture N° {row.invoice_number}")
