"""The CPS code and the code de déblocage never reach logs, reprs or error messages."""
from __future__ import annotations

import logging
import socket
import struct
import threading

import pytest

from core.card import SLOT_CPS, SimulatedReader, unblock, verify_pin
from core.card.deck import DEMO_CPS_PIN, DEMO_CPS_PUK, make_card
from core.card.pcsc import PcscConnection
from core.card.vpcd import VpcdCardServer
from core.errors import CardError, ValidationError

SECRETS = ("1234", "8642", "12345678", "4321")


@pytest.fixture(autouse=True)
def _propagate(monkeypatch):
    # `lunetier` CLI runs (other tests) stop the "lunetier" logger from propagating: caplog needs it back
    monkeypatch.setattr(logging.getLogger("lunetier"), "propagate", True)


def _leaks(text: str) -> list[str]:
    forms = []
    for s in SECRETS:
        forms += [s, s.encode().hex(), s.encode().hex().upper(), " ".join(f"{b:02X}" for b in s.encode())]
    return [f for f in forms if f in text]


def test_no_code_in_logs(caplog):
    caplog.set_level(logging.DEBUG)
    reader = SimulatedReader()
    reader.insert("cps")
    verify_pin(reader, "8642")
    verify_pin(reader, DEMO_CPS_PIN)
    for _ in range(3):
        verify_pin(reader, "8642")
    unblock(reader, DEMO_CPS_PUK, "4321")
    verify_pin(reader, "4321")
    assert "APDU 00 20 00 01" in caplog.text and "APDU 00 2C 00 01" in caplog.text
    assert _leaks(caplog.text) == []


def test_no_code_in_results_cards_or_errors(caplog):
    caplog.set_level(logging.DEBUG)
    reader = SimulatedReader()
    reader.insert("cps")
    result = verify_pin(reader, DEMO_CPS_PIN)
    card = reader.card("cps")
    texts = [repr(result), str(result), result.message_fr, repr(card), str(card), repr(reader),
             repr(result.model_dump())]
    with pytest.raises(ValidationError) as bad:
        verify_pin(reader, "12a4")
    texts += [bad.value.message_fr, bad.value.log, str(bad.value), repr(bad.value)]
    assert "12a4" not in " ".join(texts)
    reader.pull_out_after(1, SLOT_CPS)
    with pytest.raises(CardError) as gone:
        verify_pin(reader, "8642")
    assert gone.value.code == "card_removed"
    assert gone.value.__cause__ is None and gone.value.__suppress_context__   # no chained frames with the code
    texts += [gone.value.message_fr, gone.value.log, str(gone.value), repr(gone.value)]
    assert _leaks(" ".join(texts) + caplog.text) == []


def test_pcsc_transmit_wipes_the_command_and_hides_it(caplog):
    caplog.set_level(logging.DEBUG)

    class Boom(Exception):
        hresult = 0x80100069

    seen = []

    class FakeConnection:
        def __init__(self, name):
            pass

        def connect(self):
            pass

        def getATR(self):
            return list(bytes.fromhex("3BAC00402A001225006480000310009000"))

        def transmit(self, command):
            seen.append(command)
            raise Boom("Card was removed.")

        def disconnect(self):
            pass

        def release(self):
            pass

    from types import SimpleNamespace
    py = SimpleNamespace(Connection=FakeConnection, errors=(Boom,))
    conn = PcscConnection(py, "Virtual PCD 00 01")
    with pytest.raises(CardError) as caught:
        verify_pin(conn, "8642")
    assert caught.value.code == "card_removed"
    assert all(b == 0 for b in seen[-1])             # the PIN-carrying list was zeroed
    assert _leaks(" ".join([caught.value.message_fr, caught.value.log, repr(caught.value)]) + caplog.text) == []


def test_vpcd_bridge_does_not_log_codes(caplog):
    caplog.set_level(logging.DEBUG)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    card = make_card("cps")
    server = VpcdCardServer(card, port=port)
    thread = threading.Thread(target=lambda: server.connect(5).serve_forever(), daemon=True)
    thread.start()
    peer, _ = listener.accept()

    def exchange(payload: bytes) -> bytes:
        peer.sendall(struct.pack("!H", len(payload)) + payload)
        (length,) = struct.unpack("!H", peer.recv(2))
        return peer.recv(length)

    aid = bytes.fromhex("E828BD080F8025000001FF0010")
    assert exchange(b"\x00\xa4\x04\x00" + bytes([len(aid)]) + aid + b"\x00")[-2:] == b"\x90\x00"
    assert exchange(b"\x00\x20\x00\x01\x08" + b"8642" + b"\xff" * 4) == b"\x63\xc2"
    peer.close()
    thread.join(5)
    listener.close()
    assert "card cps disconnected" in caplog.text
    assert _leaks(caplog.text + repr(server.card)) == []
