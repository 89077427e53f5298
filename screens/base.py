"""Base for the three area screens: header line, body, status line, footer."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from app.status import StatusLine
from app.workers import ReportsWorkerErrors


class AreaScreen(ReportsWorkerErrors, Screen[None]):
    AREA_TITLE = ""

    def compose(self) -> ComposeResult:
        yield Static(f"Lunetier — {self.AREA_TITLE}", classes="area-title")
        with Vertical(classes="area-body"):
            yield from self.compose_body()
        yield StatusLine()
        yield Footer(compact=True, show_command_palette=False)

    def compose_body(self) -> ComposeResult:
        yield from ()
