"""B2 reader: `read_b2(bytes) -> B2Document`, strict, with the byte offset of the first fault.

Framing: records of 128 ASCII characters laid end to end (what `write_b2` produces). Files whose records
are each followed by LF or CR LF (someone opened it in an editor) are accepted too, as is one final line
ending. Anything else (a record of the wrong length, a truncated end, a non-printable byte, an unknown
record type, a non-numeric amount, a record out of place, counts or totals that disagree with the
lines) raises `FormatError` with `.offset` set.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Callable

from core.errors import FormatError
from core.formats.b2.codec import decode
from core.formats.b2.spec import INVOICE_KEY_FIELDS, RECORD_LENGTH, RECORDS, RecordSpec
from core.formats.b2.tree import B2Document, B2InvoiceNode, B2LineNode, B2LotNode, B2Record

__all__ = ["read_b2"]

_EOL = (b"\r\n", b"\n")
_NON_PRINTABLE = re.compile(rb"[^\x20-\x7e]")


def _error(offset: int, why_fr: str, why_en: str, code: str = "b2.structure") -> FormatError:
    return FormatError(f"Fichier B2 invalide à l'octet {offset} : {why_fr}.",
                       log=f"B2 read at byte {offset}: {why_en}", code=code, offset=offset)


def read_b2(data: bytes) -> B2Document:
    """Parse and check a whole B2 file."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise FormatError("Fichier B2 invalide : contenu binaire attendu.", log="B2 read: not bytes",
                          code="b2.type", offset=0)
    data = bytes(data)
    records = [_parse_record(offset, chunk) for offset, chunk in _split(data)]
    return _Builder(records, len(data)).document()


def _split(data: bytes) -> list[tuple[int, bytes]]:
    """Cut the file into (offset, 128-byte record) pairs, checking framing and charset."""
    size = len(data)
    if size == 0:
        raise _error(0, "fichier vide", "empty file")
    separator = b""
    if size > RECORD_LENGTH and data[RECORD_LENGTH] in b"\r\n":
        separator = b"\r\n" if data[RECORD_LENGTH:RECORD_LENGTH + 2] == b"\r\n" else b"\n"
    elif data.endswith(_EOL):  # one final line ending after block records
        size -= 2 if data.endswith(b"\r\n") else 1
    chunks: list[tuple[int, bytes]] = []
    pos = 0
    while pos < size:
        chunk = data[pos:min(pos + RECORD_LENGTH, size)]
        bad = _NON_PRINTABLE.search(chunk)
        line_end = bad is not None and chunk[bad.start()] in b"\r\n"
        if line_end or len(chunk) < RECORD_LENGTH:
            length = bad.start() if line_end else len(chunk)
            raise _error(pos, f"enregistrement de {length} caractères au lieu de {RECORD_LENGTH}",
                         f"record of {length} bytes instead of {RECORD_LENGTH}", "b2.length")
        if bad is not None:
            byte = chunk[bad.start()]
            raise _error(pos + bad.start(), f"caractère non autorisé (octet 0x{byte:02X})",
                         f"non printable-ASCII byte 0x{byte:02X}", "b2.charset")
        chunks.append((pos, chunk))
        pos += RECORD_LENGTH
        if separator:
            if data.startswith(separator, pos):
                pos += len(separator)
            elif pos < size:
                raise _error(pos, f"fin de ligne attendue après {RECORD_LENGTH} caractères",
                             "record longer than 128 bytes", "b2.length")
    return chunks


def _kind_of(offset: int, text: str) -> str:
    if text.startswith("000"):
        return "000"
    if text.startswith("999"):
        return "999"
    first = text[0]
    if first in "156":
        return first
    if first in "24":
        complement = text[35]
        if complement == " ":
            return first
        if first == "4" and complement == "F":
            return "4F"
        raise _error(offset, f"type d'enregistrement « {first}{complement} » non pris en charge",
                     f"unsupported record type {first}{complement}", "b2.record_type")
    raise _error(offset, f"type d'enregistrement inconnu « {text[:3].rstrip()} »",
                 f"unknown record type {text[:3]!r}", "b2.record_type")


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A layout turned into one regex (validates every zone in a single C call) and one itemgetter."""

    spec: RecordSpec
    pattern: re.Pattern[str]
    getter: Callable[[str], tuple[str, ...]]
    texts: tuple[int, ...]
    ints: tuple[int, ...]
    codes: tuple[int, ...]
    dates: tuple[int, ...]


def _compile(spec: RecordSpec) -> _Compiled:
    parts = []
    groups: dict[str, list[int]] = {"AB": [], "NM": [], "C": [], "D": []}
    for i, f in enumerate(spec.fields):
        w = f.width
        if f.kind == "K":
            parts.append(re.escape(f.const))
        elif f.kind in "NM":
            parts.append(f"[0-9]{{{w}}}")
        elif f.kind in "CD":
            parts.append(f"(?:[0-9]{{{w}}}| {{{w}}})")
        elif f.kind == "L":
            parts.append("[0-9A-Z]{3}")
        else:
            parts.append(f".{{{w}}}")
        for group, indexes in groups.items():
            if f.kind in group:
                indexes.append(i)
    getter = operator.itemgetter(*(slice(f.start - 1, f.end) for f in spec.fields))
    return _Compiled(spec, re.compile("".join(parts), re.DOTALL), getter, tuple(groups["AB"]),
                     tuple(groups["NM"]), tuple(groups["C"]), tuple(groups["D"]))


_COMPILED = {kind: _compile(spec) for kind, spec in RECORDS.items()}


def _parse_record(offset: int, chunk: bytes) -> B2Record:
    text = chunk.decode("ascii")
    kind = _kind_of(offset, text)
    compiled = _COMPILED[kind]
    if compiled.pattern.fullmatch(text) is None:
        _raise_first_fault(compiled.spec, text, offset)
    values = list(compiled.getter(text))
    for i in compiled.texts:
        values[i] = values[i].rstrip(" ")
    for i in compiled.ints:
        values[i] = int(values[i])
    for i in compiled.codes:
        if values[i][0] == " ":
            values[i] = ""
    fields = compiled.spec.fields
    for i in compiled.dates:
        f = fields[i]
        values[i] = decode(f, values[i], kind, offset + f.start - 1)
    return B2Record(kind, offset, text, tuple(values))


def _raise_first_fault(spec: RecordSpec, text: str, offset: int) -> None:
    """Slow path: decode zone by zone so that the error names the faulty zone and its offset."""
    for f in spec.fields:
        decode(f, text[f.start - 1:f.end], spec.kind, offset + f.start - 1)
    raise _error(offset, f"enregistrement {spec.kind} mal formé", f"malformed record {spec.kind}")


class _Builder:
    """Recursive descent over the flat record list; checks order, invoice keys and totals."""

    def __init__(self, records: list[B2Record], size: int) -> None:
        self.records = records
        self.size = size
        self.i = 0

    def _peek(self) -> str | None:
        return self.records[self.i].kind if self.i < len(self.records) else None

    def _take(self, kind: str, expected: str) -> B2Record:
        if self.i >= len(self.records):
            raise _error(self.size, f"fichier tronqué, enregistrement {expected} attendu",
                         f"truncated file, expected {expected}")
        record = self.records[self.i]
        if record.kind != kind:
            raise _error(record.offset, f"enregistrement {record.kind} inattendu ici (attendu : {expected})",
                         f"record {record.kind} out of place, expected {expected}")
        self.i += 1
        return record

    def document(self) -> B2Document:
        header = self._take("000", "000 (début de fichier)")
        lots = []
        while self._peek() == "1":
            lots.append(self._lot())
        if not lots:
            self._take("1", "1 (début de lot)")
        trailer = self._take("999", "1 (début de lot) ou 999 (fin de fichier)")
        if self.i < len(self.records):
            raise _error(self.records[self.i].offset, "enregistrement après la fin de fichier (999)",
                         "record after 999")
        _expect(trailer, "lot_count", len(lots))
        _expect(trailer, "record_count", len(self.records))
        for key in ("emitter_number", "recipient_number", "file_id"):
            _expect(trailer, key, header[key])
        return B2Document(header, tuple(lots), trailer)

    def _lot(self) -> B2LotNode:
        header = self._take("1", "1")
        invoices = []
        while self._peek() == "2":
            invoices.append(self._invoice(header))
        trailer = self._take("6", "2 (début facture) ou 6 (fin de lot)")
        totals = [sum(inv.totals[k] for inv in invoices) for k in ("total_amount", "total_ro", "total_rc")]
        _expect(trailer, "ps_number", header["ps_number"])
        _expect(trailer, "lot_number", header["lot_number"])
        _expect(trailer, "invoice_count", len(invoices))
        _expect(trailer, "line_count", sum(len(inv.lines) for inv in invoices))
        _expect(trailer, "type2_count", len(invoices))
        _expect(trailer, "type5_count", len(invoices))
        _expect(trailer, "total_amount", totals[0])
        _expect(trailer, "total_ro", totals[1])
        _expect(trailer, "total_rc", totals[2])
        return B2LotNode(header, tuple(invoices), trailer)

    def _invoice(self, lot_header: B2Record) -> B2InvoiceNode:
        header = self._take("2", "2")
        _expect(header, "ps_number", lot_header["ps_number"])
        lines = []
        while self._peek() == "4":
            line = self._take("4", "4")
            lpp = self._take("4F", "4F") if self._peek() == "4F" else None
            if lpp is not None:
                _expect(lpp, "sequence", line["sequence"])
            lines.append(B2LineNode(line, lpp))
        totals = self._take("5", "4 (prestation) ou 5 (totalisation facture)")
        for node in lines:
            for record in node.records():
                _same_invoice(record, header)
        _same_invoice(totals, header)
        amount = sum(n.line["amount"] for n in lines)
        ro = sum(n.line["ro_amount"] for n in lines)
        _expect(totals, "type4_count", sum(2 if n.lpp else 1 for n in lines))
        _expect(totals, "total_amount", amount)
        _expect(totals, "total_ro", ro)
        _expect(totals, "total_rc", sum(n.line["rc_amount"] for n in lines))
        _expect(totals, "total_patient", amount - ro)
        return B2InvoiceNode(header, tuple(lines), totals)


def _same_invoice(record: B2Record, header: B2Record) -> None:
    if record.text[1:35] == header.text[1:35]:  # zones 2-35: PS, NIR, clé, n° facture
        return
    for key in INVOICE_KEY_FIELDS:
        if record[key] != header[key]:
            f = record.field(key)
            raise _error(record.field_offset(key),
                         f"zone « {f.name} » ({record.kind}) différente de celle de la facture ({header[key]})",
                         f"{record.kind}.{key} {record[key]!r} differs from invoice header {header[key]!r}",
                         "b2.invoice_key")


def _expect(record: B2Record, key: str, expected: object) -> None:
    """Counts and totals: the zone must hold what the records below it add up to."""
    value = record[key]
    if value != expected:
        f = record.field(key)
        raise _error(record.field_offset(key),
                     f"zone « {f.name} » (enregistrement {record.kind}) vaut {value}, attendu {expected}",
                     f"{record.kind}.{key} is {value!r}, expected {expected!r}", "b2.totals")
