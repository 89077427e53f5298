"""Tiers Payant > Suivi Virements (manual §IX): the organisms' bank transfers (Date, Libellé du virement,
Organisme payeur, Payé) for a period; Entrée opens "Détail du virement"."""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import get_current_worker

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import ValidationError
from core.services.suivi_virements import VirementFilters, VirementRow, VirementsPage
from screens.suivi_common import (PagedTable, cut, format_date_fr, long_date, money, one_month_before, parse_date_fr,
                                  virements_service)
from screens.virement_detail import VirementDetailDialog

PAGE_SIZE = 50
COLUMNS = (("Date", "date", 10), ("Libellé du virement", "libelle", 42), ("Organisme\npayeur", "payeur", 9),
           ("Payé", "paye", 9))


def row_cells(r: VirementRow) -> tuple:
    return (long_date(r.date), cut(r.libelle), r.organisme_payeur, money(r.amount_cents))


class SuiviVirementsPane(ReportsWorkerErrors, Vertical):
    COMMAND_SPECS = (
        Command("sv_detail", "enter", "detail", "Détail", "Détail du virement : factures payées, ponctuels, "
                                                          "mouvements financiers."),
        Command("sv_refresh", "f5", "refresh", "Actualiser", "Relire la liste des virements."),
        Command("sv_prev_page", "pageup", "page(-1)", "Page préc.", "Page précédente.", show=False),
        Command("sv_next_page", "pagedown", "page(1)", "Page suiv.", "Page suivante.", show=False),
        Command("sv_search", "ctrl+f", "focus_search", "Rechercher", "Aller aux dates de recherche.", show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Listed(Message):
        def __init__(self, page: VirementsPage) -> None:
            super().__init__()
            self.page = page

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.filters = VirementFilters(page_size=PAGE_SIZE)
        self.rows: dict[int, VirementRow] = {}
        self.page_count = 1

    def compose(self) -> ComposeResult:
        with Horizontal(id="sv-search"):
            yield Label("Recherche", id="sv-search-label")
            yield Input(placeholder="JJ/MM/AAAA", compact=True, id="sv-from", max_length=10)
            yield Input(placeholder="JJ/MM/AAAA", compact=True, id="sv-to", max_length=10)
            yield Static("", id="sv-spacer")
            yield Static("1/1", id="sv-page")
        yield PagedTable(cursor_type="row", zebra_stripes=True, header_height=2, id="sv-table")
        yield Static("", id="sv-status")

    def on_mount(self) -> None:
        table = self.query_one("#sv-table", DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        today = self.app.clock.today()  # type: ignore[attr-defined]
        # The manual's search: one month back to today (29/04/2024 - 29/05/2024).
        self.query_one("#sv-from", Input).value = format_date_fr(one_month_before(today))
        self.query_one("#sv-to", Input).value = format_date_fr(today)
        self.search()

    def on_show(self) -> None:
        self.search(page=self.filters.page)

    def search(self, *, page: int = 1) -> None:
        try:
            self.filters = self.filters.model_copy(update={
                "date_from": parse_date_fr(self.query_one("#sv-from", Input).value, "Du"),
                "date_to": parse_date_fr(self.query_one("#sv-to", Input).value, "Au"), "page": page})
        except ValidationError as exc:
            self.query_one("#sv-status", Static).update(exc.message_fr)
            return
        self._list(self.filters)

    @work(thread=True, exit_on_error=False, exclusive=True, group="sv-list")
    def _list(self, filters: VirementFilters) -> None:
        page = virements_service(self.app).list_virements(filters)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(page))

    def on_suivi_virements_pane_listed(self, message: Listed) -> None:
        message.stop()
        page = message.page
        table = self.query_one("#sv-table", DataTable)
        table.clear()
        self.rows = {r.virement_id: r for r in page.rows}
        for r in page.rows:
            table.add_row(*row_cells(r), key=str(r.virement_id))
        self.filters = self.filters.model_copy(update={"page": page.page})
        self.page_count = page.page_count
        self.query_one("#sv-page", Static).update(f"{page.page}/{page.page_count}")
        self.query_one("#sv-status", Static).update(
            "" if page.total else "Aucun virement sur cette période.")

    def highlighted(self) -> VirementRow | None:
        table = self.query_one("#sv-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(int(key)) if key is not None else None

    @on(DataTable.RowSelected, "#sv-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    @on(PagedTable.PageRequested)
    def _page_requested(self, event: PagedTable.PageRequested) -> None:
        event.stop()
        self.action_page(event.step)

    @on(Input.Submitted, "#sv-search Input")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.search()
        self.query_one("#sv-table", DataTable).focus()

    def action_refresh(self) -> None:
        self.search(page=self.filters.page)

    def action_page(self, step: int) -> None:
        target = min(max(1, self.filters.page + step), self.page_count)
        if target != self.filters.page:
            self.search(page=target)

    def action_focus_search(self) -> None:
        self.query_one("#sv-from", Input).focus()

    def action_detail(self) -> None:
        row = self.highlighted()
        if row is not None:
            self.app.push_screen(VirementDetailDialog(row.virement_id))
