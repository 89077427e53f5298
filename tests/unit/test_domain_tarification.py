"""Rate computation behind "Détail remboursements": golden values from the manual + properties."""
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.lpp import load_catalogue
from core.domain.money import format_euros
from core.domain.tarification import (SECTION_100_SANTE, SECTION_PRIX_LIBRES, BillingLine, RateTable, Situation,
                                      TarificationRequest, compute, fingerprint)
from core.errors import ValidationError

DET = settings(derandomize=True, max_examples=200, deadline=None)
DAY = date(2024, 5, 28)
CATALOGUE = load_catalogue()

MADELE = BillingLine("MADELE", 20900, lpp_code="7211674", prestation="M03")
AIRWEAR = BillingLine("V Airwear Cz EasyP Chrono", 10300, lpp_code="7230795", prestation="VU3")
SUPPLEMENT = BillingLine("S Cz EasyP", 0, remboursable=False)
DESMAUX = (MADELE, AIRWEAR, SUPPLEMENT, AIRWEAR, SUPPLEMENT)  # the manual's five rows, in order
FRAME_A = BillingLine("Monture 100% Santé", 3000, lpp_code="7990101")


def _compute(lines, **kw):
    return compute(TarificationRequest(tuple(lines), on=DAY, **kw), CATALOGUE)


def test_golden_manual_desmaux_classe_b():
    """Manual, "Une fois la vérification du taux faite": 415,00 / 0,15 / 0,09 / À Charge 415,00."""
    result = _compute(DESMAUX)
    assert [format_euros(l.rbt_ro_cents) for l in result.lines] == ["0,03", "0,03", "0,00", "0,03", "0,00"]
    assert [format_euros(l.base_ro_cents) for l in result.lines] == ["0,05", "0,05", "0,00", "0,05", "0,00"]
    assert [l.a_charge_cents for l in result.lines] == [20900, 10300, 0, 10300, 0]
    assert [l.etm for l in result.lines] == ["0", "0", "", "0", ""]
    total = result.total
    assert (format_euros(total.net_cents), format_euros(total.base_ro_cents), format_euros(total.rbt_ro_cents),
            format_euros(total.rbt_ro_rc_cents), format_euros(total.a_charge_cents)) == (
        "415,00", "0,15", "0,09", "0,09", "415,00")
    assert total.reste_a_charge_cents == 41491  # what the client finally bears after the caisse refunds 0,09
    assert result.taux == 60 and result.findings == () and not result.panachage
    assert result.prix_libres == total and result.cent_pour_cent_sante.net_cents == 0


def test_golden_manual_desmaux_in_tiers_payant_ro():
    result = _compute(DESMAUX, tiers_payant_ro=True)
    assert result.total.a_charge_cents == 41491 == result.total.reste_a_charge_cents


def test_golden_classe_a_frame_30_euros():
    """Manual, Télétransmissions list: 30,00 invoice, Mt RO 5,40, Mt RC 24,60 (BR 9,00 at 60 %)."""
    result = _compute([FRAME_A], tiers_payant_ro=True, tiers_payant_rc=True)
    line = result.lines[0]
    assert (line.base_ro_cents, line.rbt_ro_cents, line.rbt_rc_cents, line.reste_a_charge_cents) == (900, 540, 2460, 0)
    assert line.section == SECTION_100_SANTE and line.plv_cents == 3000
    assert result.cent_pour_cent_sante.rbt_ro_cents == 540 and result.prix_libres.net_cents == 0
    assert result.total.a_charge_cents == 0 and result.findings == ()


def test_classe_a_with_typed_rc_and_non_responsable():
    typed = _compute([BillingLine("Monture A", 3000, lpp_code="7990101", rc1_cents=1000)])
    assert typed.lines[0].rbt_rc_cents == 1000
    assert [f.code for f in typed.findings] == ["RAC0_NON_RESPECTE"]
    free = _compute([FRAME_A], contrat_responsable=False)
    assert free.lines[0].rbt_rc_cents == 0 and free.lines[0].reste_a_charge_cents == 2460


def test_classe_a_c2s_is_fully_covered():
    result = _compute([FRAME_A], situation=Situation.C2S, contrat_responsable=False)
    line = result.lines[0]
    assert (line.rbt_ro_cents, line.rbt_rc_cents, line.reste_a_charge_cents, line.exo) == (900, 2100, 0, True)


def test_classe_a_above_plv_is_blocking():
    result = _compute([BillingLine("Monture A", 3500, lpp_code="7990101")])
    assert result.findings[0].code == "CLASSE_A_AU_DELA_PLV" and result.findings[0].severity == "bloquant"
    assert result.lines[0].rbt_rc_cents == 3000 - 540  # RAC 0 only within the PLV
    assert result.lines[0].reste_a_charge_cents == 500


def test_panachage_classe_a_verres_classe_b_frame():
    lens_a = BillingLine("Verre A", 3250, lpp_code="7990201")
    result = _compute([MADELE, lens_a, lens_a])
    assert result.panachage
    assert [l.section for l in result.lines] == [SECTION_PRIX_LIBRES, SECTION_100_SANTE, SECTION_100_SANTE]
    assert result.cent_pour_cent_sante.rbt_ro_cents == 2 * 585  # 9,75 x 60 % = 5,85
    assert result.cent_pour_cent_sante.reste_a_charge_cents == 0
    assert result.prix_libres.rbt_ro_cents == 3
    assert result.total.net_cents == result.prix_libres.net_cents + result.cent_pour_cent_sante.net_cents


@pytest.mark.parametrize("situation, rate, exo", [
    (Situation.MALADIE, 60, False), (Situation.ALD_EN_RAPPORT, 100, True), (Situation.C2S, 100, True),
    (Situation.MATERNITE, 100, True), (Situation.AT_MP, 100, True), (Situation.ALSACE_MOSELLE, 90, False),
])
def test_rates_by_situation(situation, rate, exo):
    result = _compute([FRAME_A], situation=situation)
    assert result.taux == rate and result.lines[0].exo is exo
    assert result.lines[0].rbt_ro_cents == 900 * rate // 100
    assert result.lines[0].ald is (situation == Situation.ALD_EN_RAPPORT)


def test_alsace_moselle_rate_is_configurable():
    result = _compute([FRAME_A], situation="alsace_moselle", rates=RateTable(alsace_moselle=Decimal("80")))
    assert result.lines[0].rbt_ro_cents == 720
    with pytest.raises(ValidationError):
        _compute([FRAME_A], rates=RateTable(maladie=120))


def test_rc_capped_to_reste_with_warning():
    result = _compute([BillingLine("Verre", 10300, lpp_code="7230795", rc1_cents=8000, rc2_cents=5000)])
    line = result.lines[0]
    assert (line.rbt_rc1_cents, line.rbt_rc2_cents) == (8000, 10300 - 3 - 8000)
    assert line.reste_a_charge_cents == 0
    assert [f.code for f in result.findings] == ["RC_SUPERIEUR_RESTE"]


def test_frame_rc_above_contrat_responsable_ceiling_warns():
    frame = BillingLine("MADELE", 20900, lpp_code="7211674", rc1_cents=12000)
    assert [f.code for f in _compute([frame]).findings] == ["RC_PLAFOND_MONTURE"]
    assert _compute([frame], contrat_responsable=False).findings == ()


def test_code_problems_become_findings_and_no_coverage():
    result = _compute([
        BillingLine("Générique", 20900, lpp_code="2990001"),
        BillingLine("Inconnu", 100, lpp_code="1234567"),
        BillingLine("Ancien", 100, lpp_code="2210546"),
        BillingLine("Sans code", 100),
    ])
    assert [l.base_ro_cents for l in result.lines] == [0, 0, 0, 0]
    codes = {f.code: f.severity for f in result.findings}
    assert codes == {"LPP_CODE_GENERIQUE": "avertissement", "LPP_INCONNU": "bloquant",
                     "LPP_HORS_VALIDITE": "bloquant", "LPP_MANQUANT": "bloquant"}
    assert result.findings[-1].severity == "avertissement"  # blocking first


def test_contact_lenses_generic_code_is_covered():
    result = _compute([BillingLine("Lentilles", 5000, lpp_code="2990010")])
    assert result.lines[0].base_ro_cents == 3948 and result.findings == ()


def test_base_capped_at_price_and_quantity():
    cheap = _compute([BillingLine("Monture A soldée", 500, lpp_code="7990101")]).lines[0]
    assert cheap.base_ro_cents == 500 and cheap.rbt_ro_cents == 300 and cheap.reste_a_charge_cents == 0
    pair = _compute([BillingLine("Verre B", 10300, qty=2, lpp_code="7230795")]).lines[0]
    assert (pair.net_cents, pair.base_ro_cents, pair.rbt_ro_cents) == (20600, 10, 6)


def test_without_catalogue_uses_line_overrides():
    lines = (BillingLine("Monture", 3000, lpp_code="7990101", base_unit_cents=900, classe="A", plv_unit_cents=3000),)
    result = compute(TarificationRequest(lines))
    assert result.lines[0].rbt_ro_cents == 540 and result.lines[0].rbt_rc_cents == 2460
    no_base = compute(TarificationRequest((BillingLine("Monture", 3000, lpp_code="7990101"),)))
    assert no_base.lines[0].base_ro_cents == 0


@pytest.mark.parametrize("line, fragment", [
    (BillingLine("X", -100, lpp_code="7211674"), "prix négatif"),
    (BillingLine("X", 100, qty=0), "quantité"),
    (BillingLine("X", 100, rc1_cents=-1), "RC1 négatif"),
    (BillingLine("X", 100.0), "prix invalide"),  # type: ignore[arg-type]
    (BillingLine("X", 100, classe="C"), "classe"),
])
def test_bad_lines_raise_typed_errors(line, fragment):
    with pytest.raises(ValidationError) as exc:
        _compute([MADELE, line])
    assert exc.value.message_fr.startswith("Ligne 2") and fragment in exc.value.message_fr


def test_bad_request_and_situation():
    with pytest.raises(ValidationError):
        compute("not a request")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        TarificationRequest((), situation="inconnue")


def test_fingerprint_changes_with_amounts_only():
    a = TarificationRequest(DESMAUX, on=DAY)
    assert fingerprint(a) == fingerprint(TarificationRequest(list(DESMAUX), on=DAY))
    assert fingerprint(a) != fingerprint(TarificationRequest(DESMAUX[:-1], on=DAY))
    assert fingerprint(a) != fingerprint(TarificationRequest(DESMAUX, on=DAY, situation=Situation.C2S))
    assert compute(a, CATALOGUE).fingerprint == fingerprint(a)


# --- properties ----------------------------------------------------------------------------------

CODES = ["7211674", "7230795", "7990101", "7990201", "7990206", "2990001", "2990010", "1234567", ""]
line_strategy = st.builds(
    BillingLine,
    libelle=st.just("article"),
    unit_price_cents=st.integers(0, 200_000),
    qty=st.integers(1, 3),
    lpp_code=st.sampled_from(CODES),
    remboursable=st.booleans(),
    rc1_cents=st.none() | st.integers(0, 300_000),
    rc2_cents=st.none() | st.integers(0, 300_000),
)


@DET
@given(st.lists(line_strategy, min_size=1, max_size=6), st.sampled_from(list(Situation)), st.booleans(),
       st.booleans(), st.booleans())
def test_amounts_are_consistent(lines, situation, responsable, tp_ro, tp_rc):
    request = TarificationRequest(tuple(lines), situation=situation, on=DAY, contrat_responsable=responsable,
                                  tiers_payant_ro=tp_ro, tiers_payant_rc=tp_rc)
    result = compute(request, CATALOGUE)
    for line in result.lines:
        amounts = (line.net_cents, line.base_ro_cents, line.rbt_ro_cents, line.rbt_rc_cents, line.a_charge_cents,
                   line.reste_a_charge_cents)
        assert all(isinstance(a, int) and a >= 0 for a in amounts)
        assert line.rbt_ro_cents + line.rbt_rc_cents + line.reste_a_charge_cents == line.net_cents
        assert line.rbt_ro_cents <= line.base_ro_cents <= line.net_cents
        assert line.rbt_rc1_cents + line.rbt_rc2_cents == line.rbt_rc_cents
        assert line.reste_a_charge_cents <= line.a_charge_cents <= line.net_cents
    total = result.total
    assert total.rbt_ro_cents == sum(l.rbt_ro_cents for l in result.lines)
    assert total.rbt_ro_cents + total.rbt_rc_cents + total.reste_a_charge_cents == total.net_cents
    assert result == compute(request, CATALOGUE)  # stable


@DET
@given(st.integers(0, 10_000), st.integers(0, 100))
def test_per_line_rounding_half_up(base, rate):
    line = BillingLine("x", base, base_unit_cents=base, lpp_code="0000000")
    ro = compute(TarificationRequest((line,), rates=RateTable(maladie=rate))).lines[0].rbt_ro_cents
    assert ro == (base * rate + 50) // 100
