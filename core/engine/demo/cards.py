"""An in-memory two-slot reader (Vitale + CPS) for the demo engine and the service tests.

The project's card layer (core/card: PC/SC, simulated reader, demo deck) is the production path;
``card_adapter`` routes to it. This reader exists so the engine and the counter services can be exercised
without it: tests build their own cards. The CPS code lives in the fake card (as on a real one): it is
compared, never copied, logged or returned.
"""
from __future__ import annotations

import hmac

from core.engine.types import CpsIdentity, PinCheck, VitaleCard

__all__ = ["DemoCardReader", "MAX_PIN_TRIES"]

MAX_PIN_TRIES = 3   # DOMAIN.md 3: 3 consecutive wrong codes block the CPS


class DemoCardReader:
    def __init__(self, vitale: VitaleCard | None = None, cps: CpsIdentity | None = None, *,
                 cps_pin: str = "1234") -> None:
        self.vitale = vitale
        self.cps = cps
        self._pin = cps_pin
        self._tries_left = MAX_PIN_TRIES

    # Slots --------------------------------------------------------------------------------------------
    def insert_vitale(self, card: VitaleCard) -> None:
        self.vitale = card

    def remove_vitale(self) -> None:
        self.vitale = None

    def insert_cps(self, cps: CpsIdentity, pin: str = "1234") -> None:
        self.cps = cps
        self._pin = pin
        self._tries_left = MAX_PIN_TRIES

    def remove_cps(self) -> None:
        self.cps = None

    # Card side of the PIN check -------------------------------------------------------------------------
    @property
    def tries_left(self) -> int:
        return self._tries_left

    def check_pin(self, pin: str) -> PinCheck:
        if self._tries_left <= 0:
            return PinCheck(ok=False, remaining=0, blocked=True)
        if hmac.compare_digest(pin.encode(), self._pin.encode()):
            self._tries_left = MAX_PIN_TRIES
            return PinCheck(ok=True, remaining=MAX_PIN_TRIES)
        self._tries_left -= 1
        return PinCheck(ok=False, remaining=self._tries_left, blocked=self._tries_left == 0)

    def __repr__(self) -> str:  # never shows the PIN
        return f"DemoCardReader(vitale={'yes' if self.vitale else 'no'}, cps={'yes' if self.cps else 'no'})"
