"""Birth dates as strings: cards carry "lunar" dates (month 19, day 00) that no calendar accepts.

Canonical storage form: ``"AAAAMMJJ"`` (8 digits), the order SSV returns (DOMAIN.md 1.3). Month and day
are any two digits; only the year is sanity-checked (1850..2199) so that a swapped format
(``"15061955"`` read as year 1506) is refused instead of stored.

Age fallback (documented choice, INFERRED): to compute an age from a lunar date, a month outside
01-12 is read as January and a day that does not exist in that month (00, 31/04, 30/02...) is read as
the 1st. The person is thus taken as born at the earliest plausible day of the year/month: never
younger than reality when only the month is unknown. The rules that use ages (renewal periods,
ordonnance validity) are previews; the caisse decides.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

from core.errors import ValidationError

__all__ = ["parse_birth_date", "format_birth_date", "is_calendar_date", "calendar_birth_date", "age_on"]

_DISPLAY_RE = re.compile(r"^(\d{2})[/.\- ](\d{2})[/.\- ](\d{4})$")
_YEAR_MIN, _YEAR_MAX = 1850, 2199


def parse_birth_date(text: str) -> str:
    """Normalise a birth date to ``"AAAAMMJJ"``; lunar dates are kept as they are.

    Accepted: ``"JJ/MM/AAAA"`` (separators ``/ . -`` or space), ``"AAAAMMJJ"``, and the 12-digit SSV form
    ``"AAAAMMJJhhmm"`` (time dropped). Refused with :class:`ValidationError`: letters, wrong length,
    a two-digit year (century missing: use the "Forçage Siècle Naissance"), a year outside 1850-2199.
    """
    if not isinstance(text, str):
        raise ValidationError("Date de naissance invalide : texte attendu.", log=f"birth date {text!r}")
    raw = text.strip()
    match = _DISPLAY_RE.match(raw)
    if match:
        day, month, year = match.groups()
    elif raw.isascii() and raw.isdigit() and len(raw) in (8, 12):
        year, month, day = raw[:4], raw[4:6], raw[6:8]
    else:
        raise ValidationError(
            f"Date de naissance invalide : « {raw} » (attendu JJ/MM/AAAA, chiffres uniquement).",
            log=f"unparsable birth date {raw!r}",
        )
    if not _YEAR_MIN <= int(year) <= _YEAR_MAX:
        raise ValidationError(
            f"Date de naissance invalide : année {year} improbable.", log=f"birth year out of range {raw!r}"
        )
    return f"{year}{month}{day}"


def format_birth_date(text: str) -> str:
    """Display form ``"JJ/MM/AAAA"`` of any accepted birth date (``"19851919" -> "19/19/1985"``)."""
    canonical = parse_birth_date(text)
    return f"{canonical[6:8]}/{canonical[4:6]}/{canonical[:4]}"


def is_calendar_date(text: str) -> bool:
    """True when the birth date exists in the calendar (False for lunar dates such as month 19)."""
    canonical = parse_birth_date(text)
    try:
        date(int(canonical[:4]), int(canonical[4:6]), int(canonical[6:8]))
    except ValueError:
        return False
    return True


def calendar_birth_date(text: str) -> date:
    """A real ``date`` for age arithmetic, with the module's lunar fallback (month -> 1, day -> 1)."""
    canonical = parse_birth_date(text)
    year, month, day = int(canonical[:4]), int(canonical[4:6]), int(canonical[6:8])
    if not 1 <= month <= 12:
        month = 1
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        day = 1
    return date(year, month, day)


def age_on(birth_date: str, on: date) -> int:
    """Age in whole years on ``on`` (negative when ``on`` is before the birth)."""
    born = calendar_birth_date(birth_date)
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years
