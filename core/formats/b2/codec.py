"""Encoding and decoding of single B2 zones (one FieldSpec at a time).

Shared by the writer and the reader so that both sides agree on padding, dates and the error wording.
Every refusal is a `FormatError` naming the zone (French label + record kind) for the user, and the
English key for the logs.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from core.errors import FormatError
from core.formats.b2.spec import FieldSpec

__all__ = ["encode", "decode", "fold_ascii", "is_printable_ascii"]

_LOT_RE = re.compile(r"[0-9A-Z]{3}")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def is_printable_ascii(text: str) -> bool:
    return _PRINTABLE.fullmatch(text) is not None


def fold_ascii(text: str) -> str:
    """'Opticien Saint-Étienne' -> 'Opticien Saint-Etienne': B2 zones are plain ASCII."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _where(kind: str, context: str) -> str:
    return f"enregistrement {kind}" + (f", {context}" if context else "")


def _refuse(f: FieldSpec, kind: str, context: str, why_fr: str, why_en: str, value: object,
            code: str) -> FormatError:
    return FormatError(
        f"Zone « {f.name} » ({_where(kind, context)}) : {why_fr}.",
        log=f"B2 write: {kind}.{f.key} ({context or '-'}): {why_en}: {value!r}",
        code=code,
    )


def encode(f: FieldSpec, value: object, kind: str, context: str = "") -> str:
    """Render `value` into zone `f` of a record of `kind`; exactly f.width characters."""
    width = f.width
    k = f.kind
    if k == "B":
        return " " * width
    if k == "K":
        return f.const
    if k in "NM":
        if value is None:
            return "0" * width
        if type(value) is not int:
            raise _refuse(f, kind, context, f"nombre entier attendu, reçu « {value} »",
                          "integer expected", value, "b2.type")
        if value < 0:
            raise _refuse(f, kind, context, f"valeur négative interdite ({value})",
                          "negative value", value, "b2.negative")
        text = str(value)
        if len(text) > width:
            raise _refuse(f, kind, context, f"{value} ne tient pas en {width} chiffres",
                          f"overflow of {width} digits", value, "b2.overflow")
        return text.zfill(width)
    if k == "C":
        text = "" if value is None else value
        if not isinstance(text, str) or not (text == "" or (text.isascii() and text.isdigit())):
            raise _refuse(f, kind, context, f"chiffres attendus, reçu « {value} »",
                          "digits expected", value, "b2.digits")
        if len(text) > width:
            raise _refuse(f, kind, context, f"« {text} » ne tient pas en {width} chiffres",
                          f"overflow of {width} digits", value, "b2.overflow")
        return text.zfill(width)
    if k == "D":
        if value is None:
            return "0" * width
        if not isinstance(value, date) or not 2000 <= value.year <= 2099:
            raise _refuse(f, kind, context, f"date entre 2000 et 2099 attendue, reçu « {value} »",
                          "date in 2000..2099 expected", value, "b2.date")
        return f"{value.year % 100:02d}{value.month:02d}{value.day:02d}"
    if k == "L":
        if not isinstance(value, str) or not _LOT_RE.fullmatch(value):
            raise _refuse(f, kind, context, f"3 caractères [0-9A-Z] attendus, reçu « {value} »",
                          "3 characters [0-9A-Z] expected", value, "b2.lot")
        return value
    # "A": alphanumeric; None means "not given" (spaces)
    if value is None:
        return " " * width
    if not isinstance(value, str):
        raise _refuse(f, kind, context, f"texte attendu, reçu « {value} »", "text expected", value,
                      "b2.type")
    text = fold_ascii(value)
    if not is_printable_ascii(text):
        raise _refuse(f, kind, context, f"caractère non autorisé dans « {value} » (ASCII imprimable)",
                      "non printable-ASCII character", value, "b2.charset")
    if len(text) > width:
        raise _refuse(f, kind, context, f"« {value} » ne tient pas en {width} caractères",
                      f"overflow of {width} characters", value, "b2.overflow")
    return text.ljust(width)


def decode(f: FieldSpec, raw: str, kind: str, offset: int) -> object:
    """Decoded value of zone `f` whose text is `raw`; `offset` is the zone's byte offset in the file."""
    k = f.kind
    if k in "AB":
        return raw.rstrip(" ")
    if k == "K":
        if raw != f.const:
            raise _bad(f, kind, offset, f"« {f.const} » attendu, lu « {raw} »", "unexpected constant", raw)
        return raw
    if k in "NM":
        if not raw.isdigit():
            raise _bad(f, kind, offset, f"valeur numérique attendue, lu « {raw} »", "bad numeric", raw)
        return int(raw)
    if k == "C":
        if raw.strip(" ") == "":
            return ""
        if not raw.isdigit():
            raise _bad(f, kind, offset, f"chiffres attendus, lu « {raw} »", "bad numeric code", raw)
        return raw
    if k == "D":
        if raw.strip(" ") == "" or raw == "000000":
            return None
        if not raw.isdigit():
            raise _bad(f, kind, offset, f"date AAMMJJ attendue, lu « {raw} »", "bad date", raw)
        try:
            return date(2000 + int(raw[0:2]), int(raw[2:4]), int(raw[4:6]))
        except ValueError:
            raise _bad(f, kind, offset, f"date inexistante « {raw} »", "impossible date", raw) from None
    # "L"
    if not _LOT_RE.fullmatch(raw):
        raise _bad(f, kind, offset, f"n° de lot de 3 caractères [0-9A-Z] attendu, lu « {raw} »",
                   "bad lot number", raw)
    return raw


def _bad(f: FieldSpec, kind: str, offset: int, why_fr: str, why_en: str, raw: str) -> FormatError:
    return FormatError(
        f"Fichier B2 invalide à l'octet {offset} : zone « {f.name} » (enregistrement {kind}), {why_fr}.",
        log=f"B2 read: {kind}.{f.key} at byte {offset}: {why_en}: {raw!r}",
        code="b2.field",
        offset=offset,
    )
