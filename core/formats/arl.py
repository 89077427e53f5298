"""ARL (accusé de réception logique) files: Lunetier's demonstration ARL layout, version 01.

The real ARL record layout is not public (DOMAIN.md 7.3: the engine decodes it with SSV_TraduireARL).
This layout is Lunetier's own, used between the shop and the simulated caisse only. It borrows the B2
conventions (fixed 128-character ASCII records) and carries what the shop needs to move a lot's state:
which file and lot it answers, the verdict, a code and a label ("Code: 4025 ...").

One ARL file answers one lot (Lunetier writes one lot per B2 file). Three records, each followed by LF
(CR LF accepted on read):

    A0 header   1-2 "A0" | 3-10 "LUNARL01" | 11-12 emitter type (CT centre de traitement, OC AMC)
                13-26 emitter number (régime+organisme+centre informatique, or AMC number)
                27-35 PS number (n° de facturation, 9 digits) | 36-43 ARL id (8 digits)
                44-51 date AAAAMMJJ | 52-57 time HHMMSS | 58-63 B2 file id (6 digits)
                64-103 B2 file name | 104 marking (D démonstration, T tests) | 105-128 blank
    A1 lot      1-2 "A1" | 3-5 lot number | 6-8 AMO/AMC | 9 verdict (see ArlVerdict) | 10-13 code
                14-16 invoice count | 17-76 label | 77-128 blank
    A9 trailer  1-2 "A9" | 3-8 record count (3) | 9-16 ARL id again | 17-128 blank

Text zones are ASCII: accents are folded on write. Any fault on read raises FormatError with the byte
offset of the faulty zone.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from core.errors import FormatError

__all__ = ["ArlVerdict", "ArlFile", "write_arl", "read_arl", "is_arl", "MAGIC", "RECORD_LENGTH"]

RECORD_LENGTH = 128
MAGIC = b"A0LUNARL01"


class ArlVerdict(str, Enum):
    """What the counterpart says about a lot. Codes are Lunetier's (INFERRED: no public layout)."""

    POSITIF = "P"        # file conforms: "ARL positif reçu"
    NEGATIF = "N"        # file does not conform, re-emit: "ARL négatif reçu"
    REJET = "R"          # lot refused: "Lot rejeté"
    ACHEMINE = "A"       # transport notice, the lot reached its organism: "Lot Acheminé"
    PROVISOIRE = "V"     # provisional acknowledgement: "AR Provisoire"
    NON_REMISE = "X"     # non-delivery notice: "Avis de non remise"

    @property
    def label_fr(self) -> str:
        return _LABELS[self]


_LABELS = {
    ArlVerdict.POSITIF: "ARL positif", ArlVerdict.NEGATIF: "ARL négatif", ArlVerdict.REJET: "Lot rejeté",
    ArlVerdict.ACHEMINE: "Lot acheminé", ArlVerdict.PROVISOIRE: "AR provisoire",
    ArlVerdict.NON_REMISE: "Avis de non remise",
}


@dataclass(frozen=True, slots=True)
class ArlFile:
    ps_number: str            # recipient: the PS's n° de facturation, 9 digits
    emitter_number: str       # "01349000" (régime + organisme + centre informatique) or an AMC number
    arl_id: int               # the counterpart's own sequence, 0..99 999 999
    created: datetime
    b2_file_id: int           # the answered B2 file's "Identification du fichier"
    b2_file_name: str         # the answered file's name in the mailbox
    lot_number: str           # "025", "AAE"
    lot_kind: str             # "AMO" | "AMC"
    verdict: ArlVerdict
    code: str = "0000"        # up to 4 characters [0-9A-Z]
    label: str = ""           # up to 60 characters (longer is cut)
    invoice_count: int = 0
    emitter_type: str = "CT"  # CT (centre de traitement AMO) | OC (organisme complémentaire)
    marking: str = "D"        # D démonstration | T tests

    @property
    def libelle(self) -> str:
        """The manual's "Libellé ARL/RSP" text: "Code: 4025 LIBELLE"."""
        return f"Code: {self.code} {self.label}".rstrip()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _fail(message_fr: str, log: str, code: str, offset: int | None = None) -> FormatError:
    return FormatError(message_fr, log=f"ARL: {log}", code=code, offset=offset)


def _alpha(value: object, width: int, zone: str, *, cut: bool = False) -> str:
    text = " ".join(_fold(str(value)).split())
    if not all(0x20 <= ord(c) <= 0x7E for c in text):
        raise _fail(f"ARL : zone « {zone} » contient des caractères non autorisés.", f"bad chars in {zone}",
                    "arl.charset")
    if len(text) > width:
        if not cut:
            raise _fail(f"ARL : zone « {zone} » trop longue ({len(text)} > {width}).", f"{zone} too long",
                        "arl.width")
        text = text[:width]
    return text.ljust(width)


def _num(value: object, width: int, zone: str) -> str:
    if type(value) is not int or value < 0 or value >= 10 ** width:
        raise _fail(f"ARL : zone « {zone} » : entier de {width} chiffres au plus attendu, reçu « {value} ».",
                    f"{zone} out of range: {value!r}", "arl.number")
    return f"{value:0{width}d}"


_LOT_RE = re.compile(r"[0-9A-Z]{3}")
_CODE_RE = re.compile(r"[0-9A-Z]{1,4}")
_PS_RE = re.compile(r"[0-9]{9}")


def write_arl(arl: ArlFile) -> bytes:
    """The three records of `arl`, or FormatError naming the first value that does not fit."""
    if not isinstance(arl.verdict, ArlVerdict):
        raise _fail("ARL : verdict inconnu.", f"bad verdict {arl.verdict!r}", "arl.verdict")
    if not _LOT_RE.fullmatch(str(arl.lot_number)):
        raise _fail(f"ARL : n° de lot « {arl.lot_number} » invalide.", f"bad lot {arl.lot_number!r}", "arl.lot")
    if arl.lot_kind not in ("AMO", "AMC"):
        raise _fail(f"ARL : type de lot « {arl.lot_kind} » invalide.", f"bad kind {arl.lot_kind!r}", "arl.kind")
    if not _CODE_RE.fullmatch(str(arl.code)):
        raise _fail(f"ARL : code « {arl.code} » invalide (4 caractères au plus).", f"bad code {arl.code!r}",
                    "arl.code")
    if not _PS_RE.fullmatch(str(arl.ps_number)):
        raise _fail(f"ARL : n° de PS « {arl.ps_number} » invalide (9 chiffres).", f"bad PS {arl.ps_number!r}",
                    "arl.ps")
    if arl.emitter_type not in ("CT", "OC") or arl.marking not in ("D", "T"):
        raise _fail("ARL : type d'émetteur ou marquage invalide.", "bad emitter type or marking", "arl.header")
    header = ("A0" + MAGIC[2:].decode() + arl.emitter_type + _alpha(arl.emitter_number, 14, "émetteur")
              + arl.ps_number + _num(arl.arl_id, 8, "n° d'ARL") + arl.created.strftime("%Y%m%d%H%M%S")
              + _num(arl.b2_file_id, 6, "n° de fichier B2") + _alpha(arl.b2_file_name, 40, "nom du fichier B2")
              + arl.marking).ljust(RECORD_LENGTH)
    lot = ("A1" + arl.lot_number + arl.lot_kind + arl.verdict.value + str(arl.code).ljust(4)
           + _num(arl.invoice_count, 3, "nombre de factures")
           + _alpha(arl.label, 60, "libellé", cut=True)).ljust(RECORD_LENGTH)
    trailer = ("A9" + _num(3, 6, "nombre d'enregistrements") + _num(arl.arl_id, 8, "n° d'ARL")).ljust(RECORD_LENGTH)
    return (header + "\n" + lot + "\n" + trailer + "\n").encode("ascii")


def is_arl(data: bytes) -> bool:
    """True when `data` starts like a Lunetier ARL (cheap sniffing for the inbox dispatcher)."""
    return bytes(data[:len(MAGIC)]) == MAGIC


def _records(data: bytes) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            raise _fail(f"ARL invalide à l'octet {pos} : enregistrement sans fin de ligne.",
                        f"record at {pos} without LF", "arl.length", pos)
        raw = data[pos:end]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if len(raw) != RECORD_LENGTH:
            raise _fail(f"ARL invalide à l'octet {pos} : enregistrement de {len(raw)} caractères au lieu de "
                        f"{RECORD_LENGTH}.", f"record at {pos} has {len(raw)} bytes", "arl.length", pos)
        for i, byte in enumerate(raw):
            if not 0x20 <= byte <= 0x7E:
                raise _fail(f"ARL invalide à l'octet {pos + i} : caractère non autorisé (0x{byte:02X}).",
                            f"non printable byte 0x{byte:02X} at {pos + i}", "arl.charset", pos + i)
        out.append((pos, raw.decode("ascii")))
        pos = end + 1
    return out


def _zone(rec: tuple[int, str], start: int, end: int) -> tuple[int, str]:
    """(byte offset, text) of the 1-based inclusive zone start..end."""
    return rec[0] + start - 1, rec[1][start - 1:end]


def _int(rec: tuple[int, str], start: int, end: int, zone: str) -> int:
    offset, text = _zone(rec, start, end)
    if not (text.isascii() and text.isdigit()):
        raise _fail(f"ARL invalide à l'octet {offset} : zone « {zone} » non numérique (« {text} »).",
                    f"{zone} not numeric at {offset}: {text!r}", "arl.number", offset)
    return int(text)


def read_arl(data: bytes) -> ArlFile:
    """Parse and check a whole ARL file (FormatError with .offset on the first fault)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _fail("ARL invalide : contenu binaire attendu.", "not bytes", "arl.type", 0)
    data = bytes(data)
    if not data:
        raise _fail("ARL invalide : fichier vide.", "empty file", "arl.empty", 0)
    if not is_arl(data):
        raise _fail("Fichier non reconnu : ce n'est pas un ARL Lunetier (en-tête « A0LUNARL01 » absent).",
                    "missing A0LUNARL01 magic", "arl.magic", 0)
    records = _records(data)
    expected = ("A0", "A1", "A9")
    for i, (offset, text) in enumerate(records):
        if i >= len(expected) or text[:2] != expected[i]:
            raise _fail(f"ARL invalide à l'octet {offset} : enregistrement « {text[:2]} » inattendu "
                        "(A0, A1, A9 attendus dans cet ordre).", f"unexpected record {text[:2]!r} at {offset}",
                        "arl.structure", offset)
    if len(records) < len(expected):
        raise _fail(f"ARL invalide à l'octet {len(data)} : fichier tronqué (A0, A1, A9 attendus).",
                    "truncated file", "arl.structure", len(data))
    head, lot, trailer = records
    emitter_type = _zone(head, 11, 12)[1]
    if emitter_type not in ("CT", "OC"):
        raise _fail(f"ARL invalide à l'octet {head[0] + 10} : type d'émetteur « {emitter_type} ».",
                    f"bad emitter type {emitter_type!r}", "arl.header", head[0] + 10)
    ps_offset, ps_number = _zone(head, 27, 35)
    if not _PS_RE.fullmatch(ps_number):
        raise _fail(f"ARL invalide à l'octet {ps_offset} : n° de PS « {ps_number} ».", f"bad PS {ps_number!r}",
                    "arl.ps", ps_offset)
    stamp_offset, stamp = _zone(head, 44, 57)
    try:
        created = datetime.strptime(stamp, "%Y%m%d%H%M%S")
    except ValueError:
        raise _fail(f"ARL invalide à l'octet {stamp_offset} : date « {stamp} ».", f"bad date {stamp!r}",
                    "arl.date", stamp_offset) from None
    marking_offset, marking = _zone(head, 104, 104)
    if marking not in ("D", "T"):
        raise _fail(f"ARL invalide à l'octet {marking_offset} : marquage « {marking} » (D ou T attendu).",
                    f"bad marking {marking!r}", "arl.marking", marking_offset)
    lot_offset, lot_number = _zone(lot, 3, 5)
    if not _LOT_RE.fullmatch(lot_number):
        raise _fail(f"ARL invalide à l'octet {lot_offset} : n° de lot « {lot_number} ».",
                    f"bad lot {lot_number!r}", "arl.lot", lot_offset)
    kind_offset, kind = _zone(lot, 6, 8)
    if kind not in ("AMO", "AMC"):
        raise _fail(f"ARL invalide à l'octet {kind_offset} : type de lot « {kind} ».", f"bad kind {kind!r}",
                    "arl.kind", kind_offset)
    verdict_offset, verdict = _zone(lot, 9, 9)
    try:
        parsed_verdict = ArlVerdict(verdict)
    except ValueError:
        raise _fail(f"ARL invalide à l'octet {verdict_offset} : verdict « {verdict} » inconnu.",
                    f"bad verdict {verdict!r}", "arl.verdict", verdict_offset) from None
    code_offset, code = _zone(lot, 10, 13)
    if not _CODE_RE.fullmatch(code.rstrip()):
        raise _fail(f"ARL invalide à l'octet {code_offset} : code « {code} ».", f"bad code {code!r}",
                    "arl.code", code_offset)
    arl_id = _int(head, 36, 43, "n° d'ARL")
    if _int(trailer, 3, 8, "nombre d'enregistrements") != 3:
        raise _fail(f"ARL invalide à l'octet {trailer[0] + 2} : nombre d'enregistrements incohérent.",
                    "record count != 3", "arl.totals", trailer[0] + 2)
    if _int(trailer, 9, 16, "n° d'ARL") != arl_id:
        raise _fail(f"ARL invalide à l'octet {trailer[0] + 8} : n° d'ARL différent de l'en-tête.",
                    "trailer ARL id differs", "arl.totals", trailer[0] + 8)
    return ArlFile(
        ps_number=ps_number,
        emitter_number=_zone(head, 13, 26)[1].rstrip(),
        arl_id=arl_id,
        created=created,
        b2_file_id=_int(head, 58, 63, "n° de fichier B2"),
        b2_file_name=_zone(head, 64, 103)[1].rstrip(),
        lot_number=lot_number,
        lot_kind=kind,
        verdict=parsed_verdict,
        code=code.rstrip(),
        label=_zone(lot, 17, 76)[1].rstrip(),
        invoice_count=_int(lot, 14, 16, "nombre de factures"),
        emitter_type=emitter_type,
        marking=marking,
    )
