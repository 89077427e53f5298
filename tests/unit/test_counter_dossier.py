"""Dossier service: numbering, Tiers Payant & Télétransmission, Générer FSE, avoirs, Détail remboursements."""
from __future__ import annotations

import json

import pytest

from core.errors import ValidationError
from core.models import AuditLog, Fse, Invoice, Lot
from core.services.counter_dto import ArticleInput, PrescriberInput
from tests.unit import counter_support as S

RC_REFUSAL = ("L'accès à la Télétransmission RC ne sera possible qu'après ajout d'un montant mutuelle dans le "
              "« Détail remboursements » lors du clic sur le bouton TP.")


@pytest.fixture
def svc(ctx):
    return S.services(ctx)


def _invoiced(svc, *, sign: bool = False):
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    result = svc.invoicing.invoice(dossier_id)
    if sign:
        svc.invoicing.sign_fse(result.fse.fse_id, S.PIN, rdr)
    return dossier_id, result


def test_devis_then_vente_numbers(ctx, svc):
    rdr = S.reader(S.desmaux_card())
    dossier_id = S.dossier_for(svc, rdr)
    dossier = svc.dossiers.get(dossier_id)
    assert (dossier.state, dossier.state_label, dossier.devis_number, dossier.vente_number) == ("devis", "Devis", 1, None)
    with pytest.raises(ValidationError) as exc:
        svc.dossiers.to_vente(dossier_id)
    assert "Aucun article" in exc.value.message_fr
    S.desmaux_lines(svc, dossier_id)
    assert [a.prestation for a in svc.dossiers.get(dossier_id).articles] == ["M03", "VU3", "", "VU3", ""]
    vente = svc.dossiers.to_vente(dossier_id)
    assert vente.state == "vente" and vente.vente_number == 1 and vente.total_cents == 41500
    with pytest.raises(ValidationError):
        svc.dossiers.to_vente(dossier_id)


def test_teletransmission_rc_needs_a_mutuelle_amount(ctx, svc):
    mutuelle = S.add_mutuelle(ctx)
    rdr = S.reader(S.desmaux_card())
    dossier_id = S.dossier_for(svc, rdr)
    S.frame_a(svc, dossier_id)
    svc.dossiers.set_mutuelles(dossier_id, mutuelle)
    with pytest.raises(ValidationError) as exc:
        svc.dossiers.set_tiers_payant(dossier_id, teletrans_rc=True)
    assert exc.value.message_fr == RC_REFUSAL
    tp = svc.dossiers.get(dossier_id).tiers_payant
    assert not tp.teletrans_rc_possible and tp.teletrans_rc_reason == RC_REFUSAL
    article = svc.dossiers.get(dossier_id).articles[0]
    svc.dossiers.set_rc_amounts(article.id, 2460)
    assert svc.dossiers.set_tiers_payant(dossier_id, teletrans_rc=True).dossier.tiers_payant.teletrans_rc
    svc.dossiers.set_rc_amounts(article.id, 0)                   # amount removed: RC télétransmission drops
    assert not svc.dossiers.get(dossier_id).tiers_payant.teletrans_rc
    with pytest.raises(ValidationError) as exc:
        svc.dossiers.set_rc_amounts(article.id, 2500, 600)
    assert "dépasse le prix" in exc.value.message_fr


def test_vente_applies_the_mutuelle_default_teletransmission(ctx, svc):
    mutuelle = S.add_mutuelle(ctx)
    rdr = S.reader(S.desmaux_card())
    dossier_id = S.dossier_for(svc, rdr)
    S.frame_a(svc, dossier_id, rc1_cents=2460)
    svc.dossiers.set_mutuelles(dossier_id, mutuelle)
    tp = svc.dossiers.to_vente(dossier_id).tiers_payant
    assert tp.teletrans_rc and tp.tp_rc


def test_invoiced_dossier_is_read_only(ctx, svc):
    dossier_id, result = _invoiced(svc)
    article = svc.dossiers.get(dossier_id).articles[0]
    for action in (lambda: svc.dossiers.add_article(dossier_id, ArticleInput(libelle="Étui", unit_price_cents=500)),
                   lambda: svc.dossiers.set_rc_amounts(article.id, 100),
                   lambda: svc.dossiers.set_tiers_payant(dossier_id, tp_ro=False),
                   lambda: S.verify(svc, dossier_id)):
        with pytest.raises(ValidationError) as exc:
            action()
        assert "factur" in exc.value.message_fr.lower()
    with pytest.raises(ValidationError):
        svc.invoicing.invoice(dossier_id)


def test_generer_fse_untick_deletes_and_retick_recreates(ctx, svc):
    dossier_id, result = _invoiced(svc, sign=True)
    out = svc.dossiers.set_generer_fse(dossier_id, False)
    assert out.fse_deleted and "supprimée" in out.message_fr and "facture n'est pas modifiée" in out.message_fr
    assert out.dossier.fse.state == "FSE supprimée" and out.dossier.invoice.total_cents == 41500
    audit = json.loads(AuditLog.get(AuditLog.action == "fse.suppression").details)
    assert audit["avant"] == "Sécurisé" and audit["apres"] == "FSE supprimée" and audit["numero"] == 1
    again = svc.dossiers.set_generer_fse(dossier_id, True)
    assert again.needs_generation and not again.fse_deleted
    regenerated = svc.invoicing.generate_fse(result.invoice.id)
    assert regenerated.fse.numero == 1 and regenerated.fse.state == "TP Calculé"
    assert Fse.select().count() == 2 and Invoice.select().count() == 1
    with pytest.raises(ValidationError):
        svc.invoicing.generate_fse(result.invoice.id)            # already has an active FSE


def test_delete_fse_directly_and_in_a_lot(ctx, svc):
    dossier_id, result = _invoiced(svc)
    deleted = svc.invoicing.delete_fse(result.fse.fse_id, "erreur de saisie")
    assert deleted.fse.state == "FSE supprimée" and deleted.invoice.number == 1
    assert json.loads(AuditLog.get(AuditLog.action == "fse.suppression").details)["motif"] == "erreur de saisie"
    assert not svc.dossiers.get(dossier_id).tiers_payant.generer_fse
    with pytest.raises(ValidationError):
        svc.invoicing.delete_fse(result.fse.fse_id)
    with pytest.raises(ValidationError):
        svc.invoicing.sign_fse(result.fse.fse_id, S.PIN, S.reader(S.desmaux_card()))
    fse = svc.invoicing.generate_fse(result.invoice.id).fse
    with ctx.write():
        lot = Lot.create(store=ctx.store, number="001", org_dest="01 999", created_on=S.TODAY,
                         created_at=ctx.clock.now())
        Fse.update(lot=lot.id).where(Fse.id == fse.fse_id).execute()
    with pytest.raises(ValidationError) as exc:
        svc.invoicing.delete_fse(fse.fse_id)
    assert "mise en lot" in exc.value.message_fr


def test_avoir(ctx, svc):
    dossier_id, result = _invoiced(svc)
    with pytest.raises(ValidationError):
        svc.invoicing.create_avoir(result.invoice.id, "  ")
    out = svc.invoicing.create_avoir(result.invoice.id, "Erreur de verres")
    assert out.avoir.kind == "avoir" and out.avoir.number == 2 and out.avoir.total_cents == -41500
    assert out.avoir.avoir_of_id == result.invoice.id and out.original.avoir_id == out.avoir.id
    assert out.fse_deleted and Fse.get_by_id(result.fse.fse_id).state == "FSE supprimée"
    details = json.loads(AuditLog.get(AuditLog.action == "facture.avoir").details)
    assert details == {"facture": 1, "avoir": 2, "montant": 41500, "motif": "Erreur de verres", "fse_supprimee": True}
    assert svc.dossiers.get(dossier_id).state == "vente"
    with pytest.raises(ValidationError) as exc:
        svc.invoicing.create_avoir(result.invoice.id, "encore")
    assert "déjà un avoir" in exc.value.message_fr
    S.verify(svc, dossier_id)
    assert svc.invoicing.invoice(dossier_id).invoice.number == 3


def test_reimbursement_detail_tabs(ctx, svc):
    m1 = S.add_mutuelle(ctx)
    m2 = S.add_mutuelle(ctx, "0062013354", "Mut. Partenaire (démo)", gestion="unique")
    rdr = S.reader(S.desmaux_card())
    S.open_cps(svc, rdr)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id)
    S.desmaux_lines(svc, dossier_id)
    S.frame_a(svc, dossier_id)
    madele = svc.dossiers.get(dossier_id).articles[0]
    svc.dossiers.set_rc_amounts(madele.id, 4000, 1000)
    svc.dossiers.set_mutuelles(dossier_id, m1, m2)
    S.verify(svc, dossier_id)
    detail = svc.dossiers.reimbursement_detail(dossier_id)
    assert detail.rc1.mutuelle.label == "1100000000 Mut. Test CNDA" and detail.rc2.mutuelle.numero == "0062013354"
    assert [r.acte for r in detail.rc1.prix_libres.rows] == ["M03", "VU3", "", "VU3", ""]
    assert [(r.acte, r.t) for r in detail.rc1.cent_pour_cent_sante.rows] == [("M01", "A")]
    assert detail.rc1.prix_libres.rows[0].rbt_rc_cents == 4000 and detail.rc2.prix_libres.rows[0].rbt_rc_cents == 1000
    assert detail.rc1.cent_pour_cent_sante.totals.rbt_rc_cents == 2460        # 100% Santé auto-fill
    assert detail.total.rbt_ro_cents == 9 + 540 and detail.taux_label == "60 %"
    assert detail.pec.credit == 245 and detail.sesam_vitale.flux_label == "Flux de Démonstration"
    assert detail.sesam_vitale.params.piece_justif_amo == "adr"
    non_resp = svc.dossiers.set_contrat_responsable(dossier_id, False)
    assert not non_resp.contrat_responsable and non_resp.rate_check.is_stale
    assert "Contrat responsable / non responsable modifié." in non_resp.rate_check.stale_reasons
    assert svc.dossiers.reimbursement_detail(dossier_id).rc1.contrat_non_responsable


def test_prescribers(ctx, svc):
    with pytest.raises(ValidationError) as exc:
        svc.dossiers.upsert_prescriber(PrescriberInput(nom="DUPONT", rpps="12345678901"))
    assert "RPPS" in exc.value.message_fr
    p = svc.dossiers.upsert_prescriber(S.PRESCRIBER)
    assert svc.dossiers.upsert_prescriber(S.PRESCRIBER.model_copy(update={"prenom": "Jean"})).id == p.id
    assert [x.rpps for x in svc.dossiers.find_prescribers("CN")] == ["00991000696"]
    assert svc.dossiers.find_prescribers("991000696")[0].label == "CNDA Jean (RPPS 00991000696)"


def test_counter_sale_without_beneficiary(ctx, svc):
    from core.models import Client

    with ctx.write():
        client = Client.create(store=ctx.store, nom="MARTIN", prenom="CLAIRE")
    dossier_id = svc.dossiers.create_for_client(client.id).id
    svc.dossiers.add_article(dossier_id, ArticleInput(libelle="Étui rigide", unit_price_cents=1200, kind="autre",
                                                      remboursable=False))
    svc.dossiers.to_vente(dossier_id)
    result = svc.invoicing.invoice(dossier_id)
    assert result.fse is None and result.invoice.total_cents == 1200 and result.invoice.type_facture == ""
