"""Money: integer cents, French formatting, half-up rate per line."""
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.money import apply_rate, cents_to_decimal, format_euros, parse_euros
from core.errors import ValidationError

DET = settings(derandomize=True, max_examples=300, deadline=None)


@pytest.mark.parametrize("text, cents", [
    ("209,00", 20900), ("209.00", 20900), ("209", 20900), ("0,05", 5), ("0,5", 50), (" 415,00 ", 41500),
    ("1 234,56", 123456), ("1\u202f234,56", 123456), ("30,00 €", 3000), ("24.6", 2460), ("+5,40", 540),
])
def test_parse_euros_accepts_french_and_dot_forms(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "12,345", "1.234,56", "12,", ",5", "1e3", "--1", "NaN", "12 ,00", "1 2", "\u0661\u0662"])
def test_parse_euros_refuses_junk_with_french_message(text):
    with pytest.raises(ValidationError) as exc:
        parse_euros(text)
    assert "Montant invalide" in exc.value.message_fr


def test_parse_euros_negative_only_when_allowed():
    with pytest.raises(ValidationError) as exc:
        parse_euros("-4,69")
    assert "négatif" in exc.value.message_fr
    assert parse_euros("-4,69", allow_negative=True) == -469


def test_parse_euros_refuses_non_text():
    with pytest.raises(ValidationError):
        parse_euros(209.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("cents, text", [(20900, "209,00"), (5, "0,05"), (0, "0,00"), (-469, "-4,69"),
                                         (41491, "414,91")])
def test_format_euros(cents, text):
    assert format_euros(cents) == text


def test_format_euros_symbol_and_grouping():
    assert format_euros(123456, symbol=True, grouping=True) == "1\u202f234,56\u00a0€"
    with pytest.raises(ValidationError):
        format_euros(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("base, rate, expected", [
    (5, 60, 3), (900, 60, 540), (15, 60, 9), (1, 50, 1), (3, 50, 2), (5, 90, 5), (5, 100, 5), (0, 60, 0),
    (-5, 60, -3), (5, Decimal("62.5"), 3), (1, Decimal("50"), 1), (10300, 0, 0),
])
def test_apply_rate_half_up(base, rate, expected):
    assert apply_rate(base, rate) == expected


def test_apply_rate_refuses_floats():
    with pytest.raises(ValidationError):
        apply_rate(5, 0.6)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        apply_rate(5.0, 60)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        apply_rate(5, Decimal("NaN"))


@DET
@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=0, max_value=100))
def test_integer_path_equals_decimal_half_up(base, rate):
    reference = int((Decimal(base) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert apply_rate(base, rate) == reference == apply_rate(base, Decimal(rate))


@DET
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=100))
def test_apply_rate_bounds(base, rate):
    ro = apply_rate(base, rate)
    assert 0 <= ro <= base
    assert apply_rate(base, rate) == ro  # stable


@DET
@given(st.integers(min_value=-10**12, max_value=10**12))
def test_format_parse_round_trip(cents):
    text = format_euros(cents)
    assert parse_euros(text, allow_negative=True) == cents
    assert parse_euros(format_euros(cents, symbol=True, grouping=True), allow_negative=True) == cents
    assert cents_to_decimal(cents) == Decimal(cents) / 100


@DET
@given(st.text(max_size=20))
def test_parse_euros_never_crashes(text):
    try:
        value = parse_euros(text)
    except ValidationError:
        return
    assert isinstance(value, int) and value >= 0
