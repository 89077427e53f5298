"""SESAM-Vitale forçages: each one audited with the values before and after, and used by Vérif. taux."""
from __future__ import annotations

import json
from datetime import date

import pytest

from core.errors import ValidationError
from core.models import AuditLog
from core.services.counter_dto import AttestationAmc
from tests.unit import counter_support as S


@pytest.fixture
def svc(ctx):
    return S.services(ctx)


def _audit(action: str) -> list[dict]:
    return [json.loads(r.details) for r in AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.seq)]


def _dossier(svc, card=None, *, card_present=True) -> int:
    rdr = S.reader(card or S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.dossier_for(svc, rdr, card_present=card_present)
    S.with_ordonnance(svc, dossier_id)
    S.frame_a(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    return dossier_id


def test_service_amo_forcage_sets_and_removes_c2s(ctx, svc):
    dossier_id = _dossier(svc)
    assert svc.forcages.get(dossier_id).service_amo.carte.label == "00 - Pas de service AMO"
    forced = svc.forcages.force_service_amo(dossier_id, "01", date(2024, 1, 1), date(2024, 12, 31))
    assert forced.service_amo.forcage.code == "01" and "Service AMO" in forced.actifs
    assert S.verify(svc, dossier_id).taux == 100                       # C2S forced
    removed = svc.forcages.remove_service_amo(dossier_id)
    assert removed.service_amo.forcage is None
    assert S.verify(svc, dossier_id).taux == 60
    audit = _audit("forcage.service_amo")[0]
    assert audit["avant"] is None and audit["apres"] == {"code": "01", "debut": "2024-01-01", "fin": "2024-12-31"}
    assert _audit("forcage.service_amo.suppression")[0]["apres"] is None
    with pytest.raises(ValidationError):
        svc.forcages.remove_service_amo(dossier_id)
    with pytest.raises(ValidationError):
        svc.forcages.force_service_amo(dossier_id, "77")


def test_cancelling_the_c2s_of_the_card(ctx, svc):
    dossier_id = _dossier(svc, S.issner_card())
    assert svc.forcages.get(dossier_id).service_amo.carte.code == "01"
    svc.forcages.force_service_amo(dossier_id, "00")
    assert S.verify(svc, dossier_id).taux == 60


def test_situation_etm_is_for_degrade_only(ctx, svc):
    sv = _dossier(svc)
    assert not svc.forcages.get(sv).situation_etm.allowed
    with pytest.raises(ValidationError) as exc:
        svc.forcages.force_situation_etm(sv, "42")
    assert "dégradé uniquement" in exc.value.message_fr
    deg = _dossier(svc, card_present=False)
    forced = svc.forcages.force_situation_etm(deg, "42")
    assert forced.situation_etm.label == "42 Exonéré : soins en rapport avec une ALD"
    check = S.verify(svc, deg)
    assert check.taux == 100 and check.mode_securisation == "DEGRADE"
    assert _audit("forcage.situation_etm")[0] == {"forcage": "Situation ETM", "avant": None,
                                                  "apres": {"taux_exoneration": "42"}}


def test_maternite_forcage(ctx, svc):
    dossier_id = _dossier(svc)
    out = svc.forcages.force_maternite(dossier_id, date(2024, 9, 30))
    assert out.maternite.fin_forcee == date(2024, 9, 30) and out.maternite.fin_theorique is None
    svc.forcages.force_maternite(dossier_id, None)
    rows = _audit("forcage.maternite")
    assert rows[0]["apres"]["fin_forcee"] == "2024-09-30" and rows[1]["apres"] is None
    assert rows[1]["avant"]["fin_forcee"] == "2024-09-30"


def test_siecle_naissance_changes_only_the_century(ctx, svc):
    dossier_id = _dossier(svc)
    with pytest.raises(ValidationError) as exc:
        svc.forcages.force_siecle_naissance(dossier_id, "16/06/1955")
    assert "Seul le siècle" in exc.value.message_fr
    out = svc.forcages.force_siecle_naissance(dossier_id, "15/06/2055")
    assert out.siecle_naissance.forcee == "15/06/2055" and out.siecle_naissance.date_naissance == "15/06/1955"
    assert svc.dossiers.get(dossier_id).beneficiaire.birth_date == "15/06/2055"
    assert _audit("forcage.siecle_naissance")[0]["apres"] == {"birth_date": "15/06/2055"}


def test_attestation_amc_every_field(ctx, svc):
    dossier_id = _dossier(svc)
    att = AttestationAmc(
        piece_justif_amc="serveur_amc", date_reference="facture", gestion_separee=True, numero_prefectoral="7777777777",
        numero_edi="77777777EDI", type_conv="SP", garanties="G1", id_assure="ID42", numero_pec="PEC1", refus_ro=True,
        aiguillage_sts="M", id_hote="H7777", date_debut=date(2024, 1, 1), att_particuliere="AP", numero_mutuelle="M1",
        crit_secondaire="07", numero_adherent="A123", type_contrat="01", montant_pec_cents=2460, traitement_rc="22",
        code_routage="CM", domaine="demo.invalid", date_fin=date(2024, 12, 31))
    out = svc.forcages.set_attestation_amc(dossier_id, att)
    assert out.attestation_amc == att and "Attestation AMC" in out.actifs
    assert out.attestation_amc.piece_justif_amc_label == (
        "le PS a vérifié les droits du patient sur le serveur de l'AMC : exemple site web")
    row = _audit("forcage.attestation_amc")[0]
    assert row["avant"] is None and row["apres"]["crit_secondaire"] == "07" and row["apres"]["montant_pec_cents"] == 2460
    svc.forcages.set_attestation_amc(dossier_id, None)
    assert svc.forcages.get(dossier_id).attestation_amc is None
    assert _audit("forcage.attestation_amc")[1]["apres"] is None


def test_forcages_are_refused_once_invoiced(ctx, svc):
    dossier_id = _dossier(svc)
    S.verify(svc, dossier_id)
    svc.invoicing.invoice(dossier_id)
    with pytest.raises(ValidationError) as exc:
        svc.forcages.force_service_amo(dossier_id, "01")
    assert "avoir" in exc.value.message_fr
    assert not _audit("forcage.service_amo")
