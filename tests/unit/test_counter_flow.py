"""The counter flow end to end on demo-like rows (SQLite and PostgreSQL): card -> dossier -> Vérif. taux ->
invoice + FSE -> signature, and its refusals."""
from __future__ import annotations

from datetime import date

import pytest

from core.errors import CardError, EngineError, ValidationError
from core.models import AuditLog, Counter, Dossier, Fse, FseLine, Invoice, RateCheck, VitaleRead
from core.services.counter_dto import ArticleInput, OrdonnanceInput
from tests.unit import counter_support as S


@pytest.fixture
def svc(ctx):
    return S.services(ctx)


def test_desmaux_full_flow(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    read = svc.vitale.read_card(rdr)
    assert read.beneficiaires[0].label == "1 - DESMAUX NATHALIE (15/06/1955)"
    assert read.date_du_jour == S.TODAY and read.assure_nir_formatted == "2 55 06 99 999 999 34"
    dossier_id = S.desmaux_ready(svc, rdr)
    dossier = svc.dossiers.get(dossier_id)
    assert dossier.state == "vente" and dossier.info_vitale.taux_label == "60 %"
    assert dossier.info_vitale.nir_formatted == "2 55 06 99 999 999" and dossier.info_vitale.nir_key == "34"

    before = svc.dossiers.reimbursement_detail(dossier_id)
    assert before.ro_source == "non_verifie" and before.total.rbt_ro_cents == 0
    assert before.total.base_ro_cents == 15 and before.total.net_cents == 41500        # manual: 415,00 / 0,15 / 0,00

    check = S.verify(svc, dossier_id)
    assert (check.taux, check.total_ro_cents, check.total_net_cents) == (60, 9, 41500)
    assert [l.rbt_ro_cents for l in check.lines] == [3, 3, 0, 3, 0]
    assert check.params.piece_justif_amo == "adr" and check.adri.status == "ok"        # ciblé: ADRi at Vérif. taux
    after = svc.dossiers.reimbursement_detail(dossier_id)
    assert after.ro_source == "moteur" and after.total.rbt_ro_cents == 9 and not after.rate_check.is_stale
    assert [r.etm for r in after.rc1.prix_libres.rows] == ["0", "0", "", "0", ""]

    form = svc.invoicing.fse_form(dossier_id)
    assert form.params.facture == S.TODAY and form.invoice_number_preview == 1
    result = svc.invoicing.invoice(dossier_id)
    recap = result.fse
    assert result.invoice.number == 1 and result.invoice.total_cents == 41500 and result.invoice.ro_expected_cents == 9
    assert recap.state == "TP Calculé" and recap.numero_9 == "000000001" and recap.mode == "SV"
    assert recap.title == "AreaFSE - Facture (Flux de Démonstration)"
    assert recap.beneficiaire.nom_prenom == "DESMAUX NATHALIE" and recap.beneficiaire.amo == "01-999-9999"
    assert recap.beneficiaire.birth_date == "15/06/1955" and recap.beneficiaire.nir_key == "34"
    assert recap.beneficiaire.date_droits == date(2024, 5, 26)
    assert recap.prescription.numero_am == "991000696" and recap.prescription.rpps == "00991000696"
    assert [(l.code_presta, l.base_cents, l.taux, l.remb_amo_cents) for l in recap.lines] == [
        ("M03", 5, 60, 3), ("VU3", 5, 60, 3), ("VU3", 5, 60, 3)]
    assert (recap.honoraires_cents, recap.avance_amo_cents, recap.avance_amc_cents) == (41500, 9, 0)
    assert recap.restant_du_cents == 41491 and recap.tiers_payant_amo and not recap.facturation_amc
    assert svc.dossiers.get(dossier_id).state == "facture"

    signed = svc.invoicing.sign_fse(recap.fse_id, S.PIN, rdr)
    assert signed.fse.state == "Sécurisé" and signed.fse.mode == "SV" and len(signed.fse.signature) == 64
    fse = Fse.get_by_id(recap.fse_id)
    assert fse.state == "Sécurisé" and fse.ro_cents == 9 and FseLine.select().where(FseLine.fse == fse.id).count() == 3
    kinds = sorted(r.kind for r in VitaleRead.select())
    assert kinds == ["adri", "lecture", "lecture"]          # two card reads, one ADRi (ciblé)
    audit = AuditLog.get(AuditLog.action == "fse.securisation")
    assert S.PIN not in audit.details and '"mode": "SV"' in audit.details


def test_invoice_numbers_follow_the_counter(ctx, svc):
    with ctx.write():
        Counter.create(store=ctx.store, name="invoice", value=252)
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    first = S.desmaux_ready(svc, rdr)
    S.verify(svc, first)
    assert svc.invoicing.invoice(first).fse.numero_9 == "000000253"
    second = S.desmaux_ready(svc, rdr)
    S.verify(svc, second)
    assert svc.invoicing.invoice(second).invoice.number == 254


def test_classe_a_frame_with_dre(ctx, svc):
    mutuelle = S.add_mutuelle(ctx)                        # 1100000000 Mut. Test CNDA, gestion séparée
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id)
    S.frame_a(svc, dossier_id, rc1_cents=2460)
    svc.dossiers.set_mutuelles(dossier_id, mutuelle)
    svc.dossiers.to_vente(dossier_id)
    svc.dossiers.set_tiers_payant(dossier_id, tp_rc=True, teletrans_rc=True)
    check = S.verify(svc, dossier_id)
    assert (check.total_ro_cents, check.total_rc_cents) == (540, 2460)
    assert check.convention.status == "auto"                 # one convention for 1100000000
    result = svc.invoicing.invoice(dossier_id)
    assert result.invoice.type_facture == "FSE + DRE" and result.invoice.rc_expected_cents == 2460
    recap = result.fse
    assert recap.has_dre and recap.dre_mutuelle == "1100000000 Mut. Test CNDA"
    assert recap.lines[0].remb_amo_cents == 540 and recap.lines[0].remb_amc_cents == 2460
    assert (recap.avance_amo_cents, recap.avance_amc_cents, recap.restant_du_cents) == (540, 2460, 0)
    assert recap.facturation_amc and recap.tiers_payant_amc
    fse = Fse.get_by_id(recap.fse_id)
    assert fse.has_dre and fse.dre_mutuelle_id == mutuelle and fse.rc_cents == 2460


def test_degrade_fse_without_the_card(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr, card_present=False)
    params = svc.rates.default_params(dossier_id)
    assert params.mode_securisation == "DEGRADE"
    S.verify(svc, dossier_id)
    recap = svc.invoicing.invoice(dossier_id).fse
    rdr.remove_vitale()
    signed = svc.invoicing.sign_fse(recap.fse_id, S.PIN, rdr)
    assert signed.fse.mode == "DEG" and signed.fse.mode_label == "Dégradé"
    assert signed.fse.scor_documents == ("ORDN", "FSOI") and "feuille de soins" in signed.message_fr


def test_c2s_case_is_at_100_percent(ctx, svc):
    rdr = S.reader(S.issner_card())
    S.open_cps(svc, rdr)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id)
    S.frame_a(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    svc.dossiers.set_tiers_payant(dossier_id, tp_rc=True)
    check = S.verify(svc, dossier_id)
    assert check.taux == 100 and check.total_ro_cents == 900 and check.total_rc_cents == 2100
    assert svc.dossiers.get(dossier_id).info_vitale.taux_label == "100 %"
    recap = svc.invoicing.invoice(dossier_id).fse
    assert recap.lines[0].taux == 100


def test_ald_case_from_adri(ctx, svc):
    rdr = S.reader(S.castrois_card())
    S.open_cps(svc, rdr)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id, ald=True)
    S.desmaux_lines(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    params = svc.rates.default_params(dossier_id)
    assert params.ald and params.piece_justif_amo == "carte_vitale"
    check = svc.rates.verify_rates(dossier_id, params)
    assert check.taux == 100 and check.total_ro_cents == 15 and check.params.piece_justif_amo == "adr"
    assert "ALD présente sur le serveur ADRi, absente de la carte Vitale." in check.adri.differences
    assert {l.etm for l in check.lines if l.rbt_ro_cents} == {"4"}
    recap = svc.invoicing.invoice(dossier_id).fse
    assert {l.exo_tm for l in recap.lines} == {"4"} and recap.beneficiaire.amo == "02-349-0000"


def test_stale_rate_check_is_refused(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    madele = svc.dossiers.get(dossier_id).articles[0]
    with ctx.write():
        Dossier.update(state="devis").where(Dossier.id == dossier_id).execute()   # back to editable for the test
    svc.dossiers.update_article(madele.id, ArticleInput(libelle="MADELE", unit_price_cents=19900, lpp_code="7211674"))
    with ctx.write():
        Dossier.update(state="vente").where(Dossier.id == dossier_id).execute()
    status = svc.rates.status(dossier_id)
    assert status.is_stale and status.stale_reason == "Prix modifié : MADELE (209,00 → 199,00)."
    detail = svc.dossiers.reimbursement_detail(dossier_id)
    assert detail.ro_source == "apercu" and detail.rate_check.is_stale
    with pytest.raises(ValidationError) as exc:
        svc.invoicing.invoice(dossier_id)
    assert exc.value.code == "RATE_CHECK_PERIMEE" and "Vérif. taux" in exc.value.message_fr
    assert Invoice.select().count() == 0
    S.verify(svc, dossier_id)
    assert svc.invoicing.invoice(dossier_id).invoice.total_cents == 40500


def test_missing_rate_check_is_refused(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr)
    with pytest.raises(ValidationError) as exc:
        svc.invoicing.invoice(dossier_id)
    assert exc.value.code == "RATE_CHECK_ABSENTE" and "jamais été demandée" in exc.value.message_fr


def test_card_swapped_mid_flow_is_refused(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    recap = svc.invoicing.invoice(dossier_id).fse
    rdr.insert_vitale(S.issner_card())
    with pytest.raises(EngineError) as exc:
        svc.vitale.check_card(dossier_id, rdr)
    assert exc.value.code == "CARTE_DIFFERENTE"
    with pytest.raises(EngineError) as exc:
        svc.invoicing.sign_fse(recap.fse_id, S.PIN, rdr)
    assert exc.value.code == "CARTE_DIFFERENTE" and "n'est pas celle du bénéficiaire" in exc.value.message_fr
    assert Fse.get_by_id(recap.fse_id).state == "TP Calculé"
    rdr.remove_vitale()
    with pytest.raises(EngineError) as exc:
        svc.invoicing.sign_fse(recap.fse_id, S.PIN, rdr)
    assert exc.value.code == "CARTE_ABSENTE"


def test_wrong_pin_at_signature_keeps_the_fse(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    recap = svc.invoicing.invoice(dossier_id).fse
    with pytest.raises(CardError) as exc:
        svc.invoicing.sign_fse(recap.fse_id, "9999", rdr)
    assert "il reste 2 essais" in exc.value.message_fr
    assert Fse.get_by_id(recap.fse_id).state == "TP Calculé"
    assert all("9999" not in row.details for row in AuditLog.select())


def test_wrong_dates_and_missing_prescriber(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.dossier_for(svc, rdr)
    S.desmaux_lines(svc, dossier_id)
    with pytest.raises(ValidationError) as exc:
        svc.dossiers.set_ordonnance(dossier_id, OrdonnanceInput(date=date(2024, 6, 2), prescriber=S.PRESCRIBER))
    assert exc.value.message_fr == "Date d'ordonnance (02/06/2024) dans le futur."
    svc.dossiers.set_consultation_date(dossier_id, date(2024, 5, 20))
    with pytest.raises(ValidationError) as exc:
        S.with_ordonnance(svc, dossier_id)
    assert "Date de l'acte (20/05/2024) antérieure à la date d'ordonnance (26/05/2024)" in exc.value.message_fr
    svc.dossiers.set_consultation_date(dossier_id, S.TODAY)
    svc.dossiers.set_ordonnance(dossier_id, OrdonnanceInput(date=S.ORDO))            # no prescriber
    svc.dossiers.to_vente(dossier_id)
    params = svc.rates.default_params(dossier_id)
    with pytest.raises(ValidationError) as exc:
        svc.rates.verify_rates(dossier_id, params)
    assert exc.value.message_fr == ("Prescripteur non saisi : renseignez le prescripteur de l'ordonnance "
                                    "(nom et n° RPPS).")
    S.with_ordonnance(svc, dossier_id)
    with pytest.raises(ValidationError) as exc:
        svc.rates.verify_rates(dossier_id, params.model_copy(update={"acte": date(2024, 5, 25)}))
    assert "Date Acte (25/05/2024) antérieure à la date Ordo. (26/05/2024)." in exc.value.message_fr
    with pytest.raises(ValidationError) as exc:
        svc.rates.verify_rates(dossier_id, params.model_copy(update={"acte": date(2024, 5, 30),
                                                                     "facture": date(2024, 5, 29)}))
    assert "Date Acte (30/05/2024) dans le futur." in exc.value.message_fr
    assert "Date Facture (29/05/2024) dans le futur." in exc.value.message_fr
    with pytest.raises(ValidationError) as exc:
        svc.rates.verify_rates(dossier_id, params.model_copy(update={"piece_justif_amo": "aucune",
                                                                     "taux_exoneration": None}))
    assert "Taux Exonération" in exc.value.message_fr
    assert RateCheck.select().count() == 0


def test_blocking_lint_refuses_the_invoice(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id, day=date(2020, 5, 26))     # 68 years old: valid 3 years -> expired
    S.desmaux_lines(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    S.verify(svc, dossier_id)
    findings = svc.invoicing.preflight(dossier_id)
    assert findings[0].code == "ORDONNANCE_EXPIREE" and findings[0].severity == "bloquant"
    with pytest.raises(ValidationError) as exc:
        svc.invoicing.invoice(dossier_id)
    assert exc.value.code == "LINT_BLOQUANT" and "expirée" in exc.value.message_fr
    assert Invoice.select().count() == 0


def test_invoice_rolls_back_when_the_engine_fails(ctx, svc, monkeypatch):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)

    def boom(request):
        raise EngineError("Moteur indisponible.", log="boom")
    monkeypatch.setattr(svc.engine, "create_fse", boom)
    with pytest.raises(EngineError):
        svc.invoicing.invoice(dossier_id)
    assert Invoice.select().count() == 0 and Fse.select().count() == 0
    assert not Counter.select().where(Counter.name == "invoice").exists()
    assert svc.dossiers.get(dossier_id).state == "vente"
    monkeypatch.undo()
    assert svc.invoicing.invoice(dossier_id).invoice.number == 1
