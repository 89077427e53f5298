"""Pre-flight lint: one clean dossier, then one defect at a time."""
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.findings import has_blocking
from core.domain.lint import DossierFacts, lint
from core.domain.lpp import load_catalogue
from core.domain.renewal import RenewalReason
from core.domain.tarification import BillingLine, Situation, fingerprint
from core.errors import ValidationError

CATALOGUE = load_catalogue()
MADELE = BillingLine("MADELE", 20900, lpp_code="7211674", prestation="M03")
AIRWEAR = BillingLine("V Airwear Cz EasyP Chrono", 10300, lpp_code="7230795", prestation="VU3")


def _facts(**changes) -> DossierFacts:
    """The manual's DESMAUX dossier: Ordo. 26/05/2024, Acte 28/05/2024, rate check done."""
    facts = DossierFacts(
        today=date(2024, 5, 28), birth_date="15/06/1955", lines=(MADELE, AIRWEAR, AIRWEAR),
        prescription_date=date(2024, 5, 26), delivery_date=date(2024, 5, 28), invoice_date=date(2024, 5, 28),
    )
    facts = replace(facts, rate_check_fingerprint=fingerprint(facts.tarification_request()))
    return replace(facts, **changes)


def _codes(facts, catalogue=CATALOGUE):
    return [f.code for f in lint(facts, catalogue)]


def test_clean_dossier_has_no_findings():
    assert lint(_facts(), CATALOGUE) == ()


def test_rate_check_missing_then_stale():
    assert _codes(_facts(rate_check_fingerprint=None)) == ["RATE_CHECK_ABSENTE"]
    changed = _facts()
    stale = replace(changed, lines=(MADELE, AIRWEAR))  # an article removed after Vérif. taux
    findings = lint(stale, CATALOGUE)
    assert [f.code for f in findings] == ["RATE_CHECK_PERIMEE"] and has_blocking(findings)
    assert "Vérif. taux" in findings[0].fix_fr


def test_ordonnance_expired_and_missing():
    assert _codes(_facts(prescription_date=date(2021, 5, 1))) == ["ORDONNANCE_EXPIREE"]
    assert _codes(_facts(prescription_date=None)) == ["ORDONNANCE_ABSENTE"]


def test_renewal_too_early_and_anticipated():
    early = _facts(last_delivery_date=date(2023, 1, 10))
    assert _codes(early) == ["RENOUVELLEMENT_TROP_TOT"]
    assert _codes(replace(early, renewal_reasons=frozenset({RenewalReason.DEGRADATION_VISION}))) == []


def test_generic_code_warning():
    generic = BillingLine("Monture", 20900, lpp_code="2990001")
    facts = _facts(lines=(generic,))
    facts = replace(facts, rate_check_fingerprint=fingerprint(facts.tarification_request()))
    findings = lint(facts, CATALOGUE)
    assert [(f.code, f.severity, f.line) for f in findings] == [("LPP_CODE_GENERIQUE", "avertissement", 0)]
    assert not has_blocking(findings)


def test_ald_without_mention():
    facts = _facts(situation=Situation.ALD_EN_RAPPORT)
    assert "ALD_SANS_MENTION" in _codes(facts)
    assert "ALD_SANS_MENTION" not in _codes(replace(facts, ordonnance_mentions_ald=True))


def test_pec_missing_when_required():
    with_rc = (replace(MADELE, rc1_cents=5000), AIRWEAR, AIRWEAR)
    assert "PEC_ABSENT" in _codes(_facts(lines=with_rc, pec_required=True))
    assert "PEC_ABSENT" not in _codes(_facts(lines=with_rc, pec_required=True, pec_number="PEC-245"))
    assert "PEC_ABSENT" not in _codes(_facts(pec_required=True))  # nothing asked of the mutuelle


def test_classe_a_above_plv_and_rc_above_reste():
    lines = (BillingLine("Monture A", 4000, lpp_code="7990101"),
             BillingLine("Verre", 10300, lpp_code="7230795", rc1_cents=20000))
    codes = _codes(_facts(lines=lines))
    assert {"CLASSE_A_AU_DELA_PLV", "RC_SUPERIEUR_RESTE"} <= set(codes)


def test_future_and_impossible_dates():
    assert "DATE_FUTURE" in _codes(_facts(invoice_date=date(2024, 6, 30)))
    impossible = _codes(_facts(delivery_date=date(2024, 5, 20)))  # Acte before Ordo.
    assert impossible == ["DATE_IMPOSSIBLE", "RATE_CHECK_PERIMEE"]  # the LPP date changed too
    assert "DATE_IMPOSSIBLE" in _codes(_facts(invoice_date=date(2024, 5, 27)))  # Facture before Acte
    assert "DATE_IMPOSSIBLE" in _codes(_facts(birth_date="01/01/2025"))
    assert "DATE_IMPOSSIBLE" in _codes(_facts(birth_date="01/01/1850"))


def test_invalid_birth_date_is_a_finding_not_a_crash():
    findings = lint(_facts(birth_date="1955-06"), CATALOGUE)
    assert findings[0].code == "DATE_NAISSANCE_INVALIDE" and findings[0].severity == "bloquant"


def test_lunar_birth_date_is_fine():
    assert lint(_facts(birth_date="19/19/1955"), CATALOGUE) == ()


def test_adaptation_at_first_delivery():
    assert _codes(_facts(adapted=True)) == ["ADAPTATION_INTERDITE"]
    assert _codes(_facts(adapted=True, prescriber_agreement=True)) == []
    assert _codes(_facts(adapted=True, first_delivery=False)) == []


def test_age_band_mismatch_and_negative_price():
    child_frame = BillingLine("Monture enfant", 5000, lpp_code="7990301")
    assert "LPP_TRANCHE_AGE" in _codes(_facts(lines=(child_frame,)))
    negative = _codes(_facts(lines=(BillingLine("X", -5, lpp_code="7211674"),)))
    assert "DONNEES_INVALIDES" in negative


def test_without_catalogue_code_checks_are_skipped():
    assert lint(_facts(), None) == ()


def test_facts_refuse_foreign_lines():
    with pytest.raises(ValidationError):
        DossierFacts(today=date(2024, 5, 28), birth_date="15/06/1955", lines=("MADELE",))  # type: ignore[arg-type]


@settings(derandomize=True, max_examples=150, deadline=None)
@given(st.dates(date(2015, 1, 1), date(2026, 1, 1)), st.dates(date(2015, 1, 1), date(2026, 1, 1)),
       st.one_of(st.none(), st.dates(date(2015, 1, 1), date(2026, 1, 1))),
       st.sampled_from(["15/06/1955", "19/19/2015", "00/00/2000", "bad", "01/01/2030"]),
       st.sampled_from(list(Situation)), st.booleans(), st.booleans())
def test_lint_never_raises(ordo, acte, last, birth, situation, adapted, pec_required):
    facts = DossierFacts(today=date(2025, 1, 1), birth_date=birth, lines=(MADELE, AIRWEAR),
                         prescription_date=ordo, delivery_date=acte, last_delivery_date=last,
                         situation=situation, adapted=adapted, pec_required=pec_required)
    findings = lint(facts, CATALOGUE)
    assert all(f.severity in ("bloquant", "avertissement") and f.message_fr and f.fix_fr for f in findings)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "bloquant")
