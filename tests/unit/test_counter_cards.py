"""The counter flow with the project's card layer (core.card SimulatedReader and its demo deck)."""
from __future__ import annotations

import pytest

from core.card import SimulatedReader
from core.errors import CardError, EngineError, ValidationError
from tests.unit import counter_support as S


@pytest.fixture
def svc(ctx):
    return S.services(ctx)


def _reader(card: str) -> SimulatedReader:
    reader = SimulatedReader()
    reader.insert("cps")
    reader.insert(card)
    return reader


def _dossier(svc, reader, index: int = 1) -> int:
    dossier_id = S.dossier_for(svc, reader, index)
    S.with_ordonnance(svc, dossier_id)
    S.desmaux_lines(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    return dossier_id


def test_desmaux_deck_card_to_signed_fse(ctx, svc):
    reader = _reader("desmaux")
    cps = svc.vitale.unlock_cps(reader, "1234")
    assert (cps.nom, cps.numero_am) == ("OPTIQUE DEMO", "992604231")
    read = svc.vitale.read_card(reader)
    assert read.beneficiaires[0].label == "1 - DESMAUX NATHALIE (15/06/1955)"
    dossier_id = _dossier(svc, reader)
    assert S.verify(svc, dossier_id).total_ro_cents == 9
    recap = svc.invoicing.invoice(dossier_id).fse
    reader.insert("c2s")                                         # another card slipped in
    with pytest.raises(EngineError) as exc:
        svc.invoicing.sign_fse(recap.fse_id, "1234", reader)
    assert exc.value.code == "CARTE_DIFFERENTE"
    reader.insert("desmaux")
    with pytest.raises(CardError) as exc:
        svc.invoicing.sign_fse(recap.fse_id, "0000", reader)
    assert "1234" not in exc.value.message_fr and "0000" not in exc.value.message_fr
    signed = svc.invoicing.sign_fse(recap.fse_id, "1234", reader)
    assert signed.fse.state == "Sécurisé" and signed.fse.mode == "SV"


def test_card_without_century_needs_the_forcage(ctx, svc):
    reader = _reader("sans-siecle")
    svc.vitale.unlock_cps(reader, "1234")
    read = svc.vitale.read_card(reader)
    assert read.beneficiaires[0].label == "1 - FACTURE AMELIE (01/01/80)"
    dossier_id = _dossier(svc, reader)
    forcages = svc.forcages.get(dossier_id)
    assert forcages.siecle_naissance.century_missing and forcages.siecle_naissance.date_naissance == "01/01/80"
    S.verify(svc, dossier_id)
    with pytest.raises(ValidationError) as exc:
        svc.invoicing.invoice(dossier_id)
    assert exc.value.code == "LINT_BLOQUANT" and "naissance" in exc.value.message_fr
    svc.forcages.force_siecle_naissance(dossier_id, "01/01/1980")
    S.verify(svc, dossier_id)
    recap = svc.invoicing.invoice(dossier_id).fse
    assert recap.beneficiaire.birth_date == "01/01/1980"
    assert svc.invoicing.sign_fse(recap.fse_id, "1234", reader).fse.mode == "SV"


def test_expired_deck_card_gets_rights_from_adri(ctx, svc):
    reader = _reader("perimee")
    svc.vitale.unlock_cps(reader, "1234")
    read = svc.vitale.read_card(reader)
    assert read.expired
    chosen = svc.vitale.select_beneficiary(read.beneficiaires[0].beneficiaire_id)
    assert chosen.adri.status == "ok" and chosen.info.source == "adri"


def test_ald_deck_card(ctx, svc):
    reader = _reader("ald")
    svc.vitale.unlock_cps(reader, "1234")
    dossier_id = S.dossier_for(svc, reader)
    S.with_ordonnance(svc, dossier_id, ald=True)
    S.frame_a(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    check = S.verify(svc, dossier_id)
    assert check.taux == 100 and check.total_ro_cents == 900
