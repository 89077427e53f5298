"""Image measures behind the SCOR pre-check (numpy on a reduced grayscale copy of the page)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image

# Enough ink points for a sharp projection profile; more only costs time.
_MAX_SKEW_POINTS = 40_000
_MIN_SKEW_POINTS = 200


@dataclass(frozen=True)
class Luminance:
    mean: float
    std: float
    paper: float   # 90th percentile: the sheet
    ink: float     # 0.5th percentile: the darkest marks


@dataclass(frozen=True)
class Gutter:
    """Widest blank band that splits the ink into two heavy blocks (0 when none)."""

    axis: str             # "vertical" (documents side by side), "horizontal" (stacked) or ""
    fraction: float       # band width / content extent along that axis
    blocks: int           # 2 when the band qualifies, else 1


def analysis_image(image: Image.Image, max_side: int) -> Image.Image:
    """Grayscale copy whose long side is <= max_side (integer box reduction: fast, no aliasing)."""
    gray = image if image.mode == "L" else image.convert("L")
    factor = math.ceil(max(gray.size) / max_side)
    return gray.reduce(factor) if factor > 1 else gray


def crop_margin(arr: np.ndarray, fraction: float) -> np.ndarray:
    dy, dx = int(arr.shape[0] * fraction), int(arr.shape[1] * fraction)
    return arr[dy:arr.shape[0] - dy or None, dx:arr.shape[1] - dx or None]


def luminance(arr: np.ndarray) -> Luminance:
    """Mean, standard deviation and percentiles from a 256-bin histogram (no sorting)."""
    hist = np.bincount(arr.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256, dtype=np.float64)
    mean = float((hist * levels).sum() / total)
    std = float(math.sqrt(max((hist * (levels - mean) ** 2).sum() / total, 0.0)))
    cdf = np.cumsum(hist) / total
    return Luminance(mean=mean, std=std, paper=float(np.searchsorted(cdf, 0.90)),
                     ink=float(np.searchsorted(cdf, 0.005)))


def ink_mask(arr: np.ndarray, lum: Luminance, min_delta: int, relative: float) -> np.ndarray:
    """Pixels clearly darker than the paper (see CheckSettings.ink_min_delta)."""
    delta = max(float(min_delta), relative * (lum.paper - lum.ink))
    return arr < lum.paper - delta


def estimate_skew(mask: np.ndarray, search_deg: float) -> float:
    """Skew in degrees, counter-clockwise positive (PIL's rotate() convention).

    Projection-profile search: text lines give the sharpest row histogram (largest sum of squares)
    when the ink is projected along their direction. Coarse 0.5 degree steps, then 0.1 degree.
    Returns 0.0 when there is too little ink to tell.
    """
    ys, xs = np.nonzero(mask)
    if ys.size < _MIN_SKEW_POINTS:
        return 0.0
    step = max(1, ys.size // _MAX_SKEW_POINTS)
    y = ys[::step].astype(np.float64) - mask.shape[0] / 2
    x = xs[::step].astype(np.float64) - mask.shape[1] / 2

    def score(deg: float) -> float:
        t = math.radians(deg)
        proj = np.rint(y * math.cos(t) + x * math.sin(t)).astype(np.int64)
        counts = np.bincount(proj - proj.min())
        return float(np.dot(counts, counts))

    coarse = np.arange(-search_deg, search_deg + 1e-9, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    return round(float(max(fine, key=score)), 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def find_gutter(mask: np.ndarray, min_col: float, min_row: float, min_share: float) -> Gutter:
    """Look for a blank band crossing the whole content box with heavy ink on both sides.

    Limits: it cannot see two documents that touch or overlap, nor tell a stacked pair from one
    document with a very large blank band between two equally heavy halves.
    """
    best = Gutter(axis="", fraction=0.0, blocks=1)
    best_score = 0.0
    for axis, profile_axis, minimum in (("vertical", 0, min_col), ("horizontal", 1, min_row)):
        fraction, balanced = _widest_balanced_gap(mask.sum(axis=profile_axis), min_share)
        if not balanced:
            continue
        score = fraction / minimum        # >= 1 means the band qualifies
        if score > best_score:
            best_score = score
            best = Gutter(axis=axis, fraction=fraction, blocks=2 if score >= 1 else 1)
    return best


def _widest_balanced_gap(profile: np.ndarray, min_share: float) -> tuple[float, bool]:
    total = float(profile.sum())
    inked = np.nonzero(profile > max(1, profile.max(initial=0) * 0.01))[0]
    if total == 0 or inked.size < 2:
        return 0.0, False
    first, last = int(inked[0]), int(inked[-1])
    extent = last - first + 1
    # Gaps between consecutive inked positions inside the content box.
    gaps = np.diff(inked) - 1
    i = int(np.argmax(gaps))
    width = int(gaps[i])
    if width <= 0:
        return 0.0, False
    split = int(inked[i]) + 1
    left = float(profile[:split].sum()) / total
    return width / extent, min(left, 1 - left) >= min_share


def perceptual_hash(gray: Image.Image, hash_size: int) -> str:
    """Hex perceptual hash (DCT based; robust to re-encoding, small shifts and scale)."""
    return str(imagehash.phash(gray, hash_size=hash_size))


def hash_distance(a: str, b: str) -> int:
    """Hamming distance between two hex hashes of the same size; unrelated sizes count as far apart."""
    if len(a) != len(b):
        return len(a) * 4
    return imagehash.hex_to_hash(a) - imagehash.hex_to_hash(b)
