"""Money as integer cents: parsing, French formatting and rate application.

Rules (project-wide):
- Every amount is an ``int`` number of euro cents. Floats never appear: parsing goes through
  ``decimal.Decimal`` and the result is an exact integer.
- A rate is applied **per line** and rounded **half-up** (``ROUND_HALF_UP``: ``x.5`` cents goes away
  from zero) to a whole cent, then line amounts are summed. Per-line rounding is what the manual's
  "Détail remboursements" shows (three 0,05 lines at 60 % give 0,03 each, total 0,09). It matters:
  three 0,01 lines at 50 % give 0,03 line by line but 0,02 on the total. Half-up vs banker's
  rounding cannot be confirmed from the manual (every example is exact, DOMAIN.md 5.2); half-up is
  the rule chosen here and the engine's "Vérif. taux" answer stays authoritative.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core.errors import ValidationError

__all__ = ["parse_euros", "format_euros", "apply_rate", "cents_to_decimal"]

# Grouping spaces a French user (or a spreadsheet) may type: space, no-break space, narrow no-break space.
_GROUPING = "\u0020\u00a0\u202f"
_AMOUNT_RE = re.compile(
    rf"^(?P<sign>[-+]?)(?P<int>\d{{1,3}}(?:[{_GROUPING}]\d{{3}})+|\d+)(?:[.,](?P<frac>\d{{1,2}}))?$",
    re.ASCII,  # \d must not match Arabic-Indic or other Unicode digits
)


def parse_euros(text: str, *, allow_negative: bool = False) -> int:
    """Parse a euro amount typed by a user or read from a file into integer cents.

    Accepts ``"209,00"``, ``"209.00"``, ``"209"``, ``"1 234,5"``, ``"209,00 €"``; at most two decimals.
    Negative amounts (``"-4,69"``, seen on régularisations) only with ``allow_negative=True``.
    Anything else raises :class:`ValidationError` with a French message.
    """
    if not isinstance(text, str):
        raise ValidationError("Montant invalide : texte attendu.", log=f"parse_euros got {type(text).__name__}")
    raw = text.strip()
    cleaned = raw.removesuffix("€").removesuffix("EUR").strip()
    match = _AMOUNT_RE.match(cleaned)
    if not match:
        raise ValidationError(
            f"Montant invalide : « {raw} » (exemple attendu : 209,00).",
            log=f"unparsable amount {raw!r}",
        )
    whole = "".join(ch for ch in match["int"] if ch.isdigit())
    cents = int(whole) * 100 + int((match["frac"] or "0").ljust(2, "0"))
    if match["sign"] == "-":
        cents = -cents
    if cents < 0 and not allow_negative:
        raise ValidationError(
            f"Montant négatif refusé : « {raw} ».", log=f"negative amount {raw!r} not allowed here"
        )
    return cents


def format_euros(cents: int, *, symbol: bool = False, grouping: bool = False) -> str:
    """Format integer cents the French way: ``20900 -> "209,00"``, ``-469 -> "-4,69"``.

    ``symbol=True`` appends ``" €"`` (no-break space before the sign); ``grouping=True`` separates
    thousands with a narrow no-break space (``"1 234,56"``), as French typography does.
    """
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise ValidationError("Montant invalide : centimes entiers attendus.", log=f"format_euros got {cents!r}")
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    whole = f"{euros:,}".replace(",", "\u202f") if grouping else str(euros)
    out = f"{sign}{whole},{rest:02d}"
    return f"{out}\u00a0€" if symbol else out


def apply_rate(base_cents: int, rate_percent: int | Decimal) -> int:
    """``base x rate / 100`` rounded half-up to the cent (one line; sum lines afterwards).

    ``apply_rate(5, 60) == 3`` (0,05 € at 60 % -> 0,03 €); ``apply_rate(900, 60) == 540``.
    Integer rates take an exact integer path; ``Decimal`` rates (e.g. ``Decimal("62.5")``) go
    through ``Decimal.quantize(ROUND_HALF_UP)``. Both round ``.5`` away from zero.
    """
    if isinstance(base_cents, bool) or not isinstance(base_cents, int):
        raise ValidationError("Base de remboursement invalide.", log=f"apply_rate base {base_cents!r}")
    if isinstance(rate_percent, bool) or not isinstance(rate_percent, (int, Decimal)):
        raise ValidationError("Taux invalide.", log=f"apply_rate rate {rate_percent!r} (int or Decimal expected)")
    if isinstance(rate_percent, int):
        product = abs(base_cents) * abs(rate_percent)
        magnitude = (product + 50) // 100
        negative = (base_cents < 0) != (rate_percent < 0)
        return -magnitude if negative and magnitude else magnitude
    if not rate_percent.is_finite():
        raise ValidationError("Taux invalide.", log=f"apply_rate rate {rate_percent!r} is not finite")
    try:
        value = Decimal(base_cents) * rate_percent / Decimal(100)
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:  # beyond Decimal precision: not a real amount
        raise ValidationError("Montant hors limites.", log=f"apply_rate({base_cents}, {rate_percent}): {exc}") from exc


def cents_to_decimal(cents: int) -> Decimal:
    """Exact ``Decimal`` euros for a cents amount (for JSON/DTOs that want euros, never floats)."""
    return Decimal(cents).scaleb(-2)
