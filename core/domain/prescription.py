"""Ordonnance validity, adaptation by the optician, and the FSE "Prescription" value RI/RA.

Sources: Code de la santé publique via DOMAIN.md 5.4.
- D4362-12 (verres): the ordonnance is valid **1 year under 16**, **5 years from 16 to 42**, **3 years
  over 42** (age in whole years on the date of délivrance - the brief's reading; 42 years and some
  months is still "16-42"). An orthoptist's prescription is valid 2 years (INFERRED: 1 year under 16,
  like any prescription for a child).
- Validity ends on the anniversary date: a prescription of 26/05/2024 valid 1 year can be used up to
  25/05/2025; ``expires_on`` is the first day it is no longer valid (INFERRED, the cautious reading).
- D4362-12-1 / L4362-10: **no adaptation at the first délivrance** unless the prescriber agreed in
  writing; in a renewal the optician may adapt a still-valid prescription after a réfraction done
  in the shop (never online), unless the prescriber wrote an opposition.
- RI / RA (FSE "Prescription"): INFERRED RI = renouvellement initial (no adaptation), RA =
  renouvellement adapté (the optician adapted the correction).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.domain.birthdate import age_on
from core.domain.renewal import add_months

__all__ = ["Prescriber", "OrdonnanceVerdict", "check_ordonnance", "validity_years", "AdaptationVerdict",
           "check_adaptation", "PrescriptionCode", "PRESCRIPTION_LABELS", "prescription_code"]


class Prescriber(StrEnum):
    OPHTALMOLOGISTE = "ophtalmologiste"   # or any médecin
    ORTHOPTISTE = "orthoptiste"


def validity_years(age: int, prescriber: Prescriber = Prescriber.OPHTALMOLOGISTE) -> int:
    if age < 16:
        return 1
    if prescriber == Prescriber.ORTHOPTISTE:
        return 2
    return 5 if age <= 42 else 3


@dataclass(frozen=True)
class OrdonnanceVerdict:
    valid: bool
    age: int
    validity_years: int
    expires_on: date          # first day the ordonnance is no longer valid
    reason_fr: str | None


def check_ordonnance(prescription_date: date, delivery_date: date, birth_date: str,
                     prescriber: Prescriber = Prescriber.OPHTALMOLOGISTE) -> OrdonnanceVerdict:
    """Is the ordonnance usable on ``delivery_date``?"""
    age = age_on(birth_date, delivery_date)
    years = validity_years(age, Prescriber(prescriber))
    expires = add_months(prescription_date, 12 * years)
    if delivery_date < prescription_date:
        return OrdonnanceVerdict(False, age, years, expires,
                                 f"Délivrance ({delivery_date:%d/%m/%Y}) antérieure à l'ordonnance "
                                 f"({prescription_date:%d/%m/%Y}).")
    if delivery_date >= expires:
        return OrdonnanceVerdict(False, age, years, expires,
                                 f"Ordonnance du {prescription_date:%d/%m/%Y} expirée : valable {years} an"
                                 f"{'s' if years > 1 else ''} à {age} ans, jusqu'au "
                                 f"{expires - timedelta(days=1):%d/%m/%Y}.")
    return OrdonnanceVerdict(True, age, years, expires, None)


@dataclass(frozen=True)
class AdaptationVerdict:
    allowed: bool
    reason_fr: str | None


def check_adaptation(*, first_delivery: bool, prescriber_agreement: bool = False,
                     prescriber_opposition: bool = False, ordonnance_valid: bool = True,
                     refraction_in_shop: bool = True) -> AdaptationVerdict:
    """May the optician adapt (change) the prescribed correction for this délivrance?"""
    if prescriber_opposition:
        return AdaptationVerdict(False, "Le prescripteur s'est opposé à toute adaptation sur l'ordonnance.")
    if first_delivery and not prescriber_agreement:
        return AdaptationVerdict(False, "Première délivrance : adaptation impossible sans accord écrit du "
                                        "prescripteur.")
    if not ordonnance_valid:
        return AdaptationVerdict(False, "Adaptation impossible : l'ordonnance n'est plus valide.")
    if not refraction_in_shop:
        return AdaptationVerdict(False, "Adaptation impossible sans examen de réfraction en magasin "
                                        "(pas de renouvellement adapté à distance).")
    return AdaptationVerdict(True, None)


class PrescriptionCode(StrEnum):
    RI = "RI"
    RA = "RA"


PRESCRIPTION_LABELS: dict[PrescriptionCode, str] = {
    PrescriptionCode.RI: "Renouvellement Initial",
    PrescriptionCode.RA: "Renouvellement Adapté",
}


def prescription_code(adapted: bool) -> PrescriptionCode:
    """FSE "Prescription": RA when the optician adapted the correction, else RI (INFERRED)."""
    return PrescriptionCode.RA if adapted else PrescriptionCode.RI
