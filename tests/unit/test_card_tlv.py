"""The BER-TLV subset of the demo profiles, and the APDU parser of the virtual cards."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.card import tlv
from core.card.apdu import parse_command

primitive_tags = st.sampled_from([0x80, 0x81, 0x82, 0x84, 0x93, 0xC1, 0xC2, 0x5F20, 0x5F37])
constructed_tags = st.sampled_from([0x65, 0x70, 0xA0, 0xA5, 0xE0, 0x7F21])

leaf = st.builds(lambda t, v: tlv.Tlv(t, v), primitive_tags, st.binary(min_size=1, max_size=300))
tree = st.recursive(
    leaf,
    lambda children: st.builds(lambda t, c: tlv.Tlv(t, tlv.encode(c), tuple(c)), constructed_tags,
                               st.lists(children, min_size=1, max_size=4)),
    max_leaves=12,
)


@settings(derandomize=True, deadline=None)
@given(st.lists(tree, min_size=1, max_size=5))
def test_roundtrip(items):
    data = tlv.encode(items)
    assert tlv.decode(data) == tuple(items)


def test_lengths_use_the_short_and_long_forms():
    assert tlv.primitive(0x80, b"x" * 0x7F)[:2] == b"\x80\x7f"
    assert tlv.primitive(0x80, b"x" * 0x80)[:3] == b"\x80\x81\x80"
    assert tlv.primitive(0x80, b"x" * 0x100)[:4] == b"\x80\x82\x01\x00"


@pytest.mark.parametrize("data", [
    b"\x80",                 # no length
    b"\x80\x05abc",          # value truncated
    b"\x80\x80",             # indefinite length
    b"\x80\x83\x00\x00\x01a",  # 3-byte length field
    b"\x5f",                 # truncated 2-byte tag
    b"\x5f\x81\x01\x01a",    # 3-byte tag
    b"\x65\x03\x80\x05a",    # child truncated inside a template
])
def test_malformed_is_refused(data):
    with pytest.raises(tlv.TlvError):
        tlv.decode(data)


@settings(derandomize=True, deadline=None)
@given(st.binary(max_size=64))
def test_decode_only_raises_tlv_error(data):
    try:
        tlv.decode(data)
    except tlv.TlvError:
        pass


def test_padding_is_skipped():
    assert tlv.decode(b"\x00\x80\x01a\xff\xff") == (tlv.Tlv(0x80, b"a"),)


@pytest.mark.parametrize("apdu, expected", [
    (b"\x00\xa4\x04\x00", (0x00, 0xA4, 0x04, 0x00, b"", None)),
    (b"\x00\xb0\x00\x10\x00", (0x00, 0xB0, 0x00, 0x10, b"", 256)),
    (b"\x00\x20\x00\x01\x02ab", (0x00, 0x20, 0x00, 0x01, b"ab", None)),
    (b"\x00\xa4\x04\x00\x02ab\x00", (0x00, 0xA4, 0x04, 0x00, b"ab", 256)),
])
def test_parse_command(apdu, expected):
    cmd = parse_command(apdu)
    assert (cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data, cmd.le) == expected


@pytest.mark.parametrize("apdu", [b"", b"\x00\xa4\x04", b"\x00\x20\x00\x01\x04ab", b"\x00\x20\x00\x01\x00\x01"])
def test_parse_command_refuses_bad_lengths(apdu):
    assert parse_command(apdu) is None


def test_command_repr_hides_data():
    cmd = parse_command(b"\x00\x20\x00\x01\x081234\xff\xff\xff\xff")
    assert "1234" not in repr(cmd) and "31323334" not in repr(cmd)
    assert repr(cmd) == "Command(00 20 00 01, lc=8)"
