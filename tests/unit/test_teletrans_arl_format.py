"""Lunetier demo ARL layout: round trip, strict reading with byte offsets."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import FormatError
from core.formats.arl import RECORD_LENGTH, ArlFile, ArlVerdict, is_arl, read_arl, write_arl

BASE = ArlFile(ps_number="992604231", emitter_number="01349000", arl_id=12, created=datetime(2024, 5, 28, 11, 13),
               b2_file_id=25, b2_file_name="B2-000025-025.b2", lot_number="025", lot_kind="AMO",
               verdict=ArlVerdict.REJET, code="4025", label="FICHIER NON CONFORME", invoice_count=2)

_ascii = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60)


@given(
    ps=st.from_regex(r"[0-9]{9}", fullmatch=True),
    arl_id=st.integers(0, 99_999_999),
    created=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)),
    file_id=st.integers(0, 999_999),
    lot=st.from_regex(r"[0-9A-Z]{3}", fullmatch=True),
    kind=st.sampled_from(["AMO", "AMC"]),
    verdict=st.sampled_from(list(ArlVerdict)),
    code=st.from_regex(r"[0-9A-Z]{1,4}", fullmatch=True),
    label=_ascii,
    count=st.integers(0, 999),
)
def test_round_trip(ps, arl_id, created, file_id, lot, kind, verdict, code, label, count):
    arl = ArlFile(ps_number=ps, emitter_number="1100000000", arl_id=arl_id, created=created, b2_file_id=file_id,
                  b2_file_name="B2-x.b2", lot_number=lot, lot_kind=kind, verdict=verdict, code=code, label=label,
                  invoice_count=count, emitter_type="OC" if kind == "AMC" else "CT")
    data = write_arl(arl)
    assert len(data) == 3 * (RECORD_LENGTH + 1) and is_arl(data)
    assert read_arl(data) == arl
    assert read_arl(data.replace(b"\n", b"\r\n")) == arl


@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data):
    try:
        read_arl(data)
    except FormatError as exc:
        assert exc.offset is not None and 0 <= exc.offset <= len(data)


def test_libelle_matches_the_manual():
    assert BASE.libelle == "Code: 4025 FICHIER NON CONFORME"


def test_accents_are_folded_and_long_labels_cut():
    data = write_arl(replace(BASE, label="Caisse régionale " * 10))
    label = read_arl(data).label
    assert label.startswith("Caisse regionale") and len(label) <= 60


@pytest.mark.parametrize("mutate,offset,code", [
    (lambda d: d[:-1], 258, "arl.length"),                                  # last LF missing
    (lambda d: d[:100] + b"\x01" + d[101:], 100, "arl.charset"),
    (lambda d: d.replace(b"A1025", b"A7025"), 129, "arl.structure"),
    (lambda d: d[:129 + 8] + b"Z" + d[129 + 9:], 129 + 8, "arl.verdict"),
    (lambda d: d[:35] + b"00000X12" + d[43:], 35, "arl.number"),
    (lambda d: d[:43] + b"20241399" + d[51:], 43, "arl.date"),
    (lambda d: d[:258 + 8] + b"00000099" + d[258 + 16:], 258 + 8, "arl.totals"),
    (lambda d: d[:258], 258, "arl.structure"),                             # trailer missing
    (lambda d: b"B2" + d[2:], 0, "arl.magic"),
])
def test_faults_carry_their_offset(mutate, offset, code):
    with pytest.raises(FormatError) as info:
        read_arl(mutate(write_arl(BASE)))
    assert (info.value.offset, info.value.code) == (offset, code)
    assert info.value.message_fr


@pytest.mark.parametrize("field,value", [
    ("lot_number", "25"), ("lot_kind", "XYZ"), ("code", "40255"), ("ps_number", "12"), ("arl_id", -1),
    ("b2_file_name", "x" * 41), ("verdict", "P"),
])
def test_writer_refuses_values_that_do_not_fit(field, value):
    with pytest.raises(FormatError):
        write_arl(replace(BASE, **{field: value}))
