"""NIR key and structure, birth-date strings, beneficiary identity, `lunetier nir`."""
import argparse
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.fr import nir as stdnum_nir

from app.cli import cmd_nir
from core.domain.birthdate import age_on, calendar_birth_date, format_birth_date, is_calendar_date, parse_birth_date
from core.domain.nir import QUALITE_LABELS, BeneficiaryKey, check_nir, nir_key, normalize_rang, parse_nir
from core.errors import ValidationError

DET = settings(derandomize=True, max_examples=300, deadline=None)


# --- key algorithm -------------------------------------------------------------------------------

def test_manual_nir_is_valid():
    """The manual shows NIR "2550699999999" + clé "34": the algorithm agrees (2550699999999 mod 97 = 63)."""
    assert 97 - (2550699999999 % 97) == 34
    nir = parse_nir("2 55 06 99 999 999 34")
    assert nir.formatted == "2 55 06 99 999 999 34"
    assert nir.full == "255069999999934"
    assert (nir.sex, nir.year, nir.month, nir.department, nir.country, nir.order) == ("F", 55, 6, "99", "999", "999")
    assert nir.commune is None and nir.anomalies == ()


def test_manual_second_nir_has_valid_key_but_lunar_month():
    """142196296516596 (manual, "Date Naissance: 01/19/1942"): key 96 is right, month 19 is outside the
    INSEE ranges -> accepted with a note by default, refused in strict mode."""
    assert nir_key("1421962965165") == "96"
    verdict = check_nir("142196296516596")
    assert verdict.valid and verdict.formatted == "1 42 19 62 965 165 96"
    assert any("mois de naissance 19" in n for n in verdict.notes_fr)
    strict = check_nir("142196296516596", strict=True)
    assert not strict.valid and "mois de naissance 19" in strict.reason_fr


@pytest.mark.parametrize("text", ["2 95 10 99 126 111 93", "253072B07300470", "253072A07300443",
                                  "2 53 07 2a 073 004 43", "1.85.05.78.006.084.91"])
def test_stdnum_vectors_valid(text):
    assert check_nir(text).valid


def test_corsica_substitution():
    a = parse_nir("253072A07300443")
    b = parse_nir("253072B07300470")
    assert a.department == "2A" and a.numeric13 == "2530719073004"
    assert b.department == "2B" and b.numeric13 == "2530718073004"
    assert int(a.key) == 97 - int(a.numeric13) % 97
    assert a.formatted == "2 53 07 2A 073 004 43"
    # Without the substitution rule the key would be different:
    assert check_nir("253072A07300470").valid is False


def test_overseas_and_provisional():
    body = "1850597105001"
    nir = parse_nir(body + nir_key(body))
    assert nir.department == "971" and nir.commune == "05"
    body = "7850675056001"
    prov = parse_nir(body + nir_key(body))
    assert prov.provisional and prov.sex == "M"
    assert any("provisoire" in n for n in check_nir(prov.full).notes_fr)


@pytest.mark.parametrize("month, birth_month, anomaly", [(1, 1, False), (12, 12, False), (20, None, False),
                                                         (31, 1, False), (42, 12, False), (50, None, False),
                                                         (99, None, False), (0, None, True), (13, None, True),
                                                         (25, None, True), (43, None, True)])
def test_pseudo_months(month, birth_month, anomaly):
    body = f"185{month:02d}75056001"
    nir = parse_nir(body + nir_key(body))
    assert nir.birth_month == birth_month
    assert bool(nir.anomalies) is anomaly
    assert check_nir(nir.full, strict=True).valid is (not anomaly)


@pytest.mark.parametrize("text, fragment", [
    ("", "vide"), ("255069999999935", "clé incorrecte (saisie 35, calculée 34)"),
    ("2550699999999", "la clé manque (clé calculée : 34)"), ("25506999999993", "15 caractères"),
    ("955069999999934", "sexe"), ("555069999999934", "sexe"), ("2550X9999999934", "chiffres"),
    ("253072C07300443", "chiffres"),
])
def test_invalid_nirs_give_french_reason(text, fragment):
    verdict = check_nir(text)
    assert not verdict.valid and fragment in verdict.reason_fr
    with pytest.raises(ValidationError) as exc:
        parse_nir(text)
    assert exc.value.message_fr.startswith("NIR invalide")


def test_fullwidth_digits_are_normalised_by_stdnum():
    assert parse_nir("2550699999999３４").full == "255069999999934"


def test_check_nir_formats_wrong_key_for_display():
    assert check_nir("255069999999935").formatted == "2 55 06 99 999 999 35"
    assert check_nir("abc").formatted is None
    assert check_nir(None).valid is False  # type: ignore[arg-type]


@DET
@given(st.sampled_from("123478"), st.integers(0, 99), st.sampled_from([1, 6, 12, 20, 35, 60]),
       st.sampled_from(["01", "75", "2A", "2B", "99"]), st.integers(1, 999), st.integers(1, 999))
def test_generated_nirs_round_trip(sex, year, month, dept, commune, order):
    body = f"{sex}{year:02d}{month:02d}{dept}{commune:03d}{order:03d}"
    full = body + nir_key(body)
    nir = parse_nir(full)
    assert nir.full == full and stdnum_nir.is_valid(full)
    assert parse_nir(nir.formatted) == nir
    wrong = f"{(int(full[13:]) % 97) + 1:02d}"
    assert not check_nir(body + wrong).valid


@DET
@given(st.text(max_size=30))
def test_check_nir_never_raises(text):
    verdict = check_nir(text)
    assert verdict.valid is (verdict.reason_fr is None)


# --- birth dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, canonical", [("15/06/1955", "19550615"), ("19/19/1985", "19851919"),
                                             ("00/01/1990", "19900100"), ("19550615", "19550615"),
                                             ("199306010000", "19930601"), ("01.19.1942", "19421901")])
def test_birth_dates_allow_lunar(text, canonical):
    assert parse_birth_date(text) == canonical


@pytest.mark.parametrize("text", ["", "15/06/55", "1955-06-15x", "ab/cd/efgh", "15/6/1955", "1955061", "15061955",
                                  "32/13/0000", "１９５５０６１５"])
def test_birth_dates_refused(text):
    with pytest.raises(ValidationError) as exc:
        parse_birth_date(text)
    assert "naissance" in exc.value.message_fr


def test_birth_date_display_and_calendar_fallback():
    from datetime import date
    assert format_birth_date("19851919") == "19/19/1985"
    assert not is_calendar_date("19/19/1985") and is_calendar_date("15/06/1955")
    assert calendar_birth_date("19/19/1985") == date(1985, 1, 19)
    assert calendar_birth_date("00/00/1990") == date(1990, 1, 1)
    assert calendar_birth_date("31/04/2000") == date(2000, 4, 1)
    assert age_on("15/06/1955", date(2024, 5, 28)) == 68
    assert age_on("15/06/1955", date(2024, 6, 15)) == 69
    assert age_on("01/19/1942", date(2024, 5, 28)) == 82


# --- beneficiary -------------------------------------------------------------------------------

def test_beneficiary_key_normalises():
    key = BeneficiaryKey("2 55 06 99 999 999 34", "15/06/1955", rang=1, qualite=0)
    assert key.nir_assure == "255069999999934" and key.birth_date == "19550615"
    assert key.is_assure and key.qualite_label == "Assuré" and key.birth_date_display == "15/06/1955"
    child = BeneficiaryKey("255069999999934", "19/19/2015", rang=2, qualite=6)
    assert child.qualite_label == "Enfant" and child.birth_date == "20151919"
    assert hash(child) != hash(key) and child == BeneficiaryKey("2 55 06 99 999 999 34", "20151919", 2, 6)


@pytest.mark.parametrize("kwargs", [dict(rang=0), dict(rang=10), dict(qualite=10), dict(qualite=True),
                                    dict(nir_assure="255069999999935"), dict(birth_date="1955-06")])
def test_beneficiary_key_refuses_bad_values(kwargs):
    base = dict(nir_assure="255069999999934", birth_date="19550615", rang=1, qualite=0)
    with pytest.raises(ValidationError):
        BeneficiaryKey(**{**base, **kwargs})


def test_qualite_labels_and_rang():
    assert sorted(QUALITE_LABELS) == list(range(10))
    assert QUALITE_LABELS[7] == "Bénéficiaire hors article 313"
    assert normalize_rang("") == normalize_rang("00") == normalize_rang(None) == 1
    assert normalize_rang("2") == 2
    with pytest.raises(ValidationError):
        normalize_rang("x")


# --- CLI -----------------------------------------------------------------------------------------

def _run(argv):
    parser = argparse.ArgumentParser()
    cmd_nir.register(parser.add_subparsers())
    args = parser.parse_args(["nir", *argv])
    return args.func(args)


def test_cli_valid(capsys):
    assert _run(["2", "55", "06", "99", "999", "999", "34"]) == 0
    assert capsys.readouterr().out.strip() == "2 55 06 99 999 999 34 : NIR valide"


def test_cli_invalid_json(capsys):
    assert _run(["255069999999935", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False and out["formatted"] == "2 55 06 99 999 999 35"
    assert "clé incorrecte" in out["reason_fr"]


def test_cli_strict(capsys):
    assert _run(["142196296516596"]) == 0
    assert "Remarque" in capsys.readouterr().out
    assert _run(["142196296516596", "--strict"]) == 1
