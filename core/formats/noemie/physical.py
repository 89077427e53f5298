"""Physical layouts of an RSP file <-> the logical text (000 + '@'-terminated entities + 999).

Layouts (the NOEMIE PS cahier des charges is not public; this follows sesamviewer's assembler, the program
the spec XML comes from, and [PSM1] which reads files as one long line):
- LINE: the logical text as is, optionally followed by one line end.
- BLOCKS: 128-byte physical blocks. Block 1 is the 000 header, the last block is the 999 trailer, both
  whole. Every block in between starts with a continuation flag, '0' when more data blocks follow and
  '1' on the last data block, followed by 127 characters of entity text. Entities run across blocks; the
  last data block is padded with spaces.
- BLOCK_LINES: the same blocks, each followed by LF or CRLF; trailing spaces of a line may have been
  stripped by a text editor, so short lines are padded back to 128.
- TEXT_LINES (read only): other line-broken text (e.g. one entity per line) is joined without its line ends.

Offsets: `Logical.physical(pos)` maps a position of the logical text to the byte offset in the file, so that
every error names the byte where the problem is.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import partial
from typing import Callable

from core.errors import FormatError
from core.formats.noemie.model import Layout

__all__ = ["BLOCK", "Logical", "readings", "to_physical"]

BLOCK = 128
_DATA = BLOCK - 1  # entity characters per data block


@dataclass(frozen=True)
class Logical:
    text: str
    layout: Layout
    # sorted (logical start, physical start) pairs; empty = identity mapping
    segments: tuple[tuple[int, int], ...] = ()
    starts: tuple[int, ...] = ()

    @classmethod
    def mapped(cls, text: str, layout: Layout, segments: list[tuple[int, int]]) -> "Logical":
        return cls(text, layout, tuple(segments), tuple(s for s, _ in segments))

    def physical(self, pos: int) -> int:
        if not self.segments:
            return pos
        i = bisect_right(self.starts, pos) - 1
        if i < 0:
            return pos
        lstart, pstart = self.segments[i]
        return pstart + (pos - lstart)


def _text(data: bytes) -> str:
    return data.decode("latin-1")  # one byte per character: offsets stay exact, any byte decodes


def _looks_like_blocks(data: bytes) -> bool:
    """Whole 128-byte blocks, a 999 last block and a continuation flag where the first data block starts.
    A long line can look like this by chance (entity codes start with 0 or 1), so the reader also tries
    the long-line reading."""
    n = len(data)
    # 000 + 999 alone (256 bytes) is the same in both layouts: call it a long line
    return (n > 2 * BLOCK and n % BLOCK == 0 and data[n - BLOCK:n - BLOCK + 3] == b"999"
            and data[BLOCK:BLOCK + 1] in (b"0", b"1"))


def _from_blocks(blocks: list[bytes], starts: list[int], layout: Layout) -> Logical:
    """blocks: each 128 bytes; starts: physical offset of each block."""
    header, trailer, data_blocks = blocks[0], blocks[-1], blocks[1:-1]
    segments = [(0, starts[0])]
    parts = [header]
    pos = BLOCK
    for k, (block, start) in enumerate(zip(data_blocks, starts[1:-1])):
        flag = block[:1]
        last = k == len(data_blocks) - 1
        if flag != (b"1" if last else b"0"):
            where = "dernier bloc de données" if last else "bloc de données"
            expected = "1" if last else "0"
            raise FormatError(
                f"Indicateur de suite invalide ({flag.decode('latin-1')!r}, « {expected} » attendu pour un "
                f"{where}) à l'octet {start}.",
                log=f"NOEMIE: bad continuation flag {flag!r} at byte {start}", offset=start)
        chunk = block[1:].rstrip(b" ") if last else block[1:]
        segments.append((pos, start + 1))
        parts.append(chunk)
        pos += len(chunk)
    segments.append((pos, starts[-1]))
    parts.append(trailer)
    return Logical.mapped(_text(b"".join(parts)), layout, segments)


def _split_blocks(data: bytes) -> Logical:
    blocks = [data[i:i + BLOCK] for i in range(0, len(data), BLOCK)]
    return _from_blocks(blocks, list(range(0, len(data), BLOCK)), Layout.BLOCKS)


def _from_lines(data: bytes) -> Logical:
    lines: list[tuple[bytes, int]] = []
    start = 0
    for line in data.split(b"\n"):
        lines.append((line[:-1] if line.endswith(b"\r") else line, start))
        start += len(line) + 1
    while lines and not lines[-1][0].strip(b" "):
        lines.pop()
    if not lines:
        raise FormatError("Fichier vide (octet 0).", log="NOEMIE: empty file", offset=0)
    if len(lines) == 1:
        return Logical(_text(lines[0][0]), Layout.LINE)
    if all(len(text) <= BLOCK for text, _ in lines) and lines[-1][0][:3] == b"999":
        blocks = [text.ljust(BLOCK, b" ") for text, _ in lines]
        if len(lines) == 2 or blocks[1][:1] in (b"0", b"1"):
            return _from_blocks(blocks, [s for _, s in lines], Layout.BLOCK_LINES)
    joined = []
    segments = []
    pos = 0
    for text, start in lines:
        segments.append((pos, start))
        joined.append(text)
        pos += len(text)
    return Logical.mapped(_text(b"".join(joined)), Layout.TEXT_LINES, segments)


def readings(data: bytes) -> list[Callable[[], Logical]]:
    """Plausible logical readings of the bytes, most plausible first. Each one may raise FormatError
    (e.g. a bad continuation flag); the reader keeps the first that parses."""
    if not data.strip(b" \r\n"):
        raise FormatError("Fichier vide (octet 0).", log="NOEMIE: empty file", offset=0)
    body = data[:-2] if data.endswith(b"\r\n") else data[:-1] if data.endswith(b"\n") else data
    line = partial(Logical, _text(body), Layout.LINE)
    if b"\n" in body:
        return [partial(_from_lines, data)]
    if _looks_like_blocks(body):
        return [partial(_split_blocks, body), line]
    return [line]


def to_physical(text: str, layout: Layout, newline: bytes = b"\n") -> bytes:
    """Logical text -> bytes in the chosen layout. `text` is 000 (128) + entities + 999 (128)."""
    raw = text.encode("latin-1")
    if layout is Layout.LINE:
        return raw
    if layout not in (Layout.BLOCKS, Layout.BLOCK_LINES):
        raise ValueError(f"cannot write layout {layout}")
    header, body, trailer = raw[:BLOCK], raw[BLOCK:-BLOCK], raw[-BLOCK:]
    blocks = [header]
    n = (len(body) + _DATA - 1) // _DATA
    for k in range(n):
        chunk = body[k * _DATA:(k + 1) * _DATA]
        blocks.append((b"1" if k == n - 1 else b"0") + chunk.ljust(_DATA, b" "))
    blocks.append(trailer)
    if layout is Layout.BLOCKS:
        return b"".join(blocks)
    return newline.join(blocks) + newline
