"""Assembly of a SCOR PDF (one per document) and its verification with pikepdf.

Pages are resampled to exactly PdfOptions.dpi (200 by default, the SCOR minimum), so the PDF page
has the physical size of the sheet. Grey and colour scans become grayscale JPEG (DCTDecode; colour
only when asked), bilevel scans stay lossless 1-bit (FlateDecode). The file is written to a private
temporary file next to the target, verified, and only then moved into place with os.replace(): a
reader never sees a partial or unverified file, and a failed build leaves nothing behind.
"""
from __future__ import annotations

import io
import logging
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Sequence

import pikepdf
from PIL import Image

from core.errors import DocumentError
from core.scor.model import A5_MM, MM_PER_INCH, LoadedPage
from core.scor.settings import PdfOptions

log = logging.getLogger(__name__)

DEFAULT_PDF = PdfOptions()
_PT_PER_INCH = 72.0


@dataclass(frozen=True)
class EncodedPage:
    """A page ready for the PDF: encoded image bytes and its geometry at `dpi`."""

    data: bytes
    width: int
    height: int
    colour_space: str      # "DeviceGray" or "DeviceRGB"
    bits: int              # 8 (JPEG) or 1 (bilevel)
    filter: str            # "DCTDecode" or "FlateDecode"
    dpi: int

    @property
    def size_pt(self) -> tuple[float, float]:
        return (self.width * _PT_PER_INCH / self.dpi, self.height * _PT_PER_INCH / self.dpi)


@dataclass(frozen=True)
class PdfPageInfo:
    width_mm: float
    height_mm: float
    image_width: int
    image_height: int
    dpi: float


@dataclass(frozen=True)
class PdfReport:
    """What verify_scor_pdf() found in a valid file."""

    page_count: int
    pages: tuple[PdfPageInfo, ...]


def build_scor_pdf(pages: Sequence[LoadedPage], out_path: str | Path, *, title: str = "",
                   options: PdfOptions = DEFAULT_PDF) -> Path:
    """Write the pages as one SCOR PDF at `out_path` (mode 0600; missing parent folders 0700).

    Raises DocumentError when there is nothing to write, the folder is unusable, or the written file
    does not verify; in every failure case no file is left at `out_path` or beside it.
    """
    if not pages:
        raise DocumentError("Aucune page à assembler dans le PDF SCOR.", log="build_scor_pdf: no pages",
                            code="no_pages")
    out_path = Path(out_path)
    encoded = [encode_page(p, options) for p in pages]
    try:
        _ensure_private_dir(out_path.parent)
        fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DocumentError(f"Impossible d'écrire le PDF SCOR dans « {out_path.parent} ».",
                            log=f"pdf folder {out_path.parent}: {exc}", code="io") from exc
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as stream:
            _write_pdf(encoded, stream, title)
            stream.flush()
            os.fsync(stream.fileno())
        verify_scor_pdf(tmp, expected=encoded, dpi=options.dpi, name=out_path.name)
        os.replace(tmp, out_path)
        _fsync_dir(out_path.parent)
    except DocumentError:
        tmp.unlink(missing_ok=True)
        raise
    except Exception as exc:  # noqa: BLE001 - disk full, permissions, qpdf failure: nothing must remain
        tmp.unlink(missing_ok=True)
        raise DocumentError(f"Impossible d'écrire le PDF SCOR « {out_path.name} ».",
                            log=f"pdf write {out_path}: {type(exc).__name__}: {exc}", code="io") from exc
    log.info("SCOR pdf written: %s (%d pages)", out_path, len(encoded))
    return out_path


def encode_page(page: LoadedPage, options: PdfOptions = DEFAULT_PDF) -> EncodedPage:
    """Resample a page to options.dpi, pad it to A5 if asked, and encode it."""
    image = _resample(page, options.dpi)
    if options.pad_to_a5:
        image = _pad_to_a5(image, options.dpi)
    if image.mode == "1":
        return EncodedPage(zlib.compress(image.tobytes(), 9), image.width, image.height, "DeviceGray",
                           1, "FlateDecode", options.dpi)
    if image.mode != "L" and not (options.keep_colour and image.mode == "RGB"):
        image = image.convert("L")
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=options.jpeg_quality, dpi=(options.dpi, options.dpi))
    space = "DeviceGray" if image.mode == "L" else "DeviceRGB"
    return EncodedPage(buf.getvalue(), image.width, image.height, space, 8, "DCTDecode", options.dpi)


def _resample(page: LoadedPage, dpi: int) -> Image.Image:
    image = page.image
    size = (max(1, round(image.width * dpi / page.dpi[0])), max(1, round(image.height * dpi / page.dpi[1])))
    if size == image.size:
        return image
    if image.mode == "1":
        # Resample in grey, then threshold back: keeps thin strokes that NEAREST would drop.
        grey = image.convert("L").resize(size, Image.Resampling.LANCZOS)
        return grey.point(lambda v: 255 if v >= 128 else 0, mode="1")
    return image.resize(size, Image.Resampling.LANCZOS)


def _pad_to_a5(image: Image.Image, dpi: int) -> Image.Image:
    """Centre a scan smaller than A5 on a white A5 sheet (same orientation)."""
    short_px, long_px = (round(mm / MM_PER_INCH * dpi) for mm in A5_MM)
    portrait = image.height >= image.width
    need = (short_px, long_px) if portrait else (long_px, short_px)
    size = (max(image.width, need[0]), max(image.height, need[1]))
    if size == image.size:
        return image
    white = 255 if image.mode == "1" else (255, 255, 255) if image.mode == "RGB" else 255
    sheet = Image.new(image.mode, size, white)
    sheet.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return sheet


def _write_pdf(encoded: Sequence[EncodedPage], stream: BinaryIO, title: str) -> None:
    pdf = pikepdf.new()
    for page in encoded:
        w_pt, h_pt = page.size_pt
        image = pikepdf.Stream(pdf, page.data)
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width, image.Height = page.width, page.height
        image.ColorSpace = pikepdf.Name("/" + page.colour_space)
        image.BitsPerComponent = page.bits
        image.Filter = pikepdf.Name("/" + page.filter)
        pdf_page = pdf.add_blank_page(page_size=(w_pt, h_pt))
        pdf_page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        pdf_page.Contents = pdf.make_stream(f"q {w_pt:.4f} 0 0 {h_pt:.4f} 0 0 cm /Im0 Do Q".encode())
    pdf.docinfo[pikepdf.Name.Producer] = "Lunetier"
    if title:
        pdf.docinfo[pikepdf.Name.Title] = title
    # No dates and a content-derived /ID: the same pages always give the same bytes.
    pdf.save(stream, deterministic_id=True)


def verify_scor_pdf(path: str | Path, *, expected: Sequence[EncodedPage] | None = None,
                    dpi: int = DEFAULT_PDF.dpi, name: str | None = None) -> PdfReport:
    """Open the PDF with pikepdf and check pages, sizes and images; DocumentError when invalid.

    Checks: opens without password and without repair, >= 1 page (the expected count if given), each
    page carries an image that decodes, whose resolution on the page is `dpi` (+/- 1), and when
    `expected` is given, page sizes and image dimensions match what was encoded. `name` is the file
    name shown to the user (the final name when `path` is still a temporary file).
    """
    path = Path(path)
    shown = name or path.name

    def refuse(reason: str) -> DocumentError:
        return DocumentError(f"Le PDF SCOR « {shown} » est invalide : {reason}.",
                             log=f"pdf verification {path}: {reason}", code="pdf_invalid")

    try:
        pdf = pikepdf.open(path)
    except Exception as exc:  # noqa: BLE001 - PasswordError, PdfError, OSError
        raise refuse("il ne s'ouvre pas") from exc
    with pdf:
        if pdf.is_encrypted:
            raise refuse("il est chiffré")
        if pdf.get_warnings():
            raise refuse("il a dû être réparé à l'ouverture")
        count = len(pdf.pages)
        if count == 0 or (expected is not None and count != len(expected)):
            raise refuse(f"{count} page(s) au lieu de {len(expected) if expected else 'au moins 1'}")
        infos = []
        for number, page in enumerate(pdf.pages, 1):
            try:
                infos.append(_verify_page(page, number, dpi, expected[number - 1] if expected else None,
                                          refuse))
            except DocumentError:
                raise
            except Exception as exc:  # noqa: BLE001 - malformed page dictionary
                raise refuse(f"la page {number} est illisible") from exc
    return PdfReport(page_count=count, pages=tuple(infos))


def _verify_page(page: pikepdf.Page, number: int, dpi: int, expected: EncodedPage | None,
                 refuse) -> PdfPageInfo:
    box = [float(v) for v in page.mediabox]
    w_pt, h_pt = abs(box[2] - box[0]), abs(box[3] - box[1])
    if w_pt < 1 or h_pt < 1:
        raise refuse(f"la page {number} n'a pas de dimensions")
    images = list(page.get_images().values())
    if not images:
        raise refuse(f"la page {number} ne contient pas d'image")
    try:
        pim = pikepdf.PdfImage(images[0])
        decoded = pim.as_pil_image()
    except Exception as exc:  # noqa: BLE001
        raise refuse(f"l'image de la page {number} ne se décode pas") from exc
    if decoded.size != (pim.width, pim.height):
        raise refuse(f"l'image de la page {number} n'a pas la taille annoncée")
    page_dpi = min(pim.width / (w_pt / _PT_PER_INCH), pim.height / (h_pt / _PT_PER_INCH))
    if abs(page_dpi - dpi) > 1:
        raise refuse(f"la page {number} est à {page_dpi:.0f} dpi au lieu de {dpi}")
    if expected is not None:
        ew, eh = expected.size_pt
        if (pim.width, pim.height) != (expected.width, expected.height) or abs(ew - w_pt) > 0.5 \
                or abs(eh - h_pt) > 0.5:
            raise refuse(f"la page {number} n'a pas les dimensions attendues")
    mm_per_pt = MM_PER_INCH / _PT_PER_INCH
    return PdfPageInfo(width_mm=w_pt * mm_per_pt, height_mm=h_pt * mm_per_pt,
                       image_width=pim.width, image_height=pim.height, dpi=page_dpi)


def _ensure_private_dir(folder: Path) -> None:
    """Create missing folders with mode 0700 (explicit chmod: the umask may widen or narrow it)."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
    if not folder.is_dir():
        raise NotADirectoryError(str(folder))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
