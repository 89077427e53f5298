"""Tiers Payant > Suivi Facturations (manual §VII): the transmitted invoices with their returns, the line
"N dossiers dont M sécurisés en sesam vitale soit P%", quick search (period, état, client), Recherche avancée
(F9), paging (PgUp/PgDn), the detail (Entrée) and the hand actions (F6 Traitement manuel, F7 état, F8
lettrage, Ctrl+S export of the list).

At 80 columns the manual's first eight columns are visible (Reçu le ... Reste dû); Org. AMO/AMC, État AMO/AMC
and SV are one ←/→ away, and the line under the table repeats the highlighted row's état and organisms.
"""
from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.worker import get_current_worker

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import ValidationError
from core.services.exports import export_suivi_rows, exports_dir
from core.services.suivi_dto import TROUBLE_STATES, InvoiceDetail, SuiviFilters, SuiviPage, SuiviRow
from screens.invoice_detail import InvoiceDetailDialog, InvoiceFlows
from screens.suivi_common import PagedTable, cut, format_date_fr, money, parse_date_fr, short_date, suivi_service
from screens.suivi_filters import ETAT_CHOICES, SuiviFiltersDialog

PAGE_SIZE = 20   # the manual's page: 23 dossiers -> "1/2"
# (label, key, width). Two-line headers keep the manual's labels whole in narrow columns.
COLUMNS = (("Reçu le", "recu", 8), ("Nom du client", "client", 14), ("Date Fct", "date", 8),
           ("N°\nFacture", "numero", 7), ("Lot", "lot", 3), ("Attendu", "attendu", 7), ("Mt payé", "paye", 7),
           ("Reste dû", "reste", 8), ("Org. AMO/AMC", "org", 22), ("État AMO/AMC", "etat", 16), ("SV", "sv", 3))


def row_cells(r: SuiviRow) -> tuple:
    lot = " / ".join(x for x in (r.lot, r.dre_lot) if x)
    return (short_date(r.recu_le), cut(r.client), short_date(r.date), str(r.numero), lot, money(r.attendu_cents),
            money(r.paye_cents), money(r.reste_cents), cut(r.org), cut(r.etat), r.sv)


def detail_line(r: SuiviRow) -> str:
    parts = [f"N° {r.numero}", r.etat, r.org, r.sv]
    if r.manuel:
        parts.append("traitée manuellement")
    if r.lettree:
        parts.append("lettrée")
    return " · ".join(p for p in parts if p)


class SuiviFacturationsPane(ReportsWorkerErrors, InvoiceFlows, Vertical):
    COMMAND_SPECS = (
        Command("sf_detail", "enter", "detail", "Détail", "Ouvrir le détail de la facture (rejets, diagnostic)."),
        Command("sf_refresh", "f5", "refresh", "Actualiser", "Relire la liste."),
        Command("sf_manuel", "f6", "manuel", "Trait. manuel",
                "Traitement manuel de la facture sélectionnée (question, puis motif obligatoire)."),
        Command("sf_etat", "f7", "etat", "État", "Modifier l'état AMO/AMC après paiement (motif obligatoire)."),
        Command("sf_lettrage", "f8", "lettrage", "Lettrage", "Lettrer manuellement la facture sélectionnée."),
        Command("sf_filters", "f9", "filters", "Rech. avancée", "Recherche avancée : Gestion des filtres."),
        Command("sf_export", "ctrl+s", "export", "Exporter",
                "Exporter la liste (toutes les pages de la recherche) en CSV."),
        Command("sf_prev_page", "pageup", "page(-1)", "Page préc.", "Page précédente.", show=False),
        Command("sf_next_page", "pagedown", "page(1)", "Page suiv.", "Page suivante.", show=False),
        Command("sf_search", "ctrl+f", "focus_search", "Rechercher", "Aller aux champs de recherche.", show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)
    page_size = PAGE_SIZE

    class Listed(Message):
        def __init__(self, page: SuiviPage, select_id: int | None) -> None:
            super().__init__()
            self.page = page
            self.select_id = select_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.filters = SuiviFilters(page_size=PAGE_SIZE)
        self.rows: dict[int, SuiviRow] = {}
        self.page_count = 1

    def compose(self) -> ComposeResult:
        with Horizontal(id="sf-search"):
            yield Label("Recherche", id="sf-search-label")
            yield Input(placeholder="JJ/MM/AAAA", compact=True, id="sf-from", max_length=10)
            yield Input(placeholder="JJ/MM/AAAA", compact=True, id="sf-to", max_length=10)
            yield Select(ETAT_CHOICES, value="", allow_blank=False, compact=True, id="sf-etat")
            yield Input(placeholder="Nom du client", compact=True, id="sf-nom")
            yield Static("1/1", id="sf-page")
        yield PagedTable(cursor_type="row", zebra_stripes=True, header_height=2, id="sf-table")
        yield Static("", id="sf-summary")
        yield Static("", id="sf-detail")

    def on_mount(self) -> None:
        table = self.query_one("#sf-table", DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        today = self.app.clock.today()  # type: ignore[attr-defined]
        # The manual's default search: from the first of January to today.
        self.filters = self.filters.model_copy(update={"date_from": date(today.year, 1, 1), "date_to": today})
        self._show_quick(self.filters)
        self.refresh_list()

    def on_show(self) -> None:
        self.refresh_list(select_id=self.highlighted_id())

    # --- filters ----------------------------------------------------------------------------------------
    def _show_quick(self, f: SuiviFilters) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#sf-from", Input).value = format_date_fr(f.date_from)
            self.query_one("#sf-to", Input).value = format_date_fr(f.date_to)
            self.query_one("#sf-etat", Select).value = f.etat
            self.query_one("#sf-nom", Input).value = f.nom

    def _read_quick(self) -> SuiviFilters:
        return self.filters.model_copy(update={
            "date_from": parse_date_fr(self.query_one("#sf-from", Input).value, "Du"),
            "date_to": parse_date_fr(self.query_one("#sf-to", Input).value, "Au"),
            "etat": str(self.query_one("#sf-etat", Select).value or ""),
            "nom": self.query_one("#sf-nom", Input).value.strip()})

    def search(self, *, page: int = 1) -> None:
        """Re-read the quick fields and list from `page`."""
        try:
            self.filters = self._read_quick().model_copy(update={"page": page})
        except ValidationError as exc:
            self.set_status(exc.message_fr)
            return
        self.refresh_list()

    def refresh_list(self, select_id: int | None = None) -> None:
        self._list(self.filters, select_id)

    @work(thread=True, exit_on_error=False, exclusive=True, group="sf-list")
    def _list(self, filters: SuiviFilters, select_id: int | None) -> None:
        page = suivi_service(self.app).list_invoices(filters)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(page, select_id))

    def on_suivi_facturations_pane_listed(self, message: Listed) -> None:
        message.stop()
        page = message.page
        table = self.query_one("#sf-table", DataTable)
        table.clear()
        self.rows = {r.invoice_id: r for r in page.rows}
        for r in page.rows:
            table.add_row(*row_cells(r), key=str(r.invoice_id))
        if message.select_id in self.rows:
            table.move_cursor(row=table.get_row_index(str(message.select_id)))
        self.filters = self.filters.model_copy(update={"page": page.page})
        self.page_count = page.page_count
        self.query_one("#sf-page", Static).update(f"{page.page}/{page.page_count}")
        advanced = self.filters.advanced_count()
        extra = f" · {advanced} filtre(s) avancé(s) (F9)" if advanced else ""
        self.query_one("#sf-summary", Static).update(page.summary.line + extra)
        self.set_status("" if page.total else "Aucune facture ne correspond à la recherche.")

    def set_status(self, text: str) -> None:
        row = self.highlighted()
        self.query_one("#sf-detail", Static).update(text or (detail_line(row) if row else ""))
        self.set_class(bool(text), "-has-error")

    def highlighted(self) -> SuiviRow | None:
        table = self.query_one("#sf-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(int(key)) if key is not None else None

    def highlighted_id(self) -> int | None:
        row = self.highlighted()
        return row.invoice_id if row else None

    # --- events -----------------------------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#sf-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.set_status("")

    @on(DataTable.RowSelected, "#sf-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    @on(PagedTable.PageRequested)
    def _page_requested(self, event: PagedTable.PageRequested) -> None:
        event.stop()
        self.action_page(event.step)

    @on(Input.Submitted, "#sf-search Input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.search()
        self.query_one("#sf-table", DataTable).focus()

    @on(Input.Changed, "#sf-nom")
    @on(Select.Changed, "#sf-etat")
    def _quick_changed(self, event: Input.Changed | Select.Changed) -> None:
        self.search()

    # --- InvoiceFlows hook ------------------------------------------------------------------------------
    def invoice_changed(self, detail: InvoiceDetail | None, message: str) -> None:
        if detail is not None:
            self.refresh_list(select_id=detail.invoice_id)

    # --- actions ----------------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.search(page=self.filters.page)

    def action_page(self, step: int) -> None:
        target = min(max(1, self.filters.page + step), self.page_count)
        if target != self.filters.page:
            self.filters = self.filters.model_copy(update={"page": target})
            self.refresh_list()

    def action_focus_search(self) -> None:
        self.query_one("#sf-nom", Input).focus()

    def action_detail(self) -> None:
        row = self.highlighted()
        if row is None:
            return

        def closed(changed: bool | None) -> None:
            if changed:
                self.refresh_list(select_id=row.invoice_id)

        self.app.push_screen(InvoiceDetailDialog(row.invoice_id), closed)

    def action_filters(self) -> None:
        try:
            current = self._read_quick()
        except ValidationError:
            current = self.filters

        def chosen(filters: SuiviFilters | None) -> None:
            if filters is not None:
                self.filters = filters.model_copy(update={"page": 1, "page_size": self.page_size})
                self._show_quick(self.filters)
                self.refresh_list()

        self.app.push_screen(SuiviFiltersDialog(current), chosen)

    def action_manuel(self) -> None:
        row = self.highlighted()
        if row is None:
            return
        if row.manuel or not {row.etat_amo, row.etat_amc} & set(TROUBLE_STATES):
            why = "déjà traitée manuellement" if row.manuel else "ni rejetée, ni différée, ni en anomalie"
            self.app.notify(f"La facture N° {row.numero} est {why}.", timeout=4)
            return
        self.flow_traitement_manuel(row.invoice_id, row.numero)

    def action_etat(self) -> None:
        row = self.highlighted()
        if row is not None:
            self.flow_changer_etat(row.invoice_id)

    def action_lettrage(self) -> None:
        row = self.highlighted()
        if row is not None:
            self.flow_lettrer(row.invoice_id, row.numero, row.reste_cents, row.lettree)

    def action_export(self) -> None:
        self._export(self.filters)

    @work(thread=True, exit_on_error=False, exclusive=True, group="sf-export")
    def _export(self, filters: SuiviFilters) -> None:
        app = self.app
        rows = suivi_service(app).iter_rows(filters)
        path, count = export_suivi_rows(rows, exports_dir(app.settings.data_dir), app.clock.now())
        self.post_message(InvoiceFlows.Done(None, f"{count} facture(s) exportée(s) : {path}"))
