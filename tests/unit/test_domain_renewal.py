"""Renewal periodicity, ordonnance validity, adaptation, RI/RA."""
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.prescription import (PRESCRIPTION_LABELS, Prescriber, PrescriptionCode, check_adaptation,
                                      check_ordonnance, prescription_code, validity_years)
from core.domain.renewal import RenewalReason, add_months, check_renewal, renewal_period_months

DET = settings(derandomize=True, max_examples=200, deadline=None)
ADULT = "15/06/1955"          # the manual's DESMAUX
CHILD_10 = "10/03/2014"
CHILD_5 = "19/19/2019"        # lunar: read as 19/01/2019


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2024, 5, 28), 24) == date(2026, 5, 28)
    assert add_months(date(2024, 1, 15), -1) == date(2023, 12, 15)


@pytest.mark.parametrize("age, reasons, months", [
    (68, (), 24), (16, (), 24), (15, (), 12), (7, (), 12), (6, (), 12), (6, [RenewalReason.MONTURE_INADAPTEE], 6),
    (10, [RenewalReason.MONTURE_INADAPTEE], 12), (40, [RenewalReason.DEGRADATION_VISION], 12),
    (12, [RenewalReason.DEGRADATION_VISION], 0), (40, [RenewalReason.PATHOLOGIE], 0), (3, [RenewalReason.PATHOLOGIE], 0),
])
def test_renewal_periods(age, reasons, months):
    assert renewal_period_months(age, reasons) == months


def test_adult_renewal_two_years():
    too_early = check_renewal(ADULT, date(2024, 5, 28), date(2023, 1, 10))
    assert not too_early.eligible and too_early.earliest_date == date(2025, 1, 10)
    assert "10/01/2025" in too_early.reason_fr and "24 mois" in too_early.reason_fr
    assert check_renewal(ADULT, date(2025, 1, 10), date(2023, 1, 10)).eligible
    anticipated = check_renewal(ADULT, date(2024, 5, 28), date(2023, 1, 10), [RenewalReason.DEGRADATION_VISION])
    assert anticipated.eligible and anticipated.period_months == 12
    first = check_renewal(ADULT, date(2024, 5, 28), None)
    assert first.eligible and first.earliest_date is None and first.age == 68


def test_children_renewal():
    assert not check_renewal(CHILD_10, date(2024, 5, 28), date(2023, 9, 1)).eligible
    assert check_renewal(CHILD_10, date(2024, 9, 1), date(2023, 9, 1)).eligible
    small = check_renewal(CHILD_5, date(2024, 5, 28), date(2023, 11, 1), ["monture_inadaptee"])
    assert small.age == 5 and small.eligible and small.earliest_date == date(2024, 5, 1)


@DET
@given(st.dates(date(2000, 1, 1), date(2030, 12, 31)), st.integers(0, 900),
       st.sets(st.sampled_from(list(RenewalReason))), st.sampled_from([ADULT, CHILD_10, CHILD_5, "00/00/1990"]))
def test_renewal_verdict_consistent(last, gap, reasons, birth):
    from datetime import timedelta
    delivery = last + timedelta(days=gap)
    verdict = check_renewal(birth, delivery, last, reasons)
    assert verdict.eligible is (delivery >= add_months(last, verdict.period_months))
    assert (verdict.reason_fr is None) is verdict.eligible


@pytest.mark.parametrize("age, prescriber, years", [
    (10, Prescriber.OPHTALMOLOGISTE, 1), (15, Prescriber.ORTHOPTISTE, 1), (16, Prescriber.OPHTALMOLOGISTE, 5),
    (42, Prescriber.OPHTALMOLOGISTE, 5), (43, Prescriber.OPHTALMOLOGISTE, 3), (30, Prescriber.ORTHOPTISTE, 2),
    (68, Prescriber.ORTHOPTISTE, 2),
])
def test_validity_years(age, prescriber, years):
    assert validity_years(age, prescriber) == years


def test_ordonnance_validity_by_age():
    ok = check_ordonnance(date(2024, 5, 26), date(2024, 5, 28), ADULT)
    assert ok.valid and ok.validity_years == 3 and ok.expires_on == date(2027, 5, 26)
    old = check_ordonnance(date(2021, 5, 26), date(2024, 5, 28), ADULT)
    assert not old.valid and "expirée" in old.reason_fr and "25/05/2024" in old.reason_fr
    assert check_ordonnance(date(2020, 6, 1), date(2024, 5, 28), "01/01/1990").valid  # 34 years: 5 years
    child = check_ordonnance(date(2023, 5, 28), date(2024, 5, 28), CHILD_10)
    assert not child.valid and child.validity_years == 1
    assert check_ordonnance(date(2023, 5, 29), date(2024, 5, 28), CHILD_10).valid
    before = check_ordonnance(date(2024, 6, 1), date(2024, 5, 28), ADULT)
    assert not before.valid and "antérieure" in before.reason_fr


def test_adaptation_rules():
    assert not check_adaptation(first_delivery=True).allowed
    assert "accord écrit" in check_adaptation(first_delivery=True).reason_fr
    assert check_adaptation(first_delivery=True, prescriber_agreement=True).allowed
    assert check_adaptation(first_delivery=False).allowed
    assert not check_adaptation(first_delivery=False, prescriber_opposition=True).allowed
    assert not check_adaptation(first_delivery=False, ordonnance_valid=False).allowed
    assert not check_adaptation(first_delivery=False, refraction_in_shop=False).allowed


def test_ri_ra():
    assert prescription_code(False) is PrescriptionCode.RI
    assert prescription_code(True) is PrescriptionCode.RA
    assert PRESCRIPTION_LABELS[PrescriptionCode.RA] == "Renouvellement Adapté"
