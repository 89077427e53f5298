"""Page pre-checks: generated fixtures with their expected verdicts and measured values."""
from __future__ import annotations

import io

import pytest
from PIL import Image

import scor_fixtures as fx
from core.scor.checks import CheckId, check_document, check_page
from core.scor.model import DpiSource, LoadedDocument, LoadedPage
from core.scor.settings import CheckSettings


def page(img: Image.Image, dpi: float = 200, number: int = 1,
         source: DpiSource = DpiSource.METADATA) -> LoadedPage:
    return LoadedPage(number=number, image=img, dpi=(dpi, dpi), dpi_source=source)


@pytest.fixture(scope="module")
def a4() -> Image.Image:
    return fx.text_page(fx.A4_MM, seed=1)


def failed(report) -> set[str]:
    return {c.check_id.value for c in report.failures}


def measured(report, check: CheckId) -> float:
    return next(c.measured for c in report.checks if c.check_id is check)


def test_good_a4_passes_every_check(a4):
    report = check_page(page(a4))
    assert report.passed and failed(report) == set()
    assert [c.check_id for c in report.checks] == list(CheckId)
    assert all(c.label_fr == c.check_id.label_fr and c.detail_fr for c in report.checks)
    m = report.metrics
    assert 0.02 < m.ink_ratio < 0.2 and m.skew_deg == 0.0
    assert m.size_mm == pytest.approx((210, 297), abs=0.5) and m.dpi == 200


def test_good_a5_passes():
    report = check_page(page(fx.text_page(fx.A5_MM, seed=4)))
    assert report.passed
    assert measured(report, CheckId.FORMAT) == pytest.approx(148, abs=0.5)


EXPECTED = {
    # fixture name: (image factory, dpi, checks expected to fail)
    "blank": (lambda a4: fx.blank_page(), 200, {"non_vide", "pas_trop_blanche", "lisible"}),
    "skew5": (lambda a4: fx.skewed(a4, 5), 200, {"droite"}),
    "too_dark": (lambda a4: fx.remap(a4, paper=60, ink=15), 200, {"suffisamment_claire", "lisible"}),
    "too_light": (lambda a4: fx.remap(a4, paper=255, ink=215), 200, {"pas_trop_blanche", "lisible"}),
    "low_contrast": (lambda a4: fx.remap(a4, paper=170, ink=120), 200, {"lisible"}),
    "150dpi": (lambda a4: fx.text_page(dpi=150, seed=6), 150, {"resolution"}),
    "a6": (lambda a4: fx.text_page(fx.A6_MM, seed=7), 200, {"format"}),
    "two_documents": (lambda a4: fx.two_documents(), 200, {"un_document"}),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_fixture_verdicts(a4, name):
    factory, dpi, expected = EXPECTED[name]
    report = check_page(page(factory(a4), dpi=dpi))
    assert failed(report) == expected
    assert not report.passed


def test_measured_values(a4):
    assert measured(check_page(page(fx.remap(a4, 60, 15))), CheckId.SUFFISAMMENT_CLAIRE) < 70
    assert measured(check_page(page(fx.remap(a4, 255, 215))), CheckId.PAS_TROP_BLANCHE) >= 210
    assert measured(check_page(page(fx.text_page(dpi=150), dpi=150)), CheckId.RESOLUTION) == 150
    assert measured(check_page(page(fx.two_documents())), CheckId.UN_DOCUMENT) == 2
    assert measured(check_page(page(fx.blank_page())), CheckId.NON_VIDE) < 0.05


@pytest.mark.parametrize("angle", [-8.0, -4.5, -2.0, 0.0, 1.0, 2.5, 7.0])
def test_skew_estimate_within_one_degree(a4, angle):
    report = check_page(page(fx.skewed(a4, angle)))
    assert report.metrics.skew_deg == pytest.approx(angle, abs=1.0)
    assert (CheckId.DROITE.value in failed(report)) == (abs(angle) > 1.5)


def test_skew_detail_is_french(a4):
    check = next(c for c in check_page(page(fx.skewed(a4, 5))).checks if c.check_id is CheckId.DROITE)
    assert check.detail_fr == "inclinaison 5,0° (maximum 1,5°)"
    assert check.unit == "°" and check.threshold == 1.5


def test_duplicate_within_document(a4):
    other = fx.text_page(seed=9)
    doc = LoadedDocument("scan.tif", "TIFF", tuple(page(img, number=i + 1) for i, img in
                                                    enumerate([a4, other, a4])))
    report = check_document(doc)
    assert [p.passed for p in report.pages] == [True, True, False]
    assert failed(report.pages[2]) == {"pas_de_doublon"}
    assert "page précédente" in next(c.detail_fr for c in report.pages[2].failures)
    assert not report.passed and len(report.hashes) == 3


def test_duplicate_of_another_document_after_jpeg_and_shift(a4):
    first = check_page(page(a4))
    rescanned = Image.open(io.BytesIO(fx.jpeg_bytes(a4, quality=60))).convert("L")
    rescanned = rescanned.transform(a4.size, Image.Transform.AFFINE, (1, 0, 8, 0, 1, -6), fillcolor=245)
    report = check_page(page(rescanned), other_hashes=[first.phash])
    assert failed(report) == {"pas_de_doublon"}
    assert "autre document" in report.failures[0].detail_fr


def test_different_pages_of_same_template_are_not_duplicates():
    hashes = [check_page(page(fx.text_page(seed=s))).phash for s in (21, 22)]
    report = check_page(page(fx.text_page(seed=23)), previous_hashes=hashes)
    assert report.passed
    assert measured(report, CheckId.PAS_DE_DOUBLON) >= CheckSettings().min_hash_distance


def test_colour_and_bilevel_pages(a4):
    assert check_page(page(a4.convert("RGB"))).passed
    assert check_page(page(a4.convert("1"))).passed


def test_assumed_dpi_is_reported(a4):
    report = check_page(page(a4, dpi=200, source=DpiSource.ASSUMED_A4))
    detail = next(c.detail_fr for c in report.checks if c.check_id is CheckId.RESOLUTION)
    assert "A4 supposé" in detail


def test_thresholds_come_from_settings(a4):
    lenient = CheckSettings(max_skew_deg=6.0, min_dpi=150)
    assert check_page(page(fx.skewed(a4, 5)), settings=lenient).passed
    assert check_page(page(fx.text_page(dpi=150), dpi=150), settings=lenient).passed
    with pytest.raises(Exception):
        lenient.max_skew_deg = 1.0  # frozen
