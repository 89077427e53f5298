"""Bridge a VirtualCard to vsmartcard's vpcd driver, so pcscd sees it as a card in "Virtual PCD 00 00".

vpcd protocol (vsmartcard src/vpcd/vpcd.c; shared/reference/PCSC.md section 3):
- every message, both ways: 2-byte big-endian length, then the payload;
- vpcd -> card, 1 byte: 0x00 power off, 0x01 power on, 0x02 reset (no reply), 0x04 get ATR (reply: ATR);
- vpcd -> card, longer: a C-APDU; reply: the R-APDU;
- vpcd listens on PORT (slot 0, 35963) and PORT+1 (slot 1): connecting *is* inserting the card, closing
  the socket is removing it (pcscd notices within its 400 ms poll).
Debian 12's vpcd sends length and payload in two writes without TCP_NODELAY: TCP_QUICKACK is re-armed
before every recv, otherwise each APDU waits ~40 ms for the delayed ACK.

Logs show APDU headers only (a VERIFY carries the CPS code).
"""
from __future__ import annotations

import argparse
import logging
import signal
import socket
import struct
import sys
import threading
import time

from core.card.apdu import header_hex
from core.card.virtual import VirtualCard

__all__ = ["VpcdCardServer", "DEFAULT_HOST", "DEFAULT_PORT", "main"]

log = logging.getLogger("lunetier.card.vpcd")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 35963          # 0x8C7B, /etc/reader.conf.d/vpcd: "Virtual PCD 00 00"
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0x00, 0x01, 0x02, 0x04
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)   # Linux only


class VpcdCardServer:
    """Serve one card to vpcd. ``insert()`` connects and serves in a daemon thread, ``remove()`` closes.

    ``remove_after_apdus``: fault injection, the card "is pulled out" when that APDU arrives (the socket is
    closed instead of answering), as when the user removes the card in the middle of a read.
    """

    def __init__(self, card: VirtualCard, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                 remove_after_apdus: int | None = None) -> None:
        self.card = card
        self.host, self.port = host, port
        self.remove_after_apdus = remove_after_apdus
        self.apdu_count = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._closing = False

    # --- transport -------------------------------------------------------------------------------------
    def connect(self, timeout: float = 10.0) -> "VpcdCardServer":
        """Connect to vpcd (retrying while pcscd opens the port). ConnectionError when it never answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
                break
            except OSError as exc:
                if time.monotonic() >= deadline:
                    raise ConnectionError(f"vpcd not reachable on {self.host}:{self.port} ({exc})") from None
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._closing = False
        self.card.power_off()
        log.info("card %s connected to vpcd %s:%d (inserted)", self.card.name, self.host, self.port)
        return self

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            if _QUICKACK is not None:
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)   # Linux clears it after each ACK
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def serve_forever(self) -> None:
        sock = self._sock
        if sock is None:
            raise RuntimeError("connect() first")
        try:
            while True:
                header = self._recv_exact(sock, 2)
                if header is None:
                    break
                (length,) = struct.unpack("!H", header)
                message = self._recv_exact(sock, length) if length else b""
                if message is None:
                    break
                if length == 1:
                    self._control(sock, message[0])
                    continue
                self.apdu_count += 1
                if self.remove_after_apdus is not None and self.apdu_count >= self.remove_after_apdus:
                    log.info("fault injection: card pulled out at APDU %d", self.apdu_count)
                    break
                response = self.card.handle_apdu(message)
                log.debug("APDU %s -> %s", header_hex(message), response[-2:].hex().upper())
                sock.sendall(struct.pack("!H", len(response)) + response)
        except OSError as exc:
            if not self._closing:
                log.warning("vpcd socket error: %s", exc)
        finally:
            self._close()
            log.info("card %s disconnected from vpcd (removed)", self.card.name)

    def _control(self, sock: socket.socket, ctrl: int) -> None:
        if ctrl == CTRL_ATR:
            sock.sendall(struct.pack("!H", len(self.card.atr)) + self.card.atr)
        elif ctrl == CTRL_ON:
            self.card.power_on()
        elif ctrl == CTRL_OFF:
            self.card.power_off()
        elif ctrl == CTRL_RESET:
            self.card.reset()
        else:
            log.warning("unknown vpcd control byte %02X", ctrl)

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        self.card.power_off()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    # --- insert / remove -----------------------------------------------------------------------------------
    def insert(self, timeout: float = 10.0) -> "VpcdCardServer":
        self.connect(timeout)
        self._thread = threading.Thread(target=self.serve_forever, name=f"vpcd-{self.card.name}", daemon=True)
        self._thread.start()
        return self

    def remove(self) -> None:
        self._closing = True
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)   # wakes the serving thread
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def __enter__(self) -> "VpcdCardServer":
        return self.insert()

    def __exit__(self, *exc: object) -> None:
        self.remove()


def serve(card_name: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, connect_timeout: float = 10.0,
          remove_after_apdus: int | None = None, lifetime: float = 0.0) -> int:
    """Blocking: insert the deck card ``card_name`` until SIGTERM/SIGINT (or ``lifetime`` seconds).
    Exit code 0, or 2 when vpcd is unreachable."""
    from core.card.deck import make_card

    server = VpcdCardServer(make_card(card_name), host, port, remove_after_apdus=remove_after_apdus)

    def stop(*_: object) -> None:
        server._closing = True
        sock = server._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    try:
        server.connect(connect_timeout)
    except ConnectionError as exc:
        log.error("%s", exc)
        print("Erreur : le pilote vpcd ne répond pas sur "
              f"{host}:{port} (pcscd avec vsmartcard-vpcd est-il démarré ?).", file=sys.stderr)
        return 2
    if lifetime > 0:
        timer = threading.Timer(lifetime, stop)
        timer.daemon = True
        timer.start()
    server.serve_forever()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m core.card.vpcd --card NAME``: same as ``lunetier card serve`` (used by the e2e tests)."""
    parser = argparse.ArgumentParser(description="Carte de démonstration pour vsmartcard-vpcd")
    parser.add_argument("--card", required=True)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--remove-after-apdus", type=int, default=None)
    parser.add_argument("--lifetime", type=float, default=0.0)
    parser.add_argument("--connect-timeout", type=float, default=10.0)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from core.errors import LunetierError

    try:
        return serve(args.card, args.host, args.port, connect_timeout=args.connect_timeout,
                     remove_after_apdus=args.remove_after_apdus, lifetime=args.lifetime)
    except LunetierError as exc:
        print(f"Erreur : {exc.message_fr}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
