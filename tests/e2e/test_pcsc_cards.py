"""Reading the demo cards through the real stack: pcscd -> pyscard -> vsmartcard-vpcd -> `lunetier card serve`."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pcsc_stack import PORT_1, READER_0, READER_1, pcsc, pcsc_session  # noqa: E402,F401

from core.card import (PcscReader, pcsc_availability, pin_status, read_cps, read_vitale, sign,  # noqa: E402
                       unblock, verify_pin)
from core.card.deck import DEMO_CPS_PIN, DEMO_CPS_PUK, cps_content, vitale_content  # noqa: E402
from core.errors import CardError  # noqa: E402

pytestmark = pytest.mark.pcsc


def test_availability_lists_the_vpcd_readers(pcsc):
    avail = pcsc_availability()
    assert avail.ok and avail.reason_code == "ok"
    assert {READER_0, READER_1} <= set(avail.readers)
    assert {READER_0, READER_1} <= set(PcscReader().list_readers())


def test_family_vitale_card_read_through_pcscd(pcsc):
    pcsc.serve_cli("essai")
    reader = PcscReader()
    present = reader.present_cards()
    assert [(c.reader_name, c.info.label_fr) for c in present] == [(READER_0, "Carte Vitale 2")]

    data = read_vitale(reader)

    expected = vitale_content("essai")
    assert data.model_dump(exclude={"atr", "apdu_count"}) == expected.model_dump(exclude={"atr", "apdu_count"})
    assert data.atr == "3B 75 13 00 00 45 09 EA 90 00"
    assert data.apdu_count == 5 + 2 * len(expected.beneficiaries)
    twins = [b.identity for b in data.beneficiaries if b.identity.birth_date == "20100212"]
    assert [(t.prenom, t.rang) for t in twins] == [("ALEXIS", 1), ("ARTHUR", 2)]
    assert data.beneficiaries[0].choice_label == "1 - ESSAI ALAIN (01/19/1942)"


def test_read_with_an_explicit_connection(pcsc):
    pcsc.serve_cli("desmaux")
    with PcscReader().connect(READER_0) as conn:
        first = read_vitale(conn)
        second = read_vitale(conn)  # the connection stays usable
    assert first == second
    assert first.organisme.libelle == "Caisse de TEST"
    assert first.beneficiaries[0].adresse == ("5, BD MARIE ET ALEXANDRE OYON", "72019 LE MANS CEDEX 2")


def test_cps_read_and_code_porteur_cycle(pcsc):
    pcsc.serve_cli("cps", PORT_1)
    reader = PcscReader()

    cps = read_cps(reader)
    assert cps.model_dump(exclude={"atr", "apdu_count"}) == cps_content().model_dump(exclude={"atr", "apdu_count"})
    assert (cps.nom, cps.numero_am, cps.rpps) == ("OPTIQUE DEMO", "992604231", "10100992600")
    assert [s.habilitation_lot for s in cps.situations] == [True, False]

    assert pin_status(reader).tries_left == 3
    assert verify_pin(reader, "0000").model_dump() == {"ok": False, "tries_left": 2, "blocked": False}
    assert verify_pin(reader, DEMO_CPS_PIN).model_dump() == {"ok": True, "tries_left": 3, "blocked": False}
    for left in (2, 1):
        assert verify_pin(reader, "9999").tries_left == left
    blocked = verify_pin(reader, "9999")
    assert (blocked.ok, blocked.tries_left, blocked.blocked) == (False, 0, True)
    assert verify_pin(reader, DEMO_CPS_PIN).blocked  # the right code no longer opens a blocked card

    assert unblock(reader, "87654321", "4321").model_dump() == {"ok": False, "tries_left": 9, "blocked": False}
    assert unblock(reader, DEMO_CPS_PUK, "4321").ok
    assert not verify_pin(reader, DEMO_CPS_PIN).ok
    assert verify_pin(reader, "4321").ok


def test_signature_needs_the_code_on_the_same_connection(pcsc):
    pcsc.serve_cli("cps", PORT_1)
    with PcscReader().connect(READER_1) as conn:
        with pytest.raises(CardError) as refused:
            sign(conn, b"hash of the FSE")
        assert refused.value.code == "pin_required"
        assert verify_pin(conn, DEMO_CPS_PIN).ok
        assert pin_status(conn).ok
        assert len(sign(conn, b"hash of the FSE")) == 32
