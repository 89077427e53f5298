"""The vpcd bridge against a fake vpcd (a local TCP listener speaking vsmartcard's framing)."""
from __future__ import annotations

import socket
import struct
import threading

import pytest

from core.card.deck import make_card
from core.card.virtual import ATR_VITALE_2
from core.card.vpcd import VpcdCardServer


class FakeVpcd:
    """The pcscd side: listens, accepts the card, sends control bytes and APDUs."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.peer: socket.socket | None = None

    def accept(self) -> None:
        self.listener.settimeout(10)
        self.peer, _ = self.listener.accept()
        self.peer.settimeout(10)

    def send(self, payload: bytes) -> None:
        self.peer.sendall(struct.pack("!H", len(payload)))   # length and payload in two writes, as vpcd 3.3
        self.peer.sendall(payload)

    def receive(self) -> bytes:
        header = self._exact(2)
        return self._exact(struct.unpack("!H", header)[0])

    def _exact(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.peer.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def close(self) -> None:
        if self.peer:
            self.peer.close()
        self.listener.close()


@pytest.fixture
def vpcd():
    fake = FakeVpcd()
    yield fake
    fake.close()


def test_power_atr_and_apdus(vpcd):
    card = make_card("essai")
    server = VpcdCardServer(card, port=vpcd.port)
    server.insert(5)
    vpcd.accept()
    try:
        vpcd.send(b"\x04")
        assert vpcd.receive() == ATR_VITALE_2
        vpcd.send(b"\x01")                       # power on: no answer
        vpcd.send(b"\x04")
        assert vpcd.receive() == ATR_VITALE_2     # answered after the power on was handled
        assert card.powered
        aid = bytes.fromhex("D250000002564954414C45")
        vpcd.send(b"\x00\xa4\x04\x00" + bytes([len(aid)]) + aid + b"\x00")
        assert vpcd.receive()[-2:] == b"\x90\x00"
        vpcd.send(b"\x02")                       # reset: selection lost
        vpcd.send(b"\x00\xb0\x00\x00\x04")
        assert vpcd.receive() == b"\x69\x85"
        vpcd.send(b"\x00")                       # power off
        vpcd.send(b"\x04")
        vpcd.receive()
        assert not card.powered
        assert server.apdu_count == 2
    finally:
        server.remove()
    assert not server.inserted


def test_remove_closes_the_socket(vpcd):
    server = VpcdCardServer(make_card("cps"), port=vpcd.port).insert(5)
    vpcd.accept()
    server.remove()
    with pytest.raises((EOFError, OSError)):
        vpcd.send(b"\x04")
        vpcd.receive()


def test_fault_injection_pulls_the_card_out_instead_of_answering(vpcd):
    server = VpcdCardServer(make_card("essai"), port=vpcd.port, remove_after_apdus=2).insert(5)
    vpcd.accept()
    vpcd.send(b"\x00\xa4\x04\x00\x01\x00")
    assert vpcd.receive() == b"\x6a\x82"
    vpcd.send(b"\x00\xa4\x04\x00\x01\x00")
    with pytest.raises(EOFError):
        vpcd.receive()
    server.remove()


def test_unreachable_vpcd():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]      # closed again below: nobody listens there
    with pytest.raises(ConnectionError):
        VpcdCardServer(make_card("essai"), port=port).connect(timeout=0.3)


def test_same_card_object_keeps_its_state_across_insertions(vpcd):
    card = make_card("cps")
    server = VpcdCardServer(card, port=vpcd.port)
    thread = threading.Thread(target=lambda: server.connect(5).serve_forever(), daemon=True)
    thread.start()
    vpcd.accept()
    aid = bytes.fromhex("E828BD080F8025000001FF0010")
    vpcd.send(b"\x00\xa4\x04\x00" + bytes([len(aid)]) + aid + b"\x00")
    vpcd.receive()
    vpcd.send(b"\x00\x20\x00\x01\x08" + b"0000" + b"\xff" * 4)
    assert vpcd.receive() == b"\x63\xc2"
    vpcd.peer.close()
    thread.join(5)
    assert card.pin_tries_left == 2
