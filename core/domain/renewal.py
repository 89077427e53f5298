"""Renewal eligibility of an optical equipment (prise en charge periodicity, DOMAIN.md 5.3).

- 16 years and over: one équipement (2 verres + 1 monture) per **2 years**;
- over 6 and under 16: per **1 year**;
- 6 and under: per 1 year, or **6 months** when the monture no longer fits (perte d'efficacité);
- anticipated renewals: 16+ after **1 year** on dégradation des performances oculaires (new
  prescription); under 16 **no delay** with a new prescription showing a change; listed pathologies
  (glaucome, DMLA, cataracte évolutive, amblyopie, diabète / traitements au long cours...) **no delay**.
The period runs from the date of the last délivrance (prise en charge); the new équipement is
eligible on the day the period ends (same day-of-month, clamped to month end). Age is in whole
years on the date of délivrance, with birthdate.py's lunar-date fallback.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Iterable

from core.domain.birthdate import age_on

__all__ = ["RenewalReason", "RENEWAL_REASON_LABELS", "RenewalVerdict", "check_renewal", "renewal_period_months",
           "add_months"]


class RenewalReason(StrEnum):
    DEGRADATION_VISION = "degradation_vision"   # new prescription with a change of correction
    PATHOLOGIE = "pathologie"                   # listed pathology / treatment (no minimum delay)
    MONTURE_INADAPTEE = "monture_inadaptee"     # 6 and under: frame no longer fits (6 months)


RENEWAL_REASON_LABELS: dict[RenewalReason, str] = {
    RenewalReason.DEGRADATION_VISION: "Dégradation des performances oculaires (nouvelle prescription)",
    RenewalReason.PATHOLOGIE: "Pathologie ou traitement justifiant un renouvellement sans délai",
    RenewalReason.MONTURE_INADAPTEE: "Monture inadaptée à la morphologie (enfant de 6 ans ou moins)",
}


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the end of the month (31/08 + 6 -> 28 or 29/02)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def renewal_period_months(age: int, reasons: Iterable[RenewalReason] = ()) -> int:
    """Minimum months between two prises en charge for ``age`` and the anticipated-renewal reasons."""
    reasons = frozenset(reasons)
    if RenewalReason.PATHOLOGIE in reasons:
        return 0
    if age >= 16:
        return 12 if RenewalReason.DEGRADATION_VISION in reasons else 24
    if RenewalReason.DEGRADATION_VISION in reasons:
        return 0
    if age <= 6 and RenewalReason.MONTURE_INADAPTEE in reasons:
        return 6
    return 12


@dataclass(frozen=True)
class RenewalVerdict:
    eligible: bool
    age: int
    period_months: int
    earliest_date: date | None   # None when there is no previous délivrance
    rule_fr: str
    reason_fr: str | None        # why not eligible (None when eligible)


def _rule_fr(age: int, months: int, reasons: frozenset[RenewalReason]) -> str:
    band = "16 ans et plus" if age >= 16 else ("moins de 16 ans" if age > 6 else "6 ans ou moins")
    why = "; ".join(RENEWAL_REASON_LABELS[r] for r in sorted(reasons))
    delay = "sans délai minimal" if months == 0 else f"1 équipement tous les {months} mois"
    return f"{band} : {delay}" + (f" ({why})" if why else "")


def check_renewal(birth_date: str, delivery_date: date, last_delivery_date: date | None,
                  reasons: Iterable[RenewalReason] = ()) -> RenewalVerdict:
    """Is a new équipement eligible for prise en charge on ``delivery_date``?"""
    reason_set = frozenset(RenewalReason(r) for r in reasons)
    age = age_on(birth_date, delivery_date)
    months = renewal_period_months(age, reason_set)
    rule = _rule_fr(age, months, reason_set)
    if last_delivery_date is None:
        return RenewalVerdict(True, age, months, None, rule, None)
    earliest = add_months(last_delivery_date, months)
    if delivery_date >= earliest:
        return RenewalVerdict(True, age, months, earliest, rule, None)
    return RenewalVerdict(
        False, age, months, earliest, rule,
        f"Renouvellement trop tôt : dernière prise en charge le {last_delivery_date:%d/%m/%Y}, "
        f"nouvel équipement possible à partir du {earliest:%d/%m/%Y} ({rule}).",
    )
