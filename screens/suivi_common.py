"""Small pieces shared by the Suivi Facturations, Suivi Virements and Op. Ponctuelles screens: cell
formatting (money in euros with a comma, short dates), a DataTable whose PgUp/PgDn turn the list's pages,
and access to the services from a screen."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from core.domain.money import format_euros
from core.services.suivi import SuiviService
from core.services.suivi_virements import VirementsService
from screens.settings_form import format_date_fr, parse_date_fr  # noqa: F401 - re-exported for the panes

# Who the audit log names for hand actions made on these screens (Lunetier has no operator login yet).
ACTOR = "ecran-suivi"


def suivi_service(app: Any) -> SuiviService:
    """A service on the app's context (cheap: it only holds the context). Call from a worker thread."""
    return SuiviService(app.services.ctx)


def virements_service(app: Any) -> VirementsService:
    return VirementsService(app.services.ctx)


def money(cents: int | None) -> Text:
    """Right-aligned "5,40" (empty when unknown)."""
    return Text("" if cents is None else format_euros(cents), justify="right")


def short_date(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%y") if value else ""


def long_date(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def cut(text: str) -> Text:
    """A cell that ends with "…" instead of wrapping when the column is narrower (the manual does so)."""
    return Text(text, no_wrap=True, overflow="ellipsis")


def one_month_before(day: date) -> date:
    """Same day of the previous month (clamped): the default start of the virement searches."""
    month, year = (day.month - 1, day.year) if day.month > 1 else (12, day.year - 1)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return day


class ColumnScrollTable(DataTable):
    """A row table where ←/→ scroll horizontally by whole columns (one key press shows the next column)."""

    def _column_starts(self) -> list[int]:
        starts, x = [], 0
        for column in self.ordered_columns:
            starts.append(x)
            x += column.get_render_width(self)
        return starts

    def action_cursor_right(self) -> None:
        if self.cursor_type != "row":
            return super().action_cursor_right()
        target = next((x for x in self._column_starts() if x > self.scroll_x), None)
        if target is not None:
            self.scroll_to(x=min(target, self.max_scroll_x), animate=False)

    def action_cursor_left(self) -> None:
        if self.cursor_type != "row":
            return super().action_cursor_left()
        target = max((x for x in self._column_starts() if x < self.scroll_x), default=0)
        self.scroll_to(x=target, animate=False)


class PagedTable(ColumnScrollTable):
    """A row table whose PgUp/PgDn ask the owning pane for the previous/next page of the list (the rows of
    one page fit on screen; arrows move inside the page)."""

    class PageRequested(Message):
        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    def action_page_down(self) -> None:
        self.post_message(self.PageRequested(1))

    def action_page_up(self) -> None:
        self.post_message(self.PageRequested(-1))
