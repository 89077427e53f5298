"""Pause the cyclic garbage collector while building large acyclic object trees.

Reading 100 000 invoices creates millions of objects; the collector would walk the growing heap again and
again for nothing (the tree has no cycles). Pausing it is the usual remedy; the
previous state is restored, and a collection can only be delayed, never lost.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
