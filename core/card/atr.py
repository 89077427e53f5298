"""Card classification from the ATR (DOMAIN.md 2.4, from pcsc-tools' smartcard_list.txt).

Patterns are regular expressions over the upper-case hex ATR without spaces; "[F6]9" style alternatives
come straight from the list. Vitale 2 uses the INFERRED rule of DOMAIN.md 2.4: prefix 3B 75 13 00 00, a
batch byte, then 09 EA 90 00 (or 09 FA 90 00, the "Carte VItate (HealthCare)" entry).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CardKind", "AtrInfo", "classify_atr", "ATR_TABLE", "atr_hex"]


class CardKind(StrEnum):
    VITALE_1 = "vitale1"
    VITALE_2 = "vitale2"
    CPS = "cps"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AtrInfo:
    kind: CardKind
    label_fr: str          # what the UI shows: "Carte Vitale 2", "CPS V4", "carte inconnue"
    atr: str               # "3B 75 13 00 00 45 09 EA 90 00"

    @property
    def is_vitale(self) -> bool:
        return self.kind in (CardKind.VITALE_1, CardKind.VITALE_2)

    @property
    def is_cps(self) -> bool:
        return self.kind is CardKind.CPS

    @property
    def is_known(self) -> bool:
        return self.kind is not CardKind.UNKNOWN


# (pattern, kind, label) - first match wins.
ATR_TABLE: tuple[tuple[str, CardKind, str], ...] = (
    (r"3B751300004309EA9000", CardKind.VITALE_2, "Carte Vitale 2"),
    (r"3B751300004409EA9000", CardKind.VITALE_2, "Carte Vitale 2 (avec photo)"),
    (r"3B75130000[0-9A-F]{2}09[EF]A9000", CardKind.VITALE_2, "Carte Vitale 2"),
    (r"3F652500(22|2C)09[F6]99000", CardKind.VITALE_1, "Carte Vitale 1"),
    (r"3F65250052096A9000", CardKind.VITALE_1, "Carte Vitale 1"),
    (r"3F652500A[34]096A9000", CardKind.VITALE_1, "Carte Vitale 1"),
    (r"3BAC00402A001225006480000310009000", CardKind.CPS, "CPS"),
    (r"3BAC00402A001225006480820212009000", CardKind.CPS, "CPS"),
    (r"3BDC18FF00001225006480000401009000", CardKind.CPS, "CPS V4"),
    (r"3B8F80010031B86404B0ECC1739401808290000E", CardKind.CPS, "CPS v3 sans contact"),
)
_COMPILED = tuple((re.compile(p + r"\Z"), k, label) for p, k, label in ATR_TABLE)


def atr_hex(atr: bytes) -> str:
    return " ".join(f"{b:02X}" for b in atr)


def classify_atr(atr: bytes | bytearray | list[int] | str) -> AtrInfo:
    """Classify an ATR given as bytes, a list of ints or hex text (spaces allowed). Never raises."""
    if isinstance(atr, str):
        try:
            raw = bytes.fromhex(atr.replace(" ", "").replace(":", ""))
        except ValueError:
            raw = b""
    else:
        raw = bytes(atr)
    compact = raw.hex().upper()
    for regex, kind, label in _COMPILED:
        if regex.match(compact):
            return AtrInfo(kind, label, atr_hex(raw))
    return AtrInfo(CardKind.UNKNOWN, "carte inconnue", atr_hex(raw))
