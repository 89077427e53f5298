"""Deterministic SCOR test pages drawn with Pillow (no static files).

Every page is a white sheet with "text-like" blocks: lines of dark word-sized rectangles, a header, a
signature scribble. A seeded random.Random makes each fixture identical from run to run.
"""
from __future__ import annotations

import io
import random
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

MM_PER_INCH = 25.4
A4_MM = (210.0, 297.0)
A5_MM = (148.0, 210.0)
A6_MM = (105.0, 148.0)


def px(mm: float, dpi: int) -> int:
    return round(mm / MM_PER_INCH * dpi)


def text_page(size_mm: tuple[float, float] = A4_MM, dpi: int = 200, seed: int = 1,
              paper: int = 245, ink: int = 30, lines: int | None = None) -> Image.Image:
    """A grayscale page with a header block, prescription lines and a signature."""
    rng = random.Random(seed)
    w, h = px(size_mm[0], dpi), px(size_mm[1], dpi)
    img = Image.new("L", (w, h), paper)
    draw = ImageDraw.Draw(img)
    margin = px(15, dpi)
    line_h = px(3, dpi)           # x-height of a ~11 pt font
    pitch = px(6.5, dpi)
    # Header: doctor (left) and date (right), bold-ish lines.
    y = margin
    for _ in range(4):
        _words(draw, rng, margin, y, w // 2 - margin, line_h, ink)
        y += pitch
    _words(draw, rng, w - margin - px(45, dpi), margin, w - margin, line_h, ink)
    y += pitch * 2
    n = lines if lines is not None else max(6, (h - y - px(50, dpi)) // pitch // 2)
    for _ in range(n):
        _words(draw, rng, margin + px(5, dpi), y, w - margin - rng.randint(0, w // 4), line_h, ink)
        y += pitch
    # Signature scribble at bottom right.
    sx, sy = w - margin - px(50, dpi), min(h - margin - px(20, dpi), y + pitch * 2)
    pts = [(sx + i * px(2, dpi), sy + rng.randint(0, px(12, dpi))) for i in range(25)]
    draw.line(pts, fill=ink, width=max(2, dpi // 60))
    return img


def _words(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int, y: int, x1: int, h: int,
           ink: int) -> None:
    x = x0
    while True:
        ww = rng.randint(h * 2, h * 8)
        if x + ww > x1:
            break
        # Words are striped like letters (vertical strokes), not solid bars.
        for sx in range(x, x + ww, max(2, h // 3)):
            draw.rectangle([sx, y, sx + max(1, h // 6), y + h], fill=ink)
        draw.rectangle([x, y + h // 2 - 1, x + ww, y + h // 2], fill=ink)
        x += ww + rng.randint(h, h * 2)


def blank_page(size_mm=A4_MM, dpi: int = 200, seed: int = 2) -> Image.Image:
    """White paper with faint scanner noise and two dust specks."""
    import numpy as np
    rng = np.random.default_rng(seed)
    w, h = px(size_mm[0], dpi), px(size_mm[1], dpi)
    arr = np.clip(rng.normal(246, 2.0, (h, w)), 0, 255).astype("uint8")
    arr[h // 3:h // 3 + 3, w // 2:w // 2 + 3] = 60
    arr[2 * h // 3:2 * h // 3 + 2, w // 4:w // 4 + 2] = 80
    return Image.fromarray(arr, "L")


def skewed(img: Image.Image, degrees: float) -> Image.Image:
    """Rotate counter-clockwise by `degrees`, keeping the sheet size (white fill)."""
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=245)


def remap(img: Image.Image, paper: int, ink: int) -> Image.Image:
    """Map the 30..245 range of a text page to ink..paper (too dark, too light, low contrast)."""
    lut = [round(ink + (paper - ink) * min(max((v - 30) / 215, 0), 1)) for v in range(256)]
    return img.point(lut)


def two_documents(dpi: int = 200) -> Image.Image:
    """Two A6 prescriptions laid side by side on an A4 landscape scan."""
    w, h = px(297, dpi), px(210, dpi)
    sheet = Image.new("L", (w, h), 245)
    left = text_page(A6_MM, dpi, seed=11)
    right = text_page(A6_MM, dpi, seed=12)
    sheet.paste(left, (px(20, dpi), px(30, dpi)))
    sheet.paste(right, (w - px(20, dpi) - right.width, px(30, dpi)))
    return sheet


def png_bytes(img: Image.Image, dpi: int | None = 200) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()


def jpeg_bytes(img: Image.Image, dpi: int | None = 200, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()


def tiff_bytes(images: list[Image.Image], dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    # Fresh copies: Pillow leaves a previous save's encoder settings on an image, which then leak
    # into the libtiff encoder of a later multi-page save.
    images = [img.copy() for img in images]
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:], dpi=(dpi, dpi),
                   compression="tiff_lzw")
    return buf.getvalue()


def pdf_bytes(images: list[Image.Image], dpi: int = 200) -> bytes:
    """A scanner-style PDF: one JPEG image filling each page (built with pikepdf)."""
    import pikepdf
    pdf = pikepdf.new()
    for img in images:
        data = jpeg_bytes(img, dpi=None)
        w_pt, h_pt = img.width * 72 / dpi, img.height * 72 / dpi
        page = pdf.add_blank_page(page_size=(w_pt, h_pt))
        xobj = pikepdf.Stream(pdf, data)
        xobj.Type = pikepdf.Name.XObject
        xobj.Subtype = pikepdf.Name.Image
        xobj.Width, xobj.Height = img.width, img.height
        xobj.ColorSpace = pikepdf.Name.DeviceGray
        xobj.BitsPerComponent = 8
        xobj.Filter = pikepdf.Name.DCTDecode
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj))
        page.Contents = pdf.make_stream(f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode())
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


def text_only_pdf_bytes() -> bytes:
    """A PDF with text but no raster image (what a word processor exports)."""
    from fpdf import FPDF
    doc = FPDF(format="A4")
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(text="Ordonnance - verres correcteurs")
    return bytes(doc.output())


def encrypted_pdf_bytes() -> bytes:
    import pikepdf
    pdf = pikepdf.open(io.BytesIO(pdf_bytes([text_page(A5_MM, seed=3)])))
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return buf.getvalue()


def bomb_png_bytes(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares huge dimensions (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grayscale
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path
