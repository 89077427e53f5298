"""PC/SC layer without pcscd: error translation, availability diagnosis, the monitor's state machine (on a
scripted fake of pyscard's scard module), and importing core without pyscard."""
from __future__ import annotations

import queue
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.card import pcsc
from core.card.reader import CardEventKind
from core.errors import CardError

OK, TIMEOUT, NO_SERVICE, NO_READERS = 0, 0x8010000A, 0x8010001D, 0x8010002E
PRESENT, EMPTY, CHANGED, MUTE = 0x20, 0x10, 0x02, 0x200
ATR_V2 = bytes.fromhex("3B751300004509EA9000")
ATR_CPS = bytes.fromhex("3BAC00402A001225006480000310009000")


class Err(Exception):
    def __init__(self, hresult: int) -> None:
        super().__init__("pyscard says no")
        self.hresult = hresult


@pytest.mark.parametrize("hresult, during, code", [
    (0x8010001D, "connect", "pcscd_not_running"),
    (0x8010001E, "transmit", "pcscd_not_running"),
    (0x80100009, "connect", "unknown_reader"),
    (0x8010000B, "connect", "sharing_violation"),
    (0x8010000A, "wait", "timeout"),
    (0x8010000C, "connect", "no_card"),
    (0x80100069, "connect", "no_card"),
    (0x80100066, "connect", "card_mute"),
    (0x80100069, "transmit", "card_removed"),
    (0x80100016, "transmit", "card_removed"),
    (0, "transmit", "card_removed"),             # "Card returned no valid response"
    (0x80100001, "transmit", "reader_error"),
])
def test_translate_pcsc_error(hresult, during, code, monkeypatch):
    monkeypatch.setattr(pcsc.ctypes.util, "find_library", lambda name: "libpcsclite.so.1")
    err = pcsc.translate_pcsc_error(Err(hresult), reader_name="Virtual PCD 00 00", during=during)
    assert isinstance(err, CardError) and err.code == code
    assert err.message_fr and "pyscard says no" not in err.message_fr
    assert f"{hresult:08X}" in err.log


def test_service_down_without_the_library_is_diagnosed(monkeypatch):
    monkeypatch.setattr(pcsc.ctypes.util, "find_library", lambda name: None)
    assert pcsc.translate_pcsc_error(Err(0x8010001D)).code == "libpcsclite_missing"


class FakeScard:
    """Just enough of smartcard.scard for _Context/_Monitor; GetStatusChange answers from a script."""
    SCARD_SCOPE_USER = 0
    SCARD_STATE_UNAWARE, SCARD_STATE_CHANGED, SCARD_STATE_PRESENT = 0, CHANGED, PRESENT
    SCARD_STATE_EMPTY, SCARD_STATE_MUTE, SCARD_STATE_UNKNOWN = EMPTY, MUTE, 0x4

    def __init__(self) -> None:
        self.service = True
        self.readers = ["R0"]
        self.script: queue.Queue = queue.Queue()
        self.cancelled = threading.Event()

    def SCardEstablishContext(self, scope):
        return (OK, 1) if self.service else (NO_SERVICE, 0)

    def SCardListReaders(self, ctx, groups):
        if not self.service:
            return NO_SERVICE, []
        return (OK, list(self.readers)) if self.readers else (NO_READERS, [])

    def SCardGetStatusChange(self, ctx, timeout_ms, states):
        try:
            step = self.script.get(timeout=timeout_ms / 1000)
        except queue.Empty:
            return TIMEOUT, []
        if step == "service_down":
            self.service = False
            return NO_SERVICE, []
        if step == "service_up":
            self.service = True
            return TIMEOUT, []
        return OK, step

    def SCardCancel(self, ctx):
        self.cancelled.set()

    def SCardReleaseContext(self, ctx):
        return OK


def _state(present: bool, counter: int, mute: bool = False) -> int:
    return (counter << 16) | CHANGED | (PRESENT if present else EMPTY) | (MUTE if mute else 0)


@pytest.fixture
def fake(monkeypatch):
    scard = FakeScard()
    monkeypatch.setattr(pcsc, "_pyscard", lambda: SimpleNamespace(scard=scard, Connection=None, errors=(Err,)))
    monkeypatch.setattr(pcsc.ctypes.util, "find_library", lambda name: "libpcsclite.so.1")
    return scard


def _collect(fake: FakeScard, steps: list, count: int) -> list:
    events: queue.Queue = queue.Queue()
    for step in steps:
        fake.script.put(step)
    sub = pcsc.PcscReader(poll_ms=50).subscribe(events.put)
    try:
        return [events.get(timeout=10) for _ in range(count)]
    finally:
        sub.cancel()


def test_monitor_insert_remove_and_swap(fake):
    steps = [
        [("R0", _state(False, 0), b"")],
        [("R0", _state(True, 1), ATR_V2)],
        [("R0", _state(True, 1) | 0x100, ATR_V2)],          # INUSE bit flips: not an event
        [("R0", _state(True, 3), ATR_CPS)],                 # swapped between two polls: counter moved
        [("R0", _state(False, 4), b"")],
        [("R0", _state(True, 5, mute=True), b"")],          # mute card: not present
    ]
    events = _collect(fake, steps, 4)
    assert [(e.kind, e.atr) for e in events] == [
        (CardEventKind.INSERTED, ATR_V2), (CardEventKind.REMOVED, ATR_V2),
        (CardEventKind.INSERTED, ATR_CPS), (CardEventKind.REMOVED, ATR_CPS),
    ]
    assert {e.reader_name for e in events} == {"R0"}


def test_monitor_reports_service_loss_and_return(fake):
    steps = [[("R0", _state(True, 1), ATR_V2)], "service_down"]
    events: queue.Queue = queue.Queue()
    for step in steps:
        fake.script.put(step)
    sub = pcsc.PcscReader(poll_ms=50).subscribe(events.put)
    try:
        got = [events.get(timeout=10) for _ in range(3)]
        assert [e.kind for e in got] == [CardEventKind.INSERTED, CardEventKind.REMOVED, CardEventKind.SERVICE_LOST]
        assert "pcscd" in got[2].message_fr
        fake.service = True
        fake.script.put([("R0", _state(True, 1), ATR_V2)])
        back = [events.get(timeout=10) for _ in range(2)]
        assert [e.kind for e in back] == [CardEventKind.SERVICE_BACK, CardEventKind.INSERTED]
    finally:
        sub.cancel()
    assert fake.cancelled.is_set()


def test_monitor_survives_a_failing_callback(fake):
    calls = []

    def callback(event):
        calls.append(event.kind)
        if len(calls) == 1:
            raise RuntimeError("screen bug")

    for step in ([("R0", _state(True, 1), ATR_V2)], [("R0", _state(False, 2), b"")]):
        fake.script.put(step)
    sub = pcsc.PcscReader(poll_ms=50).subscribe(callback)
    try:
        for _ in range(200):
            if len(calls) == 2:
                break
            threading.Event().wait(0.05)
    finally:
        sub.cancel()
    assert calls == [CardEventKind.INSERTED, CardEventKind.REMOVED]


def test_availability_diagnosis(fake, monkeypatch):
    assert pcsc.pcsc_availability().ok
    assert pcsc.pcsc_availability().readers == ("R0",)
    assert pcsc.pcsc_availability("R9").reason_code == "unknown_reader"
    fake.readers = []
    assert pcsc.pcsc_availability().reason_code == "no_reader"
    fake.service = False
    down = pcsc.pcsc_availability()
    assert (down.ok, down.reason_code) == (False, "pcscd_not_running")
    monkeypatch.setattr(pcsc.ctypes.util, "find_library", lambda name: None)
    assert pcsc.pcsc_availability().reason_code == "libpcsclite_missing"


def test_present_cards_and_errors(fake):
    fake.script.put([("R0", _state(True, 1), ATR_V2)])
    cards = pcsc.PcscReader().present_cards()
    assert [(c.reader_name, c.info.label_fr) for c in cards] == [("R0", "Carte Vitale 2")]
    fake.service = False
    with pytest.raises(CardError) as caught:
        pcsc.PcscReader().list_readers()
    assert caught.value.code == "pcscd_not_running"


def test_core_imports_and_answers_without_pyscard():
    code = (
        "import sys; sys.modules['smartcard'] = None\n"
        "import core.card\n"
        "from core.card import pcsc_availability, PcscReader\n"
        "from core.errors import CardError\n"
        "a = pcsc_availability(); print(a.ok, a.reason_code)\n"
        "try:\n    PcscReader().list_readers()\nexcept CardError as e:\n    print(e.code)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=root).stdout.split()
    assert out == ["False", "pyscard_missing", "pyscard_missing"]
