""""Sélection des documents - SCOR" (manual §IV), offered right after signing an FSE: the documents the
invoice needs (the ordonnance; the feuille de soins too in dégradé), adding a scan from a typed path,
its conformity, and the SCOR retention note.

Push it with the invoice id: `app.push_screen(ScorSelectionDialog(invoice_id), callback)`. The result is
True when no required document is missing at closing time.
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.services.scor import InvoicePieces, PieceRow
from screens.pieces_jointes import TYPE_CHOICES
from screens.scor_conformity import ScorFlows, scor_service

RETENTION_NOTE = ("La norme SCOR impose une durée de conservation des documents SCOR pendant 6 mois maximum.\n"
                  "Au delà, les documents associés à cette facture seront purgés.")
COLUMNS = (("Type", "type", 12), ("idPJ", "idpj", 11), ("Nom", "nom", 10), ("Date", "date", 8),
           ("Date Envoi", "envoi", 10), ("Conformité", "conformite", 12))


def row_cells(r: PieceRow) -> tuple[str | Text, ...]:
    def cut(text: str) -> Text:
        return Text(text, no_wrap=True, overflow="ellipsis")

    return (cut(r.type_label), r.id_pj, cut(r.name), _short(r.added_on), _short(r.date_envoi), cut(r.state))


def _short(value) -> str:
    return value.strftime("%d/%m/%y") if value else ""


class ScorSelectionDialog(ReportsWorkerErrors, ScorFlows, ModalScreen[bool]):
    COMMAND_SPECS = (
        Command("scor_sel_add", "f6", "add", "Ajouter", "Joindre le fichier saisi, du type choisi."),
        Command("scor_sel_view", "enter", "view", "Conformité", "État de la conformité du document sélectionné.",
                show=False),
        Command("scor_sel_delete", "delete,ctrl+d", "delete", "Supprimer",
                "Supprimer le document sélectionné (motif obligatoire)."),
        Command("scor_sel_validate", "f10", "validate", "Valider", "Terminer la sélection des documents."),
        Command("scor_sel_close", "escape", "close", "Fermer", "Fermer ; les documents manquants pourront être "
                "ajoutés depuis Tiers Payant > Pièces Jointes."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Loaded(Message):
        def __init__(self, pieces: InvoicePieces, select_id: int | None) -> None:
            super().__init__()
            self.pieces = pieces
            self.select_id = select_id

    def __init__(self, invoice_id: int) -> None:
        super().__init__()
        self.invoice_id = invoice_id
        self.pieces: InvoicePieces | None = None
        self.rows: dict[int, PieceRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="scor-selection"):
            yield Label("Sélection des documents - SCOR", classes="dialog-title")
            yield Static("", id="selection-invoice")
            with Horizontal(id="selection-add"):
                yield Label("Type :", id="selection-type-label")
                yield Select(TYPE_CHOICES, value="ORDN", allow_blank=False, compact=True, id="selection-type")
            with Horizontal(id="selection-file-line"):
                yield Label("Fichier :", id="selection-file-label")
                yield Input(placeholder="Nouveau nom de fichier (chemin du scan)", compact=True,
                            id="selection-file")
            yield DataTable(cursor_type="row", id="selection-table")
            yield Static(RETENTION_NOTE, id="selection-note")
            yield Static("", id="selection-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("+ Ajouter (F6)", id="add", compact=True)
                yield Button("← Fermer (Échap)", id="close", compact=True)
                yield Button("✓ Valider (F10)", id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#selection-table", DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        self.query_one("#selection-file", Input).focus()
        self._load(None, create=True)

    # --- data ---------------------------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, exclusive=True, group="scor-selection-load")
    def _load(self, select_id: int | None, create: bool = False) -> None:
        svc = scor_service(self.app)
        # The first load creates the MANQUANT rows the FSE needs (what the télétransmission checks).
        pieces = svc.required_documents(self.invoice_id) if create else svc.invoice_pieces(self.invoice_id)
        self.post_message(self.Loaded(pieces, select_id))

    def on_scor_selection_dialog_loaded(self, message: Loaded) -> None:
        message.stop()
        first_load = self.pieces is None
        self.pieces = pieces = message.pieces
        self.query_one("#selection-invoice", Static).update(
            f"Facture N° {pieces.invoice_number} — {pieces.nom} {pieces.prenom} — "
            f"{'dégradé' if pieces.mode == 'DEG' else 'SESAM-Vitale'}"
            + f" — {pieces.missing_summary}")
        table = self.query_one("#selection-table", DataTable)
        table.clear()
        self.rows = {r.pj_id: r for r in pieces.rows}
        for r in pieces.rows:
            table.add_row(*row_cells(r), key=str(r.pj_id))
        if message.select_id in self.rows:
            table.move_cursor(row=table.get_row_index(str(message.select_id)))
        if first_load or pieces.missing:
            # Offer the next missing document's type (the feuille de soins once the ordonnance is in).
            self.query_one("#selection-type", Select).value = pieces.missing[0] if pieces.missing else "ORDN"

    def highlighted(self) -> PieceRow | None:
        table = self.query_one("#selection-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(int(key)) if key is not None else None

    # --- ScorFlows hooks ----------------------------------------------------------------------------------
    def scor_changed(self, pj_id: int | None) -> None:
        self._load(pj_id)

    def scor_status(self, text: str) -> None:
        self.query_one("#selection-status", Static).update(text)

    # --- events and actions -------------------------------------------------------------------------------
    @on(Input.Submitted, "#selection-file")
    def _file_submitted(self, event: Input.Submitted) -> None:
        self.action_add()

    @on(DataTable.RowSelected, "#selection-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_view()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"add": self.action_add, "close": self.action_close, "ok": self.action_validate}[event.button.id or "ok"]()

    def action_add(self) -> None:
        field = self.query_one("#selection-file", Input)
        path = field.value.strip()
        if not path:
            self.scor_status("Indiquez le chemin du fichier scanné, puis F6.")
            field.focus()
            return
        field.value = ""
        self.start_add(self.invoice_id, path, str(self.query_one("#selection-type", Select).value))

    def action_view(self) -> None:
        row = self.highlighted()
        if row is not None and row.can_view:
            self.start_view(row.pj_id)

    def action_delete(self) -> None:
        row = self.highlighted()
        if row is None or not row.can_delete:
            return
        self.start_delete(row.pj_id, f"« {row.type_label} » ({row.name})")

    def action_validate(self) -> None:
        missing = self.pieces.missing if self.pieces else ()
        if missing:
            labels = ", ".join(r.type_label for r in self.rows.values()
                               if r.state in ("MANQUANT", "NON CONFORME", "A RECONSTITUER"))
            self.app.notify(f"Documents à fournir : {labels}. Vous pourrez les ajouter depuis Tiers Payant > "
                            "Pièces Jointes.", severity="warning", timeout=5)
        self.dismiss(not missing)

    def action_close(self) -> None:
        self.dismiss(not (self.pieces.missing if self.pieces else True))
