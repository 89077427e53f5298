"""Round trip: read_b2(write_b2(x)).to_model() gives x back (hypothesis), up to what B2 cannot carry
(creation time, PS situation, birth-date century, defaults the writer fills in)."""
from __future__ import annotations

import dataclasses
import functools
from datetime import date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.formats.b2 import B2File, B2Invoice, B2Line, B2Lot, B2Lpp, read_b2, write_b2

try:
    from . import b2_interpreter as interp
except ImportError:
    import b2_interpreter as interp

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
TEXT = ALNUM + "abcdefghijklmnopqrstuvwxyz -'./"


def digits(width: int, nonzero: bool = False) -> st.SearchStrategy[str]:
    s = st.text("0123456789", min_size=width, max_size=width)
    return s.filter(lambda t: t.strip("0")) if nonzero else s


def text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(TEXT, max_size=max_size).map(str.rstrip)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
cents = st.integers(min_value=0, max_value=99_999)  # lines stay small enough for 8-9 digit totals
nir = st.builds(lambda a, dep, b: a + dep + b, digits(5), st.sampled_from(["2A", "2B", "75", "99"]), digits(6))


@st.composite
def lines(draw) -> B2Line:
    quantity = draw(st.integers(1, 9))
    unit_price = draw(cents)
    amount = quantity * unit_price
    ro = draw(st.integers(0, amount))
    lpp = draw(st.none() | st.builds(
        B2Lpp, code=st.text(ALNUM, min_size=1, max_size=13), quantity=st.integers(0, 99), unit_price=cents,
        tariff=cents, base=cents, kind=st.sampled_from("AELPRSV"), siret=st.text(ALNUM, max_size=14)))
    return B2Line(code=draw(st.text(ALNUM, min_size=1, max_size=5)), date=draw(days), unit_price=unit_price,
                  base=draw(cents), rate=draw(st.integers(0, 100)), ro_amount=ro, rc_amount=draw(cents),
                  quantity=quantity, lpp=lpp)


def invoices(amc_number: str | None, mode: str) -> st.SearchStrategy[B2Invoice]:
    return st.builds(
        B2Invoice,
        number=st.integers(0, 999_999_999), nir=nir, nir_key=digits(2), birth_date=digits(8),
        invoice_date=days, regime=digits(2), caisse=digits(3), centre=digits(4),
        lines=st.lists(lines(), min_size=1, max_size=4).map(tuple),
        birth_rank=st.integers(0, 9), quality=st.sampled_from("0123456789"),
        insurance_nature=st.sampled_from(["10", "13", "30", "41", "90"]), secure_mode=st.just(mode),
        prescriber=st.just("") | digits(9, nonzero=True), prescription_date=st.none() | days,
        prescriber_specialty=st.just("") | digits(2, nonzero=True), rights_proof=digits(1),
        exoneration=st.text(ALNUM, min_size=1, max_size=1), payee=st.sampled_from(["00", "05", "15", "25"]),
        operation_nature=digits(1),
        amc_number=st.just(amc_number) if amc_number is not None else st.just("") | digits(10),
        amc_member=st.text(ALNUM, max_size=8), amc_contract_type=st.just("") | digits(2, nonzero=True),
        certification=text(32),
    )


@st.composite
def lots(draw, number: str) -> B2Lot:
    mode = draw(st.sampled_from(["SV", "DEG"]))
    if number.isdigit():
        invs = draw(st.lists(invoices(None, mode), min_size=1, max_size=3, unique_by=lambda i: i.number))
        return B2Lot(number=number, invoices=tuple(invs), regime=draw(digits(2)), organism=draw(digits(3)),
                     created=draw(st.none() | days), certification=draw(text(32)))
    amc = draw(digits(10))
    invs = draw(st.lists(invoices(amc, mode), min_size=1, max_size=3, unique_by=lambda i: i.number))
    return B2Lot(number=number, invoices=tuple(invs), amc_number=amc, created=draw(st.none() | days))


@st.composite
def files(draw) -> B2File:
    numbers = draw(st.lists(st.sampled_from(["001", "027", "999", "AAE", "AB1", "Z9Z"]), min_size=1, max_size=3,
                            unique=True))
    return B2File(
        ps_number=draw(digits(9)), ps_name=draw(text(40)), file_number=draw(st.integers(0, 999_999)),
        created=draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))),
        lots=tuple(draw(lots(n)) for n in numbers), situation=draw(st.integers(1, 9)),
        marking=draw(st.sampled_from("DT")),
    )


def normalised(f: B2File) -> B2File:
    """What the file can carry: the writer's defaults made explicit, lossy parts reduced."""
    def invoice(inv: B2Invoice) -> B2Invoice:
        return dataclasses.replace(
            inv, birth_date=inv.birth_date[-6:],
            total_amount=sum(ln.amount for ln in inv.lines), total_ro=sum(ln.ro_amount for ln in inv.lines),
            total_rc=sum(ln.rc_amount for ln in inv.lines))

    first = f.lots[0]
    return dataclasses.replace(
        f, created=datetime.combine(f.created.date(), time()), situation=1,
        recipient_type="OC" if first.is_amc else "CT",
        recipient_number=(first.amc_number if first.is_amc else f"{first.regime}{first.organism}000").zfill(14),
        lots=tuple(dataclasses.replace(lot, created=lot.created or f.created.date(),
                                       invoices=tuple(invoice(i) for i in lot.invoices)) for lot in f.lots))


@functools.cache
def _interpreter() -> interp.Interpreter:
    return interp.Interpreter(interp.require_spec())


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_read_gives_back_what_was_written(model: B2File) -> None:
    assert read_b2(write_b2(model)).to_model() == normalised(model)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_independent_interpreter_sees_the_same_amounts(model: B2File) -> None:
    decoded = _interpreter().decode(write_b2(model))
    lines = [r for r in decoded if r.layout == "Type 4"]
    expected = [ln for lot in model.lots for inv in lot.invoices for ln in inv.lines]
    assert [(r.at(89), r.at(106), r.at(122), r.at(113)) for r in lines] == \
        [(ln.unit_price, ln.ro_amount, ln.rc_amount, ln.amount) for ln in expected]
    totals = [r.at(58) for r in decoded if r.layout == "Type 5"]
    assert totals == [sum(ln.amount for ln in inv.lines) for lot in model.lots for inv in lot.invoices]
