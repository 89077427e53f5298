"""Reject diagnosis: the manual's two codes, the INFERRED table, and the label-agreement safety rule."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from core.services.reject_diagnosis import ENTRIES, diagnose, known_codes, normalize_code

EXO_LABEL = "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE"


def test_0450_0561_explains_the_missing_exoneration_and_the_fix():
    d = diagnose("0450 0561", EXO_LABEL)
    assert d is not None and (d.code, d.source, d.par_libelle) == ("0450 0561", "manuel", False)
    assert "exonéré du ticket modérateur" in d.explication
    assert "Vérif. taux" in d.correction and "ADRi" in d.correction and "Générer FSE" in d.correction


def test_0100_0512_points_to_the_practitioner_number():
    d = diagnose("0100 0512", "PARTENAIRE DE SANTE INCONNU OU NON HABILITE A LA DATE DES SOINS")
    assert d is not None and d.source == "manuel"
    assert "n° de facturation AM" in d.correction
    assert "carte CPS" in d.correction and "Paramétrage du PS" not in d.correction


def test_codes_are_normalised():
    assert normalize_code("04500561") == normalize_code("0450-0561") == normalize_code(" 0450  0561 ") == "0450 0561"
    assert diagnose("04500561") == diagnose("0450 0561")


def test_the_table_has_the_manual_codes_and_ten_more_marked_inferred():
    codes = known_codes()
    assert len(codes) == len(set(codes)) >= 12
    assert all(re.fullmatch(r"\d{4} \d{4}", c) for c in codes)
    attested = {e.code for e in ENTRIES if not e.inferred}
    assert attested == {"0100 0512", "0450 0561"}
    for e in ENTRIES:
        assert e.titre and e.explication.endswith(".") and e.correction.endswith(".") and e.keywords


def test_an_inferred_code_is_only_trusted_when_its_label_agrees():
    assert diagnose("0320 0720", "RENOUVELLEMENT AVANT DELAI").titre == "Renouvellement avant le délai"
    assert diagnose("0320 0720", "").source == "INFERRED"
    # Same number, a label about something else: the label decides, and says so.
    other = diagnose("0320 0720", "PRESCRIPTEUR INCONNU")
    assert other is not None and other.par_libelle and other.titre == "Prescripteur inconnu"
    assert diagnose("0320 0720", "ZONE 12 INVALIDE") is None


def test_unknown_code_with_a_telling_label():
    d = diagnose("9999 0001", "DATE DE NAISSANCE DU BENEFICIAIRE ERRONEE")
    assert d is not None and d.par_libelle and d.code == "9999 0001" and "naissance" in d.explication
    assert diagnose("9999 0001", "") is None
    assert diagnose("", "") is None


def test_keywords_match_whole_word_starts_only():
    assert diagnose("9999 0001", "ARTICLE 12") is None          # "CLE" inside ARTICLE is not the NIR key


@given(st.text(max_size=12), st.text(max_size=120))
def test_diagnose_never_raises(code, label):
    result = diagnose(code, label)
    assert result is None or result.explication
