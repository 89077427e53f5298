"""CPS host code against the simulated reader: code porteur, blocking, unblocking, read, signature."""
from __future__ import annotations

import pytest

from core.card import SLOT_CPS, SimulatedReader, pin_status, read_cps, sign, unblock, verify_pin
from core.card.deck import DEMO_CPS_PIN, DEMO_CPS_PUK, cps_content
from core.errors import CardError, ValidationError


@pytest.fixture
def reader() -> SimulatedReader:
    r = SimulatedReader()
    r.insert("cps")
    return r


class Spy:
    """A connection wrapper counting the VERIFY APDUs that reach the card."""

    def __init__(self, conn) -> None:
        self.conn, self.verifies = conn, 0
        self.reader_name, self.atr = conn.reader_name, conn.atr

    @property
    def apdu_count(self) -> int:
        return self.conn.apdu_count

    def transmit(self, apdu: bytes):
        if apdu[1] == 0x20 and len(apdu) > 4:
            self.verifies += 1
        return self.conn.transmit(apdu)

    def disconnect(self) -> None:
        self.conn.disconnect()


def test_right_code(reader):
    assert pin_status(reader).model_dump() == {"ok": False, "tries_left": 3, "blocked": False}
    result = verify_pin(reader, DEMO_CPS_PIN)
    assert result.model_dump() == {"ok": True, "tries_left": 3, "blocked": False}
    assert result.message_fr == "Code porteur correct."


def test_wrong_codes_block_after_three(reader):
    first = verify_pin(reader, "0000")
    assert (first.ok, first.tries_left, first.blocked) == (False, 2, False)
    assert first.message_fr == "Code porteur incorrect : 2 essais restants."
    assert verify_pin(reader, "1111").message_fr == "Code porteur incorrect : 1 essai restant."
    third = verify_pin(reader, "2222")
    assert (third.ok, third.tries_left, third.blocked) == (False, 0, True)
    assert "bloquée" in third.message_fr
    assert verify_pin(reader, DEMO_CPS_PIN).blocked           # blocked: even the right code is refused
    assert pin_status(reader).blocked
    assert reader.card("cps").pin_tries_left == 0


def test_a_right_code_resets_the_counter(reader):
    verify_pin(reader, "0000")
    verify_pin(reader, "0000")
    assert verify_pin(reader, DEMO_CPS_PIN).tries_left == 3
    assert verify_pin(reader, "0000").tries_left == 2


def test_blocking_survives_removal(reader):
    for _ in range(3):
        verify_pin(reader, "9999")
    reader.remove(SLOT_CPS)
    reader.insert("cps")
    assert verify_pin(reader, DEMO_CPS_PIN).blocked


def test_unblock(reader):
    for _ in range(3):
        verify_pin(reader, "9999")
    wrong = unblock(reader, "00000000", "4321")
    assert (wrong.ok, wrong.tries_left, wrong.blocked) == (False, 9, False)
    assert verify_pin(reader, DEMO_CPS_PIN).blocked
    assert unblock(reader, DEMO_CPS_PUK, "4321").ok
    assert pin_status(reader).tries_left == 3
    assert not verify_pin(reader, DEMO_CPS_PIN).ok             # the old code is gone
    assert verify_pin(reader, "4321").ok


def test_unblock_code_exhausted_kills_the_card(reader):
    for n in range(9, -1, -1):
        assert unblock(reader, "00000000", "4321").tries_left == n
    dead = unblock(reader, DEMO_CPS_PUK, "4321")
    assert (dead.ok, dead.tries_left, dead.blocked) == (False, 0, True)


@pytest.mark.parametrize("pin", ["123", "12345", "12a4", "", " 123", "１２３４", None, 1234])
def test_malformed_code_uses_no_try(reader, pin):
    with pytest.raises(ValidationError) as caught:
        verify_pin(reader, pin)
    assert caught.value.message_fr == "Le code porteur de la CPS compte 4 chiffres."
    assert pin_status(reader).tries_left == 3


@pytest.mark.parametrize("puk, new_pin", [("1234567", "4321"), ("12345678", "43210"), ("abcdefgh", "4321")])
def test_malformed_unblock_uses_no_try(reader, puk, new_pin):
    with pytest.raises(ValidationError):
        unblock(reader, puk, new_pin)
    assert reader.card("cps").puk_tries_left == 10


def test_exactly_one_verify_per_call_even_when_the_card_leaves(reader):
    conn = Spy(reader.connect(SLOT_CPS))
    verify_pin(conn, "0000")
    assert conn.verifies == 1
    reader.pull_out_after(1, SLOT_CPS)   # the SELECT goes through, then the card is gone
    with pytest.raises(CardError) as caught:
        verify_pin(conn, DEMO_CPS_PIN)
    assert caught.value.code == "card_removed"
    assert conn.verifies == 2            # one attempt for this call, and no automatic retry
    reader.insert("cps")
    assert pin_status(reader).tries_left == 2


def test_read_cps(reader):
    cps = read_cps(reader)
    assert cps.model_dump(exclude={"atr", "apdu_count"}) == cps_content().model_dump(exclude={"atr", "apdu_count"})
    assert cps.apdu_count == 1 + 2 * (1 + len(cps.situations))
    assert [s.numero for s in cps.situations] == [1, 2]
    assert (cps.situation, cps.numero_am, cps.specialite) == (1, "992604231", "28")
    assert cps.situations[1].habilitation_facture and not cps.situations[1].habilitation_lot


def test_sign_needs_the_code_on_the_same_connection(reader):
    with reader.connect(SLOT_CPS) as conn:
        with pytest.raises(CardError) as caught:
            sign(conn, b"digest")
        assert caught.value.code == "pin_required"
        assert verify_pin(conn, DEMO_CPS_PIN).ok
        first = sign(conn, b"digest")
        assert len(first) == 32 and sign(conn, b"digest") == first != sign(conn, b"other")
    with reader.connect(SLOT_CPS) as conn, pytest.raises(CardError):
        sign(conn, b"digest")            # power cycle: the code must be given again


def test_cps_functions_refuse_a_vitale_card():
    r = SimulatedReader()
    r.insert("essai")
    with pytest.raises(CardError) as caught:
        verify_pin(r, DEMO_CPS_PIN)
    assert caught.value.code == "wrong_card"
    with r.connect() as conn, pytest.raises(CardError) as on_conn:
        read_cps(conn)
    assert on_conn.value.code == "wrong_card"


def test_no_cps_inserted():
    with pytest.raises(CardError) as caught:
        read_cps(SimulatedReader())
    assert caught.value.code == "no_card"
    assert caught.value.message_fr == "Aucune carte CPS dans le lecteur : insérez-la."
