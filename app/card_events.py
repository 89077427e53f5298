"""Card reader events -> Textual messages, and the CPS / reader parts of the status line.

The reader calls back from any thread (the pyscard monitor thread, or whichever thread inserted a
simulated card). The callback only updates `ReaderState` under its lock and schedules the UI part with
`app.call_later`, which is thread-safe (it goes through `post_message`). On the app's loop the status line
is refreshed, a typed message (CardInserted / CardRemoved / ReaderServiceLost / ReaderServiceBack) is
posted to the app, and the same message is published on `CardWatch.signal` for screens (a Signal forgets
removed screens by itself).

The CPS code never passes through here: only "unlocked today by <holder>" or "blocked" is remembered,
in memory, so that the code is asked again at the first card read of a new day (manual §I).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from textual.message import Message
from textual.signal import Signal

from core.card.atr import AtrInfo, CardKind
from core.card.reader import CardEvent, CardEventKind
from core.errors import LunetierError

__all__ = [
    "CardInserted", "CardRemoved", "ReaderServiceLost", "ReaderServiceBack", "SlotState", "ReaderState",
    "CardWatch", "card_watch", "reader_label", "reader_status_text", "cps_status_text",
]


# --- messages -------------------------------------------------------------------------------------------
class CardInserted(Message):
    """A card was inserted in ``slot``; ``info`` is its ATR class (Vitale 1/2, CPS, unknown)."""

    def __init__(self, slot: str, info: AtrInfo) -> None:
        super().__init__()
        self.slot = slot
        self.info = info

    @property
    def kind(self) -> CardKind:
        return self.info.kind


class CardRemoved(Message):
    """The card of ``slot`` was pulled out (or stopped answering)."""

    def __init__(self, slot: str, info: AtrInfo) -> None:
        super().__init__()
        self.slot = slot
        self.info = info

    @property
    def kind(self) -> CardKind:
        return self.info.kind


class ReaderServiceLost(Message):
    """pcscd stopped: no card event until ReaderServiceBack."""

    def __init__(self, message_fr: str) -> None:
        super().__init__()
        self.message_fr = message_fr


class ReaderServiceBack(Message):
    """pcscd answers again."""


# --- state (no Textual: safe to touch from the reader's thread under the lock) ---------------------------
@dataclass(frozen=True)
class SlotState:
    info: AtrInfo
    holder: str = ""          # "DESMAUX" once known (deck insertion or a completed read)


@dataclass
class ReaderState:
    slots: dict[str, SlotState] = field(default_factory=dict)
    service_down: str = ""    # French reason while pcscd is stopped
    error: str = ""           # the reader could not be watched at all (pyscard missing...)
    cps_holder: str = ""      # "OPTIQUE DEMO Lunetier" once the code was accepted
    cps_unlocked_on: date | None = None
    cps_blocked: bool = False
    expected: dict[str, str] = field(default_factory=dict)   # slot -> holder of a card being inserted

    def apply(self, event: CardEvent) -> None:
        if event.kind is CardEventKind.INSERTED:
            self.slots[event.reader_name] = SlotState(event.info, self.expected.pop(event.reader_name, ""))
            if event.info.is_cps:
                self.cps_blocked = False          # maybe unblocked meanwhile: the next code attempt will tell
        elif event.kind is CardEventKind.REMOVED:
            self.slots.pop(event.reader_name, None)
        elif event.kind is CardEventKind.SERVICE_LOST:
            self.slots.clear()
            self.service_down = event.message_fr or "pcscd arrêté"
        elif event.kind is CardEventKind.SERVICE_BACK:
            self.service_down = ""

    def vitale_slot(self) -> str | None:
        return next((s for s, c in self.slots.items() if c.info.is_vitale), None)

    def has_cps(self) -> bool:
        return any(c.info.is_cps for c in self.slots.values())


def reader_label(reader: Any) -> str:
    """"Lecteur simulé" / "Lecteur PC/SC" (by class name: the card layer stays import-light)."""
    if reader is None:
        return "Lecteur"
    name = type(reader).__name__
    if name == "SimulatedReader":
        return "Lecteur simulé"
    if name == "PcscReader":
        return "Lecteur PC/SC"
    return "Lecteur"


def _describe(slot: SlotState) -> str:
    if slot.info.is_vitale:
        return f"CV {slot.holder}" if slot.holder else slot.info.label_fr
    return slot.info.label_fr


def reader_status_text(label: str, state: ReaderState) -> tuple[str, bool]:
    """("Lecteur simulé : CV DESMAUX insérée", ok). The CPS has its own part of the status line, so a CPS
    sitting in its slot is not listed here."""
    if state.error:
        return f"{label} : indisponible", False
    if state.service_down:
        return f"{label} : pcscd arrêté", False
    cards = [_describe(s) for s in state.slots.values() if not s.info.is_cps]
    if not cards:
        return f"{label} : vide", True
    if len(cards) == 1:
        return f"{label} : {cards[0]} insérée", True
    return f"{label} : {' + '.join(cards)} insérées", True


def cps_status_text(state: ReaderState, today: date) -> tuple[str, bool]:
    """("CPS : OPTIQUE DEMO Lunetier", True) once unlocked today; "bloquée", "code à saisir", "absente"."""
    if state.cps_blocked:
        return "CPS : bloquée", False
    if state.cps_holder and state.cps_unlocked_on == today:
        return f"CPS : {state.cps_holder}", True
    if state.service_down or state.error:
        return "CPS : non lue", False
    if state.has_cps():
        return "CPS : code à saisir", False
    return "CPS : absente", False


# --- the watch ----------------------------------------------------------------------------------------------
class CardWatch:
    """Watches `app.services.reader` and keeps the CPS and reader parts of `app.status` up to date.

    One per app: `card_watch(app)` creates it on first use (the lead may instead create it in
    `LunetierApp.__init__` as `self.card_watch = CardWatch(self)`).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.signal: Signal[Message] = Signal(app, "card-events")
        self._lock = threading.RLock()
        self._state = ReaderState()
        self._subscription: Any = None
        self._reader: Any = None
        self._waiting = False

    # --- life cycle ---------------------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._subscription is not None

    def start(self) -> None:
        """Subscribe to the services' reader (call on the app's thread once services are ready)."""
        if self._subscription is not None:
            return
        reader = self.app.services.reader
        self._reader = reader
        if reader is None:
            self._refresh()
            return
        try:
            self._subscription = reader.subscribe(self._on_reader_event)
        except LunetierError as exc:      # pyscard or libpcsclite missing: say it, keep the counter usable
            with self._lock:
                self._state.error = exc.message_fr
            self._refresh()
            return
        self.app.call_later(self._publish, None)

    def ensure_started(self) -> None:
        """Start now if the services are up, else as soon as they are (thread worker waiting for them)."""
        if self._subscription is not None or self._waiting:
            return
        if self.app.services_ready:
            self.start()
            return
        self._waiting = True

        def wait_for_services() -> None:
            try:
                self.app.services  # blocks until the database is open
            except BaseException:  # noqa: BLE001 - the app already shows the start-up error
                return
            self.app.call_from_thread(self.start)

        self.app.run_worker(wait_for_services, thread=True, exit_on_error=False, group="card-watch",
                            description="Attente des services (lecteur de cartes)")

    def stop(self) -> None:
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            subscription.cancel()

    # --- what the screens ask ----------------------------------------------------------------------------
    @property
    def reader(self) -> Any:
        return self._reader if self._reader is not None else self.app.services.reader

    @property
    def simulated(self) -> bool:
        return type(self.reader).__name__ == "SimulatedReader"

    def snapshot(self) -> ReaderState:
        with self._lock:
            s = self._state
            return replace(s, slots=dict(s.slots), expected=dict(s.expected))

    def has_cps(self) -> bool:
        with self._lock:
            return self._state.has_cps()

    def needs_cps_code(self) -> bool:
        """True until the code was accepted today (manual §I: first card read of the day)."""
        with self._lock:
            return self._state.cps_unlocked_on != self.app.clock.today() or not self._state.cps_holder

    def cps_unlocked(self, nom: str, prenom: str) -> None:
        with self._lock:
            self._state.cps_holder = f"{nom} {prenom.capitalize()}".strip()
            self._state.cps_unlocked_on = self.app.clock.today()
            self._state.cps_blocked = False
        self._refresh()

    def cps_blocked(self) -> None:
        with self._lock:
            self._state.cps_blocked = True
            self._state.cps_unlocked_on = None
            self._state.cps_holder = ""
        self._refresh()

    def expect(self, slot: str, holder: str) -> None:
        """The next card inserted in ``slot`` is ``holder``'s (simulated deck insertion)."""
        with self._lock:
            self._state.expected[slot] = holder

    def forget_expected(self, slot: str) -> None:
        with self._lock:
            self._state.expected.pop(slot, None)

    def name_vitale(self, holder: str) -> None:
        """A read succeeded: the status line names the card ("CV DESMAUX insérée")."""
        with self._lock:
            slot = self._state.vitale_slot()
            if slot is not None:
                self._state.slots[slot] = replace(self._state.slots[slot], holder=holder)
        self._refresh()

    # --- internals ------------------------------------------------------------------------------------------
    def _on_reader_event(self, event: CardEvent) -> None:
        """Any thread: update the state, schedule the UI part. Must not block."""
        with self._lock:
            self._state.apply(event)
        self.app.call_later(self._publish, event)

    def _publish(self, event: CardEvent | None) -> None:
        self._refresh()
        if event is None:
            return
        app_message, screen_message = self._message(event), self._message(event)  # one instance per receiver
        if app_message is None or screen_message is None:
            return
        self.app.post_message(app_message)
        self.signal.publish(screen_message)

    @staticmethod
    def _message(event: CardEvent) -> Message | None:
        if event.kind is CardEventKind.INSERTED:
            return CardInserted(event.reader_name, event.info)
        if event.kind is CardEventKind.REMOVED:
            return CardRemoved(event.reader_name, event.info)
        if event.kind is CardEventKind.SERVICE_LOST:
            return ReaderServiceLost(event.message_fr)
        if event.kind is CardEventKind.SERVICE_BACK:
            return ReaderServiceBack()
        return None

    def _refresh(self) -> None:
        with self._lock:
            state = self.snapshot()
        reader_text, reader_ok = reader_status_text(reader_label(self._reader), state)
        cps_text, cps_ok = cps_status_text(state, self.app.clock.today())
        self.app.status = self.app.status.with_(reader=reader_text, reader_ok=reader_ok, cps=cps_text, cps_ok=cps_ok)


def card_watch(app: Any) -> CardWatch:
    """The app's CardWatch (created on first use)."""
    watch = getattr(app, "card_watch", None)
    if watch is None:
        watch = CardWatch(app)
        app.card_watch = watch
    return watch
