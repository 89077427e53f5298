"""write_b2 checked against shared/specs/b2.xml through the independent test-side interpreter.

Expectations are written here by XML start position, from the input model, without using
core.formats.b2.spec: every zone of every record must decode to the expected value, and every zone not
listed must be empty (spaces for A/F zones, zeros for N zones).
"""
from __future__ import annotations

from datetime import date

import pytest

from core.formats.b2 import RECORDS, B2File, write_b2

try:  # tests/unit may or may not be a package
    from . import b2_interpreter as interp
    from .b2_samples import sample_file
except ImportError:
    import b2_interpreter as interp
    from b2_samples import sample_file

# spec.py kind -> (XML layout name, norme variant)
XML_LAYOUT = {"000": "Type 0", "1": "Type 1", "2": "Type 2", "4": "Type 4", "4F": "Type 4F", "5": "Type 5",
              "6": "Type 6", "999": "Type 999"}


@pytest.fixture(scope="module")
def interpreter() -> interp.Interpreter:
    return interp.Interpreter(interp.require_spec())


def _d(day: date | None) -> int:
    """A date as the interpreter decodes an N(6) AAMMJJ zone."""
    return 0 if day is None else int(day.strftime("%y%m%d"))


def _num(text: str) -> int:
    return int(text) if text else 0


def expected_records(f: B2File) -> list[tuple[str, dict[int, object]]]:
    """(XML layout name, {start position: decoded value}) for each record write_b2 must produce."""
    ps = int(f.ps_number)
    first = f.lots[0]
    recipient = f"{first.regime}{first.organism}000".zfill(14)
    file_zones = {4: "TP", 6: ps, 26: "CT", 50: f"{f.file_number:06d}"}
    out: list[tuple[str, dict[int, object]]] = [("Type 0", {
        **file_zones, 1: 0, 28: recipient, 56: _d(f.created.date()), 62: "B2", 66: "B2", 83: 128,
        92: "FLUX DE DEMONSTRATION LUNETIER"})]
    for lot in f.lots:
        mode_top = {"SV": "S", "DEG": "D"}[lot.invoices[0].secure_mode]
        lot_no: object = int(lot.number) if lot.number.isdigit() else lot.number
        out.append(("Type 1", {
            1: 1, 2: ps, 17: _num(lot.organism), 20: lot_no, 30: "Optique Demo Saint-Etienne", 70: "B2",
            72: _d(lot.created or f.created.date()), 79: "B2", 81: mode_top, 82: 62007, 88: "E",
            89: lot.regime, 91: lot.organism}))
        totals = [0, 0, 0]
        lines = 0
        for inv in lot.invoices:
            key = {2: ps, 12: inv.nir, 25: int(inv.nir_key), 27: inv.number}
            out.append(("Type 2", {
                **key,
                1: 2, 39: 1, 40: _d(inv.invoice_date), 46: "E" if lot.amc_number else "", 47: "F",
                49: int(inv.regime), 51: int(inv.caisse), 54: int(inv.centre), 58: 4, 59: _num(inv.prescriber),
                68: _d(inv.prescription_date), 77: 10, 79: "0", 96: inv.birth_date[2:], 102: inv.birth_rank,
                103: inv.quality, 105: inv.amc_member, 113: _num(inv.prescriber_specialty),
                115: int(inv.payee), 117: _num(inv.amc_contract_type), 119: inv.amc_number}))
            amount = ro = rc = records4 = 0
            for seq, line in enumerate(inv.lines, start=1):
                line_amount = line.quantity * line.unit_price
                out.append(("Type 4", {
                    **key,
                    1: 4, 37: seq, 50: 9, 55: ps, 66: 28, 68: _d(line.date), 74: line.code, 79: line.quantity,
                    81: 100, 89: line.unit_price, 96: line.base, 103: line.rate, 106: line.ro_amount,
                    113: line_amount, 122: line.rc_amount}))
                records4 += 1
                if line.lpp is not None:
                    p = line.lpp
                    out.append(("Type 4F", {
                        **key,
                        1: 4, 36: "F", 37: seq, 43: p.code, 56: p.kind, 57: p.siret, 77: _d(line.date),
                        89: p.tariff, 96: p.quantity, 98: p.unit_price, 105: p.base,
                        112: p.quantity * p.unit_price}))
                    records4 += 1
                amount += line_amount
                ro += line.ro_amount
                rc += line.rc_amount
            out.append(("Type 5", {
                **key,
                1: 5, 39: records4, 58: amount, 66: ro, 74: amount - ro, 82: rc, 97: inv.certification}))
            totals = [totals[0] + amount, totals[1] + ro, totals[2] + rc]
            lines += len(inv.lines)
        n = len(lot.invoices)
        out.append(("Type 6", {
            1: 6, 2: ps, 11: n, 14: lines, 18: n, 22: n, 25: totals[0], 34: totals[1], 43: totals[2],
            52: lot_no, 55: "D", 56: "F", 97: lot.certification}))
    count = len(out) + 1
    out.append(("Type 999", {**file_zones, 1: 999, 28: int(recipient), 56: count, 83: len(f.lots)}))
    return out


def test_every_zone_decodes_to_the_expected_value(interpreter: interp.Interpreter) -> None:
    model = sample_file()
    decoded = interpreter.decode(write_b2(model))
    expected = expected_records(model)
    assert [r.layout for r in decoded] == [name for name, _ in expected]
    checked = 0
    for record, (name, zones) in zip(decoded, expected):
        unknown = set(zones) - {f.start for f in record.fields}
        assert not unknown, f"{name}: expectation at a position that is no zone start: {unknown}"
        for field in record.fields:
            default = 0 if field.type == "N" else ""
            want = zones.get(field.start, default)
            assert field.value == want, f"{name} [{field.start}-{field.end}] {field.name}: {field.raw!r}"
            checked += 1
    assert checked > 400


def test_sample_covers_every_written_layout(interpreter: interp.Interpreter) -> None:
    decoded = interpreter.decode(write_b2(sample_file()))
    assert {r.layout for r in decoded} == set(XML_LAYOUT.values())


@pytest.mark.parametrize("kind", sorted(XML_LAYOUT))
def test_spec_py_layouts_match_the_xml_positions(interpreter: interp.Interpreter, kind: str) -> None:
    """Our Python layouts were derived from the XML by hand; the zone boundaries must agree exactly,
    and numeric zones must stay numeric (documented exceptions: lot numbers are alphanumeric, the
    000 recipient number is written as digits like its 999 twin)."""
    xml = interpreter.layout(XML_LAYOUT[kind])
    ours = RECORDS[kind].fields
    assert [(s.start, s.end) for s in xml.segments] == [(f.start, f.end) for f in ours]
    allowed = {("000", "recipient_number"), ("1", "lot_number"), ("6", "lot_number")}
    for seg, f in zip(xml.segments, ours):
        numeric_ours = f.kind in "NMCD" or (f.kind == "K" and f.const.isdigit())
        if (kind, f.key) not in allowed:
            assert numeric_ours == (seg.type == "N"), f"{kind} {f.key} vs XML {seg.name} ({seg.type})"


def test_interpreter_repairs_the_two_xml_typos(interpreter: interp.Interpreter) -> None:
    lot_end = interpreter.layout("Type 6")
    assert [(s.start, s.end) for s in lot_end.segments if s.start in (43, 52)] == [(43, 51), (52, 54)]
    file_end = interpreter.layout("Type 999")
    assert (20, 25) in [(s.start, s.end) for s in file_end.segments]
