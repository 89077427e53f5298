"""Zone codec: text of one zone <-> Python value, by field kind (see entities.py)."""
from __future__ import annotations

import unicodedata
from datetime import date

from core.errors import FormatError
from core.formats.noemie.entities import FieldSpec

__all__ = ["decode", "encode", "decode_date", "encode_date", "Value"]

Value = int | str | date | None


def decode_date(raw: str) -> date | str | None:
    """AAMMJJ -> date (years 00-69 are 20xx, 70-99 are 19xx); blank/zeros -> None; impossible -> raw."""
    if not raw.strip() or raw == "000000":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) != 6:
        return raw
    yy, mm, dd = int(raw[:2]), int(raw[2:4]), int(raw[4:])
    try:
        return date((2000 if yy < 70 else 1900) + yy, mm, dd)
    except ValueError:
        return raw


def encode_date(value: date) -> str:
    return f"{value.year % 100:02d}{value.month:02d}{value.day:02d}"


def decode(spec: FieldSpec, raw: str) -> Value:
    kind = spec.kind
    if kind in ("N", "M", "V"):
        return int(raw) if raw.isascii() and raw.isdigit() else None
    if kind == "D":
        return decode_date(raw)
    if kind == "C":
        return raw.strip() or None
    if kind == "Y":
        return raw.strip() or None
    if kind == "S":
        return raw if raw in ("N", "P") else "P"
    if kind == "T":
        return raw
    return raw.rstrip()


def _ascii(text: str) -> str:
    """NOEMIE zones are plain ASCII upper-case text: drop accents rather than emit bytes readers reject."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded


def _too_long(spec: FieldSpec, text: str) -> FormatError:
    return FormatError(
        f"Valeur trop longue pour la zone « {spec.name} » ({len(text)} caractères, {spec.width} au plus).",
        log=f"NOEMIE writer: value too long for {spec.key} ({len(text)} > {spec.width})")


def _bad(spec: FieldSpec, value: object) -> FormatError:
    return FormatError(f"Valeur invalide pour la zone « {spec.name} » : {value!r}.",
                       log=f"NOEMIE writer: invalid value for {spec.key}: {value!r}")


def encode(spec: FieldSpec, value: object) -> str:
    """Python value -> zone text of exactly spec.width characters (FormatError when it cannot fit)."""
    w = spec.width
    kind = spec.kind
    if value is None:
        if kind in ("N", "M") and spec.presence == "O":
            return "0" * w
        if kind == "S":
            return "P"
        return " " * w
    if kind in ("N", "M", "V"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _bad(spec, value)
        text = str(value).zfill(w)
        if len(text) > w:
            raise _too_long(spec, text)
        return text
    if kind == "D":
        if isinstance(value, date):
            return encode_date(value)
        if isinstance(value, str) and len(value) == w:
            return value
        raise _bad(spec, value)
    if kind == "C":
        text = str(value).strip()
        if isinstance(value, int) or text.isdigit():
            text = text.zfill(w)
        elif text:
            raise _bad(spec, value)
        if len(text) > w:
            raise _too_long(spec, text)
        return text.ljust(w)
    if kind == "S":
        if value in ("N", "P"):
            return str(value)
        raise _bad(spec, value)
    if kind == "T":
        text = getattr(value, "value", value)
        if text in ("P", "R", "D", " ", ""):
            return str(text) or " "
        raise _bad(spec, value)
    if not isinstance(value, str):
        raise _bad(spec, value)
    text = _ascii(value)
    if "@" in text or "\n" in text or "\r" in text:
        raise _bad(spec, value)  # '@' ends an entity; line ends would break the block layouts
    if len(text) > w:
        raise _too_long(spec, text)
    return text.ljust(w)
