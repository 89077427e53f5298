"""Card side of the demo profiles: the cards themselves, as APDU handlers.

One object per physical card: the same instance answers the simulated reader (simulated.py) and the vpcd
bridge (vpcd.py), so the host code is exercised identically in both. State that lives on a real card
(PIN tries, blocking) lives here; selection and security status are cleared on power off / reset.
Stdlib + core.card only.
"""
from __future__ import annotations

import hashlib
import hmac
import threading

from core.card import profile_cps, profile_vitale
from core.card.apdu import (SW_BLOCKED, SW_CLA, SW_CONDITIONS, SW_INS, SW_NOT_FOUND, SW_OK, SW_SECURITY,
                            SW_WRONG_DATA, SW_WRONG_LENGTH, SW_WRONG_OFFSET, SW_WRONG_P1P2, Command, parse_command,
                            sw_bytes)
from core.card.atr import classify_atr
from core.card.models import CpsData, VitaleData
from core.card.tlv import constructed, primitive

__all__ = ["VirtualCard", "VitaleVirtualCard", "CpsVirtualCard", "UnknownVirtualCard",
           "ATR_VITALE_2", "ATR_CPS", "ATR_UNKNOWN"]

ATR_VITALE_2 = bytes.fromhex("3B751300004509EA9000")              # "Carte Vitale 2" (DOMAIN.md 2.4)
ATR_CPS = bytes.fromhex("3BAC00402A001225006480000310009000")      # "Sesam Vitale card CPS"
ATR_UNKNOWN = bytes.fromhex("3B80800101")                          # minimal T=0/T=1 ATR (PCSC.md vcard)


def _sw(sw: int, data: bytes = b"") -> bytes:
    return data + sw_bytes(sw)


class VirtualCard:
    """A tiny ISO 7816-4 file system: applications (by AID) holding transparent EFs (by 2-byte id)."""

    def __init__(self, name: str, atr: bytes, applications: dict[bytes, dict[int, bytes]]) -> None:
        self.name = name
        self.atr = bytes(atr)
        self._apps = {bytes(aid): dict(files) for aid, files in applications.items()}
        self._lock = threading.RLock()
        self._app: bytes | None = None
        self._ef: int | None = None
        self.powered = False
        self.apdu_count = 0

    @property
    def label_fr(self) -> str:
        return classify_atr(self.atr).label_fr

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # --- power ------------------------------------------------------------------------------------------
    def power_on(self) -> None:
        with self._lock:
            self.powered = True
            self._clear_session()

    def power_off(self) -> None:
        with self._lock:
            self.powered = False
            self._clear_session()

    def reset(self) -> None:
        with self._lock:
            self._clear_session()

    def _clear_session(self) -> None:
        self._app = None
        self._ef = None

    # --- APDUs ------------------------------------------------------------------------------------------
    def handle_apdu(self, apdu: bytes) -> bytes:
        with self._lock:
            self.apdu_count += 1
            cmd = parse_command(bytes(apdu))
            if cmd is None:
                return _sw(SW_WRONG_LENGTH)
            if cmd.cla != 0x00:
                return _sw(SW_CLA)
            if cmd.ins == 0xA4:
                return self._select(cmd)
            if cmd.ins == 0xB0:
                return self._read_binary(cmd)
            return self.handle_other(cmd)

    def handle_other(self, cmd: Command) -> bytes:
        return _sw(SW_INS)

    def can_read(self, fid: int) -> bool:
        return True

    def _select(self, cmd: Command) -> bytes:
        no_answer = cmd.p2 & 0x0C == 0x0C
        if cmd.p1 == 0x04:
            if cmd.data not in self._apps:
                return _sw(SW_NOT_FOUND)
            self._app, self._ef = cmd.data, None
            fci = constructed(0x6F, primitive(0x84, cmd.data))
            return _sw(SW_OK, b"" if no_answer else fci)
        if cmd.p1 in (0x00, 0x02):
            if self._app is None or len(cmd.data) != 2:
                return _sw(SW_NOT_FOUND)
            fid = int.from_bytes(cmd.data, "big")
            files = self._apps[self._app]
            if fid not in files:
                return _sw(SW_NOT_FOUND)
            self._ef = fid
            fcp = constructed(0x62, primitive(0x80, len(files[fid]).to_bytes(2, "big")), primitive(0x82, b"\x01"),
                              primitive(0x83, cmd.data))
            return _sw(SW_OK, b"" if no_answer else fcp)
        return _sw(SW_WRONG_P1P2)

    def _read_binary(self, cmd: Command) -> bytes:
        if cmd.p1 & 0x80:
            return _sw(SW_WRONG_P1P2)  # short EF identifier: not supported
        if self._app is None or self._ef is None:
            return _sw(SW_CONDITIONS)
        if not self.can_read(self._ef):
            return _sw(SW_SECURITY)
        content = self._apps[self._app][self._ef]
        offset = (cmd.p1 << 8) | cmd.p2
        if offset > len(content):
            return _sw(SW_WRONG_OFFSET)
        length = cmd.le if cmd.le is not None else 256
        return _sw(SW_OK, content[offset:offset + length])


class VitaleVirtualCard(VirtualCard):
    """A Carte Vitale in the demo profile, built from a VitaleData (the deck's content)."""

    def __init__(self, name: str, content: VitaleData, atr: bytes = ATR_VITALE_2) -> None:
        super().__init__(name, atr, {profile_vitale.AID_VITALE: profile_vitale.encode_files(content)})
        self.content = content


class CpsVirtualCard(VirtualCard):
    """A CPS: code porteur (3 tries), code de déblocage, demo signature. The codes never appear in repr."""

    def __init__(self, name: str, content: CpsData, pin: str, puk: str, atr: bytes = ATR_CPS) -> None:
        super().__init__(name, atr, {profile_cps.AID_CPS: profile_cps.encode_files(content)})
        if not (len(pin) == profile_cps.PIN_LEN and pin.isdigit() and len(puk) == profile_cps.PUK_LEN
                and puk.isdigit()):
            raise ValueError("demo CPS needs a 4-digit code and an 8-digit unblocking code")
        self.content = content
        self._pin = bytes(profile_cps.pin_block(pin))
        self._puk = puk.encode("ascii")
        self.pin_tries_left = profile_cps.PIN_TRIES
        self.puk_tries_left = profile_cps.PUK_TRIES
        self._verified = False

    @property
    def pin_blocked(self) -> bool:
        return self.pin_tries_left == 0

    def _clear_session(self) -> None:
        super()._clear_session()
        self._verified = False

    def handle_other(self, cmd: Command) -> bytes:
        if self._app != profile_cps.AID_CPS:
            return _sw(SW_CONDITIONS if cmd.ins in (0x20, 0x2C, 0x2A) else SW_INS)
        if cmd.ins == 0x20:
            return self._verify(cmd)
        if cmd.ins == 0x2C:
            return self._unblock(cmd)
        if cmd.ins == 0x2A and (cmd.p1, cmd.p2) == (0x9E, 0x9A):
            return self._sign(cmd)
        return _sw(SW_INS)

    def _verify(self, cmd: Command) -> bytes:
        if (cmd.p1, cmd.p2) != (0x00, profile_cps.PIN_REF):
            return _sw(SW_WRONG_P1P2)
        if self.pin_blocked:
            return _sw(SW_BLOCKED)
        if not cmd.data:  # status query: consumes no try
            return _sw(SW_OK if self._verified else 0x63C0 | self.pin_tries_left)
        if len(cmd.data) != profile_cps.PIN_BLOCK_LEN:
            return _sw(SW_WRONG_LENGTH)
        if hmac.compare_digest(cmd.data, self._pin):
            self.pin_tries_left = profile_cps.PIN_TRIES
            self._verified = True
            return _sw(SW_OK)
        self._verified = False
        self.pin_tries_left -= 1
        return _sw(0x63C0 | self.pin_tries_left)

    def _unblock(self, cmd: Command) -> bytes:
        if (cmd.p1, cmd.p2) != (0x00, profile_cps.PIN_REF):
            return _sw(SW_WRONG_P1P2)
        if self.puk_tries_left == 0:
            return _sw(SW_BLOCKED)
        if len(cmd.data) != profile_cps.PUK_LEN + profile_cps.PIN_BLOCK_LEN:
            return _sw(SW_WRONG_LENGTH)
        puk, new_block = cmd.data[:profile_cps.PUK_LEN], cmd.data[profile_cps.PUK_LEN:]
        new_digits = new_block.rstrip(b"\xff")
        if len(new_digits) != profile_cps.PIN_LEN or not new_digits.isdigit():
            return _sw(SW_WRONG_DATA)  # format checked before the PUK: a typo costs no try
        if not hmac.compare_digest(puk, self._puk):
            self.puk_tries_left -= 1
            return _sw(0x63C0 | self.puk_tries_left)
        self._pin = bytes(new_block)
        self.pin_tries_left = profile_cps.PIN_TRIES
        self.puk_tries_left = profile_cps.PUK_TRIES
        self._verified = False
        return _sw(SW_OK)

    def _sign(self, cmd: Command) -> bytes:
        """Demo "PSO: COMPUTE DIGITAL SIGNATURE": HMAC-SHA256 under a key derived from the serial.
        Not cryptographic evidence of anything; it only makes the PIN matter in the demo."""
        if not self._verified:
            return _sw(SW_SECURITY)
        if not cmd.data:
            return _sw(SW_WRONG_LENGTH)
        key = hashlib.sha256(b"lunetier-demo-cps:" + self.content.numero_serie.encode()).digest()
        return _sw(SW_OK, hmac.new(key, cmd.data, hashlib.sha256).digest())


class UnknownVirtualCard(VirtualCard):
    """A card Lunetier does not know (a bank or loyalty card): generic ATR, no known application."""

    def __init__(self, name: str, atr: bytes = ATR_UNKNOWN) -> None:
        super().__init__(name, atr, {bytes.fromhex("F0000000010203"): {0x0001: b"VCARD-1"}})
