"""Demo AMC convention table and its search ("AreaFSE - Choix de la convention AMC/Mutuelle").

The rows match the demo dataset (core/demo_data.py CONVENTIONS): the manual's "1100000000 | Zz1 | | CM |
| T" row for Mut. Test CNDA, two platform conventions, and n° préfectoral 7777777777 with 120 conventions
(6 Type Conv. x 20 Crit. Secondaire; Crit. 20 disabled) so that a search on the n° préfectoral alone
returns the manual's error -1300 and the pair printed on the demo carte mutuelle (SP / 07) narrows it to
one row.

Search rules (INFERRED, the engine's are not public): n° préfectoral = N° AMC or Id. signataire; Type Conv.
and Crit. Secondaire are exact filters; free text is fuzzy on names (accents and case ignored, difflib
ratio >= 0.75 on a word, or a substring) and a prefix match on numbers. More than ``limit`` rows -> -1300.
"""
from __future__ import annotations

import difflib
import unicodedata
from typing import Iterable

from core.engine.errors import TooManyResults
from core.engine.types import ConventionQuery, ConventionRow

__all__ = ["DEMO_CONVENTIONS", "OVERFLOW_PREFECTORAL", "OVERFLOW_CARD", "search", "DEFAULT_LIMIT"]

DEFAULT_LIMIT = 50
OVERFLOW_PREFECTORAL = "7777777777"
OVERFLOW_CARD = ("SP", "07")
_OVERFLOW_TYPES = ("CM", "SP", "TP", "GU", "RC", "HO")


def _routing(numero: str, n: int) -> dict[str, str]:
    return {"numero_edi": f"{numero[:8]}{n % 100:02d}", "code_routage": "CM", "id_hote": f"H{numero[-4:]}",
            "domaine": "demo.lunetier.invalid", "aiguillage_sts": "M"}


def _overflow() -> tuple[ConventionRow, ...]:
    rows = []
    for t, conv_type in enumerate(_OVERFLOW_TYPES):
        for crit in range(1, 21):
            n = t * 100 + crit
            rows.append(ConventionRow(
                id_signataire=f"77{n:08d}", lib_signataire=f"Signataire {n:03d}", type_convention=conv_type,
                crit_secondaire=f"{crit:02d}", type_accord="T", numero_amc=OVERFLOW_PREFECTORAL,
                lib_amc="Mut. Multi-Conventions (démo)", desactive=crit == 20, **_routing(OVERFLOW_PREFECTORAL, n)))
    return tuple(rows)


DEMO_CONVENTIONS: tuple[ConventionRow, ...] = (
    ConventionRow(id_signataire="1100000000", lib_signataire="Zz1", type_convention="CM", type_accord="T",
                  numero_amc="1100000000", lib_amc="Mut. Test CNDA", **_routing("1100000000", 1)),
    ConventionRow(id_signataire="7500000001", lib_signataire="ISANTE", type_convention="SP", type_accord="T",
                  numero_amc="0775659923", lib_amc="Mutuelle iSanté (démo)", crit_secondaire="01",
                  **_routing("0775659923", 2)),
    ConventionRow(id_signataire="7500000002", lib_signataire="ALMERYS", type_convention="CM", type_accord="P",
                  numero_amc="0442155012", lib_amc="Mutuelle Almerys (démo)", desactive=True,
                  **_routing("0442155012", 3)),
) + _overflow()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _text_matches(row: ConventionRow, text: str) -> bool:
    needle = _fold(text)
    if not needle:
        return True
    if needle.isdigit():
        return any(n.startswith(needle) for n in (row.numero_amc, row.id_signataire, row.numero_edi))
    names = [_fold(row.lib_amc), _fold(row.lib_signataire)]
    if any(needle in name for name in names):
        return True
    words = [w for name in names for w in name.replace("(", " ").replace(")", " ").replace(".", " ").split()]
    return any(difflib.SequenceMatcher(None, needle, w).ratio() >= 0.75 for w in words) or any(
        difflib.SequenceMatcher(None, needle, name).ratio() >= 0.75 for name in names)


def search(rows: Iterable[ConventionRow], query: ConventionQuery, limit: int = DEFAULT_LIMIT) -> tuple[ConventionRow, ...]:
    pref = query.numero_prefectoral.strip()
    conv = query.type_conv.strip().upper()
    crit = query.crit_secondaire.strip()
    found = [
        r for r in rows
        if (not pref or pref in (r.numero_amc, r.id_signataire))
        and (not conv or r.type_convention.upper() == conv)
        and (not crit or r.crit_secondaire == crit)
        and (query.include_disabled or not r.desactive)
        and _text_matches(r, query.text)
    ]
    if len(found) > limit:
        raise TooManyResults(len(found), limit)
    return tuple(sorted(found, key=lambda r: (r.desactive, r.numero_amc, r.type_convention, r.crit_secondaire,
                                              r.id_signataire)))
