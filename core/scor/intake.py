"""Safe import of a scanned pièce justificative (PNG, JPEG, TIFF, PDF) into memory.

The type is detected from the content (magic bytes), never from the extension. Everything is decoded
into memory: on any refusal a DocumentError is raised and nothing has been written anywhere.
Decompression bombs are refused from the image header, before any pixel is decoded (our limit,
IntakeLimits.max_pixels, is explicit and below Pillow's MAX_IMAGE_PIXELS, which we never change
since it is process-wide); Pillow's own DecompressionBombError/Warning are caught as a second guard.
PDFs: only scanned PDFs are accepted; each page must carry a raster image, extracted with pikepdf
(no renderer is installed, and a text PDF is not a scan anyway).
"""
from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image, ImageOps

from core.errors import DocumentError
from core.scor.model import A4_MM, MM_PER_INCH, DpiSource, LoadedDocument, LoadedPage
from core.scor.settings import IntakeLimits

log = logging.getLogger(__name__)

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
# Metadata claiming a sheet larger than A3 (+10 %) is not physical (cameras write 72 dpi).
_MAX_PLAUSIBLE_MM = 460.0
_DPI_RANGE = (50.0, 2400.0)


def load_document(path: str | Path, limits: IntakeLimits | None = None) -> LoadedDocument:
    """Read and decode a document; raise DocumentError (French message) when it is refused."""
    limits = limits or IntakeLimits()
    path = Path(path)
    data = _read(path, limits)
    kind = sniff(data)
    if kind is None:
        raise DocumentError(
            f"« {path.name} » n'est pas une image ou un PDF pris en charge (PNG, JPEG, TIFF, PDF).",
            log=f"unsupported content in {path.name}: {data[:8]!r}", code="unsupported")
    if kind == "PDF":
        pages = _load_pdf(data, path.name, limits)
    else:
        pages = _load_image(data, kind, path.name, limits)
    log.info("SCOR document loaded: %s, %s, %d page(s)", path.name, kind, len(pages))
    return LoadedDocument(source_name=path.name, format=kind, pages=tuple(pages))


def _check_total(name: str, pages: list[LoadedPage], pixels: int, limits: IntakeLimits) -> None:
    total = pixels + sum(p.width * p.height for p in pages)
    if total > limits.max_total_pixels:
        raise DocumentError(f"« {name} » est trop volumineux une fois décodé ({total / 1e6:.0f} mégapixels, "
                            f"maximum {limits.max_total_pixels / 1e6:.0f}) : fichier refusé.",
                            log=f"total pixels {total} in {name}", code="too_large")


def sniff(data: bytes) -> str | None:
    """Format name from the first bytes, or None. PDF readers allow junk before %PDF- (1 kB)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if b"%PDF-" in data[:1024]:
        return "PDF"
    return None


def _read(path: Path, limits: IntakeLimits) -> bytes:
    try:
        if not path.is_file():
            raise DocumentError(f"Fichier introuvable : « {path.name} ».", log=f"not a file: {path}",
                                code="missing")
        with path.open("rb") as stream:
            data = stream.read(limits.max_bytes + 1)  # never more than the limit in memory
    except OSError as exc:
        raise DocumentError(f"Impossible de lire « {path.name} ».", log=f"read {path}: {exc}",
                            code="unreadable") from exc
    if not data:
        raise DocumentError(f"Le fichier « {path.name} » est vide.", log=f"empty file {path}", code="empty")
    if len(data) > limits.max_bytes:
        raise DocumentError(f"« {path.name} » est trop volumineux (maximum "
                            f"{limits.max_bytes / (1024 * 1024):.0f} Mo).",
                            log=f"too large: > {limits.max_bytes} bytes", code="too_large")
    return data


def _refuse_corrupt(name: str, exc: BaseException) -> DocumentError:
    return DocumentError(f"« {name} » est endommagé ou incomplet : l'image ne peut pas être lue.",
                         log=f"decode {name}: {type(exc).__name__}: {exc}", code="corrupt")


def _refuse_bomb(name: str, pixels: int, limits: IntakeLimits) -> DocumentError:
    return DocumentError(
        f"« {name} » annonce une image démesurée ({pixels / 1e6:.0f} mégapixels, "
        f"maximum {limits.max_pixels / 1e6:.0f}) : fichier refusé.",
        log=f"decompression bomb guard: {pixels} px in {name}", code="bomb")


def _load_image(data: bytes, kind: str, name: str, limits: IntakeLimits) -> list[LoadedPage]:
    try:
        # catch_warnings() is process-wide (not thread-safe before Python 3.14); it only narrows
        # Pillow's warnings here, the explicit max_pixels guard does not depend on it.
        with warnings.catch_warnings():
            # Pillow warns (instead of failing) between 1x and 2x its limit: make it an error here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Pillow's notes on damaged metadata (corrupt EXIF...) do not concern the pixels.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            with Image.open(io.BytesIO(data), formats=[kind]) as im:
                return _read_frames(im, kind, name, limits)
    except DocumentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentError(f"« {name} » annonce une image démesurée : fichier refusé.",
                            log=f"pillow bomb guard {name}: {exc}", code="bomb") from exc
    except Exception as exc:  # noqa: BLE001 - any decoder failure means a corrupt file
        raise _refuse_corrupt(name, exc) from exc


def _read_frames(im: Image.Image, kind: str, name: str, limits: IntakeLimits) -> list[LoadedPage]:
    frames = getattr(im, "n_frames", 1) if kind == "TIFF" else 1
    if frames > limits.max_pages:
        raise DocumentError(f"« {name} » contient trop de pages ({frames}, maximum {limits.max_pages}).",
                            log=f"{frames} frames in {name}", code="too_many_pages")
    pages = []
    for index in range(frames):
        im.seek(index)
        # Checked from the header, before load() decodes a single pixel.
        if im.width * im.height > limits.max_pixels:
            raise _refuse_bomb(name, im.width * im.height, limits)
        _check_total(name, pages, im.width * im.height, limits)
        dpi = im.info.get("dpi")
        im.load()
        # Phones and some scanners store the page sideways with an EXIF orientation tag.
        upright = ImageOps.exif_transpose(im)
        if upright.size != im.size:
            dpi = tuple(reversed(dpi)) if isinstance(dpi, tuple) else dpi
        pages.append(_page(index + 1, _normalise(upright), dpi, DpiSource.METADATA))
    return pages


def _normalise(im: Image.Image) -> Image.Image:
    """Detached copy in "1", "L" or "RGB": deep greys are scaled to 8 bits, alpha is flattened on white."""
    if im.mode in ("1", "L", "RGB"):
        return im.copy()
    if im.mode.startswith("I") or im.mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        scale = 255.0 / 65535.0 if arr.max(initial=0) > 255 else 1.0
        return Image.fromarray(np.clip(arr * scale, 0, 255).astype(np.uint8), "L")
    if im.mode in ("LA", "La", "RGBA", "RGBa", "PA") or "transparency" in im.info:
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, im.convert("RGBA")).convert("RGB")
    return im.convert("RGB")  # P, CMYK, YCbCr, LAB...


def _page(number: int, image: Image.Image, dpi: object, source: DpiSource) -> LoadedPage:
    resolved = _plausible_dpi(dpi, image.size)
    if resolved is None:
        # No usable metadata: assume the scan is an A4 sheet (the scanner glass default).
        est = max(image.size) / (A4_MM[1] / MM_PER_INCH)
        return LoadedPage(number, image, (est, est), DpiSource.ASSUMED_A4)
    return LoadedPage(number, image, resolved, source)


def _plausible_dpi(dpi: object, size: tuple[int, int]) -> tuple[float, float] | None:
    try:
        x, y = (float(v) for v in dpi)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return None
    lo, hi = _DPI_RANGE
    if not (lo <= x <= hi and lo <= y <= hi):
        return None
    if max(size[0] / x, size[1] / y) * MM_PER_INCH > _MAX_PLAUSIBLE_MM:
        return None
    return (x, y)


def _load_pdf(data: bytes, name: str, limits: IntakeLimits) -> list[LoadedPage]:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise DocumentError(f"Le PDF « {name} » est protégé par un mot de passe : enregistrez-le sans "
                            "protection ou numérisez à nouveau le document.",
                            log=f"encrypted pdf {name}", code="encrypted") from exc
    except Exception as exc:  # noqa: BLE001 - qpdf raises PdfError and friends
        raise DocumentError(f"Le PDF « {name} » est endommagé et ne peut pas être ouvert.",
                            log=f"pdf open {name}: {exc}", code="corrupt") from exc
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:  # noqa: BLE001
            raise _refuse_corrupt(name, exc) from exc
        if count == 0:
            raise DocumentError(f"Le PDF « {name} » ne contient aucune page.", log=f"0 pages in {name}",
                                code="corrupt")
        if count > limits.max_pages:
            raise DocumentError(f"« {name} » contient trop de pages ({count}, maximum {limits.max_pages}).",
                                log=f"{count} pages", code="too_many_pages")
        pages: list[LoadedPage] = []
        try:
            for number, page in enumerate(pdf.pages, 1):
                pages.append(_pdf_page(page, number, name, limits, pages))
        except DocumentError as exc:
            # A page without image is "corrupt" only if qpdf lost stream data (a truncated scan); benign
            # repairs (shifted xref offsets, "file is damaged" + reconstructed table) leave a text PDF intact.
            if exc.code == "no_raster" and _lost_data(pdf):
                raise DocumentError(f"Le PDF « {name} » est endommagé ou incomplet.",
                                    log=f"damaged pdf {name}: {_lost_data(pdf)[:3]}",
                                    code="corrupt") from exc
            raise
        # qpdf repairs damaged files silently; lost stream data means a truncated or broken scan.
        lost = _lost_data(pdf)
        if lost:
            raise DocumentError(f"Le PDF « {name} » est endommagé ou incomplet.",
                                log=f"damaged pdf {name}: {lost[:3]}", code="corrupt")
        return pages


def _lost_data(pdf: pikepdf.Pdf) -> list[str]:
    return [w for w in pdf.get_warnings() if "unable to recover stream data" in w or "as empty" in w]


def _pdf_page(page: pikepdf.Page, number: int, name: str, limits: IntakeLimits,
              earlier: list[LoadedPage]) -> LoadedPage:
    try:
        images = [pikepdf.PdfImage(obj) for obj in page.get_images().values()]
        box = [float(v) for v in page.mediabox]
        rotation = int(page.obj.get("/Rotate", 0)) % 360
    except Exception as exc:  # noqa: BLE001
        raise _refuse_corrupt(name, exc) from exc
    if not images:
        raise DocumentError(
            f"Le PDF « {name} » ne contient pas d'image numérisée (page {number}) : scannez le document ou "
            "joignez une image.", log=f"no raster on page {number} of {name}",
            code="no_raster")
    # A scan is one image covering the page; take the largest when there are logos or stamps too.
    best = max(images, key=lambda i: i.width * i.height)
    if best.width * best.height > limits.max_pixels:
        raise _refuse_bomb(name, best.width * best.height, limits)
    _check_total(name, earlier, best.width * best.height, limits)
    try:
        image = _normalise(best.as_pil_image())
    except Exception as exc:  # noqa: BLE001 - unsupported filter (JBIG2 without decoder...) or damage
        raise DocumentError(
            f"L'image de la page {number} du PDF « {name} » ne peut pas être décodée.",
            log=f"pdf image page {number} of {name}: {type(exc).__name__}: {exc}", code="corrupt") from exc
    if rotation:
        # /Rotate turns the page clockwise for display; PIL rotates counter-clockwise.
        image = image.rotate(-rotation, expand=True)
    width_pt, height_pt = abs(box[2] - box[0]), abs(box[3] - box[1])
    if rotation in (90, 270):
        width_pt, height_pt = height_pt, width_pt
    # Assumes the image fills the page (true of scanner PDFs); otherwise the dpi is underestimated.
    dpi = (image.width / (width_pt / 72), image.height / (height_pt / 72)) if width_pt and height_pt else None
    return _page(number, image, dpi, DpiSource.PDF_PAGE)
