"""Insertion / removal events from the PC/SC monitor thread (pcscd polls vpcd every 400 ms)."""
from __future__ import annotations

import queue
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pcsc_stack import PORT_1, READER_0, READER_1, pcsc, pcsc_session  # noqa: E402,F401

from core.card import CardEvent, CardEventKind, CardKind, PcscReader  # noqa: E402

pytestmark = pytest.mark.pcsc
WAIT = 15.0   # a deadline so a broken stack fails instead of hanging; not a performance limit


class Recorder:
    def __init__(self) -> None:
        self.events: queue.Queue[CardEvent] = queue.Queue()

    def __call__(self, event: CardEvent) -> None:
        self.events.put(event)

    def next(self) -> CardEvent:
        return self.events.get(timeout=WAIT)

    def next_of(self, kind: CardEventKind, reader: str) -> CardEvent:
        while True:
            event = self.next()
            if event.kind is kind and event.reader_name == reader:
                return event


def test_insert_then_remove_events(pcsc):
    rec = Recorder()
    sub = PcscReader(poll_ms=200).subscribe(rec)
    try:
        card = pcsc.insert("essai")
        inserted = rec.next_of(CardEventKind.INSERTED, READER_0)
        assert inserted.info.kind is CardKind.VITALE_2
        assert inserted.atr == bytes.fromhex("3B751300004509EA9000")

        card.remove()
        removed = rec.next_of(CardEventKind.REMOVED, READER_0)
        assert removed.atr == inserted.atr

        pcsc.insert("cps", PORT_1)
        assert rec.next_of(CardEventKind.INSERTED, READER_1).info.kind is CardKind.CPS
    finally:
        sub.cancel()


def test_cards_already_present_are_reported_first(pcsc):
    pcsc.insert("desmaux")
    pcsc.insert("cps", PORT_1)
    rec = Recorder()
    sub = PcscReader().subscribe(rec)
    try:
        first = {rec.next().reader_name, rec.next().reader_name}
    finally:
        sub.cancel()
    assert first == {READER_0, READER_1}


def test_removal_then_another_card(pcsc):
    # vpcd cannot show a swap faster than one pcscd poll (it re-accepts the new socket inside the same
    # presence check and pcscd keeps the old ATR), so the card is taken out first, as a person would.
    rec = Recorder()
    sub = PcscReader(poll_ms=200).subscribe(rec)
    try:
        pcsc.remove(pcsc.insert("essai"))
        pcsc.insert("inconnue")
        seen = []
        while not seen or seen[-1] != (CardEventKind.INSERTED, CardKind.UNKNOWN):
            event = rec.next()
            if event.reader_name == READER_0:
                seen.append((event.kind, event.info.kind))
    finally:
        sub.cancel()
    assert seen == [(CardEventKind.INSERTED, CardKind.VITALE_2), (CardEventKind.REMOVED, CardKind.VITALE_2),
                    (CardEventKind.INSERTED, CardKind.UNKNOWN)]


def test_reading_the_card_raises_no_event(pcsc):
    from core.card import read_vitale, verify_pin

    pcsc.insert("essai")
    pcsc.insert("cps", PORT_1)
    rec = Recorder()
    sub = PcscReader(poll_ms=200).subscribe(rec)
    try:
        first = {rec.next().reader_name, rec.next().reader_name}
        for _ in range(5):          # connect / power up / disconnect / power down, as every read does
            read_vitale(PcscReader())
            verify_pin(PcscReader(), "1234")
        card = pcsc._servers[0]
        pcsc.remove(card)           # the next event must be this removal, nothing spurious before it
        event = rec.next()
    finally:
        sub.cancel()
    assert first == {READER_0, READER_1}
    assert (event.kind, event.reader_name) == (CardEventKind.REMOVED, READER_0)


def test_cancel_stops_the_monitor(pcsc):
    rec = Recorder()
    sub = PcscReader(poll_ms=200).subscribe(rec)
    sub.cancel()
    pcsc.insert("essai")
    assert rec.events.empty()
