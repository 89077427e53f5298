"""Bordereau de télétransmission (manual VI "Impression Lot N°", XI.C "Edition après Télétransmission").

One PDF for one lot (reprint) or for every lot of one sending: PS identity, date of edition, then per lot
its number, destination, dates, file, and its invoices (N° facture, bénéficiaire, NIR, date, RO, RC) with
totals in euros, French format. The demo engine's lots carry the "Flux de démonstration" mention.

    result = write_bordereau(ctx, [lot_id])           # -> settings.data_dir/bordereaux/...pdf (0600)

The font (DejaVu Sans, TrueType, embedded and subset by fpdf2) carries the accents and the euro sign.
The file is written to a private temporary file beside the target, checked with pikepdf (pages, embedded
font), then moved into place: a reader never sees a partial file. Each edition records
SvSettings.date_edition_dernier_lot ("Date d'édition du dernier Lot").
"""
from __future__ import annotations

import errno
import io
import logging
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Sequence

import pikepdf
from fpdf import FPDF
from fpdf.fonts import FontFace

from core.domain.money import format_euros
from core.domain.nir import parse_nir
from core.errors import DocumentError, ValidationError
from core.models import Lot
from core.services import lots as lots_mod
from core.services.base import DTO, ServiceContext

__all__ = ["BordereauLine", "BordereauLot", "BordereauData", "BordereauResult", "bordereau_data",
           "render_bordereau", "verify_bordereau", "write_bordereau", "edition_apres_teletransmission",
           "lots_envoyes_le", "lot_number_from_text", "font_path", "bordereaux_dir", "TITLE", "DEMO_MENTION"]

log = logging.getLogger(__name__)

TITLE = "Bordereau de télétransmission"
DEMO_MENTION = "Flux de démonstration : aucun envoi réel à l'Assurance Maladie ni aux mutuelles."
FONT_NAME = "DejaVuSans"
# The packaged copy first: the same font (and the same PDF) on every machine; the system one as a fallback
# for a source tree where the data file was not installed.
_FONT_CANDIDATES = (Path(__file__).resolve().parents[1] / "data" / "fonts" / "DejaVuSans.ttf",
                    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
ACTOR = "edition-bordereau"


# --- DTOs ---------------------------------------------------------------------------------------------
class BordereauLine(DTO):
    numero_facture: int
    beneficiaire: str           # "DESMAUX Nathalie"
    nir: str                    # "2 55 06 99 999 999 34" (as stored when it does not parse)
    date_facture: date
    ro_cents: int
    rc_cents: int


class BordereauLot(DTO):
    lot_id: int
    lot: str
    kind: str                   # AMO | AMC
    org_dest: str
    etat_lot: str
    date_lot: date
    sent_at: datetime | None
    send_count: int
    file_name: str
    lines: tuple[BordereauLine, ...]

    @property
    def ro_cents(self) -> int:
        """A DRE (AMC) lot asks the mutuelle for the RC part only: its RO is carried by the AMO lot."""
        return sum(line.ro_cents for line in self.lines) if self.kind == "AMO" else 0

    @property
    def rc_cents(self) -> int:
        return sum(line.rc_cents for line in self.lines)


class BordereauData(DTO):
    ps_nom: str
    ps_numero_am: str
    ps_rpps: str
    ps_specialite: str
    edited_at: datetime
    demo: bool
    lots: tuple[BordereauLot, ...]

    @property
    def invoice_count(self) -> int:
        return sum(len(lot.lines) for lot in self.lots)

    def totals(self, kind: str) -> tuple[int, int, int, int]:
        """(lots, invoices, RO cents, RC cents) of the lots of one kind. Kinds are totalled apart: an
        invoice with a DRE is in an AMO lot and in an AMC lot, and adding both would count its RC twice."""
        lots = [lot for lot in self.lots if lot.kind == kind]
        return (len(lots), sum(len(lot.lines) for lot in lots), sum(lot.ro_cents for lot in lots),
                sum(lot.rc_cents for lot in lots))


class BordereauResult(DTO):
    path: Path
    lots: tuple[str, ...]       # lot numbers, in the order printed
    pages: int
    invoice_count: int


# --- Data ---------------------------------------------------------------------------------------------
_LOT_TEXT = re.compile(r"^(\d{1,3}|[A-Z]{3})$")


def lot_number_from_text(text: str) -> str | None:
    """What a user types for a lot: '27' -> '027', ' aae ' -> 'AAE'; None when it cannot be a lot number
    (AMO lots are 3 digits, DRE lots 3 letters)."""
    value = text.strip().upper()
    if not _LOT_TEXT.match(value):
        return None
    return value.zfill(3) if value.isdigit() else value


def _nir(numero_ss: str) -> str:
    compact = numero_ss.replace(" ", "")
    try:
        return parse_nir(compact).formatted
    except (ValidationError, ValueError):
        return numero_ss


def bordereau_data(ctx: ServiceContext, lot_ids: Sequence[int]) -> BordereauData:
    """What the bordereau prints, read in one go (lots in the order given, duplicates dropped)."""
    ids = list(dict.fromkeys(lot_ids))
    if not ids:
        raise ValidationError("Aucun lot à éditer : le bordereau porte sur un lot au moins.",
                              log="bordereau requested with no lot", code="bordereau.empty")
    ps = lots_mod.practitioner_for(ctx)
    lots = []
    for lot_id in ids:
        detail = lots_mod.lot_detail(ctx, lot_id)       # also checks the lot belongs to this store
        lot = Lot.get_by_id(lot_id)
        lines = tuple(BordereauLine(numero_facture=r.numero_facture, beneficiaire=f"{r.nom} {r.prenom}".strip(),
                                    nir=_nir(r.numero_ss), date_facture=r.date_facture, ro_cents=r.ro_cents,
                                    rc_cents=r.rc_cents) for r in detail.rows)
        lots.append(BordereauLot(lot_id=lot.id, lot=lot.number, kind=lot.kind, org_dest=lot.org_dest,
                                 etat_lot=lot.state, date_lot=lot.created_on, sent_at=lot.sent_at,
                                 send_count=lot.send_count, file_name=lot.file_name, lines=lines))
    return BordereauData(ps_nom=f"{ps.nom} {ps.prenom}".strip(), ps_numero_am=ps.numero_am, ps_rpps=ps.rpps,
                         ps_specialite=ps.specialite, edited_at=ctx.clock.now(),
                         demo=ctx.settings.engine == "demo", lots=tuple(lots))


def lots_envoyes_le(ctx: ServiceContext, day: date) -> list[int]:
    """Lots whose last sending happened on `day` (the "Edition Bordereau" step when nothing was sent)."""
    start = datetime.combine(day, datetime.min.time())
    end = datetime.combine(day, datetime.max.time())
    return [lot.id for lot in Lot.select(Lot.id)
            .where((Lot.store == ctx.store) & (Lot.sent_at >= start) & (Lot.sent_at <= end))
            .order_by(Lot.sent_at, Lot.id)]


# --- Rendering ----------------------------------------------------------------------------------------
def font_path() -> Path:
    for candidate in _FONT_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise DocumentError("Police DejaVu Sans introuvable : réinstallez Lunetier (fichier core/data/fonts).",
                        log=f"no DejaVuSans.ttf in {[str(c) for c in _FONT_CANDIDATES]}", code="bordereau.font")


def _euros(cents: int) -> str:
    return format_euros(cents, symbol=True, grouping=True)


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


class _Pdf(FPDF):
    def __init__(self, data: BordereauData) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.data = data

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_NAME, size=7)
        left = f"{TITLE} — édité le {self.data.edited_at:%d/%m/%Y à %H:%M}"
        if self.data.demo:
            left += " — Flux de démonstration"
        self.cell(0, 5, left, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="R")


_COLUMNS = (("N° facture", 20, "RIGHT"), ("Bénéficiaire", 56, "LEFT"), ("N° SS", 44, "LEFT"),
            ("Date", 22, "CENTER"), ("RO", 24, "RIGHT"), ("RC", 24, "RIGHT"))


def _lot_heading(lot: BordereauLot) -> tuple[str, str]:
    what = "AMO" if lot.kind == "AMO" else "DRE (AMC)"
    title = f"Lot n° {lot.lot} — {what} — Org. dest. {lot.org_dest}"
    parts = [f"Date du lot {_d(lot.date_lot)}"]
    if lot.sent_at:
        parts.append(f"envoyé le {lot.sent_at:%d/%m/%Y à %H:%M}"
                     + (f" (envoi n° {lot.send_count})" if lot.send_count > 1 else ""))
    parts.append(f"État : {lot.etat_lot}")
    if lot.file_name:
        parts.append(f"fichier {lot.file_name}")
    return title, " — ".join(parts)


def render_bordereau(data: BordereauData) -> bytes:
    """The PDF bytes (A4 portrait; deterministic for the same data: creation date = edition date)."""
    pdf = _Pdf(data)
    pdf.set_creation_date(data.edited_at)
    pdf.set_title(TITLE)
    pdf.set_author(data.ps_nom)
    pdf.set_creator("Lunetier")
    pdf.add_font(FONT_NAME, "", str(font_path()))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font(FONT_NAME, size=16)
    pdf.cell(width, 9, TITLE, new_x="LMARGIN", new_y="NEXT")
    if data.demo:
        pdf.set_font(FONT_NAME, size=9)
        pdf.set_text_color(160, 40, 40)
        pdf.cell(width, 5, DEMO_MENTION, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT_NAME, size=10)
    pdf.ln(2)
    pdf.cell(width, 5, f"Professionnel de santé : {data.ps_nom}", new_x="LMARGIN", new_y="NEXT")
    ps = [f"N° de facturation AM : {data.ps_numero_am}"]
    if data.ps_rpps:
        ps.append(f"RPPS : {data.ps_rpps}")
    if data.ps_specialite:
        ps.append(f"Spécialité : {data.ps_specialite}")
    pdf.cell(width, 5, " — ".join(ps), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 5, f"Édité le {data.edited_at:%d/%m/%Y à %H:%M} — {len(data.lots)} lot(s), "
                       f"{data.invoice_count} facture(s)", new_x="LMARGIN", new_y="NEXT")

    headings = FontFace(emphasis=None, fill_color=(225, 230, 236))
    for lot in data.lots:
        title, facts = _lot_heading(lot)
        pdf.ln(4)
        pdf.set_font(FONT_NAME, size=11)
        pdf.multi_cell(width, 6, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_NAME, size=8)
        pdf.multi_cell(width, 4, facts, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font(FONT_NAME, size=9)
        amo = lot.kind == "AMO"
        with pdf.table(col_widths=tuple(w for _, w, _ in _COLUMNS), text_align=tuple(a for _, _, a in _COLUMNS),
                       headings_style=headings, line_height=5, width=sum(w for _, w, _ in _COLUMNS),
                       align="LEFT") as table:
            header = table.row()
            for label, _, _ in _COLUMNS:
                header.cell(label)
            for line in lot.lines:
                row = table.row()
                for value in (str(line.numero_facture), line.beneficiaire, line.nir, _d(line.date_facture),
                              _euros(line.ro_cents) if amo else "—", _euros(line.rc_cents)):
                    row.cell(value)
            total = table.row()
            total.cell(f"Total lot {lot.lot} : {len(lot.lines)} facture(s)", colspan=4, align="RIGHT")
            total.cell(_euros(lot.ro_cents) if amo else "—")
            total.cell(_euros(lot.rc_cents))

    pdf.ln(5)
    pdf.set_font(FONT_NAME, size=11)
    pdf.cell(width, 6, "Total général", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_NAME, size=10)
    for kind, label in (("AMO", "Lots AMO"), ("AMC", "Lots DRE (AMC)")):
        lots, invoices, ro, rc = data.totals(kind)
        if lots:
            amounts = f"RO {_euros(ro)} — RC {_euros(rc)}" if kind == "AMO" else f"RC {_euros(rc)}"
            pdf.cell(width, 5, f"{label} : {lots} lot(s), {invoices} facture(s) — {amounts}",
                     new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# --- Verification and writing -------------------------------------------------------------------------
def _embedded_fonts(pdf: pikepdf.Pdf) -> set[str]:
    names: set[str] = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            descendants = font.get("/DescendantFonts")
            candidates = list(descendants) if descendants is not None else [font]
            for f in candidates:
                descriptor = f.get("/FontDescriptor")
                if descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(f.get("/BaseFont", "")))
    return names


def verify_bordereau(data: bytes) -> int:
    """Open the PDF with pikepdf: at least one page and the font embedded. Returns the page count."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            fonts = _embedded_fonts(pdf)
    except pikepdf.PdfError as exc:
        raise DocumentError("Le bordereau produit est illisible ; il n'a pas été enregistré.",
                            log=f"bordereau PDF unreadable: {exc}", code="bordereau.pdf") from exc
    if pages < 1 or not any(FONT_NAME in name for name in fonts):
        raise DocumentError("Le bordereau produit est incomplet ; il n'a pas été enregistré.",
                            log=f"bordereau PDF check failed: pages={pages} fonts={sorted(fonts)}",
                            code="bordereau.pdf")
    return pages


def bordereaux_dir(ctx: ServiceContext) -> Path:
    return ctx.settings.data_dir / "bordereaux"


def _default_name(data: BordereauData) -> str:
    stamp = data.edited_at.strftime("%Y%m%d-%H%M%S")
    if len(data.lots) == 1:
        return f"bordereau-lot-{data.lots[0].lot}-{stamp}.pdf"
    return f"bordereau-{stamp}-{len(data.lots)}-lots.pdf"


_WHY = {errno.ENOENT: "dossier introuvable", errno.ENOTDIR: "dossier introuvable", errno.EACCES: "accès refusé",
        errno.EPERM: "accès refusé", errno.ENOSPC: "disque plein", errno.EROFS: "disque en lecture seule"}


def _why(exc: OSError) -> str:
    return _WHY.get(exc.errno or 0, "erreur d'écriture")


def _write_atomic(path: Path, data: bytes, *, create_folder: bool) -> None:
    folder = path.parent
    try:
        if create_folder:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")  # created 0600
    except OSError as exc:
        raise DocumentError(f"Impossible d'écrire le bordereau dans {folder} : {_why(exc)}.",
                            log=f"cannot create bordereau in {folder}: {exc}", code="bordereau.io") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DocumentError(f"Impossible d'écrire le bordereau {path.name} : {_why(exc)}.",
                            log=f"cannot write bordereau {path}: {exc}", code="bordereau.io") from exc


def _record_edition(ctx: ServiceContext, day: date) -> None:
    from core.services.settings import SettingsService

    service = SettingsService(ctx)
    sv = service.get().sv
    if sv.date_edition_dernier_lot != day:
        service.update("sv", sv.model_copy(update={"date_edition_dernier_lot": day}), actor=ACTOR)


def write_bordereau(ctx: ServiceContext, lot_ids: Iterable[int], *, out: Path | None = None) -> BordereauResult:
    """Build, verify and write the bordereau of these lots; record the edition date. `out`: the file to
    write (default: a new file under data_dir/bordereaux)."""
    data = bordereau_data(ctx, list(lot_ids))
    pdf = render_bordereau(data)
    pages = verify_bordereau(pdf)
    path = Path(out) if out is not None else bordereaux_dir(ctx) / _default_name(data)
    _write_atomic(path, pdf, create_folder=out is None)  # a folder the user names must already exist
    _record_edition(ctx, data.edited_at.date())
    log.info("bordereau %s written (%d lots, %d pages)", path, len(data.lots), pages)
    return BordereauResult(path=path, lots=tuple(lot.lot for lot in data.lots), pages=pages,
                           invoice_count=data.invoice_count)


def edition_apres_teletransmission(ctx: ServiceContext, sent_lot_ids: Sequence[int]) -> BordereauResult | None:
    """The "Edition après Télétransmission" setting (XI.C): the bordereau of the lots just sent, or None
    when the setting is off or nothing was sent."""
    from core.services.settings import SettingsService

    if not sent_lot_ids or not SettingsService(ctx).get().sv.edition_apres_teletransmission:
        return None
    return write_bordereau(ctx, sent_lot_ids)
