"""Tiers Payant > Op. Ponctuelles (manual §X): payments not tied to an invoice (ex. aide annuelle SESAM-Vitale)
and retenues (ex. an invoice paid twice). F6 switches Paiements / Retenues; Entrée opens "Détail opération
ponctuelle" (←/→ walk through the list there)."""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, RadioButton, RadioSet, Static
from textual.worker import get_current_worker

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import ValidationError
from core.services.suivi_virements import OperationFilters, OperationRow, OperationsPage
from screens.op_ponctuelle_detail import OperationDetailDialog
from screens.suivi_common import (PagedTable, cut, format_date_fr, long_date, money, one_month_before, parse_date_fr,
                                  virements_service)

PAGE_SIZE = 50
PAIEMENT_COLUMNS = (("Date\ncomptable", 10), ("\nOrganisme", 9), ("\nCode", 6), ("\nLibellé", 10),
                    ("Montant\npaiement", 8), ("\nPériode", 8), ("\nDébut", 10), ("\nFin", 10), ("\nNIR", 10),
                    ("\nVirement", 24), ("Montant\nvirement", 8))
RETENUE_COLUMNS = (("Date\ncomptable", 10), ("\nOrganisme", 9), ("Ref.\nDette", 10),
                   ("Nature des\nOpérations.", 22), ("Mt\nRetenue", 8), ("Libellé\nVir.", 24),
                   ("Montant\nvirement", 8))


def paiement_cells(r: OperationRow) -> tuple:
    return (long_date(r.date_comptable), r.organisme, r.code, cut(r.libelle), money(r.amount_cents), r.periode,
            long_date(r.debut), long_date(r.fin), r.nir, cut(r.virement_libelle), money(r.virement_cents))


def retenue_cells(r: OperationRow) -> tuple:
    return (long_date(r.date_comptable), r.organisme, r.reference_dette, cut(r.nature), money(r.amount_cents),
            cut(r.virement_libelle), money(r.virement_cents))


class OpPonctuellesPane(ReportsWorkerErrors, Vertical):
    COMMAND_SPECS = (
        Command("op_detail", "enter", "detail", "Détail", "Détail de l'opération ponctuelle."),
        Command("op_switch", "f6", "switch", "Paiements/Retenues", "Passer de la liste des paiements à celle "
                                                                   "des retenues, et inversement."),
        Command("op_refresh", "f5", "refresh", "Actualiser", "Relire la liste."),
        Command("op_prev_page", "pageup", "page(-1)", "Page préc.", "Page précédente.", show=False),
        Command("op_next_page", "pagedown", "page(1)", "Page suiv.", "Page suivante.", show=False),
        Command("op_search", "ctrl+f", "focus_search", "Rechercher", "Aller aux dates de recherche.", show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Listed(Message):
        def __init__(self, page: OperationsPage) -> None:
            super().__init__()
            self.page = page

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.filters = OperationFilters(page_size=PAGE_SIZE)
        self.rows: list[OperationRow] = []
        self.page_count = 1
        self._columns_for = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="op-search"):
            yield Label("Recherche", id="op-search-label")
            yield Input(placeholder="JJ/MM/AAAA", compact=True, id="op-from", max_length=10)
            yield Input(placeholder="JJ/MM/AAAA", compact=True, id="op-to", max_length=10)
            with RadioSet(id="op-kind", compact=True):
                yield RadioButton("Paiements", value=True, id="op-paiements", compact=True)
                yield RadioButton("Retenues", id="op-retenues", compact=True)
            yield Static("1/1", id="op-page")
        yield PagedTable(cursor_type="row", zebra_stripes=True, header_height=2, id="op-table")
        yield Static("", id="op-status")

    def on_mount(self) -> None:
        today = self.app.clock.today()  # type: ignore[attr-defined]
        self.query_one("#op-from", Input).value = format_date_fr(one_month_before(today))
        self.query_one("#op-to", Input).value = format_date_fr(today)
        self.search()

    def on_show(self) -> None:
        self.search(page=self.filters.page)

    def _set_columns(self, kind: str) -> None:
        if self._columns_for == kind:
            return
        table = self.query_one("#op-table", DataTable)
        table.clear(columns=True)
        for label, width in (PAIEMENT_COLUMNS if kind == "paiement" else RETENUE_COLUMNS):
            table.add_column(label, width=width)
        self._columns_for = kind

    def search(self, *, page: int = 1) -> None:
        kind = "retenue" if self.query_one("#op-retenues", RadioButton).value else "paiement"
        try:
            self.filters = self.filters.model_copy(update={
                "kind": kind, "date_from": parse_date_fr(self.query_one("#op-from", Input).value, "Du"),
                "date_to": parse_date_fr(self.query_one("#op-to", Input).value, "Au"), "page": page})
        except ValidationError as exc:
            self.query_one("#op-status", Static).update(exc.message_fr)
            return
        self._list(self.filters)

    @work(thread=True, exit_on_error=False, exclusive=True, group="op-list")
    def _list(self, filters: OperationFilters) -> None:
        page = virements_service(self.app).list_operations(filters)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(page))

    def on_op_ponctuelles_pane_listed(self, message: Listed) -> None:
        message.stop()
        page = message.page
        self._set_columns(page.kind)
        table = self.query_one("#op-table", DataTable)
        table.clear()
        self.rows = list(page.rows)
        cells = paiement_cells if page.kind == "paiement" else retenue_cells
        for r in page.rows:
            table.add_row(*cells(r), key=str(r.operation_id))
        self.filters = self.filters.model_copy(update={"page": page.page})
        self.page_count = page.page_count
        self.query_one("#op-page", Static).update(f"{page.page}/{page.page_count}")
        what = "Aucun paiement ponctuel" if page.kind == "paiement" else "Aucune retenue"
        self.query_one("#op-status", Static).update("" if page.total else f"{what} sur cette période.")

    def highlighted_index(self) -> int | None:
        table = self.query_one("#op-table", DataTable)
        return table.cursor_row if table.row_count else None

    @on(RadioSet.Changed, "#op-kind")
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        self.search()

    @on(DataTable.RowSelected, "#op-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    @on(PagedTable.PageRequested)
    def _page_requested(self, event: PagedTable.PageRequested) -> None:
        event.stop()
        self.action_page(event.step)

    @on(Input.Submitted, "#op-search Input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.search()
        self.query_one("#op-table", DataTable).focus()

    def action_switch(self) -> None:
        target = "#op-paiements" if self.filters.kind == "retenue" else "#op-retenues"
        self.query_one(target, RadioButton).value = True

    def action_refresh(self) -> None:
        self.search(page=self.filters.page)

    def action_page(self, step: int) -> None:
        target = min(max(1, self.filters.page + step), self.page_count)
        if target != self.filters.page:
            self.search(page=target)

    def action_focus_search(self) -> None:
        self.query_one("#op-from", Input).focus()

    def action_detail(self) -> None:
        index = self.highlighted_index()
        if index is not None and index < len(self.rows):
            ids = tuple(r.operation_id for r in self.rows)
            self.app.push_screen(OperationDetailDialog(ids, index))
