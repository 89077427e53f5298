"""Worker glue. Worker.StateChanged does not bubble, so every screen, dialog or pane that starts workers
mixes in `ReportsWorkerErrors`: it forwards failures to the single handler `LunetierApp.show_error`.

Workers are declared `@work(thread=True, exit_on_error=False)`; results come back as typed messages.
"""
from __future__ import annotations

from textual.worker import Worker, WorkerState


class ReportsWorkerErrors:
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.show_error(event.worker.error)  # type: ignore[attr-defined]
