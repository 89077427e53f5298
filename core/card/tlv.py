"""Minimal BER-TLV (ISO 7816-4 / X.690 subset) for the demo card profiles.

Why hand-written: the subset is ~40 lines (1-2 byte tags, definite lengths up to 0xFFFF), the virtual
card side must stay stdlib-only, and the PyPI BER-TLV packages are unmaintained EMV helpers. Anything
outside the subset (indefinite length, 3+ byte tags, truncated values) is refused with TlvError so a
damaged file never decodes to half a record.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Tlv", "TlvError", "encode", "decode", "constructed", "primitive"]


class TlvError(ValueError):
    """Malformed TLV bytes (the host turns this into a CardError)."""


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes
    children: tuple["Tlv", ...] = ()

    @property
    def is_constructed(self) -> bool:
        first = self.tag >> 8 if self.tag > 0xFF else self.tag
        return bool(first & 0x20)

    def first(self, tag: int) -> "Tlv | None":
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: int) -> tuple["Tlv", ...]:
        return tuple(c for c in self.children if c.tag == tag)


def _tag_bytes(tag: int) -> bytes:
    if tag <= 0xFF:
        if tag & 0x1F == 0x1F:
            raise TlvError(f"one-byte tag {tag:02X} announces a second byte")
        return bytes([tag])
    if tag <= 0xFFFF and (tag >> 8) & 0x1F == 0x1F and not tag & 0x80:
        return tag.to_bytes(2, "big")
    raise TlvError(f"unsupported tag {tag:X}")


def _len_bytes(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    if n <= 0xFF:
        return bytes([0x81, n])
    if n <= 0xFFFF:
        return bytes([0x82]) + n.to_bytes(2, "big")
    raise TlvError(f"value too long ({n} bytes)")


def primitive(tag: int, value: bytes) -> bytes:
    return _tag_bytes(tag) + _len_bytes(len(value)) + value


def constructed(tag: int, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return _tag_bytes(tag) + _len_bytes(len(body)) + body


def encode(items: list[Tlv] | tuple[Tlv, ...]) -> bytes:
    out = []
    for item in items:
        if item.children:
            out.append(constructed(item.tag, encode(item.children)))
        else:
            out.append(primitive(item.tag, item.value))
    return b"".join(out)


def decode(data: bytes) -> tuple[Tlv, ...]:
    """Decode a sequence of TLVs; constructed tags (bit 6 of the first tag byte) are decoded recursively."""
    items: list[Tlv] = []
    pos = 0
    data = bytes(data)
    while pos < len(data):
        first = data[pos]
        if first in (0x00, 0xFF):  # ISO 7816-4 padding between/after objects
            pos += 1
            continue
        tag = first
        pos += 1
        if first & 0x1F == 0x1F:
            if pos >= len(data):
                raise TlvError("truncated tag")
            second = data[pos]
            if second & 0x80:
                raise TlvError("tags longer than 2 bytes are not supported")
            tag = (first << 8) | second
            pos += 1
        if pos >= len(data):
            raise TlvError(f"missing length for tag {tag:X}")
        length = data[pos]
        pos += 1
        if length == 0x80:
            raise TlvError("indefinite length is not supported")
        if length > 0x80:
            count = length & 0x7F
            if count > 2 or pos + count > len(data):
                raise TlvError(f"bad length field for tag {tag:X}")
            length = int.from_bytes(data[pos:pos + count], "big")
            pos += count
        if pos + length > len(data):
            raise TlvError(f"value of tag {tag:X} truncated ({length} bytes announced)")
        value = data[pos:pos + length]
        pos += length
        item = Tlv(tag, value)
        if item.is_constructed:
            item = Tlv(tag, value, decode(value))
        items.append(item)
    return tuple(items)
