"""Thresholds of the SCOR core, in frozen pydantic models so the app Settings can nest them.

Defaults come from the SCOR rules (DOMAIN.md section 8: >= 200 dpi, page >= A5) and, for the image
measures, from tuning on the generated fixtures of tests/unit/scor_fixtures.py (luminance is 0..255).
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IntakeLimits(BaseModel):
    """What load_document() accepts before decoding anything."""

    model_config = ConfigDict(frozen=True)

    # A4 at 600 dpi is 34.8 Mpx and A3 at 400 dpi 31 Mpx; 50 Mpx leaves room and stays below Pillow's own
    # bomb threshold (89.5 Mpx), so our explicit check always fires first.
    max_pixels: int = Field(50_000_000, gt=0)
    max_bytes: int = Field(50 * 1024 * 1024, gt=0)   # a scanned ordonnance is a few MB at most
    max_pages: int = Field(30, gt=0)                 # multi-page TIFF / PDF
    # Decoded pages stay in memory: cap the whole document too (51 A4 pages at 200 dpi).
    max_total_pixels: int = Field(200_000_000, gt=0)


class CheckSettings(BaseModel):
    """Thresholds of the automatic pre-check (check_page). Every check reports the measured value."""

    model_config = ConfigDict(frozen=True)

    # Analysis works on a reduced copy: ~100 dpi for an A4 page is plenty for projections and hashes.
    analysis_max_side: int = Field(1200, ge=300)
    # Border ignored by the image measures (scanner lid shadows, punched holes).
    margin_fraction: float = Field(0.03, ge=0, lt=0.25)
    # A pixel is "ink" when darker than the paper (90th percentile) by max(ink_min_delta,
    # ink_relative_delta x (paper - darkest marks)): relative, so a dark or faded page still shows its
    # text, absolute floor, so scanner noise and bleed-through on a blank sheet do not count.
    ink_min_delta: int = Field(32, ge=8, le=200)
    ink_relative_delta: float = Field(0.4, gt=0, lt=1)

    # non vide: share of ink pixels. Text pages measure 2-10 %, a blank scan with dust < 0.1 %.
    min_ink_ratio: float = Field(0.003, ge=0, le=1)
    # droite: absolute skew, degrees; searched over +/- skew_search_deg.
    max_skew_deg: float = Field(1.5, ge=0)
    skew_search_deg: float = Field(10.0, gt=0, le=45)
    # suffisamment claire (not too dark): mean luminance.
    min_mean_luminance: float = Field(110.0, ge=0, le=255)
    # pas trop blanche: luminance of the darkest 0.5 % (the ink); faded scans have grey ink.
    max_ink_luminance: float = Field(150.0, ge=0, le=255)
    # lisible: contrast = paper luminance (90th pct) - ink luminance (0.5th pct).
    min_contrast: float = Field(90.0, ge=0, le=255)
    # pas de doublon: minimum Hamming distance (out of hash_size**2 bits) of the perceptual hash to
    # any earlier page. Fixtures: same page re-encoded/shifted/rotated 1 degree 0-14, different pages
    # of the same template 64-84.
    hash_size: int = Field(16, ge=4, le=32)
    min_hash_distance: int = Field(36, ge=0)
    # résolution (dpi); 0.5 absorbs PNG's pixels-per-metre rounding (7874 px/m = 199.9996 dpi).
    min_dpi: float = Field(200.0, gt=0)
    dpi_tolerance: float = Field(0.5, ge=0)
    # format >= A5 (148 x 210 mm), with a tolerance for scanners that crop a few millimetres.
    min_short_side_mm: float = Field(148.0, gt=0)
    min_long_side_mm: float = Field(210.0, gt=0)
    size_tolerance_mm: float = Field(5.0, ge=0)
    # un document par page: a blank band splitting the ink into two heavy blocks. Vertical bands
    # (documents side by side) need less width than horizontal ones, because a single ordonnance
    # often has a wide blank band between its header and its body but rarely a full-height one.
    min_column_gutter: float = Field(0.08, gt=0, lt=1)   # fraction of the content width
    min_row_gutter: float = Field(0.25, gt=0, lt=1)      # fraction of the content height
    min_block_ink_share: float = Field(0.25, gt=0, lt=0.5)


class PdfOptions(BaseModel):
    """How build_scor_pdf() encodes pages."""

    model_config = ConfigDict(frozen=True)

    dpi: int = Field(200, ge=200, le=600)        # SCOR asks for >= 200 dpi
    jpeg_quality: int = Field(80, ge=30, le=95)  # grayscale JPEG, ~150-300 kB per A4 page
    keep_colour: bool = False                    # SCOR does not require colour; grey is smaller
    pad_to_a5: bool = True                       # SCOR page format is >= A5: centre smaller scans
