"""ISO 7816-4 APDUs used by the demo profiles (PROFILE.md), card side and host side.

Short APDUs only. Host helpers raise CardError; they never log APDU data (a VERIFY carries the PIN), only
the header.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from core.card import tlv
from core.card.reader import CardConnection, CardErrorCode, card_error

__all__ = [
    "Command", "parse_command", "sw_bytes", "SW_OK", "SW_WRONG_LENGTH", "SW_SECURITY", "SW_BLOCKED",
    "SW_CONDITIONS", "SW_NOT_FOUND", "SW_WRONG_P1P2", "SW_WRONG_OFFSET", "SW_INS", "SW_CLA", "SW_WRONG_DATA",
    "select_aid", "select_ef", "read_binary", "read_file", "transmit", "header_hex",
]

log = logging.getLogger("lunetier.card")

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY = 0x6982          # security status not satisfied (PIN not verified)
SW_BLOCKED = 0x6983           # authentication method blocked
SW_CONDITIONS = 0x6985        # conditions of use not satisfied (no EF selected)
SW_WRONG_DATA = 0x6A80
SW_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_WRONG_OFFSET = 0x6B00
SW_INS = 0x6D00
SW_CLA = 0x6E00

READ_CHUNK = 0xF0             # bytes per READ BINARY (fits T=0 and every reader's buffer)


def sw_bytes(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


@dataclass(frozen=True, repr=False)
class Command:
    """A parsed C-APDU (card side). repr shows the header only: ``data`` may hold a PIN."""
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None

    def __repr__(self) -> str:
        return f"Command({self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X}, lc={len(self.data)})"


def parse_command(apdu: bytes) -> Command | None:
    """Parse a short C-APDU; None when the length is inconsistent (the card answers 6700)."""
    if len(apdu) < 4:
        return None
    cla, ins, p1, p2 = apdu[:4]
    if len(apdu) == 4:
        return Command(cla, ins, p1, p2, b"", None)
    if len(apdu) == 5:
        return Command(cla, ins, p1, p2, b"", apdu[4] or 256)
    lc = apdu[4]
    if lc == 0:
        return None  # extended length: not supported
    body = apdu[5:]
    if len(body) == lc:
        return Command(cla, ins, p1, p2, bytes(body), None)
    if len(body) == lc + 1:
        return Command(cla, ins, p1, p2, bytes(body[:lc]), body[lc] or 256)
    return None


def header_hex(apdu: bytes) -> str:
    return " ".join(f"{b:02X}" for b in apdu[:4])


# --- host side -------------------------------------------------------------------------------------------

def transmit(conn: CardConnection, apdu: bytes) -> tuple[bytes, int]:
    """Send ``apdu``; return (data, sw). Logs the header and status only."""
    data, sw1, sw2 = conn.transmit(apdu)
    sw = (sw1 << 8) | sw2
    log.debug("APDU %s -> %04X (%d bytes)", header_hex(apdu), sw, len(data))
    return bytes(data), sw


def _bad(what: str, sw: int, message_fr: str) -> Exception:
    return card_error(CardErrorCode.BAD_RESPONSE, message_fr, f"{what} failed with SW {sw:04X}")


def select_aid(conn: CardConnection, aid: bytes, message_fr: str) -> bytes:
    data, sw = transmit(conn, bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid + b"\x00")
    if sw != SW_OK:
        raise _bad(f"SELECT AID {aid.hex().upper()}", sw, message_fr)
    return data


def select_ef(conn: CardConnection, fid: int, message_fr: str) -> int:
    """SELECT EF by identifier under the current application; returns the file size from the FCP."""
    data, sw = transmit(conn, bytes([0x00, 0xA4, 0x02, 0x04, 0x02]) + fid.to_bytes(2, "big") + b"\x00")
    if sw != SW_OK:
        raise _bad(f"SELECT EF {fid:04X}", sw, message_fr)
    try:
        fcp = tlv.decode(data)
        size = fcp[0].first(0x80) if fcp and fcp[0].tag == 0x62 else None
        if size is None:
            raise tlv.TlvError("no 62/80 file size")
        return int.from_bytes(size.value, "big")
    except tlv.TlvError as exc:
        raise card_error(CardErrorCode.BAD_RESPONSE, message_fr, f"FCP of EF {fid:04X}: {exc}") from None


def read_binary(conn: CardConnection, offset: int, length: int, message_fr: str) -> bytes:
    apdu = bytes([0x00, 0xB0, (offset >> 8) & 0x7F, offset & 0xFF, length & 0xFF])
    data, sw = transmit(conn, apdu)
    if sw != SW_OK or len(data) != length:
        raise _bad(f"READ BINARY @{offset} len {length} (got {len(data)})", sw, message_fr)
    return data


def read_file(conn: CardConnection, fid: int, message_fr: str) -> bytes:
    """SELECT EF + READ BINARY in chunks: the whole file or a CardError (never a partial file)."""
    size = select_ef(conn, fid, message_fr)
    out = bytearray()
    while len(out) < size:
        out += read_binary(conn, len(out), min(READ_CHUNK, size - len(out)), message_fr)
    return bytes(out)
