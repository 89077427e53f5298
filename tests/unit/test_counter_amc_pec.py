"""AMC conventions (the -1300 case) and the PEC tab."""
from __future__ import annotations

import json

import pytest

from core.errors import ValidationError
from core.models import AuditLog, PecRequest
from tests.unit import counter_support as S


@pytest.fixture
def svc(ctx):
    return S.services(ctx)


def _rc_dossier(ctx, svc, numero: str, nom: str, **mutuelle) -> int:
    mutuelle_id = S.add_mutuelle(ctx, numero, nom, **mutuelle)
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id)
    S.frame_a(svc, dossier_id, rc1_cents=2460)
    svc.dossiers.set_mutuelles(dossier_id, mutuelle_id)
    svc.dossiers.to_vente(dossier_id)
    svc.dossiers.set_tiers_payant(dossier_id, tp_rc=True, teletrans_rc=True)
    return dossier_id


def test_search_gives_code_1300_then_narrows(ctx, svc):
    found = svc.amc.search_conventions(numero_prefectoral="7777777777")
    assert found.too_many and found.error_code == "-1300" and found.rows == () and found.total == 120
    assert found.message_fr == "Nombre de résultats trop grand, merci d'affiner votre recherche"
    assert found.guidance_fr.startswith("Il y a trop de mutuelles avec ce n° préfectoral")
    by_type = svc.amc.search_conventions(numero_prefectoral="7777777777", type_conv="SP")
    assert (by_type.total, by_type.pages, len(by_type.rows)) == (20, 1, 20)
    paged = svc.amc.search_conventions(numero_prefectoral="7777777777", type_conv="SP", page=2, page_size=15)
    assert (paged.page, paged.pages, len(paged.rows)) == (2, 2, 5)
    one = svc.amc.search_conventions(numero_prefectoral="7777777777", type_conv="SP", crit_secondaire="07")
    assert one.total == 1 and one.rows[0].lib_amc == "Mut. Multi-Conventions (démo)"
    assert svc.amc.search_conventions("cnda").rows[0].lib_signataire == "Zz1"


def test_rate_check_guides_to_attestation_amc_then_dre(ctx, svc):
    dossier_id = _rc_dossier(ctx, svc, "7777777777", "Mut. Multi-Conventions (démo)")
    check = S.verify(svc, dossier_id)
    assert check.convention.status == "trop_de_resultats" and "Code : -1300" in check.convention.message_fr
    with pytest.raises(ValidationError) as exc:
        svc.invoicing.invoice(dossier_id)
    assert exc.value.code == "CONVENTION"
    narrowed = svc.amc.search_conventions(numero_prefectoral="7777777777", type_conv="SP", crit_secondaire="07")
    att = svc.amc.choose_convention(dossier_id, narrowed.rows[0])
    assert (att.numero_prefectoral, att.type_conv, att.crit_secondaire, att.source) == ("7777777777", "SP", "07",
                                                                                        "convention")
    assert att.code_routage and att.id_hote and att.domaine
    assert json.loads(AuditLog.get(AuditLog.action == "amc.convention").details)["apres"]["crit_secondaire"] == "07"
    assert S.verify(svc, dossier_id).convention is None
    result = svc.invoicing.invoice(dossier_id)
    assert result.fse.has_dre and result.invoice.type_facture == "FSE + DRE"


def test_disabled_convention_is_refused(ctx, svc):
    dossier_id = _rc_dossier(ctx, svc, "7777777777", "Mut. Multi-Conventions (démo)")
    row = svc.amc.search_conventions(numero_prefectoral="7777777777", type_conv="CM", crit_secondaire="20").rows[0]
    assert row.desactive
    with pytest.raises(ValidationError):
        svc.amc.choose_convention(dossier_id, row)


def test_gestion_unique_has_no_dre(ctx, svc):
    dossier_id = _rc_dossier(ctx, svc, "0062013354", "Mut. Partenaire (démo)", gestion="unique")
    S.verify(svc, dossier_id)
    result = svc.invoicing.invoice(dossier_id)
    assert not result.fse.has_dre and result.fse.facturation_amc and result.invoice.type_facture == "FSE Seule"


def test_pec_tab_accord_and_code_choice(ctx, svc):
    dossier_id = _rc_dossier(ctx, svc, "1100000000", "Mut. Test CNDA", pec_obligatoire=True)
    tab = svc.pec.tab(dossier_id)
    assert tab.credit == 245 and tab.current is None and tab.pec_obligatoire
    S.verify(svc, dossier_id)
    with pytest.raises(ValidationError) as exc:
        svc.invoicing.invoice(dossier_id)                        # lint PEC_ABSENT
    assert "PEC" in exc.value.message_fr and exc.value.code == "LINT_BLOQUANT"
    refus = svc.pec.request(dossier_id, consentement_imprime=False, numero_adherent="A1")
    assert refus.state == "refus" and "Imprimez" in refus.que_faire
    accord = svc.pec.request(dossier_id, consentement_imprime=True, numero_adherent="A1", numero_contrat="C9")
    assert accord.state == "accord" and accord.montant_cents == 2460 and accord.codes == (accord.numero_pec,)
    assert accord.reference_dossier.endswith(f"-{dossier_id}-2")
    att = svc.pec.use_code(accord.id)
    assert att.numero_pec == accord.numero_pec and att.montant_pec_cents == 2460
    assert att.piece_justif_amc == "reponse_pec"
    tab = svc.pec.tab(dossier_id)
    assert tab.credit == 243 and tab.current.code_utilise == accord.numero_pec and len(tab.requests) == 2
    with pytest.raises(ValidationError):
        svc.pec.use_code(refus.id)
    assert svc.invoicing.invoice(dossier_id).fse.has_dre


def test_pec_pending_then_refreshed(ctx, svc):
    dossier_id = _rc_dossier(ctx, svc, "7777777777", "Mut. Multi-Conventions (démo)")
    pending = svc.pec.request(dossier_id, consentement_imprime=True, numero_adherent="A1")
    assert pending.state == "en attente" and pending.numero_pec == ""
    done = svc.pec.refresh(pending.id)
    assert done.state == "accord" and done.numero_pec and PecRequest.get_by_id(pending.id).state == "accord"
    quote = svc.pec.request(dossier_id, consentement_imprime=True, numero_adherent="A1", cotation=True)
    assert quote.kind == "cotation" and quote.state == "cotation"


def test_pec_needs_a_mutuelle(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    dossier_id = S.dossier_for(svc, rdr)
    S.frame_a(svc, dossier_id)
    with pytest.raises(ValidationError) as exc:
        svc.pec.request(dossier_id, consentement_imprime=True)
    assert "mutuelle" in exc.value.message_fr
