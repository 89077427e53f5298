"""The reader protocol shared by the PC/SC reader (pcsc.py) and the simulated reader (simulated.py).

A *reader* is the whole PC/SC-like system: several named slots (a bi-fente terminal has a CPS slot and
a Vitale slot; vsmartcard-vpcd shows "Virtual PCD 00 00" and "Virtual PCD 00 01"). ``connect`` opens a
*connection* to the card in one slot; APDUs go through ``connection.transmit``.

Events: ``subscribe(callback)`` calls ``callback(CardEvent)`` for each insertion/removal, first for the
cards already present, then from a background thread (PC/SC) or from the thread that called
``insert``/``remove`` (simulated). The app turns them into Textual messages (post_message is
thread-safe). Callbacks must not block.

Connection failures raise core.errors.CardError with a French ``message_fr`` and a stable ``code``
(see ``CardErrorCode``); nothing pyscard-specific leaks out of this package.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Callable, Iterator, Protocol, runtime_checkable

from core.card.atr import AtrInfo, CardKind, classify_atr
from core.errors import CardError

__all__ = [
    "CardEventKind", "CardEvent", "Subscription", "CardConnection", "CardReader", "CardErrorCode",
    "PresentCard", "card_error", "connect_kind", "open_card",
]


class CardErrorCode(StrEnum):
    """Values of CardError.code raised by this package."""
    PYSCARD_MISSING = "pyscard_missing"
    LIBPCSCLITE_MISSING = "libpcsclite_missing"
    PCSCD_DOWN = "pcscd_not_running"
    NO_READER = "no_reader"
    UNKNOWN_READER = "unknown_reader"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    CARD_MUTE = "card_mute"
    SHARING = "sharing_violation"
    TIMEOUT = "timeout"
    UNKNOWN_CARD = "unknown_card"
    WRONG_CARD = "wrong_card"
    BAD_RESPONSE = "bad_response"
    PIN_REQUIRED = "pin_required"
    PIN_BLOCKED = "pin_blocked"
    CARD_BLOCKED = "card_blocked"
    READER_ERROR = "reader_error"


def card_error(code: CardErrorCode, message_fr: str, log: str) -> CardError:
    return CardError(message_fr, log=log, code=str(code))


class CardEventKind(StrEnum):
    INSERTED = "inserted"
    REMOVED = "removed"
    SERVICE_LOST = "service_lost"    # pcscd stopped: no event until SERVICE_BACK
    SERVICE_BACK = "service_back"


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    reader_name: str = ""
    atr: bytes = b""
    message_fr: str = ""             # for SERVICE_LOST
    info: AtrInfo = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "info", classify_atr(self.atr))


@dataclass(frozen=True)
class PresentCard:
    reader_name: str
    atr: bytes

    @property
    def info(self) -> AtrInfo:
        return classify_atr(self.atr)


class Subscription(Protocol):
    def cancel(self) -> None:
        """Stop delivering events (idempotent; joins the monitor thread when there is one)."""


@runtime_checkable
class CardConnection(Protocol):
    """An open channel to one card. ``transmit`` returns (data, sw1, sw2)."""

    reader_name: str
    atr: bytes
    apdu_count: int

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]: ...

    def disconnect(self) -> None: ...


@runtime_checkable
class CardReader(Protocol):
    def list_readers(self) -> list[str]: ...

    def present_cards(self) -> list[PresentCard]:
        """The slots that hold a card right now, with its ATR."""
        ...

    def subscribe(self, callback: Callable[[CardEvent], None]) -> Subscription: ...

    def wait_for_card(self, timeout: float, reader_name: str | None = None) -> PresentCard:
        """Block until a card is present (in ``reader_name`` or any slot); CardError(code=timeout)."""
        ...

    def connect(self, reader_name: str | None = None) -> CardConnection:
        """Connect to the card in ``reader_name`` (None: the first slot holding a card)."""
        ...


_KIND_NAMES_FR = {
    frozenset({CardKind.VITALE_1, CardKind.VITALE_2}): "carte Vitale",
    frozenset({CardKind.CPS}): "carte CPS",
}


def connect_kind(reader: CardReader, kinds: set[CardKind] | frozenset[CardKind]) -> CardConnection:
    """Connect to the first present card whose ATR class is in ``kinds``.

    CardError(no_card) when none is inserted; CardError(unknown_card / wrong_card) when the only cards
    present are of another kind, so the user learns what is wrong with the card they did insert.
    """
    present = reader.present_cards()
    for card in present:
        if card.info.kind in kinds:
            return reader.connect(card.reader_name)
    what = _KIND_NAMES_FR.get(frozenset(kinds), "carte")
    if present:
        other = present[0].info
        if not other.is_known:
            raise card_error(CardErrorCode.UNKNOWN_CARD,
                             f"Carte inconnue dans le lecteur « {present[0].reader_name} » : insérez une {what}.",
                             f"no {sorted(kinds)} card; unknown ATR {other.atr}")
        raise card_error(CardErrorCode.WRONG_CARD,
                         f"La carte insérée est une {other.label_fr}, pas une {what}.",
                         f"no {sorted(kinds)} card; found {other.kind} ATR {other.atr}")
    raise card_error(CardErrorCode.NO_CARD, f"Aucune {what} dans le lecteur : insérez-la.",
                     f"no card present for {sorted(kinds)}")


@contextlib.contextmanager
def open_card(target: CardConnection | CardReader, kinds: set[CardKind] | frozenset[CardKind]
              ) -> Iterator[CardConnection]:
    """Yield a connection: ``target`` itself when it is already a connection (left open), else a new
    connection to a card of ``kinds`` that is closed on exit."""
    if hasattr(target, "transmit"):
        yield target  # type: ignore[misc]
        return
    conn = connect_kind(target, kinds)  # type: ignore[arg-type]
    try:
        yield conn
    finally:
        conn.disconnect()
