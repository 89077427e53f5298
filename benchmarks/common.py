"""Tiny benchmark kit: every figure is reported as a ratio to a baseline measured in the same run."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Figure:
    name: str            # what was measured, e.g. "rate computation x10000"
    seconds: float       # best time of the measured work
    baseline: str        # what the baseline is, e.g. "bare loop summing ints"
    baseline_seconds: float
    target: str = ""     # the target in words, e.g. "< 3 s", ">= 20000 invoices/s"
    extra: str = ""      # derived figure, e.g. "41 000 /s"

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds if self.baseline_seconds else float("inf")


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of `repeat` runs (the minimum is the least noisy estimate)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
