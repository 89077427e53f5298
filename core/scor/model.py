"""Values of the SCOR core: document types, loaded pages and documents."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from PIL import Image

MM_PER_INCH = 25.4
A4_MM = (210.0, 297.0)
A5_MM = (148.0, 210.0)


class DocumentType(str, Enum):
    """Type of a pièce justificative, by its SCOR code.

    Only ORDN is attested (manual: "Type : Ordonnance | ORDN"). The other codes were not found in any
    public source (DOMAIN.md section 8): INFERRED four-letter codes in the same style.
    """

    ORDONNANCE = "ORDN"
    FEUILLE_DE_SOINS = "FSOI"   # INFERRED code; sent in mode dégradé
    AUTRE = "AUTR"              # INFERRED code; the manual's "Autres docs"

    @property
    def label_fr(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = MappingProxyType({
    DocumentType.ORDONNANCE: "Ordonnance",
    DocumentType.FEUILLE_DE_SOINS: "Feuille de soins",
    DocumentType.AUTRE: "Autre document",
})


class DpiSource(str, Enum):
    """Where a page's resolution comes from."""

    METADATA = "metadata"      # PNG pHYs, JFIF/EXIF, TIFF resolution tags
    PDF_PAGE = "pdf_page"      # image pixels / PDF page size
    ASSUMED_A4 = "assumed_a4"  # nothing usable: the page is assumed to be an A4 sheet

    @property
    def label_fr(self) -> str:
        return {"metadata": "métadonnées", "pdf_page": "page PDF",
                "assumed_a4": "estimée (A4 supposé)"}[self.value]


@dataclass(frozen=True)
class LoadedPage:
    """One decoded page. `image` is fully loaded, detached from the file, in mode "1", "L" or "RGB";
    treat it as read-only (PIL images cannot be frozen)."""

    number: int                    # 1-based page number in its document
    image: Image.Image
    dpi: tuple[float, float]       # horizontal, vertical
    dpi_source: DpiSource

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    @property
    def size_mm(self) -> tuple[float, float]:
        """Physical width and height in millimetres."""
        return (self.width / self.dpi[0] * MM_PER_INCH, self.height / self.dpi[1] * MM_PER_INCH)


@dataclass(frozen=True)
class LoadedDocument:
    """A document accepted by load_document(): its detected format and decoded pages."""

    source_name: str               # file name only (no directory), for messages
    format: str                    # "PNG", "JPEG", "TIFF" or "PDF", detected from the content
    pages: tuple[LoadedPage, ...]

    @property
    def page_count(self) -> int:
        return len(self.pages)
