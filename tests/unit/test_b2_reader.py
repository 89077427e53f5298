"""read_b2: the tree it returns, and FormatError with the byte offset on malformed input."""
from __future__ import annotations

import json
from datetime import date

import pytest

from core.errors import FormatError
from core.formats.b2 import read_b2, write_b2
from core.formats.b2.spec import RECORDS

try:
    from .b2_samples import sample_file
except ImportError:
    from b2_samples import sample_file

DATA = write_b2(sample_file())


def patch(data: bytes, record_index: int, kind: str, key: str, text: str) -> tuple[bytes, int]:
    """Overwrite zone `key` of record n° record_index; returns the new data and the zone's offset."""
    f = RECORDS[kind].field(key)
    offset = record_index * 128 + f.start - 1
    assert len(text) == f.width
    return data[:offset] + text.encode("ascii") + data[offset + f.width:], offset


def offset_of(data: bytes) -> FormatError:
    with pytest.raises(FormatError) as caught:
        read_b2(data)
    return caught.value


def test_tree_shape_and_decoded_values() -> None:
    doc = read_b2(DATA)
    assert doc.is_demo
    assert [lot.number for lot in doc.lots] == ["027", "028", "AAE"]
    assert [lot.is_amc for lot in doc.lots] == [False, False, True]
    first = doc.lots[0].invoices[0]
    assert first.header["invoice_number"] == 253
    assert first.header["nir"] == "2550699999999"
    assert first.header["regime"] == "01"           # codes keep their leading zeros
    assert first.header["invoice_date"] == date(2024, 5, 28)
    assert first.header["birth_date"] == "550615"
    line = first.lines[0]
    assert line.line["act_code"] == "M03" and line.line["unit_price"] == 20900 and line.line["rate"] == 60
    assert line.lpp is not None and line.lpp["lpp_code"] == "7211674"
    assert doc.lots[0].invoices[1].lines[1].lpp is None
    assert first.totals["total_amount"] == 41500
    assert doc.trailer["lot_count"] == 3
    field = line.line.field("unit_price")
    assert (field.name, field.start, field.end, field.raw, field.value) == ("Prix unitaire", 89, 95, "0020900", 20900)
    assert [r.offset for r in doc.records()] == list(range(0, len(DATA), 128))


def test_to_dict_is_json_ready() -> None:
    tree = json.loads(json.dumps(read_b2(DATA).to_dict()))
    assert tree["demo"] is True
    invoice = tree["lots"][0]["invoices"][0]
    names = {f["name"]: f["value"] for f in invoice["header"]["fields"]}
    assert names["Date de facturation"] == "2024-05-28"
    assert names["N° facture"] == 253


def test_line_endings_are_tolerated() -> None:
    text = DATA.decode("ascii")
    chunks = [text[i:i + 128] for i in range(0, len(text), 128)]
    for eol in ("\r\n", "\n"):
        assert read_b2(eol.join(chunks).encode()).to_model() == read_b2(DATA).to_model()
        assert read_b2((eol.join(chunks) + eol).encode()).to_model() == read_b2(DATA).to_model()
    assert read_b2(DATA + b"\n").to_model() == read_b2(DATA).to_model()


def test_empty_file() -> None:
    assert offset_of(b"").offset == 0


def test_truncated_file_reports_the_partial_record() -> None:
    error = offset_of(DATA[:-10])
    assert error.offset == len(DATA) - 128
    assert "118 caractères au lieu de 128" in error.message_fr


def test_missing_trailer() -> None:
    error = offset_of(DATA[:-128])
    assert error.offset == len(DATA) - 128
    assert "999" in error.message_fr


def test_wrong_record_length_in_a_line_file() -> None:
    text = DATA.decode("ascii")
    chunks = [text[i:i + 128] for i in range(0, len(text), 128)]
    chunks[3] = chunks[3][:100]
    data = "\r\n".join(chunks).encode()
    error = offset_of(data)
    assert error.offset == 3 * 130
    assert "100 caractères" in error.message_fr


def test_record_too_long_in_a_line_file() -> None:
    text = DATA.decode("ascii")
    chunks = [text[i:i + 128] for i in range(0, len(text), 128)]
    chunks[2] += "X"
    assert offset_of("\n".join(chunks).encode()).offset == 3 * 129 - 1


def test_garbage_bytes_report_their_offset() -> None:
    data = DATA[:700] + b"\x00\xff" + DATA[702:]
    error = offset_of(data)
    assert error.offset == 700
    assert "0x00" in error.message_fr
    assert offset_of(bytes(range(256)) * 2).offset is not None


def test_unknown_and_unsupported_record_types() -> None:
    data = DATA[:256] + b"7" + DATA[257:]
    error = offset_of(data)
    assert error.offset == 256 and "inconnu" in error.message_fr
    data, _ = patch(DATA, 2, "2", "complement", "M")  # a 2M record: valid B2, not handled here
    error = offset_of(data)
    assert error.offset == 256 and "« 2M » non pris en charge" in error.message_fr


def test_bad_numeric_names_the_zone_and_its_offset() -> None:
    data, offset = patch(DATA, 3, "4", "unit_price", "00209A0")
    error = offset_of(data)
    assert error.offset == offset == 3 * 128 + 88
    assert "« Prix unitaire »" in error.message_fr


def test_impossible_date() -> None:
    data, offset = patch(DATA, 2, "2", "invoice_date", "241331")
    assert offset_of(data).offset == offset


def test_invoice_total_mismatch() -> None:
    data, offset = patch(DATA, 9, "5", "total_ro", "00000010")
    error = offset_of(data)
    assert error.offset == offset
    assert "Total remboursable par la Caisse" in error.message_fr and "attendu 9" in error.message_fr


def test_line_amount_change_is_caught_by_the_totals() -> None:
    data, _ = patch(DATA, 3, "4", "amount", "0020901")
    error = offset_of(data)
    assert error.offset == 9 * 128 + RECORDS["5"].field("total_amount").start - 1


def test_lot_count_mismatches() -> None:
    data, offset = patch(DATA, 17, "6", "invoice_count", "003")
    assert offset_of(data).offset == offset
    data, offset = patch(DATA, 17, "6", "total_rc", "000010001")
    assert offset_of(data).offset == offset
    last = len(DATA) // 128 - 1
    data, offset = patch(DATA, last, "999", "lot_count", "002")
    assert offset_of(data).offset == offset


def test_invoice_key_mismatch() -> None:
    data, offset = patch(DATA, 4, "4F", "invoice_number", "000000999")
    error = offset_of(data)
    assert error.offset == offset and "« N° facture »" in error.message_fr


def test_records_out_of_place() -> None:
    recs = [DATA[i:i + 128] for i in range(0, len(DATA), 128)]
    swapped = recs[:2] + [recs[3], recs[2]] + recs[4:]
    assert offset_of(b"".join(swapped)).offset == 256
    after_end = DATA + recs[0]
    assert offset_of(after_end).offset == len(DATA)
    no_lot = recs[0] + recs[-1]
    assert offset_of(no_lot).offset == 128


def test_reader_refuses_non_bytes() -> None:
    with pytest.raises(FormatError):
        read_b2("000TP")  # type: ignore[arg-type]
