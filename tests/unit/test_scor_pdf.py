"""build_scor_pdf(): 200 dpi pages, atomic private write, pikepdf verification."""
from __future__ import annotations

import os
import stat

import pikepdf
import pytest
from PIL import Image

import scor_fixtures as fx
import core.scor.pdf as scor_pdf
from core.errors import DocumentError
from core.scor.checks import check_document
from core.scor.intake import load_document
from core.scor.model import DpiSource, LoadedPage
from core.scor.pdf import build_scor_pdf, verify_scor_pdf
from core.scor.settings import PdfOptions


def page(img: Image.Image, dpi: float = 200, number: int = 1) -> LoadedPage:
    return LoadedPage(number=number, image=img, dpi=(dpi, dpi), dpi_source=DpiSource.METADATA)


@pytest.fixture(scope="module")
def a4() -> Image.Image:
    return fx.text_page(fx.A4_MM, seed=1)


@pytest.fixture(scope="module")
def a5() -> Image.Image:
    return fx.text_page(fx.A5_MM, seed=2)


def pdf_images(path):
    with pikepdf.open(path) as pdf:
        return [(dict(next(iter(p.get_images().values())).items()), [float(v) for v in p.mediabox])
                for p in pdf.pages]


def assert_valid(path, pages: int) -> None:
    """Every produced PDF must open with pikepdf and carry one 200 dpi image per page."""
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == pages and not pdf.is_encrypted and not pdf.get_warnings()
    report = verify_scor_pdf(path)
    assert report.page_count == pages
    assert all(info.dpi == pytest.approx(200, abs=0.01) for info in report.pages)


@pytest.mark.parametrize("kind", ["png", "jpeg", "tiff", "pdf"])
def test_round_trip_from_every_input_format(tmp_path, a4, a5, kind):
    data = {"png": lambda: fx.png_bytes(a4), "jpeg": lambda: fx.jpeg_bytes(a4),
            "tiff": lambda: fx.tiff_bytes([a4, a5]), "pdf": lambda: fx.pdf_bytes([a4, a5])}[kind]()
    doc = load_document(fx.write(tmp_path, f"in.{kind}", data))
    out = build_scor_pdf(doc.pages, tmp_path / "out" / "ordonnance.pdf", title="Ordonnance")
    assert_valid(out, doc.page_count)
    back = load_document(out)
    sizes = [mm for p in back.pages for mm in p.size_mm]
    assert sizes == pytest.approx([mm for p in doc.pages for mm in p.size_mm], abs=0.5)
    assert check_document(back).passed  # the checks still pass after JPEG encoding


def test_grayscale_jpeg_and_page_size(tmp_path, a4):
    out = build_scor_pdf([page(a4)], tmp_path / "a.pdf")
    (image, box), = pdf_images(out)
    assert image["/Filter"] == pikepdf.Name.DCTDecode and image["/ColorSpace"] == pikepdf.Name.DeviceGray
    assert (int(image["/Width"]), int(image["/Height"])) == a4.size
    assert box[2] == pytest.approx(a4.width * 72 / 200) and box[3] == pytest.approx(a4.height * 72 / 200)
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo["/Producer"]) == "Lunetier"


def test_colour_kept_only_when_asked(tmp_path, a5):
    rgb = a5.convert("RGB")
    grey_out = build_scor_pdf([page(rgb)], tmp_path / "g.pdf")
    colour_out = build_scor_pdf([page(rgb)], tmp_path / "c.pdf", options=PdfOptions(keep_colour=True))
    assert pdf_images(grey_out)[0][0]["/ColorSpace"] == pikepdf.Name.DeviceGray
    assert pdf_images(colour_out)[0][0]["/ColorSpace"] == pikepdf.Name.DeviceRGB
    assert_valid(colour_out, 1)


def test_bilevel_stays_lossless_one_bit(tmp_path, a5):
    bw = a5.point(lambda v: 255 if v > 128 else 0, mode="1")
    out = build_scor_pdf([page(bw)], tmp_path / "bw.pdf")
    image = pdf_images(out)[0][0]
    assert image["/Filter"] == pikepdf.Name.FlateDecode and int(image["/BitsPerComponent"]) == 1
    back = load_document(out).pages[0].image
    assert back.convert("L").tobytes() == bw.convert("L").tobytes()  # same polarity and pixels


@pytest.mark.parametrize("src_dpi", [150, 300, 600])
def test_resampled_to_200_dpi(tmp_path, src_dpi):
    img = fx.text_page(fx.A5_MM, dpi=src_dpi, seed=3)
    out = build_scor_pdf([page(img, dpi=src_dpi)], tmp_path / "r.pdf")
    report = verify_scor_pdf(out)
    info = report.pages[0]
    assert info.image_width == round(img.width * 200 / src_dpi)
    assert (info.width_mm, info.height_mm) == pytest.approx((148, 210), abs=0.5)


def test_small_scan_padded_to_a5(tmp_path):
    a6 = fx.text_page(fx.A6_MM, seed=4)
    padded = verify_scor_pdf(build_scor_pdf([page(a6)], tmp_path / "p.pdf")).pages[0]
    assert (padded.width_mm, padded.height_mm) == pytest.approx((148, 210), abs=0.5)
    raw = verify_scor_pdf(build_scor_pdf([page(a6)], tmp_path / "n.pdf",
                                         options=PdfOptions(pad_to_a5=False))).pages[0]
    assert (raw.width_mm, raw.height_mm) == pytest.approx((105, 148), abs=0.5)


def test_private_modes_and_no_temp_left(tmp_path, a5):
    target = tmp_path / "scor" / "2024" / "f257.pdf"
    build_scor_pdf([page(a5)], target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "scor").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "scor" / "2024").stat().st_mode) == 0o700
    assert os.listdir(target.parent) == ["f257.pdf"]


def test_deterministic_bytes(tmp_path, a4, a5):
    one = build_scor_pdf([page(a4), page(a5, number=2)], tmp_path / "1.pdf").read_bytes()
    two = build_scor_pdf([page(a4), page(a5, number=2)], tmp_path / "2.pdf").read_bytes()
    assert one == two


def test_failed_verification_leaves_nothing_and_keeps_previous_file(tmp_path, a5, monkeypatch):
    target = tmp_path / "f.pdf"
    build_scor_pdf([page(a5)], target)
    previous = target.read_bytes()

    def broken_writer(encoded, stream, title):
        stream.write(b"%PDF-1.7\nthis is not a pdf\n")

    monkeypatch.setattr(scor_pdf, "_write_pdf", broken_writer)
    with pytest.raises(DocumentError) as err:
        build_scor_pdf([page(a5)], target)
    assert err.value.code == "pdf_invalid" and "invalide" in err.value.message_fr
    assert target.read_bytes() == previous
    assert os.listdir(tmp_path) == ["f.pdf"]

    with pytest.raises(DocumentError):
        build_scor_pdf([page(a5)], tmp_path / "new.pdf")
    assert not (tmp_path / "new.pdf").exists() and os.listdir(tmp_path) == ["f.pdf"]


def test_wrong_page_dimensions_are_caught(tmp_path, a5, monkeypatch):
    real = scor_pdf._write_pdf

    def shrinking_writer(encoded, stream, title):
        real([scor_pdf.EncodedPage(**{**e.__dict__, "dpi": 150}) for e in encoded], stream, title)

    monkeypatch.setattr(scor_pdf, "_write_pdf", shrinking_writer)
    with pytest.raises(DocumentError) as err:
        build_scor_pdf([page(a5)], tmp_path / "x.pdf")
    assert err.value.message_fr == ("Le PDF SCOR « x.pdf » est invalide : la page 1 est à 150 dpi "
                                    "au lieu de 200.")
    assert os.listdir(tmp_path) == []


def test_no_pages_and_unusable_folder(tmp_path, a5):
    with pytest.raises(DocumentError) as err:
        build_scor_pdf([], tmp_path / "empty.pdf")
    assert err.value.code == "no_pages"
    (tmp_path / "file").write_text("x")
    with pytest.raises(DocumentError) as err:
        build_scor_pdf([page(a5)], tmp_path / "file" / "out.pdf")
    assert err.value.code == "io"


def test_verify_refuses_foreign_pdfs(tmp_path, a5):
    cases = [("low.pdf", fx.pdf_bytes([a5], dpi=150), "150 dpi"),
             ("enc.pdf", fx.encrypted_pdf_bytes(), "ne s'ouvre pas"),
             ("text.pdf", fx.text_only_pdf_bytes(), "pas d'image")]
    for name, data, reason in cases:
        with pytest.raises(DocumentError) as err:
            verify_scor_pdf(fx.write(tmp_path, name, data))
        assert reason in err.value.message_fr and name in err.value.message_fr
    assert verify_scor_pdf(fx.write(tmp_path, "ok.pdf", fx.pdf_bytes([a5]))).page_count == 1
