"""Hypothesis: any bytes read as a tree or a FormatError, never another exception; writer->reader round trips."""
from __future__ import annotations

import string
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import FormatError
from core.formats.noemie import Layout, PaymentState, read_noemie, write_noemie
from core.formats.noemie import builder as b
from core.formats.noemie.render import to_jsonable, tree_lines

try:
    from .noemie_samples import fixture
except ImportError:
    from noemie_samples import fixture

FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEEDS = [fixture(n) for n in ("rejet_900_ligne.rsp", "paiement_576_blocs.rsp", "paiement_576_lignes.rsp",
                              "toutes_entites_writer.rsp")]


def _read_everything(data: bytes) -> None:
    """Parse, then touch every view and rendering: none may raise anything but FormatError."""
    try:
        f = read_noemie(data)
    except FormatError as exc:
        assert exc.offset is not None and 0 <= exc.offset <= len(data)
        assert exc.message_fr
        return
    f.payments, f.rejects, f.virements, f.movements, f.one_off_payments  # noqa: B018
    for line in tree_lines(f):
        assert isinstance(line, str)
    to_jsonable(f)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes(data):
    _read_everything(data)


@FUZZ
@given(st.text(alphabet="0123456789@ PRDN\n", max_size=700).map(str.encode))
def test_noemie_looking_text(data):
    _read_everything(b"000" + data)


@FUZZ
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=0, max_size=3),
                                                  st.integers(0, 3)), min_size=1, max_size=4))
def test_mutated_valid_files(seed, edits):
    data = bytearray(seed)
    for pos, new, delete in edits:
        pos %= len(data) + 1
        data[pos:pos + delete] = new
    _read_everything(bytes(data))


@FUZZ
@given(st.sampled_from(SEEDS), st.integers(0, 10_000))
def test_truncated_valid_files(seed, cut):
    _read_everything(seed[:cut % len(seed)])


# ---- round trip of generated models ----

NAMES = st.text(alphabet=string.ascii_uppercase + " -'", min_size=1, max_size=15).map(str.strip).filter(bool)
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2069, 12, 31))
CENTS = st.integers(0, 99_999_999)
SIGNED = st.integers(-99_999_999, 99_999_999)


@st.composite
def invoices(draw):
    amo_paid = draw(st.none() | SIGNED)
    with_amc = draw(st.booleans())
    return {
        "number": draw(st.integers(0, 999_999_999)),
        "nir": str(draw(st.integers(1_000_000_000_000, 2_999_999_999_999))),
        "key": f"{draw(st.integers(1, 97)):02d}",
        "name": draw(NAMES), "first_name": draw(NAMES),
        "birth": f"{draw(st.integers(0, 999_999)):06d}",  # lunar dates included
        "amo": (draw(CENTS), draw(st.sampled_from("PRD ")), amo_paid),
        "amc": (draw(CENTS), draw(st.sampled_from("PRD ")), draw(SIGNED), f"{draw(st.integers(0, 10**10 - 1)):010d}")
        if with_amc else None,
        "lines": draw(st.lists(SIGNED, max_size=3)),
        "rejects": draw(st.lists(st.tuples(st.integers(0, 10**8 - 1).map("{:08d}".format), NAMES), max_size=2)),
    }


def _facture(inv, day):
    amo = b.amo_part(inv["amo"][0], inv["amo"][1], inv["amo"][2])
    amc = (b.amc_part(inv["amc"][0], inv["amc"][1], inv["amc"][2], amc_number=inv["amc"][3])
           if inv["amc"] else None)
    return b.facture(inv["number"], nir=inv["nir"], nir_key=inv["key"], name=inv["name"],
                     first_name=inv["first_name"], birth_date=inv["birth"], amo=amo, amc=amc,
                     lines=[b.act_line(i + 1, care_date=day, prestation="OPT", reimbursed=r)
                            for i, r in enumerate(inv["lines"])],
                     rejects=[b.reject(code, label) for code, label in inv["rejects"]])


@st.composite
def models(draw):
    day = draw(DAYS)
    reglements = []
    expected = []
    for r in range(draw(st.integers(0, 3))):
        lots = []
        for lot_no in range(draw(st.integers(0, 3))):
            invs = draw(st.lists(invoices(), max_size=4))
            expected.extend((inv, r, f"{lot_no:03d}") for inv in invs)
            lots.append(b.lot(f"{lot_no:03d}", day, *[_facture(inv, day) for inv in invs]))
        movements = [b.mouvement(debt_reference=f"DETTE{i}", debt_date=day, debt_nature="ODL", operation="RPR",
                                 amount=a) for i, a in enumerate(draw(st.lists(SIGNED, max_size=2)))]
        ponctuels = [b.ponctuel(f"{i:05d}", a, b.ponctuel_detail(amount=a, label="AIDE"))
                     for i, a in enumerate(draw(st.lists(CENTS, max_size=2)))]
        reglements.append(b.reglement(*lots, *movements, *ponctuels, recipient="000000992604231",
                                      accounting_date=day, label_1=f"VIR {r}", payer="01349000"))
    head = b.header(emitter="10349000", recipient="00000992604231", file_id="000001", created=day)
    wrap = draw(st.booleans())
    groups = (b.mandataire("000000992604231", *reglements),) if wrap and reglements else tuple(reglements)
    return b.rsp(head, *groups), expected, len(reglements)


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(models(), st.sampled_from(list(Layout)[:3]))
def test_round_trip(model_expected, layout):
    model, expected, n_reglements = model_expected
    data = write_noemie(model, layout)
    f = read_noemie(data)
    # without data blocks, "blocks" and "line" are the same bytes (read as a line)
    assert f.layout is layout or (layout is Layout.BLOCKS and not model.groups)
    assert write_noemie(f, layout) == data
    assert len(f.virements) == n_reglements
    assert len(f.payments) == len(expected)
    for p, (inv, reg, lot) in zip(f.payments, expected):
        assert p.invoice_number_int == inv["number"] and p.lot_number == lot and p.virement_index == reg
        assert (p.nir, p.nir_key, p.beneficiary_name, p.birth_date) == (inv["nir"], inv["key"], inv["name"],
                                                                          inv["birth"])
        assert (p.amo.requested, p.amo.state, p.amo.paid) == (inv["amo"][0], PaymentState(inv["amo"][1]),
                                                              inv["amo"][2] or 0)
        if inv["amc"]:
            assert (p.amc.requested, p.amc.paid, p.amc.organism) == (inv["amc"][0], inv["amc"][2], inv["amc"][3])
        else:
            assert p.amc is None
        assert [line.reimbursed for line in p.lines] == inv["lines"]
        assert [(r.code, r.label) for r in p.rejects] == inv["rejects"]
    assert f.amount == sum(v.total for v in f.virements)
