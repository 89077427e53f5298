"""The status line: CPS, reader, engine and database state, always visible at the bottom."""
from __future__ import annotations

from dataclasses import dataclass, replace

from textual.app import ComposeResult
from textual.widgets import Static


@dataclass(frozen=True)
class StatusInfo:
    cps: str = "CPS : non lue"
    reader: str = "Lecteur : —"
    engine: str = "Démo"  # the engine: "Flux de démonstration" (short: the line must fit 80 columns)
    database: str = "—"
    cps_ok: bool = False
    reader_ok: bool = True
    database_ok: bool = True

    def with_(self, **changes: object) -> "StatusInfo":
        return replace(self, **changes)

    def text(self) -> str:
        return " │ ".join((self.cps, self.reader, self.engine, self.database))


class StatusLine(Static):
    """Mirrors `app.status`; every screen composes one."""

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._refresh_status, init=True)

    def _refresh_status(self, status: StatusInfo) -> None:
        self.update(status.text())
        self.set_class(not (status.reader_ok and status.database_ok), "-bad")


def status_line() -> ComposeResult:
    yield StatusLine(id="status-line")
