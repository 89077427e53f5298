"""Suivi Virements and Op. Ponctuelles queries on the manual's examples (§IX, §X)."""
from __future__ import annotations

from datetime import date

import pytest

from core import demo_data as D
from core.errors import ValidationError
from core.models import OperationPonctuelle
from core.services.demo import DemoService
from core.services.suivi_virements import OperationFilters, VirementFilters, VirementsService

MANUAL = {"date_from": date(2024, 4, 29), "date_to": date(2024, 5, 29)}   # "Recherche 29/04/2024 29/05/2024"


@pytest.fixture
def svc(ctx) -> VirementsService:
    DemoService(ctx).load()
    return VirementsService(ctx)


def by_ref(svc: VirementsService) -> dict[str, int]:
    return {r.reference: r.virement_id for r in svc.list_virements(VirementFilters(**MANUAL)).rows}


def test_the_manual_list_of_virements(svc):
    page = svc.list_virements(VirementFilters(**MANUAL))
    assert [(r.date, r.libelle, r.organisme_payeur, r.amount_cents) for r in page.rows] == [
        (date(2024, 5, 28), "VIR AMO LIGNE 1 - 1FR / VIR AMO LIGNE 2 - 1FR", "01349000", 552),
        (date(2024, 5, 29), "VIR AMO LIGNE 1 - 7FR / VIR AMO LIGNE 2 - 7FR", "10349000", 552),
        (date(2024, 5, 29), "VIR AMO LIGNE 1 - 7FR-2 / VIR AMO LIGNE 2 - 7FR-2", "10349000", 9448),
        (date(2024, 5, 29), "VIR AMO LIGNE 1 - 9FR / VIR AMO LIGNE 2 - 9FR", "01349000", 322)]
    assert (page.total, page.page_count) == (4, 1)
    assert svc.list_virements(VirementFilters()).total == len(D.VIREMENTS)        # 0FR of January too


def test_detail_of_7fr_pays_invoice_259(svc):
    d = svc.virement_detail(by_ref(svc)["7FR"])
    [line] = d.paiements
    assert (line.numero, line.date, line.client, line.regularisation) == (259, date(2024, 5, 29), "ESSAI ALEXA",
                                                                          False)
    assert (line.amo_organisme, line.amo_facture_cents, line.amo_paye_cents) == ("10349000", 469, 469)
    assert (line.amc_organisme, line.amc_facture_cents, line.amc_paye_cents) == ("0062013354", 83, 83)
    assert d.mouvements == () and d.paiements_ponctuels == () and d.retenues_ponctuelles == ()


def test_detail_of_7fr_2_regularisation_ponctuels_and_mouvements(svc):
    d = svc.virement_detail(by_ref(svc)["7FR-2"])
    [line] = d.paiements
    assert line.regularisation and (line.amo_paye_cents, line.amc_paye_cents) == (-469, -83)
    assert [(o.code, o.libelle, o.amount_cents, o.nir) for o in d.paiements_ponctuels] == [
        ("CODE1", "LIBELLE1", 4000, "PAT01 00"), ("CODE2", "LIBELLE2", 6000, "PAT02 00")]
    assert [(m.reference_dette, m.date_dette, m.nature_dette, m.nature_operation, m.amount_cents, m.solde_cents)
            for m in d.mouvements] == [
        ("DETTE7FR", date(2024, 5, 29), "Opposition Interne Paiement", "Constat Initial", 552, 0),
        ("DETTE7FR", date(2024, 5, 29), "Opposition Interne Paiement", "Retenue Sur Prestation", -552, 0)]


def test_detail_of_9fr_has_the_retenue(svc):
    d = svc.virement_detail(by_ref(svc)["9FR"])
    assert [line.numero for line in d.paiements] == [214]
    assert [(o.reference_dette, o.nature, o.amount_cents) for o in d.retenues_ponctuelles] == [
        ("DETTE9FR", "Retenue Sur Prestation", -230)]


def test_operations_lists(svc):
    paiements = svc.list_operations(OperationFilters(kind="paiement", **MANUAL))
    assert [(o.date_comptable, o.organisme, o.code, o.libelle, o.amount_cents, o.periode, o.debut, o.fin, o.nir,
             o.virement_cents) for o in paiements.rows] == [
        (date(2024, 5, 29), "10349000", "CODE1", "LIBELLE1", 4000, "PONCTUEL", date(2015, 1, 1), date(2015, 1, 1),
         "PAT01 00", 9448),
        (date(2024, 5, 29), "10349000", "CODE2", "LIBELLE2", 6000, "PONCTUEL", date(2015, 1, 1), date(2015, 1, 1),
         "PAT02 00", 9448)]
    assert paiements.rows[0].virement_libelle.startswith("VIR AMO LIGNE 1 - 7FR-2")
    retenues = svc.list_operations(OperationFilters(kind="retenue", **MANUAL))
    assert [(o.reference_dette, o.nature, o.amount_cents, o.virement_cents) for o in retenues.rows] == [
        ("DETTE9FR", "Retenue Sur Prestation", -230, 322)]
    assert svc.list_operations(OperationFilters(kind="paiement", date_to=date(2024, 5, 28))).total == 0


def test_operation_detail_has_the_manual_fields_in_order(svc):
    code1 = svc.list_operations(OperationFilters(kind="paiement", **MANUAL)).rows[0]
    fields = svc.operation_detail(code1.operation_id).fields
    assert fields == (
        ("Date comptable", "29/05/2024"), ("NIR", "PAT01 00"), ("Date naissance", "30/11/1999"), ("Rang", "Inconnu"),
        ("Bénéficiaire", ""), ("Type Retour", "Paiements Ponctuels Ou Forfaitaires"), ("Risque", "Maladie"),
        ("Lien archivage", ""), ("Libellé virement 1", "VIR AMO LIGNE 1 - 7FR-2"),
        ("Libellé virement 2", "VIR AMO LIGNE 2 - 7FR-2"), ("Total paiement", "40,00"),
        ("Numéro émetteur", "10349000"), ("Numéro destinataire", "00000992604231"),
        ("Type destinataire", "Autres Partenaires de Santé"), ("Numéro destinataire RegL", "00000992604231"),
        ("Total RO", ""), ("Total RC", ""), ("Total Autre", "40,00"), ("Libellé 1er rejet", ""))


def test_operation_detail_without_stored_fields_is_built_from_the_columns(svc):
    code2 = svc.list_operations(OperationFilters(kind="paiement", **MANUAL)).rows[1]
    OperationPonctuelle.update(details={}).where(OperationPonctuelle.id == code2.operation_id).execute()
    fields = dict(svc.operation_detail(code2.operation_id).fields)
    assert (fields["Code"], fields["Total paiement"], fields["NIR"]) == ("CODE2", "60,00", "PAT02 00")


def test_refusals(svc):
    with pytest.raises(ValidationError):
        svc.list_virements(VirementFilters(date_from=date(2024, 6, 1), date_to=date(2024, 5, 1)))
    with pytest.raises(ValidationError):
        svc.virement_detail(10_000)
    with pytest.raises(ValidationError):
        svc.operation_detail(10_000)
