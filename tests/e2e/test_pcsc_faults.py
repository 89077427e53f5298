"""Faults through the real stack: card pulled out mid-read, unknown card, pcscd stopped, PIN secrecy."""
from __future__ import annotations

import logging
import queue
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pcsc_stack import PORT_1, READER_0, pcsc, pcsc_session  # noqa: E402,F401

from core.card import (CardEventKind, PcscReader, pcsc_availability, read_cps, read_vitale,  # noqa: E402
                       verify_pin)
from core.card.vitale import MSG_REMOVED_DURING_READ  # noqa: E402
from core.errors import CardError  # noqa: E402

pytestmark = pytest.mark.pcsc


@pytest.mark.parametrize("after", [1, 4, 9, 15])
def test_card_pulled_out_mid_read(pcsc, after):
    pcsc.insert("essai", remove_after_apdus=after)
    with pytest.raises(CardError) as caught:
        read_vitale(PcscReader())
    assert caught.value.code == "card_removed"
    assert caught.value.message_fr == MSG_REMOVED_DURING_READ
    assert caught.value.message_fr.startswith("La carte a été retirée pendant la lecture")


def test_card_removed_between_connect_and_read(pcsc):
    card = pcsc.insert("desmaux")
    conn = PcscReader().connect(READER_0)
    try:
        card.remove()
        pcsc.wait_slot(READER_0, False)
        with pytest.raises(CardError) as caught:
            read_vitale(conn)
        assert caught.value.code == "card_removed"
    finally:
        conn.disconnect()   # must not raise although the card is gone
    conn.disconnect()


def test_unknown_card(pcsc):
    pcsc.insert("inconnue")
    reader = PcscReader()
    assert reader.present_cards()[0].info.label_fr == "carte inconnue"
    with pytest.raises(CardError) as caught:
        read_vitale(reader)
    assert caught.value.code == "unknown_card"
    assert "Carte inconnue" in caught.value.message_fr
    with reader.connect(READER_0) as conn, pytest.raises(CardError) as on_conn:
        read_vitale(conn)
    assert on_conn.value.code == "unknown_card"


def test_cps_in_place_of_a_vitale(pcsc):
    pcsc.insert("cps", PORT_1)
    with pytest.raises(CardError) as caught:
        read_vitale(PcscReader())
    assert caught.value.code == "wrong_card"
    assert "CPS" in caught.value.message_fr


def test_pin_never_logged_through_pcscd(pcsc, caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("lunetier"), "propagate", True)  # the CLI may have silenced it
    pcsc.insert("cps", PORT_1)
    caplog.set_level(logging.DEBUG)
    reader = PcscReader()
    assert not verify_pin(reader, "8642").ok
    assert verify_pin(reader, "1234").ok
    read_cps(reader)
    text = caplog.text
    assert "APDU 00 20 00 01" in text      # the header is logged...
    for secret in ("8642", "1234", "38363432", "31323334"):
        assert secret not in text           # ...never the code


def test_pcscd_stopped(pcsc):
    if not pcsc.owned:
        pytest.skip("pcscd was not started by the tests: not stopping someone else's daemon")
    events: queue.Queue = queue.Queue()
    sub = PcscReader(poll_ms=200).subscribe(events.put)
    pcsc.insert("essai")
    try:
        while events.get(timeout=15).kind is not CardEventKind.INSERTED:
            pass
        pcsc.stop_pcscd()   # with the card still inserted

        avail = pcsc_availability()
        assert (avail.ok, avail.reason_code) == (False, "pcscd_not_running")
        assert "pcscd" in avail.message_fr
        with pytest.raises(CardError) as caught:
            PcscReader().list_readers()
        assert caught.value.code == "pcscd_not_running"
        with pytest.raises(CardError):
            read_vitale(PcscReader())
        kinds = []
        while CardEventKind.SERVICE_LOST not in kinds:
            kinds.append(events.get(timeout=15).kind)
        assert CardEventKind.REMOVED in kinds   # the card left with the service

        pcsc.start_pcscd()
        while events.get(timeout=15).kind is not CardEventKind.SERVICE_BACK:
            pass
        pcsc.insert("essai")   # the same monitor sees cards again
        while events.get(timeout=15).kind is not CardEventKind.INSERTED:
            pass
    finally:
        sub.cancel()
        if not pcsc.owned:
            pcsc.start_pcscd()
