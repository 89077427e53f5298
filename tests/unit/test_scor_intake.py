"""load_document(): accepted formats and every refusal (with nothing written)."""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

import scor_fixtures as fx
from core.errors import DocumentError
from core.scor.intake import load_document, sniff
from core.scor.model import DocumentType, DpiSource
from core.scor.settings import IntakeLimits


@pytest.fixture(scope="module")
def a5() -> Image.Image:
    return fx.text_page(fx.A5_MM, seed=3)


@pytest.fixture(scope="module")
def a4() -> Image.Image:
    return fx.text_page(fx.A4_MM, seed=1)


def test_png_with_dpi_metadata(tmp_path, a5):
    doc = load_document(fx.write(tmp_path, "ordo.png", fx.png_bytes(a5)))
    assert doc.format == "PNG" and doc.page_count == 1 and doc.source_name == "ordo.png"
    page = doc.pages[0]
    assert page.number == 1 and page.image.mode == "L"
    assert page.dpi_source is DpiSource.METADATA
    assert page.dpi[0] == pytest.approx(200, abs=0.01)
    assert page.size_mm == pytest.approx((148, 210), abs=0.5)


def test_jpeg(tmp_path, a5):
    doc = load_document(fx.write(tmp_path, "ordo.jpg", fx.jpeg_bytes(a5, dpi=300)))
    assert doc.format == "JPEG"
    assert doc.pages[0].dpi == (300.0, 300.0)


def test_multipage_tiff(tmp_path, a4, a5):
    doc = load_document(fx.write(tmp_path, "scan.tif", fx.tiff_bytes([a4, a5, a4])))
    assert doc.format == "TIFF" and doc.page_count == 3
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.pages[1].image.size == a5.size
    assert np.array_equal(np.asarray(doc.pages[0].image), np.asarray(a4))  # LZW is lossless


def test_scanned_pdf_pages_and_dpi(tmp_path, a4, a5):
    doc = load_document(fx.write(tmp_path, "scan.pdf", fx.pdf_bytes([a4, a5])))
    assert doc.format == "PDF" and doc.page_count == 2
    assert all(p.dpi_source is DpiSource.PDF_PAGE for p in doc.pages)
    assert doc.pages[0].dpi[0] == pytest.approx(200, abs=0.1)
    assert doc.pages[1].size_mm == pytest.approx((148, 210), abs=0.5)


def test_pdf_rotate_is_applied(tmp_path, a5):
    pdf = pikepdf.open(io.BytesIO(fx.pdf_bytes([a5])))
    pdf.pages[0].obj.Rotate = 90
    buf = io.BytesIO()
    pdf.save(buf)
    page = load_document(fx.write(tmp_path, "rot.pdf", buf.getvalue())).pages[0]
    assert page.image.size == (a5.height, a5.width)
    assert page.size_mm == pytest.approx((210, 148), abs=0.5)


def test_exif_orientation_is_applied(tmp_path, a5):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to display
    buf = io.BytesIO()
    a5.save(buf, "JPEG", dpi=(200, 200), exif=exif)
    page = load_document(fx.write(tmp_path, "phone.jpg", buf.getvalue())).pages[0]
    assert page.image.size == (a5.height, a5.width)


def test_type_detected_from_content_not_extension(tmp_path, a5):
    doc = load_document(fx.write(tmp_path, "ordonnance.pdf", fx.png_bytes(a5)))
    assert doc.format == "PNG"


def test_missing_dpi_assumes_a4(tmp_path, a4):
    page = load_document(fx.write(tmp_path, "nodpi.png", fx.png_bytes(a4, dpi=None))).pages[0]
    assert page.dpi_source is DpiSource.ASSUMED_A4
    assert page.size_mm[1] == pytest.approx(297, abs=0.1)


def test_camera_72_dpi_is_not_believed(tmp_path):
    photo = Image.new("RGB", (3000, 4000), "white")
    page = load_document(fx.write(tmp_path, "photo.jpg", fx.jpeg_bytes(photo, dpi=72))).pages[0]
    assert page.dpi_source is DpiSource.ASSUMED_A4
    assert page.dpi[0] == pytest.approx(4000 / (297 / 25.4))


@pytest.mark.parametrize("mode", ["RGBA", "P", "LA", "I;16", "CMYK", "1"])
def test_modes_are_normalised(tmp_path, a5, mode):
    if mode == "I;16":
        img = Image.fromarray(np.asarray(a5).astype(np.uint16) * 257)
    else:
        img = a5.convert(mode)
    fmt = "TIFF" if mode in ("CMYK", "I;16") else "PNG"
    buf = io.BytesIO()
    img.save(buf, fmt, dpi=(200, 200))
    page = load_document(fx.write(tmp_path, f"m.{fmt.lower()}", buf.getvalue())).pages[0]
    assert page.image.mode in ("1", "L", "RGB")
    grey = np.asarray(page.image.convert("L"), dtype=np.int16)
    assert abs(int(grey.mean()) - int(np.asarray(a5).mean())) <= 3


def test_sniff():
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "PNG"
    assert sniff(b"\xff\xd8\xff\xe0") == "JPEG"
    assert sniff(b"II*\x00") == sniff(b"MM\x00*") == "TIFF"
    assert sniff(b"junk\n%PDF-1.7") == "PDF"
    assert sniff(b"GIF89a") is None


def _refused(tmp_path: Path, name: str, data: bytes, code: str, limits: IntakeLimits | None = None) -> str:
    path = fx.write(tmp_path, name, data)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(DocumentError) as err:
        load_document(path, limits)
    assert err.value.code == code, err.value.log
    assert sorted(os.listdir(tmp_path)) == before  # nothing stored
    return err.value.message_fr


def test_truncated_png(tmp_path, a5):
    msg = _refused(tmp_path, "t.png", fx.png_bytes(a5)[:4000], "corrupt")
    assert "endommagé" in msg and "t.png" in msg


def test_corrupt_png_crc(tmp_path, a5):
    data = bytearray(fx.png_bytes(a5))
    data[40:60] = b"\x00" * 20
    _refused(tmp_path, "c.png", bytes(data), "corrupt")


def test_jpeg_garbage(tmp_path):
    _refused(tmp_path, "g.jpg", b"\xff\xd8\xff" + bytes(range(256)) * 4, "corrupt")


def test_truncated_jpeg(tmp_path, a5):
    _refused(tmp_path, "t.jpg", fx.jpeg_bytes(a5)[:3000], "corrupt")


def test_encrypted_pdf(tmp_path):
    msg = _refused(tmp_path, "e.pdf", fx.encrypted_pdf_bytes(), "encrypted")
    assert "mot de passe" in msg


def test_broken_pdf(tmp_path):
    _refused(tmp_path, "b.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog \nnothing else", "corrupt")


def test_truncated_pdf(tmp_path, a5):
    data = fx.pdf_bytes([a5])
    _refused(tmp_path, "t.pdf", data[: len(data) // 2], "corrupt")


def test_text_pdf_without_raster(tmp_path):
    msg = _refused(tmp_path, "word.pdf", fx.text_only_pdf_bytes(), "no_raster")
    assert "pas d'image numérisée (page 1)" in msg and "scannez le document" in msg


def test_repaired_text_pdf_is_no_raster_not_corrupt(tmp_path):
    # Shifted xref offsets make qpdf warn "file is damaged" and rebuild the table: nothing is lost, so a
    # text-only PDF must still be told apart from a broken scan.
    data = fx.text_only_pdf_bytes()
    cut = data.index(b"\n") + 1
    shifted = data[:cut] + b"% added by an editor\n" + data[cut:]
    msg = _refused(tmp_path, "x.pdf", shifted, "no_raster")
    assert "endommagé" not in msg and "page 1" in msg


def test_empty_file(tmp_path):
    assert "vide" in _refused(tmp_path, "empty.png", b"", "empty")


def test_text_renamed_png(tmp_path):
    msg = _refused(tmp_path, "notes.png", "Ordonnance du Dr Martin\n".encode(), "unsupported")
    assert "pris en charge" in msg


@pytest.mark.parametrize("size", [(100_000, 100_000),   # Pillow refuses (> 2x its limit)
                                  (12_000, 12_000),     # Pillow only warns: escalated
                                  (9_000, 9_000)])      # below Pillow's limit, above ours
def test_decompression_bombs(tmp_path, size):
    assert "démesurée" in _refused(tmp_path, "bomb.png", fx.bomb_png_bytes(*size), "bomb")


def test_bomb_inside_pdf(tmp_path, a5):
    pdf = pikepdf.open(io.BytesIO(fx.pdf_bytes([a5])))
    image = next(iter(pdf.pages[0].get_images().values()))
    image.Width, image.Height = 20_000, 20_000
    buf = io.BytesIO()
    pdf.save(buf)
    _refused(tmp_path, "bomb.pdf", buf.getvalue(), "bomb")


def test_limits(tmp_path, a5):
    _refused(tmp_path, "big.png", fx.png_bytes(a5), "too_large", IntakeLimits(max_bytes=1000))
    _refused(tmp_path, "many.tif", fx.tiff_bytes([a5] * 3), "too_many_pages", IntakeLimits(max_pages=2))
    two_pages = IntakeLimits(max_total_pixels=int(a5.width * a5.height * 1.5))
    _refused(tmp_path, "heavy.tif", fx.tiff_bytes([a5] * 2), "too_large", two_pages)
    _refused(tmp_path, "heavy.pdf", fx.pdf_bytes([a5] * 2), "too_large", two_pages)


def test_missing_file(tmp_path):
    with pytest.raises(DocumentError) as err:
        load_document(tmp_path / "absent.png")
    assert err.value.code == "missing"


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"%PDF-1.4\n", b""]),
       body=st.binary(max_size=600))
def test_fuzz_only_document_errors(prefix, body):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.bin"
        path.write_bytes(prefix + body)
        try:
            load_document(path)
        except DocumentError as exc:
            assert exc.message_fr


def test_document_type_codes():
    assert DocumentType("ORDN") is DocumentType.ORDONNANCE
    assert DocumentType.ORDONNANCE.label_fr == "Ordonnance"
    assert DocumentType.FEUILLE_DE_SOINS.label_fr == "Feuille de soins"
    assert len({t.value for t in DocumentType}) == len(DocumentType)
