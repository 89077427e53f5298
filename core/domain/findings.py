"""Findings: what a rule has to say about a dossier, shown to the user before FSE generation.

A ``bloquant`` finding forbids the FSE until fixed; an ``avertissement`` lets the user go on.
Kept apart from lint.py so that lpp.py and tarification.py can emit findings without import cycles.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["bloquant", "avertissement"]
BLOQUANT: Severity = "bloquant"
AVERTISSEMENT: Severity = "avertissement"


@dataclass(frozen=True)
class Finding:
    code: str              # stable identifier, e.g. "ORDONNANCE_EXPIREE" (tests and screens key on it)
    severity: Severity
    message_fr: str        # what is wrong, in the manual's words
    fix_fr: str            # what the user should do
    line: int | None = None  # 0-based index of the dossier line concerned, if any


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == BLOQUANT for f in findings)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Blocking first, then by line, keeping the emission order otherwise (stable sort)."""
    return tuple(sorted(findings, key=lambda f: (f.severity != BLOQUANT, -1 if f.line is None else f.line)))
