"""Shared bits of the counter-flow dialogs (Détail remboursements, Vérif. taux, forçages, FSE):
the dialog base class, French date and money helpers, and form rows.

Every service call of these dialogs runs in a thread (`await asyncio.to_thread(...)` inside an async
worker); a LunetierError is shown on the dialog's error line (nothing stored), anything else goes to the
app's error dialog through ReportsWorkerErrors.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from typing import Any, Callable, TypeVar

from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, Static

from app.workers import ReportsWorkerErrors
from core.domain.money import format_euros
from core.errors import LunetierError, ValidationError
from core.services.counter_choices import Choice

ResultT = TypeVar("ResultT")
log = logging.getLogger("lunetier.counter_flow")

YES_NO = (("NON", "0"), ("OUI", "1"))


class CounterDialog(ReportsWorkerErrors, ModalScreen[ResultT]):
    """Base of the counter dialogs: one `.form-error` line and thread calls that report French errors."""

    def set_error(self, text: str) -> None:
        for widget in self.query(".form-error"):
            if isinstance(widget, Static):
                widget.update(text)
                widget.set_class(bool(text), "-shown")
        if text:
            self.app.bell()

    async def attempt(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Run a blocking service call in a thread. (False, None) and the message on the error line
        when it raises a LunetierError; other exceptions propagate (worker error -> error dialog)."""
        try:
            return True, await asyncio.to_thread(fn, *args, **kwargs)
        except LunetierError as exc:
            self.set_error(exc.message_fr)
            return False, None


def counter(app: Any) -> Any:
    """app.services.counter (waits for the background start-up when called from a thread)."""
    return app.services.counter


async def in_thread(app: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """For the flows: run a service call in a thread; a LunetierError is shown (and waited for)."""
    try:
        return True, await asyncio.to_thread(fn, *args, **kwargs)
    except LunetierError as exc:
        await show_error_wait(app, exc)
        return False, None


async def show_error_wait(app: Any, exc: BaseException) -> None:
    """Like app.show_error, but waits until the message is closed (flows go on in order)."""
    from screens.dialogs import ErrorDialog

    if isinstance(exc, LunetierError):
        log.warning("%s", exc.log)   # English detail to the log, the French message on screen
        await app.push_screen_wait(ErrorDialog(exc.message_fr))
    else:
        app.show_error(exc)


def euros(cents: int | None, *, symbol: bool = False) -> str:
    return "" if cents is None else format_euros(cents, symbol=symbol)


def fr_date(value: date | datetime | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def parse_fr_date(text: str, label: str, *, required: bool = False) -> date | None:
    """"JJ/MM/AAAA" -> date; blank -> None (or an error when required)."""
    raw = (text or "").strip()
    if not raw:
        if required:
            raise ValidationError(f"Date {label} non saisie (format JJ/MM/AAAA).", log=f"missing date {label}",
                                  code="DATES")
        return None
    try:
        return datetime.strptime(raw, "%d/%m/%Y").date()
    except ValueError:
        raise ValidationError(f"Date {label} invalide : « {raw} » (format JJ/MM/AAAA).",
                              log=f"bad date for {label}", code="DATES") from None


def options(choices: tuple[Choice, ...]) -> list[tuple[str, str]]:
    """Select options (label, code) from a *_CHOICES tuple; the blank choice reads "(aucune)"."""
    return [(c.label or "(aucune)", c.code) for c in choices]


def field(label: str, *widgets: Widget, id: str | None = None, classes: str = "") -> Horizontal:
    """One form line: a fixed-width label and its widgets."""
    return Horizontal(Label(label, classes="field-label"), *widgets, id=id, classes=f"field-line {classes}".strip())


def section(title: str) -> Label:
    return Label(title, classes="section-title")


def error_line() -> Static:
    return Static("", classes="form-error")


def check_mark(value: bool) -> str:
    return "☑" if value else "☐"
