"""Test-side B2 interpreter, independent of core.formats.b2: it reads shared/specs/b2.xml at run time
and decodes a B2 file field by field purely from the XML's positions, lengths and types.

Locating the spec: env LUNETIER_SPECS_DIR, else a `shared/specs/` folder next to the repository root or
one of its parents. Tests that need it call `require_spec()`, which skips with a clear reason when absent.

The XML carries two typos, repaired here the obvious way (and documented in core/formats/b2/spec.py):
a start written "2O" (letter O) and a start greater than its end (record 6: start 53, end 51), read as
"right after the previous zone".
Decoded values: type N -> int (None when blank, the raw text when not digits); A and F -> text with
trailing spaces removed.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RECORD_LENGTH = 128


def specs_dir() -> Path | None:
    env = os.environ.get("LUNETIER_SPECS_DIR")
    if env:
        return Path(env) if (Path(env) / "b2.xml").is_file() else None
    for folder in (REPO_ROOT, *REPO_ROOT.parents):
        candidate = folder / "shared" / "specs"
        if (candidate / "b2.xml").is_file():
            return candidate
    return None


def require_spec() -> Path:
    folder = specs_dir()
    if folder is None:
        pytest.skip("shared/specs/b2.xml not found (set LUNETIER_SPECS_DIR to the folder holding it)")
    return folder / "b2.xml"


@dataclass(frozen=True)
class Segment:
    name: str
    start: int
    end: int
    type: str          # N, A or F
    valeur: str
    pkey: bool


@dataclass(frozen=True)
class Layout:
    name: str          # "Type 4F"
    description: str
    norme: str | None  # "CP  " for the établissement variants, None for the general ones
    segments: tuple[Segment, ...]

    @property
    def type_segment(self) -> Segment:
        return self.segments[0]

    @property
    def complement(self) -> Segment | None:
        """The key segment that tells sibling layouts apart ("Complément du type" = 'F'...)."""
        for seg in self.segments[1:]:
            if seg.pkey and seg.valeur:
                return seg
        return None


@dataclass(frozen=True)
class DecodedField:
    name: str
    start: int
    end: int
    type: str
    raw: str
    value: object


@dataclass(frozen=True)
class DecodedRecord:
    layout: str
    description: str
    fields: tuple[DecodedField, ...]

    def at(self, start: int) -> object:
        for f in self.fields:
            if f.start == start:
                return f.value
        raise KeyError(start)


def _position(text: str) -> int:
    return int(text.replace("O", "0"))


def load_layouts(path: Path) -> list[Layout]:
    layouts = []
    for ligne in ET.parse(path).getroot().iter("ligne"):
        segments: list[Segment] = []
        norme = None
        previous_end = 0
        for seg in ligne.iter("segment"):
            if seg.get("type") == "V":
                norme = seg.get("valeur")
                continue
            start, end = _position(seg.get("start")), _position(seg.get("end"))
            if start > end:
                start = previous_end + 1
            segments.append(Segment(seg.get("name"), start, end, seg.get("type"), seg.get("valeur") or "",
                                    seg.get("pkey") == "O"))
            previous_end = end
        layouts.append(Layout(ligne.get("name"), ligne.get("description"), norme, tuple(segments)))
    return layouts


class Interpreter:
    def __init__(self, xml_path: Path) -> None:
        self.layouts = load_layouts(xml_path)
        header = next(layout for layout in self.layouts if layout.name == "Type 0")
        self._norme_segment = next(s for s in header.segments if s.name == "Norme")

    def layout(self, name: str, norme: str | None = None) -> Layout:
        return next(layout for layout in self.layouts if layout.name == name and layout.norme == norme)

    def decode(self, data: bytes) -> list[DecodedRecord]:
        assert len(data) % RECORD_LENGTH == 0, "B2 data is not a whole number of 128-byte records"
        text = data.decode("ascii")
        records = [text[i:i + RECORD_LENGTH] for i in range(0, len(text), RECORD_LENGTH)]
        seg = self._norme_segment
        norme = records[0][seg.start - 1:seg.end]
        return [self.decode_record(record, norme) for record in records]

    def identify(self, record: str, norme: str) -> Layout:
        candidates = [layout for layout in self.layouts
                      if record[layout.type_segment.start - 1:layout.type_segment.end] == layout.type_segment.valeur]
        specific = [layout for layout in candidates if layout.norme == norme]
        candidates = specific or [layout for layout in candidates if layout.norme is None]
        keyed = [layout for layout in candidates if layout.complement is not None
                 and record[layout.complement.start - 1:layout.complement.end] == layout.complement.valeur]
        plain = [layout for layout in candidates if layout.complement is None]
        chosen = keyed or plain
        if not chosen:
            raise ValueError(f"no layout in b2.xml for record {record[:40]!r}")
        return chosen[0]

    def decode_record(self, record: str, norme: str) -> DecodedRecord:
        layout = self.identify(record, norme)
        fields = []
        for seg in layout.segments:
            raw = record[seg.start - 1:seg.end]
            if seg.type == "N":
                value: object = None if not raw.strip() else int(raw) if raw.isdigit() else raw
            else:
                value = raw.rstrip()
            fields.append(DecodedField(seg.name, seg.start, seg.end, seg.type, raw, value))
        return DecodedRecord(layout.name, layout.description, tuple(fields))
