"""Automatic SCOR pre-check of each page, with the measured values.

The manual's control points ("non vide, droite, lisible, suffisamment claire, différente de la
précédente (pas de doublon)", one document per page) plus the SCOR format rules (>= 200 dpi, >= A5)
and the caisse's rejection reasons (image trop blanche, trop sombre, contraste illisible).
This is advice: the user still answers "Le document est-il conforme ?".
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Sequence

import numpy as np

from core.scor import measure
from core.scor.model import LoadedDocument, LoadedPage
from core.scor.settings import CheckSettings

DEFAULT_CHECKS = CheckSettings()


class CheckId(str, Enum):
    NON_VIDE = "non_vide"
    DROITE = "droite"
    SUFFISAMMENT_CLAIRE = "suffisamment_claire"
    PAS_TROP_BLANCHE = "pas_trop_blanche"
    LISIBLE = "lisible"
    PAS_DE_DOUBLON = "pas_de_doublon"
    RESOLUTION = "resolution"
    FORMAT = "format"
    UN_DOCUMENT = "un_document"

    @property
    def label_fr(self) -> str:
        return _LABELS[self]


_LABELS = MappingProxyType({
    CheckId.NON_VIDE: "Page non vide",
    CheckId.DROITE: "Page droite",
    CheckId.SUFFISAMMENT_CLAIRE: "Page suffisamment claire",
    CheckId.PAS_TROP_BLANCHE: "Page pas trop blanche",
    CheckId.LISIBLE: "Page lisible (contraste)",
    CheckId.PAS_DE_DOUBLON: "Différente de la précédente (pas de doublon)",
    CheckId.RESOLUTION: "Résolution d'au moins 200 dpi",
    CheckId.FORMAT: "Format A5 ou plus grand",
    CheckId.UN_DOCUMENT: "Un seul document par page",
})


@dataclass(frozen=True)
class PageCheck:
    """One control point: what was measured, against which threshold, and the outcome."""

    check_id: CheckId
    label_fr: str
    passed: bool
    measured: float
    threshold: float
    unit: str          # "%", "°", "/255", "bits", "dpi", "mm", "doc."
    detail_fr: str     # the measure in words, e.g. "5,0° (maximum 1,5°)"


@dataclass(frozen=True)
class PageMetrics:
    """Raw measures of one page (luminance on 0..255, skew counter-clockwise positive)."""

    mean: float
    std: float
    paper: float
    ink: float
    ink_ratio: float
    skew_deg: float
    dpi: float
    size_mm: tuple[float, float]
    gutter_axis: str
    gutter_fraction: float


@dataclass(frozen=True)
class PageReport:
    page_number: int
    checks: tuple[PageCheck, ...]
    metrics: PageMetrics
    phash: str         # hex perceptual hash: store it to find duplicates across documents

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[PageCheck, ...]:
        return tuple(c for c in self.checks if not c.passed)


@dataclass(frozen=True)
class DocumentReport:
    pages: tuple[PageReport, ...]

    @property
    def passed(self) -> bool:
        """Overall verdict: every page passes every check."""
        return all(p.passed for p in self.pages)

    @property
    def hashes(self) -> tuple[str, ...]:
        return tuple(p.phash for p in self.pages)


def check_document(doc: LoadedDocument, *, other_hashes: Sequence[str] = (),
                   settings: CheckSettings = DEFAULT_CHECKS) -> DocumentReport:
    """Check every page; each page is compared with the earlier pages and with `other_hashes`
    (hashes of the other documents of the same dossier or lot)."""
    reports: list[PageReport] = []
    for page in doc.pages:
        reports.append(check_page(page, previous_hashes=[r.phash for r in reports],
                                  other_hashes=other_hashes, settings=settings))
    return DocumentReport(pages=tuple(reports))


def check_page(page: LoadedPage, *, previous_hashes: Sequence[str] = (),
               other_hashes: Sequence[str] = (), settings: CheckSettings = DEFAULT_CHECKS) -> PageReport:
    s = settings
    gray = measure.analysis_image(page.image, s.analysis_max_side)
    arr = measure.crop_margin(np.asarray(gray), s.margin_fraction)
    lum = measure.luminance(arr)
    mask = measure.ink_mask(arr, lum, s.ink_min_delta, s.ink_relative_delta)
    ink_ratio = float(np.count_nonzero(mask)) / mask.size
    skew = measure.estimate_skew(mask, s.skew_search_deg)
    blank = ink_ratio < s.min_ink_ratio
    # On a blank page two dust specks would look like two "documents": nothing to split there.
    gutter = (measure.Gutter(axis="", fraction=0.0, blocks=1) if blank else
              measure.find_gutter(mask, s.min_column_gutter, s.min_row_gutter, s.min_block_ink_share))
    phash = measure.perceptual_hash(gray, s.hash_size)
    dpi = min(page.dpi)
    width_mm, height_mm = page.size_mm
    metrics = PageMetrics(mean=lum.mean, std=lum.std, paper=lum.paper, ink=lum.ink, ink_ratio=ink_ratio,
                          skew_deg=skew, dpi=dpi, size_mm=(width_mm, height_mm),
                          gutter_axis=gutter.axis, gutter_fraction=gutter.fraction)
    checks = (
        _check(CheckId.NON_VIDE, ink_ratio * 100 >= s.min_ink_ratio * 100, ink_ratio * 100,
               s.min_ink_ratio * 100, "%", f"{_fr(ink_ratio * 100, 2)} % d'encre (minimum "
               f"{_fr(s.min_ink_ratio * 100, 2)} %)"),
        _check(CheckId.DROITE, abs(skew) <= s.max_skew_deg, skew, s.max_skew_deg, "°",
               f"inclinaison {_fr(skew)}° (maximum {_fr(s.max_skew_deg)}°)"),
        _check(CheckId.SUFFISAMMENT_CLAIRE, lum.mean >= s.min_mean_luminance, lum.mean,
               s.min_mean_luminance, "/255", f"luminosité moyenne {lum.mean:.0f}/255 (minimum "
               f"{s.min_mean_luminance:.0f}), écart-type {lum.std:.0f}"),
        _check(CheckId.PAS_TROP_BLANCHE, lum.ink <= s.max_ink_luminance, lum.ink, s.max_ink_luminance,
               "/255", f"encre la plus foncée {lum.ink:.0f}/255 (maximum {s.max_ink_luminance:.0f})"),
        _check(CheckId.LISIBLE, lum.paper - lum.ink >= s.min_contrast, lum.paper - lum.ink,
               s.min_contrast, "/255", f"contraste papier/encre {lum.paper - lum.ink:.0f}/255 "
               f"(minimum {s.min_contrast:.0f})"),
        _duplicate_check(phash, previous_hashes, other_hashes, s),
        _check(CheckId.RESOLUTION, dpi + s.dpi_tolerance >= s.min_dpi, dpi, s.min_dpi, "dpi",
               f"{dpi:.0f} dpi, {page.dpi_source.label_fr} (minimum {s.min_dpi:.0f} dpi)"),
        _format_check(width_mm, height_mm, s),
        _check(CheckId.UN_DOCUMENT, gutter.blocks == 1, float(gutter.blocks), 1.0, "doc.",
               _gutter_detail(gutter)),
    )
    return PageReport(page_number=page.number, checks=checks, metrics=metrics, phash=phash)


def _gutter_detail(gutter: measure.Gutter) -> str:
    if gutter.blocks == 1:
        return "une seule zone de contenu"
    if gutter.axis == "vertical":
        return (f"deux zones côte à côte, séparées par une bande blanche de {gutter.fraction * 100:.0f} % "
                "de la largeur du contenu")
    return (f"deux zones l'une au-dessus de l'autre, séparées par une bande blanche de "
            f"{gutter.fraction * 100:.0f} % de la hauteur du contenu")


def _check(check_id: CheckId, passed: bool, measured: float, threshold: float, unit: str,
           detail_fr: str) -> PageCheck:
    return PageCheck(check_id=check_id, label_fr=check_id.label_fr, passed=bool(passed),
                     measured=float(measured), threshold=float(threshold), unit=unit, detail_fr=detail_fr)


def _duplicate_check(phash: str, previous: Sequence[str], others: Sequence[str],
                     s: CheckSettings) -> PageCheck:
    nearest, where = float(s.hash_size ** 2), ""
    for hashes, label in ((previous, "une page précédente"), (others, "un autre document")):
        for h in hashes:
            d = measure.hash_distance(phash, h)
            if d < nearest:
                nearest, where = float(d), label
    passed = nearest >= s.min_hash_distance
    detail = (f"distance {nearest:.0f} bits avec {where} (minimum {s.min_hash_distance})" if where
              else "aucune page à comparer")
    return _check(CheckId.PAS_DE_DOUBLON, passed, nearest, s.min_hash_distance, "bits", detail)


def _format_check(width_mm: float, height_mm: float, s: CheckSettings) -> PageCheck:
    short, long_ = sorted((width_mm, height_mm))
    passed = (short + s.size_tolerance_mm >= s.min_short_side_mm
              and long_ + s.size_tolerance_mm >= s.min_long_side_mm)
    return _check(CheckId.FORMAT, passed, short, s.min_short_side_mm, "mm",
                  f"{width_mm:.0f} × {height_mm:.0f} mm (minimum A5 {s.min_short_side_mm:.0f} × "
                  f"{s.min_long_side_mm:.0f} mm)")


def _fr(value: float, digits: int = 1) -> str:
    """French decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")
