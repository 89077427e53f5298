"""The simulated reader: slots, events, removal mid-read, errors, virtual card APDU behaviour."""
from __future__ import annotations

import pytest

from core.card import (SLOT_CPS, SLOT_VITALE, CardEventKind, CardKind, SimulatedReader, connect_kind,
                       read_vitale)
from core.card.deck import make_card
from core.card.vitale import MSG_REMOVED_DURING_READ
from core.errors import CardError


def test_insert_puts_cards_in_their_slot_and_reports_events():
    reader = SimulatedReader()
    events = []
    sub = reader.subscribe(events.append)
    assert reader.insert("essai") == SLOT_VITALE
    assert reader.insert("cps") == SLOT_CPS
    reader.remove(SLOT_VITALE)
    sub.cancel()
    reader.insert("desmaux")                     # no longer delivered
    assert [(e.kind, e.reader_name, e.info.kind) for e in events] == [
        (CardEventKind.INSERTED, SLOT_VITALE, CardKind.VITALE_2),
        (CardEventKind.INSERTED, SLOT_CPS, CardKind.CPS),
        (CardEventKind.REMOVED, SLOT_VITALE, CardKind.VITALE_2),
    ]
    assert reader.list_readers() == [SLOT_VITALE, SLOT_CPS]
    assert [c.reader_name for c in reader.present_cards()] == [SLOT_VITALE, SLOT_CPS]


def test_subscribe_reports_cards_already_present():
    reader = SimulatedReader()
    reader.insert("cps")
    events = []
    reader.subscribe(events.append)
    assert [(e.kind, e.reader_name) for e in events] == [(CardEventKind.INSERTED, SLOT_CPS)]


def test_inserting_into_a_full_slot_removes_the_previous_card():
    reader = SimulatedReader()
    events = []
    reader.subscribe(events.append)
    reader.insert("essai")
    reader.insert("desmaux")
    assert [e.kind for e in events] == [CardEventKind.INSERTED, CardEventKind.REMOVED, CardEventKind.INSERTED]
    assert read_vitale(reader).nom_assure == "DESMAUX"


@pytest.mark.parametrize("after", range(1, 15))
def test_card_pulled_out_mid_read_returns_nothing(after):
    reader = SimulatedReader()
    reader.insert("essai")
    reader.pull_out_after(after, SLOT_VITALE)
    result = None
    with pytest.raises(CardError) as caught:
        result = read_vitale(reader)
    assert result is None
    assert caught.value.code == "card_removed"
    assert caught.value.message_fr == MSG_REMOVED_DURING_READ
    assert reader.present_cards() == []


def test_stale_connection_after_reinsertion():
    reader = SimulatedReader()
    reader.insert("essai")
    conn = reader.connect(SLOT_VITALE)
    reader.remove(SLOT_VITALE)
    reader.insert("essai")                          # the same card back: a new insertion
    with pytest.raises(CardError) as caught:
        conn.transmit(b"\x00\xa4\x04\x00\x01\x00")
    assert caught.value.code == "card_removed"
    conn.disconnect()
    assert read_vitale(reader).nom_assure == "ESSAI"


def test_connection_errors():
    reader = SimulatedReader()
    with pytest.raises(CardError) as empty:
        reader.connect(SLOT_VITALE)
    assert empty.value.code == "no_card"
    with pytest.raises(CardError) as nothing:
        read_vitale(reader)
    assert (nothing.value.code, nothing.value.message_fr) == ("no_card",
                                                              "Aucune carte Vitale dans le lecteur : insérez-la.")
    with pytest.raises(CardError) as unknown_slot:
        reader.connect("Lecteur fantôme")
    assert unknown_slot.value.code == "unknown_reader"
    with pytest.raises(CardError) as timeout:
        reader.wait_for_card(0.1)
    assert timeout.value.code == "timeout"


def test_unknown_card_and_wrong_card():
    reader = SimulatedReader()
    reader.insert("inconnue")
    with pytest.raises(CardError) as unknown:
        read_vitale(reader)
    assert unknown.value.code == "unknown_card"
    assert unknown.value.message_fr.startswith("Carte inconnue")
    with reader.connect(SLOT_VITALE) as conn, pytest.raises(CardError) as direct:
        read_vitale(conn)
    assert direct.value.code == "unknown_card"

    reader.remove()
    reader.insert("cps", SLOT_VITALE)
    with pytest.raises(CardError) as wrong:
        read_vitale(reader)
    assert wrong.value.code == "wrong_card"
    assert wrong.value.message_fr == "La carte insérée est une CPS, pas une carte Vitale."


def test_connect_kind_picks_the_right_slot():
    reader = SimulatedReader()
    reader.insert("cps")
    reader.insert("msa")
    with connect_kind(reader, {CardKind.CPS}) as conn:
        assert conn.reader_name == SLOT_CPS
    assert reader.wait_for_card(1.0, SLOT_VITALE).info.kind is CardKind.VITALE_2


def test_a_vitale_with_an_unreadable_file_is_refused_whole():
    reader = SimulatedReader()
    reader.insert("essai")
    card = reader.card("essai")
    app = next(iter(card._apps.values()))
    app[0x2004] = app[0x2004][:-3]                 # corrupt one bénéficiaire
    with pytest.raises(CardError) as caught:
        read_vitale(reader)
    assert caught.value.code == "bad_response"
    assert "illisible" in caught.value.message_fr


# --- the virtual cards themselves (ISO 7816-4 answers) -------------------------------------------------------

def _sw(response: bytes) -> str:
    return response[-2:].hex().upper()


def test_virtual_card_status_words():
    card = make_card("essai")
    card.power_on()
    assert _sw(card.handle_apdu(b"\x00\xb0\x00\x00\x10")) == "6985"           # no EF selected
    assert _sw(card.handle_apdu(b"\x80\xa4\x04\x00\x01\x00")) == "6E00"       # CLA
    assert _sw(card.handle_apdu(b"\x00\xca\x00\x00\x00")) == "6D00"           # INS
    assert _sw(card.handle_apdu(b"\x00\xa4\x04")) == "6700"                   # length
    assert _sw(card.handle_apdu(b"\x00\xa4\x04\x00\x02\xaa\xbb\x00")) == "6A82"
    aid = bytes.fromhex("D250000002564954414C45")
    fci = card.handle_apdu(b"\x00\xa4\x04\x00" + bytes([len(aid)]) + aid + b"\x00")
    assert fci == b"\x6f\x0d\x84\x0b" + aid + b"\x90\x00"
    assert _sw(card.handle_apdu(b"\x00\xa4\x02\x04\x02\x99\x99\x00")) == "6A82"
    fcp = card.handle_apdu(b"\x00\xa4\x02\x04\x02\x20\x01\x00")
    assert _sw(fcp) == "9000" and fcp[:4] == b"\x62\x0b\x80\x02"
    size = int.from_bytes(fcp[4:6], "big")
    assert _sw(card.handle_apdu(b"\x00\xb0" + (size + 1).to_bytes(2, "big") + b"\x01")) == "6B00"
    assert _sw(card.handle_apdu(b"\x00\xb0\x81\x00\x01")) == "6A86"           # SFI not supported
    assert card.handle_apdu(b"\x00\xb0\x00\x00\x02")[:2] == b"\xe0" + bytes([size - 2])
    card.power_off()
    assert _sw(card.handle_apdu(b"\x00\xb0\x00\x00\x02")) == "6985"           # power off clears the selection


def test_cps_verify_before_selecting_the_application():
    card = make_card("cps")
    card.power_on()
    assert _sw(card.handle_apdu(b"\x00\x20\x00\x01")) == "6985"
    assert card.pin_tries_left == 3
