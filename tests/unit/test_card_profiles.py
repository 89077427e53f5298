"""The demo deck and the Vitale profile: every card reads back exactly as the deck describes it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from stdnum.fr import nir as stdnum_nir

from core.card import SimulatedReader, read_vitale
from core.card.apdu import READ_CHUNK
from core.card.atr import CardKind
from core.card.deck import DECK, DECK_REFERENCE_DATE, cps_content, deck_entry, make_card, vitale_content
from core.card.models import ProfileError, VitaleData, display_birth_date, with_century
from core.card.profile_vitale import MAX_BENEFICIARIES, encode_files
from core.errors import ValidationError

VITALE_NAMES = [e.name for e in DECK if e.kind is CardKind.VITALE_2]


def _read(name: str) -> VitaleData:
    reader = SimulatedReader()
    reader.insert(name)
    return read_vitale(reader)


@pytest.mark.parametrize("name", VITALE_NAMES)
def test_every_vitale_card_reads_back_as_the_deck_says(name):
    data = _read(name)
    expected = vitale_content(name)
    assert data.model_dump(exclude={"atr", "apdu_count"}) == expected.model_dump(exclude={"atr", "apdu_count"})
    assert data.atr == "3B 75 13 00 00 45 09 EA 90 00"
    # SELECT AID, then per file one SELECT EF + one READ BINARY per 240-byte chunk
    chunks = sum(1 + -(-len(content) // READ_CHUNK) for content in encode_files(expected).values())
    assert data.apdu_count == 1 + chunks >= 5 + 2 * len(expected.beneficiaries)


def test_a_file_larger_than_one_chunk_is_read_whole():
    sizes = [len(c) for c in encode_files(vitale_content("desmaux")).values()]
    assert max(sizes) > READ_CHUNK
    assert _read("desmaux").beneficiaries[0].rights.medecin_traitant == "DR MEDECIN TEST"


@pytest.mark.parametrize("name", VITALE_NAMES)
def test_nir_keys_are_valid(name):
    card = vitale_content(name)
    # standard key: 97 - (NIR body mod 97)
    assert card.nir_key == f"{97 - int(card.nir) % 97:02d}" == stdnum_nir.calc_check_digits(card.nir)
    for b in card.beneficiaries:
        if b.identity.nir_certifie:
            assert stdnum_nir.is_valid(b.identity.nir_certifie + b.identity.nir_certifie_key)
    assert 1 <= len(card.beneficiaries) <= MAX_BENEFICIARIES
    assert card.assure is not None and card.assure.identity.nom == card.nom_assure


def test_desmaux_is_the_manuals_card():
    data = _read("desmaux")
    assert (data.nir, data.nir_key) == ("2550699999999", "34")
    assert (data.organisme.regime, data.organisme.caisse, data.organisme.centre) == ("01", "999", "9999")
    assert data.organisme.libelle == "Caisse de TEST"
    b = data.beneficiaries[0]
    assert b.choice_label == "1 - DESMAUX NATHALIE (15/06/1955)"
    assert b.identity.birth_date == "19550615"
    assert b.adresse == ("5, BD MARIE ET ALEXANDRE OYON", "72019 LE MANS CEDEX 2")
    assert [(p.code, p.situation) for p in b.rights.ald] == [("0", "100")]   # the manual's ALD row


def test_family_card_with_twins():
    data = _read("essai")
    assert len(data.beneficiaries) == 5
    assert [b.identity.qualite for b in data.beneficiaries] == [0, 2, 6, 6, 6]
    alexis, arthur = data.find("20100212", 1), data.find("20100212", 2)
    assert (alexis.identity.prenom, arthur.identity.prenom) == ("ALEXIS", "ARTHUR")
    assert data.beneficiaries[0].identity.birth_date == "19421901"     # lunar date kept (month 19)
    assert data.beneficiaries[0].identity.birth_date_display == "01/19/1942"
    assert data.at is not None and data.at.id_at1


def test_card_without_century():
    b = _read("sans-siecle").beneficiaries[0]
    assert b.identity.century_missing
    assert b.identity.birth_date == "800101"
    assert b.identity.birth_date_display == "01/01/80"
    assert with_century(b.identity.birth_date, "19") == "19800101"
    assert with_century("19800101", "20") == "19800101"     # a full date is never changed


def test_expiry_is_relative_to_the_validity_field():
    expired = _read("perimee")
    assert not expired.expired_on(expired.validite)
    assert expired.expired_on(expired.validite + timedelta(days=1))
    assert expired.expired_on(DECK_REFERENCE_DATE)
    for name in VITALE_NAMES:
        if name != "perimee":
            assert not _read(name).expired_on(DECK_REFERENCE_DATE), name


def test_c2s_ald_and_msa_cards():
    c2s = _read("c2s")
    assert all(b.rights.service_amo.code == "01" for b in c2s.beneficiaries)
    assert all(b.rights.service_amo.covers(DECK_REFERENCE_DATE) for b in c2s.beneficiaries)
    assert c2s.beneficiaries[0].rights.service_amo.label == "C2S gérée par une AMO"
    assert c2s.beneficiaries[0].rights.amc.numero_amc == "99999997"
    ald = _read("ald").beneficiaries[0].rights.ald
    assert [(p.code, p.fin) for p in ald] == [("1", None)]
    msa = _read("msa")
    assert msa.organisme.regime == "02"
    assert _read("crpcen").organisme.regime == "10"


def test_cards_match_the_demo_dataset_and_the_engine_types():
    demo = pytest.importorskip("core.demo_data")
    types = pytest.importorskip("core.engine.types")
    cps = cps_content()
    assert (cps.nom, cps.numero_am, cps.rpps) == (demo.PS_NOM, demo.PS_NUMERO_AM, demo.PS_RPPS)
    assert types.CpsIdentity.model_validate(cps.model_dump()).numero_am == demo.PS_NUMERO_AM
    for name in VITALE_NAMES:
        data = _read(name)
        card = types.VitaleCard.model_validate(data.model_dump())
        assert card.nir == data.nir and len(card.beneficiaries) == len(data.beneficiaries)


def test_deck_is_deterministic():
    for entry in DECK:
        a, b = make_card(entry.name), make_card(entry.name)
        assert a is not b and a.atr == b.atr
        if hasattr(a, "content"):
            assert a.content == b.content
    assert deck_entry("cps").kind is CardKind.CPS


def test_unknown_deck_name():
    with pytest.raises(ValidationError) as caught:
        make_card("nobody")
    assert "nobody" in caught.value.message_fr and "essai" in caught.value.message_fr


def test_more_than_six_beneficiaries_is_refused():
    card = vitale_content("essai")
    too_many = card.model_copy(update={"beneficiaries": card.beneficiaries + card.beneficiaries[:2]})
    with pytest.raises(ProfileError):
        encode_files(too_many)


def test_display_birth_date():
    assert display_birth_date("19550615") == "15/06/1955"
    assert display_birth_date("19851900") == "00/19/1985"
    assert display_birth_date("550615") == "15/06/55"
