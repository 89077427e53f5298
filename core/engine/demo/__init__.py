"""The demo engine ("Flux de Démonstration") and its simulated counterparts: RO rights server (ADRi),
AMC PEC platform, convention table. ``build_demo_engine(clock)`` is what the app factory calls."""
from __future__ import annotations

from core.clock import Clock
from core.engine.demo.cards import DemoCardReader
from core.engine.demo.engine import FLUX_LABEL, DemoEngine
from core.engine.demo.pec_platform import DemoPecPlatform
from core.engine.demo.rights_server import DemoRightsServer, adri_window

__all__ = ["DemoEngine", "DemoRightsServer", "DemoPecPlatform", "DemoCardReader", "adri_window", "FLUX_LABEL",
           "build_demo_engine"]


def build_demo_engine(clock: Clock) -> DemoEngine:
    return DemoEngine(clock)
