"""ATR classification (DOMAIN.md 2.4)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.card.atr import ATR_TABLE, CardKind, classify_atr


@pytest.mark.parametrize("atr, kind, label", [
    ("3B 75 13 00 00 43 09 EA 90 00", CardKind.VITALE_2, "Carte Vitale 2"),
    ("3B 75 13 00 00 44 09 EA 90 00", CardKind.VITALE_2, "Carte Vitale 2 (avec photo)"),
    ("3B 75 13 00 00 45 09 EA 90 00", CardKind.VITALE_2, "Carte Vitale 2"),
    ("3B 75 13 00 00 45 09 FA 90 00", CardKind.VITALE_2, "Carte Vitale 2"),
    ("3B 75 13 00 00 4C 09 EA 90 00", CardKind.VITALE_2, "Carte Vitale 2"),
    ("3F 65 25 00 22 09 F9 90 00", CardKind.VITALE_1, "Carte Vitale 1"),
    ("3F 65 25 00 2C 09 69 90 00", CardKind.VITALE_1, "Carte Vitale 1"),
    ("3F 65 25 00 52 09 6A 90 00", CardKind.VITALE_1, "Carte Vitale 1"),
    ("3F 65 25 00 A3 09 6A 90 00", CardKind.VITALE_1, "Carte Vitale 1"),
    ("3F 65 25 00 A4 09 6A 90 00", CardKind.VITALE_1, "Carte Vitale 1"),
    ("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00", CardKind.CPS, "CPS"),
    ("3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00", CardKind.CPS, "CPS"),
    ("3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00", CardKind.CPS, "CPS V4"),
    ("3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E", CardKind.CPS, "CPS v3 sans contact"),
])
def test_known_atrs(atr, kind, label):
    info = classify_atr(atr)
    assert (info.kind, info.label_fr, info.atr) == (kind, label, atr)
    assert info.is_known and info.is_vitale == (kind in (CardKind.VITALE_1, CardKind.VITALE_2))
    assert info.is_cps == (kind is CardKind.CPS)


@pytest.mark.parametrize("atr", [
    "3B 80 80 01 01",                           # generic virtual card
    "3B 75 13 00 00 45 09 EA 90",               # truncated Vitale 2
    "3B 75 13 00 00 45 09 EA 90 00 00",         # one byte too many
    "3F 65 25 00 2C 09 6A 90 00",               # Vitale 1 prefix, wrong variant
    "3B 75 13 00 00 45 09 DA 90 00",
    "",
    "not hex at all",
])
def test_unknown_atrs(atr):
    info = classify_atr(atr)
    assert info.kind is CardKind.UNKNOWN
    assert info.label_fr == "carte inconnue"
    assert not info.is_known and not info.is_vitale and not info.is_cps


def test_input_forms_agree():
    raw = bytes.fromhex("3B751300004509EA9000")
    assert classify_atr(raw) == classify_atr(list(raw)) == classify_atr(bytearray(raw)) \
        == classify_atr("3b:75:13:00:00:45:09:ea:90:00")


def test_every_table_row_is_reachable():
    assert len({kind for _, kind, _ in ATR_TABLE}) == 3


@settings(derandomize=True, deadline=None)
@given(st.binary(max_size=40))
def test_classify_never_raises(data):
    info = classify_atr(data)
    assert info.atr == " ".join(f"{b:02X}" for b in data)
