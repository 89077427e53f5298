"""The simulated caisse as its own process: poll the mailbox, answer, sleep, until told to stop.

`serve` has no signal handling of its own: the CLI (app/cli/cmd_caisse.py) turns SIGTERM/SIGINT into
`stop.set()`, so a test can drive it with an Event.
"""
from __future__ import annotations

import threading
from typing import Callable

from core.caisse import CaisseReport, SimulatedCaisse

__all__ = ["serve"]


def serve(caisse: SimulatedCaisse, *, interval: float = 2.0, once: bool = False,
          stop: threading.Event | None = None, on_cycle: Callable[[CaisseReport], None] | None = None) -> int:
    """Run passes until `stop` is set (or one pass with `once`); returns the number of passes."""
    stop = stop or threading.Event()
    passes = 0
    while True:
        report = caisse.process()
        passes += 1
        if on_cycle is not None:
            on_cycle(report)
        if once or stop.wait(max(0.05, interval)):
            return passes
