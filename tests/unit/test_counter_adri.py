"""Carte Vitale reads, ApCV, Détail Informations Vitale and the three ADRi modes (with the outage)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from core.errors import EngineError, ValidationError
from core.models import Assure, Beneficiaire, Client, VitaleRead
from core.services.settings import PsSettings, SettingsService
from core.services.vitale_service import parse_apcv_payload
from tests.unit import counter_support as S


@pytest.fixture
def svc(ctx):
    return S.services(ctx)


def _mode(ctx, mode: str) -> None:
    SettingsService(ctx).update("ps", PsSettings(adri_mode=mode))


def test_family_card_with_twins(ctx, svc):
    rdr = S.reader(S.essai_family_card())
    read = svc.vitale.read_card(rdr)
    assert [c.label for c in read.beneficiaires] == [
        "1 - ESSAI ALAIN (01/19/1942)", "2 - ESSAI ALAINTER (07/02/1944)", "3 - ESSAI ALEXIS (12/02/2010)",
        "4 - ESSAI ARTHUR (12/02/2010)"]
    twins = [c for c in read.beneficiaires if c.birth_date == "12/02/2010"]
    assert [t.rang for t in twins] == [1, 2] and twins[0].beneficiaire_id != twins[1].beneficiaire_id
    assert Assure.select().count() == 1 and Beneficiaire.select().count() == 4 and Client.select().count() == 0
    svc.vitale.read_card(rdr)                                   # a second read updates, never duplicates
    assert Beneficiaire.select().count() == 4 and VitaleRead.select().count() == 8
    chosen = svc.vitale.select_beneficiary(twins[1].beneficiaire_id)
    assert chosen.beneficiaire.prenom == "ARTHUR" and chosen.beneficiaire.qualite_label == "Enfant"
    assert Client.get_by_id(chosen.client_id).prenom == "ARTHUR"


def test_detail_informations_vitale_two_tabs(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    benef_id = svc.vitale.read_card(rdr).beneficiaires[0].beneficiaire_id
    detail = svc.vitale.detail(benef_id)
    lecture = detail.lecture
    assert detail.adri is None and detail.adri_empty_label == "Pas de consultation ADRi"
    assert lecture.title == "Informations lues le 28/05/24 à 11:13"
    assert (lecture.regime, lecture.caisse, lecture.centre, lecture.libelle) == ("01", "999", "9999", "Caisse de TEST")
    assert (lecture.type_carte, lecture.numero_serie, lecture.validite) == ("Vitale 2", "VIT0001", date(2027, 1, 31))
    assert (lecture.nom, lecture.prenom, lecture.birth_date, lecture.qualite_label, lecture.rang_label) == (
        "DESMAUX", "NATHALIE", "15/06/1955", "Assuré", "Pas de jumeau ou 1er")
    assert lecture.adresse == ("5, BD MARIE ET ALEXANDRE OYON", "72019 LE MANS CEDEX 2")
    assert lecture.assure_nir == "2550699999999" and lecture.ald[0].situation == "100"
    S.open_cps(svc, rdr)
    outcome = svc.vitale.adri(benef_id)
    assert outcome.status == "ok" and outcome.trigger == "manuel"
    adri = svc.vitale.detail(benef_id).adri
    assert (adri.window_start, adri.window_end) == (date(2023, 5, 29), date(2024, 5, 28))
    assert adri.amo_periods[0].debut == date(2023, 5, 29) and adri.kind == "adri"


def test_adri_window_is_stored_and_requeried_the_next_day(ctx, svc, clock):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr)
    assert S.verify(svc, dossier_id).adri.window_start == date(2023, 5, 29)
    assert S.verify(svc, dossier_id).adri is None               # same day: no new call in ciblé mode
    clock.advance(days=1)
    S.open_cps(svc, rdr)                                        # the CPS code is asked again each day
    result = svc.invoicing.invoice(dossier_id)
    assert result.adri.status == "ok"
    assert (result.adri.window_start, result.adri.window_end) == (date(2023, 5, 30), date(2024, 5, 29))
    windows = [(r.window_start, r.window_end) for r in VitaleRead.select().where(VitaleRead.kind == "adri")
               .order_by(VitaleRead.id)]
    assert windows == [(date(2023, 5, 29), date(2024, 5, 28)), (date(2023, 5, 30), date(2024, 5, 29))]


def test_outage_mode_lets_the_user_continue_with_the_card(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr)
    svc.engine.rights_server.set_outage(True)
    check = S.verify(svc, dossier_id)
    assert check.adri.status == "indisponible" and check.adri.suggested_piece_justif_amo == "carte_vitale"
    assert "L'assuré a présenté sa carte Vitale" in check.adri.message_fr
    assert check.params.piece_justif_amo == "carte_vitale" and check.total_ro_cents == 9
    with pytest.raises(ValidationError) as exc:
        S.verify(svc, dossier_id, piece_justif_amo="adr")
    assert "ne répond pas" in exc.value.message_fr and "carte Vitale" in exc.value.message_fr
    svc.engine.rights_server.set_outage(False)
    assert S.verify(svc, dossier_id).adri.status == "ok"


def test_cps_required_outcome_without_session(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    dossier_id = S.desmaux_ready(svc, rdr)
    svc.dossiers.set_tiers_payant(dossier_id, tp_ro=False)
    result = svc.dossiers.set_tiers_payant(dossier_id, tp_ro=True)         # TP entry: ADRi in ciblé mode
    assert result.adri.status == "cps_requise" and "code" in result.adri.message_fr
    assert svc.vitale.cps_session() is None
    S.open_cps(svc, rdr)
    assert svc.vitale.cps_session().numero_am == "992604231"
    svc.dossiers.set_tiers_payant(dossier_id, tp_ro=False)
    assert svc.dossiers.set_tiers_payant(dossier_id, tp_ro=True).adri.status == "ok"


def test_cible_mode_calls_adri_at_the_read_of_an_expired_card(ctx, svc):
    rdr = S.reader(S.durand_expired_card())
    S.open_cps(svc, rdr)
    read = svc.vitale.read_card(rdr)
    assert read.expired
    chosen = svc.vitale.select_beneficiary(read.beneficiaires[0].beneficiaire_id)
    assert chosen.adri.status == "ok" and chosen.adri.trigger == "lecture"
    assert "Droits AMO ouverts selon le serveur ADRi" in chosen.adri.differences[0]
    fresh = S.services(ctx)
    ok = S.reader(S.desmaux_card())
    fresh.engine.open_session(ok, S.PIN, S.TODAY)
    ok_read = fresh.vitale.read_card(ok)
    assert fresh.vitale.select_beneficiary(ok_read.beneficiaires[0].beneficiaire_id).adri is None


def test_systematique_and_manuel_modes(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    _mode(ctx, "systematique")
    read = svc.vitale.read_card(rdr)
    assert svc.vitale.select_beneficiary(read.beneficiaires[0].beneficiaire_id).adri.status == "ok"
    _mode(ctx, "manuel")
    dossier_id = S.desmaux_ready(svc, rdr)
    check = S.verify(svc, dossier_id)
    assert check.adri is None
    calls = svc.engine.rights_server.calls
    svc.invoicing.invoice(dossier_id)
    assert svc.engine.rights_server.calls == calls              # manuel: only the button calls ADRi
    assert svc.vitale.adri(read.beneficiaires[0].beneficiaire_id).status == "ok"


@pytest.mark.parametrize("payload", [
    "APCV1|255069999999934|15/06/1955|1",
    "APCV1|2550699999999|19550615|1",
    json.dumps({"format": "APCV1", "nir": "2550699999999", "birth_date": "19550615", "rang": 1}),
])
def test_apcv_read_takes_the_rights_from_adri(ctx, svc, payload):
    S.open_cps(svc, S.reader())
    read = svc.vitale.read_apcv(payload)
    assert read.kind == "apcv" and read.adri.status == "ok" and read.adri.trigger == "apcv"
    assert [c.label for c in read.beneficiaires] == ["1 - DESMAUX NATHALIE (15/06/1955)"]
    assert sorted(r.kind for r in VitaleRead.select()) == ["adri", "apcv"]
    detail = svc.vitale.detail(read.beneficiaires[0].beneficiaire_id)
    assert detail.lecture.kind == "apcv" and detail.adri.window_end == S.TODAY


def test_apcv_errors(ctx, svc):
    assert parse_apcv_payload("APCV1|255069999999934|15/06/1955|2")[3] == 2
    for bad in ("", "APCV2|2550699999999|19550615|1", "{not json", "APCV1|2550699999999|1955|1"):
        with pytest.raises(ValidationError):
            parse_apcv_payload(bad)
    S.open_cps(svc, S.reader())
    svc.engine.rights_server.set_outage(True)
    with pytest.raises(EngineError) as exc:
        svc.vitale.read_apcv("APCV1|255069999999934|15/06/1955|1")
    assert exc.value.message_fr.startswith("Lecture de l'appli carte Vitale impossible")
    assert VitaleRead.select().count() == 0


def test_apcv_fse_is_secured_without_a_physical_card(ctx, svc):
    rdr = S.reader()
    S.open_cps(svc, rdr)
    read = svc.vitale.read_apcv("APCV1|255069999999934|15/06/1955|1")
    benef_id = read.beneficiaires[0].beneficiaire_id
    svc.vitale.select_beneficiary(benef_id)
    dossier_id = svc.dossiers.create(benef_id, card_present=True).id
    S.with_ordonnance(svc, dossier_id)
    S.desmaux_lines(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    assert S.verify(svc, dossier_id).params.piece_justif_amo == "adr"
    recap = svc.invoicing.invoice(dossier_id).fse
    assert svc.invoicing.sign_fse(recap.fse_id, S.PIN, rdr).fse.mode == "SV"
