"""A simulated two-slot reader holding the demo deck; cards are inserted/removed programmatically (the app
binds keys to ``insert``/``remove``). It drives the same VirtualCard objects as `lunetier card serve`, so
the host code (vitale.py, cps.py) runs the same APDUs as through pcscd.

Events are delivered synchronously, in the thread that calls ``insert``/``remove`` (deterministic tests);
the app's callback only posts a message. A card keeps its state (PIN tries, blocking) across removals.
"""
from __future__ import annotations

import threading
from typing import Callable

from core.card.atr import CardKind
from core.card.deck import DECK, deck_entry
from core.card.reader import CardErrorCode, CardEvent, CardEventKind, PresentCard, card_error
from core.card.virtual import VirtualCard

__all__ = ["SimulatedReader", "SimulatedConnection", "SLOT_VITALE", "SLOT_CPS"]

SLOT_VITALE = "Lecteur simulé - fente Vitale"
SLOT_CPS = "Lecteur simulé - fente CPS"


class _Subscription:
    def __init__(self, reader: "SimulatedReader", callback: Callable[[CardEvent], None]) -> None:
        self._reader, self._callback = reader, callback

    def cancel(self) -> None:
        self._reader._unsubscribe(self._callback)


class SimulatedConnection:
    def __init__(self, reader: "SimulatedReader", slot: str, card: VirtualCard, insertion: int) -> None:
        self._reader, self.reader_name, self._card, self._insertion = reader, slot, card, insertion
        self.atr = card.atr
        self.apdu_count = 0
        self._open = True
        card.power_on()

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        if not self._open:
            raise card_error(CardErrorCode.READER_ERROR, "Connexion à la carte fermée.", "transmit after disconnect")
        if not self._reader._still_there(self.reader_name, self._insertion):
            raise card_error(CardErrorCode.CARD_REMOVED,
                             f"La carte a été retirée du lecteur « {self.reader_name} » ou ne répond plus.",
                             f"simulated card removed from {self.reader_name}")
        response = self._card.handle_apdu(bytes(apdu))
        self.apdu_count += 1
        self._reader._after_apdu(self.reader_name)
        return response[:-2], response[-2], response[-1]

    def disconnect(self) -> None:
        if self._open:
            self._open = False
            if self._reader._still_there(self.reader_name, self._insertion):
                self._card.power_off()  # SCARD_UNPOWER_CARD, as pyscard does: the PIN status is lost

    def __enter__(self) -> "SimulatedConnection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.disconnect()

    def __repr__(self) -> str:
        return f"SimulatedConnection({self.reader_name!r}, {self._card.name!r})"


class SimulatedReader:
    """The CardReader protocol without hardware. ``insert("essai")`` puts the deck card in its slot
    (Vitale cards in SLOT_VITALE, CPS in SLOT_CPS, unknown cards in SLOT_VITALE unless ``slot`` is given)."""

    def __init__(self, cards: dict[str, VirtualCard] | None = None) -> None:
        self._lock = threading.RLock()
        self._cards: dict[str, VirtualCard] = dict(cards or {})   # instantiated lazily from the deck
        self._slots: dict[str, tuple[VirtualCard, int] | None] = {SLOT_VITALE: None, SLOT_CPS: None}
        self._insertions = 0
        self._callbacks: list[Callable[[CardEvent], None]] = []
        self._pull_after: dict[str, int] = {}

    # --- deck handling (what the app binds keys to) ------------------------------------------------------
    def deck(self) -> list[tuple[str, str]]:
        """(name, label) of the demo cards that can be inserted."""
        return [(e.name, e.label_fr) for e in DECK]

    def card(self, name: str) -> VirtualCard:
        with self._lock:
            if name not in self._cards:
                self._cards[name] = deck_entry(name).build()
            return self._cards[name]

    def insert(self, name: str, slot: str | None = None) -> str:
        """Insert a deck card; a card already in that slot is removed first. Returns the slot name."""
        card = self.card(name)
        with self._lock:
            if slot is None:
                slot = SLOT_CPS if deck_entry(name).kind is CardKind.CPS else SLOT_VITALE
            if slot not in self._slots:
                raise card_error(CardErrorCode.UNKNOWN_READER, f"Lecteur « {slot} » introuvable.", f"no slot {slot!r}")
            for other, held in self._slots.items():
                if held is not None and held[0] is card and other != slot:
                    self.remove(other)
            if self._slots[slot] is not None:
                self.remove(slot)
            self._insertions += 1
            self._slots[slot] = (card, self._insertions)
            card.power_off()
        self._emit(CardEvent(CardEventKind.INSERTED, slot, card.atr))
        return slot

    def remove(self, slot: str | None = None) -> None:
        """Pull the card out of ``slot`` (None: every slot). No-op on an empty slot."""
        slots = [slot] if slot is not None else list(self._slots)
        for name in slots:
            with self._lock:
                held = self._slots.get(name)
                if held is None:
                    continue
                self._slots[name] = None
                self._pull_after.pop(name, None)
            held[0].power_off()
            self._emit(CardEvent(CardEventKind.REMOVED, name, held[0].atr))

    def pull_out_after(self, apdus: int, slot: str = SLOT_VITALE) -> None:
        """Fault injection: remove the card of ``slot`` after ``apdus`` more APDUs (card pulled mid-read)."""
        with self._lock:
            self._pull_after[slot] = apdus

    # --- CardReader protocol ------------------------------------------------------------------------------
    def list_readers(self) -> list[str]:
        return list(self._slots)

    def present_cards(self) -> list[PresentCard]:
        with self._lock:
            return [PresentCard(slot, held[0].atr) for slot, held in self._slots.items() if held is not None]

    def subscribe(self, callback: Callable[[CardEvent], None]) -> _Subscription:
        with self._lock:
            self._callbacks.append(callback)
            present = self.present_cards()
        for card in present:
            callback(CardEvent(CardEventKind.INSERTED, card.reader_name, card.atr))
        return _Subscription(self, callback)

    def wait_for_card(self, timeout: float, reader_name: str | None = None) -> PresentCard:
        # Nothing can insert a card while we block in the same thread: answer at once.
        for card in self.present_cards():
            if reader_name is None or card.reader_name == reader_name:
                return card
        raise card_error(CardErrorCode.TIMEOUT, "Aucune carte insérée dans le délai.", "simulated: no card")

    def connect(self, reader_name: str | None = None) -> SimulatedConnection:
        with self._lock:
            if reader_name is None:
                present = self.present_cards()
                if not present:
                    raise card_error(CardErrorCode.NO_CARD, "Aucune carte dans le lecteur : insérez-la.",
                                     "simulated connect(None): empty")
                reader_name = present[0].reader_name
            if reader_name not in self._slots:
                raise card_error(CardErrorCode.UNKNOWN_READER, f"Lecteur « {reader_name} » introuvable.",
                                 f"no slot {reader_name!r}")
            held = self._slots[reader_name]
            if held is None:
                raise card_error(CardErrorCode.NO_CARD, f"Aucune carte dans le lecteur « {reader_name} ».",
                                 f"simulated connect: {reader_name} empty")
            return SimulatedConnection(self, reader_name, held[0], held[1])

    # --- internals -------------------------------------------------------------------------------------------
    def _unsubscribe(self, callback: Callable[[CardEvent], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def _emit(self, event: CardEvent) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback(event)

    def _still_there(self, slot: str, insertion: int) -> bool:
        with self._lock:
            held = self._slots.get(slot)
            return held is not None and held[1] == insertion

    def _after_apdu(self, slot: str) -> None:
        with self._lock:
            left = self._pull_after.get(slot)
            if left is None:
                return
            if left > 1:
                self._pull_after[slot] = left - 1
                return
        self.remove(slot)

    def __repr__(self) -> str:
        with self._lock:
            inside = {s: (h[0].name if h else None) for s, h in self._slots.items()}
        return f"SimulatedReader({inside})"
