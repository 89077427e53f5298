"""Helpers of the bordereau tests (no test here): the text of a PDF read with pikepdf alone (the embedded
font's ToUnicode map applied to the text operators), lots built through the télétransmission service."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf

from core.services.teletransmission import TeletransmissionService
from core.transport import FolderMailbox

_HEX = re.compile(r"<([0-9A-Fa-f]+)>")


def _cmap(font: pikepdf.Object) -> dict[int, str]:
    """CID -> text, from the bfchar and bfrange sections of a ToUnicode CMap."""
    text = font.ToUnicode.read_bytes().decode("latin-1")
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for line in block.strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) == 2:
                out[int(codes[0], 16)] = bytes.fromhex(codes[1]).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for line in block.strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) == 3:
                start, end, first = int(codes[0], 16), int(codes[1], 16), int(codes[2], 16)
                for offset in range(end - start + 1):
                    out[start + offset] = chr(first + offset)
    return out


def pdf_text(data: bytes | Path) -> list[str]:
    """One string per page: every Tj/TJ string decoded with its font's ToUnicode map, one per line.
    No-break spaces read as plain spaces (fpdf2 writes table cells' U+00A0 as a space)."""
    raw = data.read_bytes() if isinstance(data, Path) else data
    pages = []
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        for page in pdf.pages:
            maps = {str(name): _cmap(font) for name, font in page.obj.Resources.Font.items()}
            current: dict[int, str] = {}
            lines = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "Tf":
                    current = maps[str(operands[0])]
                elif op in ("Tj", "TJ"):
                    parts = operands[0] if op == "TJ" else [operands[0]]
                    chunk = ""
                    for part in parts:
                        if isinstance(part, pikepdf.String):
                            b = bytes(part)
                            chunk += "".join(current.get(int.from_bytes(b[i:i + 2], "big"), "?")
                                             for i in range(0, len(b) - 1, 2))
                    lines.append(chunk)
            pages.append("\n".join(lines).replace("\u00a0", " "))
    return pages


def sent_lots(ctx, tmp_path: Path) -> tuple[TeletransmissionService, list[int]]:
    """Run "Télétransmettre Auto" on what the test built; the ids of the lots sent."""
    service = TeletransmissionService(ctx, FolderMailbox(tmp_path / "mailbox"))
    summary = service.auto()
    return service, [s.lot_id for s in summary.envoi.sent]
