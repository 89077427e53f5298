"""Suivi Facturations queries on the manual's demo data: the 23/19/83 % line, filters, stable paging, detail."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from core import demo_data as D
from core.errors import ValidationError
from core.services.demo import DemoService
from core.services.suivi import SuiviService
from core.services.suivi_dto import SuiviFilters

START, END = D.SUIVI_RANGE


@pytest.fixture
def svc(ctx) -> SuiviService:
    DemoService(ctx).load()
    return SuiviService(ctx)


def manual_range(**kw) -> SuiviFilters:
    return SuiviFilters(date_from=START, date_to=END, **kw)


def all_numbers(svc: SuiviService, filters: SuiviFilters) -> list[int]:
    first = svc.list_invoices(filters)
    numbers = [r.numero for r in first.rows]
    for page in range(2, first.page_count + 1):
        numbers += [r.numero for r in svc.list_invoices(filters.model_copy(update={"page": page})).rows]
    return numbers


def test_the_manual_line_23_dossiers_dont_19_securises(svc):
    page = svc.list_invoices(manual_range())
    assert page.summary.line == "23 dossiers dont 19 sécurisés en sesam vitale soit 83%"
    assert (page.total, page.summary.securises_sv, page.summary.percent) == (23, 19, 83)
    assert (page.page, page.page_count, len(page.rows)) == (1, 2, 20)      # the manual's "1/2"


def test_paging_covers_every_dossier_once_in_a_stable_order(svc):
    numbers = all_numbers(svc, manual_range())
    assert sorted(numbers) == sorted(D.SUIVI_INVOICES) and len(set(numbers)) == 23
    by_date = {n: D.INVOICE[n].on for n in numbers}
    assert numbers == sorted(numbers, key=lambda n: (by_date[n], n), reverse=True)   # Date Fct, then N°
    assert numbers == all_numbers(svc, manual_range())                               # same order again
    assert [r.numero for r in svc.list_invoices(manual_range(page=2)).rows] == [202, 201, 200]


def test_a_page_past_the_end_gives_the_last_page(svc):
    page = svc.list_invoices(manual_range(page=9))
    assert page.page == 2 and [r.numero for r in page.rows] == [202, 201, 200]


def test_rows_show_the_manual_columns(svc):
    rows = {r.numero: r for r in svc.list_invoices(manual_range(page_size=50)).rows}
    r249, r257, r203, r204 = rows[249], rows[257], rows[203], rows[204]
    assert (r249.client, r249.lot, r249.attendu_cents, r249.paye_cents, r249.reste_cents) == (
        "ISSNER NATACHA", "026", 4755, 0, 4755)
    assert (r249.org, r249.etat, r249.sv) == ("01 349 9881 / 99999997", "Rejeté / Rejeté", "SV")
    assert (r257.org, r257.etat, r257.sv) == ("01 349 9881", "Rejeté", "DEG")
    assert r203.recu_le == datetime(2024, 5, 28, 17, 5) and r203.date == date(2024, 1, 8)
    assert r204.recu_le is None and r204.etat == "Attente RSP"                      # no return yet
    assert rows[215].org == "10 349 0210" and rows[215].etat == "En anomalie"
    assert rows[254].lot == "027" and rows[254].dre_lot == "AAE"


@pytest.mark.parametrize(("filters", "expected"), [
    ({"etat": "Rejeté"}, [257, 249, 212, 211, 209, 207, 203, 202, 201, 200]),
    ({"etat": "Payé"}, [258, 214, 213]),
    ({"nom": "alainter"}, [214]),
    ({"nom": "ISSNER"}, [258, 251, 249, 213]),
    ({"numero": 203}, [203]),
    ({"lot": "3"}, [203]),
    ({"lot": "AAE"}, [254]),
    ({"benef_nom": "essai", "benef_prenom": "alexis"}, [209, 207]),
    ({"assure_nom": "DESMAUX"}, [254, 253]),
    ({"benef_nir": "2 55 06 99 999 999"}, [254, 253]),
    ({"maj_from": date(2024, 6, 24), "maj_to": date(2024, 6, 24)}, [257, 249]),
    ({"etat": "Rejeté", "nom": "essai alexis"}, [209, 207]),
])
def test_filters(svc, filters, expected):
    assert all_numbers(svc, manual_range(**filters)) == expected


def test_assure_nir_finds_every_beneficiary_of_the_assure(svc):
    family = {b.key for b in D.BENEFICIAIRES if b.assure == "ESSAI_ALAIN"}
    expected = sorted((n for n in D.SUIVI_INVOICES if D.INVOICE[n].who in family), reverse=True)
    assert all_numbers(svc, manual_range(assure_nir="1421962965165")) == expected


def test_filtered_summary_is_counted_by_the_database(svc):
    rejected = svc.list_invoices(manual_range(etat="Rejeté"))
    assert (rejected.summary.dossiers, rejected.summary.securises_sv) == (10, 6)     # 200 201 203 257 are DEG
    assert rejected.summary.line.endswith("soit 60%")
    empty = svc.list_invoices(manual_range(numero=999))
    assert (empty.total, empty.rows, empty.page_count, empty.summary.percent) == (0, (), 1, 0)


def test_manual_and_dre_filters_follow_the_hand_actions(svc):
    assert all_numbers(svc, manual_range(manuel=True)) == []
    assert all_numbers(svc, manual_range(dre_annulation=True)) == []
    svc.traitement_manuel(svc.invoice_id(203), "PEC renvoyée à la mutuelle")
    assert all_numbers(svc, manual_range(manuel=True)) == [203]
    # 254 has a DRE (lot AAE): once the AMO part is rejected, a cancelling DRE is possible.
    svc.changer_etat(svc.invoice_id(254), part="AMO", etat="Rejeté", reason="rejet reçu par courrier")
    assert all_numbers(svc, manual_range(dre_annulation=True)) == [254]


def test_bad_filters_are_refused_in_french(svc):
    with pytest.raises(ValidationError) as bad_state:
        svc.list_invoices(manual_range(etat="Perdu"))
    assert "État de facturation inconnu" in bad_state.value.message_fr
    with pytest.raises(ValidationError) as reversed_range:
        svc.list_invoices(SuiviFilters(date_from=END, date_to=START))
    assert "après la date de fin" in reversed_range.value.message_fr


def test_invoice_203_detail_as_in_the_manual(svc):
    d = svc.invoice_detail(svc.invoice_id(203))
    assert (d.numero_long, d.etat_facture, d.date) == ("000000203", "Rejeté", date(2024, 1, 8))
    assert (d.attendu_cents, d.paye_cents, d.reste_cents) == (3, 0, 3)
    assert (d.type_facture, d.total_cents, d.etat_fse, d.norme, d.lot_label) == ("FSE Seule", 20900, "RSP", "900",
                                                                                 "003")
    assert (d.benef_nom, d.benef_prenom, d.nir, d.rang_label, d.birth_date) == (
        "ESSAI", "ALAIN", "142196296516596", "Pas de jumeau ou 1er", "01/19/1942")
    assert (d.amo_demande_cents, d.amo_paye_cents, d.etat_amo) == (3, 0, "Rejeté")
    assert (d.amc_demande_cents, d.amc_paye_cents, d.etat_amc) == (0, 0, "N/A")
    assert [(r.date, r.traitement, r.code, r.execution) for r in d.rejects] == [
        (date(2024, 1, 9), "Rejet", "0100 0512", "0"), (date(2024, 1, 9), "Rejet", "0450 0561", "0")]
    assert d.rejects[1].libelle == ("L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE "
                                    "TRANSMISE")                                      # full label, not "L EXO..."
    assert d.rejects[1].diagnosis is not None and d.rejects[1].diagnosis.source == "manuel"
    assert d.can_treat_manually and d.can_letter and d.can_change_state


def test_detail_of_a_paid_invoice_with_both_parts(svc):
    d = svc.invoice_detail(svc.invoice_id(258))
    assert (d.etat_facture, d.etat_amo, d.etat_amc, d.org_amc) == ("Payé", "Payé", "Payé", "99999997")
    assert [(p.part, p.paid_cents, p.virement) for p in d.payments] == [("AMO", 331, "1FR"), ("AMC", 221, "1FR")]
    assert not d.can_treat_manually and d.lettree and not d.can_letter


def test_unknown_invoice_is_a_validation_error(svc):
    with pytest.raises(ValidationError) as by_number:
        svc.invoice_id(999)
    assert by_number.value.message_fr == "Aucune facture N° 999."
    with pytest.raises(ValidationError) as by_id:
        svc.invoice_detail(10_000_000)
    assert "introuvable" in by_id.value.message_fr
