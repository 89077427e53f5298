"""SCOR benchmarks: page pre-check, import and PDF assembly of one A4 page scanned at 200 dpi."""
from __future__ import annotations

import io
import random
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from benchmarks.common import Figure, best_of
from core.scor.checks import check_page
from core.scor.intake import load_document
from core.scor.pdf import build_scor_pdf

_DPI = 200
_A4_PX = (1654, 2339)


def _a4_page(seed: int = 1) -> Image.Image:
    """A deterministic A4 "ordonnance": lines of word-sized dark blocks on off-white paper."""
    rng = random.Random(seed)
    img = Image.new("L", _A4_PX, 245)
    draw = ImageDraw.Draw(img)
    y = 120
    while y < 1500:
        x = 140
        while x < 1450:
            w = rng.randint(40, 180)
            draw.rectangle([x, y, x + w, y + 22], fill=30)
            x += w + rng.randint(20, 40)
        y += 52
    return img


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def run() -> list[Figure]:
    page_img = _a4_page()
    buf = io.BytesIO()
    page_img.save(buf, "PNG", dpi=(_DPI, _DPI))
    png = buf.getvalue()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "ordonnance.png"
        src.write_bytes(png)

        def decode() -> None:
            with Image.open(io.BytesIO(png)) as im:
                np.asarray(im.convert("L"))

        decode_s = best_of(decode, repeat=7)
        doc = load_document(src)
        page = doc.pages[0]
        check_page(page)  # warm-up: imports scipy's DCT for the perceptual hash
        check_s = best_of(lambda: check_page(page), repeat=7)
        figures.append(Figure(
            name="SCOR pre-check, one A4 page at 200 dpi (decoded)", seconds=check_s,
            baseline="Pillow PNG decode + numpy array of the same page", baseline_seconds=decode_s,
            target="< 150 ms", extra=f"check {_ms(check_s)}, decode {_ms(decode_s)}"))

        load_s = best_of(lambda: load_document(src), repeat=5)
        figures.append(Figure(
            name="SCOR import (load_document) of the A4 PNG", seconds=load_s,
            baseline="Pillow PNG decode + numpy array", baseline_seconds=decode_s,
            extra=f"import {_ms(load_s)}, import + check {_ms(load_s + check_s)}"))

        def jpeg_only() -> None:
            page.image.save(io.BytesIO(), "JPEG", quality=80)

        jpeg_s = best_of(jpeg_only, repeat=5)
        out = Path(folder) / "out" / "scor.pdf"
        pdf_s = best_of(lambda: build_scor_pdf([page], out), repeat=5)
        figures.append(Figure(
            name="SCOR PDF build + pikepdf verification, one A4 page", seconds=pdf_s,
            baseline="Pillow JPEG encode of the same page", baseline_seconds=jpeg_s,
            extra=f"pdf {_ms(pdf_s)}, jpeg {_ms(jpeg_s)}, {out.stat().st_size // 1024} kB"))
    return figures


if __name__ == "__main__":
    for fig in run():
        print(f"{fig.name}: {fig.seconds * 1000:.1f} ms (x{fig.ratio:.2f} {fig.baseline}) {fig.extra}")
