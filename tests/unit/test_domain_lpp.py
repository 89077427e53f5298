"""LPP catalogue: packaged data, shop CSV, malformed files, lookup by date, generic-code rule."""
from datetime import date

import pytest

from core.domain.lpp import COLUMNS, CatalogueError, fse_code_findings, load_catalogue, parse_catalogue
from core.errors import ConfigError, FormatError, ValidationError

DAY = date(2024, 5, 28)
HEADER = ",".join(COLUMNS)
ROW = "7211674,individuel,Monture,M03,B,monture,16_plus,5,,2020-01-01,,shop-1,,"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_packaged_catalogue_has_the_manual_codes(catalogue):
    frame = catalogue.lookup("7211674", DAY)
    lens = catalogue.lookup("7230795", DAY)
    assert (frame.prestation, frame.classe, frame.element, frame.base_cents, frame.kind) == ("M03", "B", "monture", 5,
                                                                                           "individuel")
    assert (lens.prestation, lens.classe, lens.element, lens.base_cents) == ("VU3", "B", "verre", 5)
    assert "demo-2024.1" in catalogue.versions and len(catalogue) >= 20


def test_packaged_classe_a_frame_and_grid(catalogue):
    classe_a = [e for e in catalogue.entries if e.classe == "A" and e.kind == "individuel"]
    frames = [e for e in classe_a if e.element == "monture"]
    assert frames and all((e.base_cents, e.plv_cents) == (900, 3000) for e in frames)
    lenses = [e for e in classe_a if e.element == "verre"]
    assert len(lenses) >= 6 and all(e.plv_cents and e.plv_cents >= e.base_cents for e in lenses)
    classe_b = [e for e in catalogue.entries if e.classe == "B" and e.valid_on(DAY)]
    assert classe_b and all(e.base_cents == 5 and e.plv_cents is None for e in classe_b)
    # every row says where its values come from
    assert all(any(tag in e.comment for tag in ("SOURCE", "INFERRED", "UNVERIFIED", "DEMO")) for e in catalogue.entries)


def test_lookup_unknown_and_expired(catalogue):
    with pytest.raises(ValidationError) as exc:
        catalogue.lookup("1234567", DAY)
    assert exc.value.code == "LPP_INCONNU" and "inconnu" in exc.value.message_fr
    with pytest.raises(ValidationError) as exc:
        catalogue.lookup("2210546", DAY)
    assert exc.value.code == "LPP_HORS_VALIDITE" and "31/12/2019" in exc.value.message_fr
    assert catalogue.lookup("2210546", date(2015, 1, 1)).base_cents == 3049
    assert catalogue.find("2210546", DAY) is None


def test_generic_code_rule(catalogue):
    generic = catalogue.lookup("2990001", DAY)
    findings = fse_code_findings(generic, line=0)
    assert len(findings) == 1 and findings[0].severity == "avertissement"
    assert findings[0].code == "LPP_CODE_GENERIQUE" and "regroupement" in findings[0].message_fr
    assert fse_code_findings(catalogue.lookup("7211674", DAY)) == ()
    assert fse_code_findings(catalogue.lookup("2990010", DAY)) == ()  # contact lenses keep generic codes
    assert catalogue.regroupement_for("7211674", DAY) == "2990001"
    assert catalogue.regroupement_for("2990001", DAY) == "2990001"


def test_shop_csv_semicolon_bom_reordered_columns(tmp_path):
    cols = list(COLUMNS)[::-1] + ["fournisseur"]
    values = dict(zip(COLUMNS, ROW.split(",")))
    values["fournisseur"] = "ACME"
    text = "\ufeff# export OPTOLPP\n" + ";".join(cols) + "\n" + ";".join(values[c] for c in cols) + "\n"
    path = tmp_path / "shop.csv"
    path.write_text(text, encoding="utf-8")
    shop = load_catalogue(path)
    assert len(shop) == 1 and shop.lookup("7211674", DAY).catalogue_version == "shop-1"
    assert shop.source == str(path)


def test_versions_succeed_each_other():
    text = "\n".join([HEADER,
                      "7211674,individuel,Monture,M03,B,monture,16_plus,5,,2020-01-01,2023-12-31,v1,,",
                      "7211674,individuel,Monture,M03,B,monture,16_plus,7,,2024-01-01,,v2,,"])
    cat = parse_catalogue(text)
    assert cat.lookup("7211674", date(2023, 6, 1)).base_cents == 5
    assert cat.lookup("7211674", DAY).base_cents == 7
    assert cat.versions == ("v1", "v2")


@pytest.mark.parametrize("row, fragment", [
    ("721167,individuel,M,M03,B,monture,16_plus,5,,2020-01-01,,v,,", "7 chiffres"),
    ("7211674,perso,M,M03,B,monture,16_plus,5,,2020-01-01,,v,,", "kind"),
    ("7211674,individuel,M,M03,C,monture,16_plus,5,,2020-01-01,,v,,", "classe"),
    ("7211674,individuel,M,M03,B,monture,16_plus,0.05,,2020-01-01,,v,,", "base_cents"),
    ("7211674,individuel,M,M03,B,monture,16_plus,-5,,2020-01-01,,v,,", "base_cents"),
    ("7211674,individuel,M,M03,A,monture,16_plus,900,800,2020-01-01,,v,,", "plv_cents"),
    ("7211674,individuel,M,M03,B,monture,16_plus,5,,01/01/2020,,v,,", "valid_from"),
    ("7211674,individuel,M,M03,B,monture,16_plus,5,,2020-01-01,2019-01-01,v,,", "valid_to"),
    ("7211674,individuel,M,M03,B,monture,16_plus,5,,2020-01-01,,,,", "catalogue_version"),
    ("7211674,individuel,M,M03,B,monture,16_plus,5", "champs"),
    ('7211674,individuel,"M,M03,B,monture,16_plus,5,,2020-01-01,,v,,', "CSV illisible"),
])
def test_malformed_rows_name_the_line(row, fragment):
    text = f"# comment\n{HEADER}\n{ROW}\n{row}\n"
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue(text)
    assert exc.value.line == 4 and "ligne 4" in exc.value.message_fr and fragment in exc.value.message_fr
    assert isinstance(exc.value, FormatError)


def test_malformed_files():
    with pytest.raises(CatalogueError, match="vide"):
        parse_catalogue("# only comments\n\n")
    with pytest.raises(CatalogueError) as exc:
        parse_catalogue("code,kind\n7211674,individuel\n")
    assert "colonnes manquantes" in exc.value.message_fr and exc.value.line == 1
    with pytest.raises(CatalogueError, match="double"):
        parse_catalogue(f"{HEADER}\n{ROW}\n{ROW}\n")


def test_unreadable_files(tmp_path):
    with pytest.raises(ConfigError):
        load_catalogue(tmp_path / "absent.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes((HEADER + "\n" + ROW.replace("Monture", "Monture é")).encode("latin-1"))
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(bad)
    assert "UTF-8" in exc.value.message_fr
