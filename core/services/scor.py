"""SCOR pièces justificatives: which documents an FSE needs, attaching a scan (checked, turned into a
SCOR PDF), the user's conformity answer, deletion, the "Pièces Jointes" list, the sending rule, the
retention purge and the scanner drop folder (manual §IV "Sélection des documents - SCOR", §VIII).

Row semantics shared with the télétransmission services: one PieceJointe row per required document
(ORDN for every FSE, plus FSOI "Feuille de soins" for a dégradé FSE), state MANQUANT until a document
is attached. Optional documents (AUTR, or a FSOI on a SESAM-Vitale FSE) get a row only when attached,
and lose it when deleted, so a MANQUANT row always means "a required document is missing".

Files: settings.documents_path/<store>/<invoice number>/<TYPE>-<row id>-<sha256[:12]>.pdf, folders 0700,
files 0600. PieceJointe.file_path is stored relative to documents_path (the data folder may move).
PieceJointe.checks holds a JSON dict: source (name, format, sha256, inbox copy), the automatic verdict,
every measured check per page with its perceptual hash, and the user's answer.

Heavy work (decoding, measuring, encoding the PDF) runs in the caller's thread before the write
transaction, so the database write lock is held only for the rename and the row update.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import shutil
import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import peewee as pw

from core.errors import DocumentError, LunetierError, ValidationError
from core.models import Beneficiaire, Client, Dossier, Fse, Invoice, Lot, PieceJointe
from core.scor.checks import DocumentReport, check_document
from core.scor.intake import load_document
from core.scor.model import DocumentType
from core.scor.pdf import build_scor_pdf
from core.scor.retention import (MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, PjState, RetentionItem,
                                 RetentionSettings, can_transition, check_transition, documents_to_purge,
                                 purge_date)
from core.services.base import DTO, ServiceContext

log = logging.getLogger(__name__)

# Documents go to the AMO only once the lot of their FSE was acknowledged ("dès réception de l'ARL
# positif", DOMAIN.md section 8); these lot states all come after a positive ARL.
ARL_POSITIVE_STATES: tuple[str, ...] = ("ARL positif reçu", "RSP", "Lot acquitté")

# States in which a document is attached or dealt with: the FSE is not missing it.
_SATISFIED = frozenset({PjState.CONFORME, PjState.SAUVEGARDE_PAPIER, PjState.ARCHIVE,
                        PjState.COLLECTE_PAPIER})
# States where "+" attaches a document (the manual shows "+" on MANQUANT rows).
_ADDABLE = frozenset({PjState.MANQUANT, PjState.NON_CONFORME, PjState.A_RECONSTITUER})
# States where "-" removes the document (the manual shows "-" on unsent attached rows).
_DELETABLE = frozenset({PjState.CONFORME, PjState.NON_CONFORME, PjState.A_RECONSTITUER})
_ANSWERABLE = frozenset({PjState.CONFORME, PjState.NON_CONFORME})
_TYPE_ORDER = {DocumentType.ORDONNANCE.value: 0, DocumentType.FEUILLE_DE_SOINS.value: 1,
               DocumentType.AUTRE.value: 2}
_DELETED_FSE_STATE = "FSE supprimée"
CHECKS_VERSION = 1
MIN_REASON_LENGTH = 3

# Scanner drop folder: "<invoice number>-<TYPE>[-anything].<ext>", e.g. 257-ORDN-scan001.pdf.
INBOX_NAME = re.compile(r"^(?P<invoice>\d{1,12})-(?P<type>ORDN|FSOI|AUTR)(?:[-_ ].*)?\.(?:pdf|png|jpe?g|tiff?)$",
                        re.IGNORECASE)
_INBOX_SKIP_SUFFIXES = (".tmp", ".part", ".crdownload", ".error.txt")
INBOX_DONE = "done"
INBOX_REJECTED = "rejected"


# --- DTOs ------------------------------------------------------------------------------------------------
class CheckResult(DTO):
    check_id: str
    label_fr: str
    passed: bool
    measured: float
    threshold: float
    unit: str
    detail_fr: str


class PageResult(DTO):
    page_number: int
    passed: bool
    phash: str
    checks: tuple[CheckResult, ...]

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if not c.passed)


class PieceDetail(DTO):
    """Everything the "Etat de la conformité" dialog shows about one pièce jointe."""
    pj_id: int
    invoice_id: int
    invoice_number: int
    nom: str
    prenom: str
    type_code: str
    type_label: str
    id_pj: str
    name: str
    state: str
    source_format: str = ""
    added_at: datetime | None = None
    sent_at: datetime | None = None
    purged_at: datetime | None = None
    automatic_passed: bool | None = None     # None: no document was ever checked
    answer: bool | None = None               # the user's "Le document est-il conforme ?"
    override_reason: str = ""
    pages: tuple[PageResult, ...] = ()
    pdf_path: str = ""                       # absolute path, "" when no file

    @property
    def failures(self) -> tuple[tuple[int, CheckResult], ...]:
        return tuple((p.page_number, c) for p in self.pages for c in p.failures)

    @property
    def can_answer(self) -> bool:
        return PjState(self.state) in _ANSWERABLE and self.purged_at is None


class AddResult(DTO):
    pj_id: int
    state: str
    automatic_passed: bool
    replaced: bool
    detail: PieceDetail

    @property
    def pages(self) -> tuple[PageResult, ...]:
        return self.detail.pages


class PieceRow(DTO):
    """One line of the "Pièces Jointes" list (manual §VIII) and of "Sélection des documents - SCOR"."""
    pj_id: int
    invoice_id: int
    invoice_number: int
    date_envoi: date | None       # Date envoi PJ
    etat_sv: str                  # SV | DEG (mode of the FSE)
    nom: str
    prenom: str
    state: str                    # État PJ
    type_code: str
    type_label: str               # Type
    delai: str                    # Délai: days left before the purge (INFERRED meaning, see _delai)
    id_pj: str
    name: str
    added_on: date | None
    has_document: bool
    purged: bool

    @property
    def can_add(self) -> bool:
        return PjState(self.state) in _ADDABLE

    @property
    def can_delete(self) -> bool:
        return PjState(self.state) in _DELETABLE and not self.purged

    @property
    def can_view(self) -> bool:
        return self.has_document or self.purged


class PieceFilters(DTO):
    date_from: date | None = None    # invoice date, inclusive
    date_to: date | None = None
    nom: str = ""                    # part of the nom or prénom
    page: int = 1
    page_size: int = 50


class PiecesPage(DTO):
    rows: tuple[PieceRow, ...]
    page: int
    page_count: int
    total: int


class InvoicePieces(DTO):
    invoice_id: int
    invoice_number: int
    nom: str
    prenom: str
    mode: str                     # SV | DEG
    rows: tuple[PieceRow, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Types not ready, as `ScorService.missing_for_fses` counts them: MANQUANT, NON CONFORME and
        A RECONSTITUER all still need a (new) document."""
        addable = {s.value for s in _ADDABLE}
        return tuple(dict.fromkeys(r.type_code for r in self.rows if r.state in addable))

    @property
    def missing_summary(self) -> str:
        """ "manquant : Ordonnance — 1 document non conforme", or "aucun document manquant"."""
        parts = []
        absent = [r.type_label for r in self.rows if r.state == PjState.MANQUANT.value]
        if absent:
            parts.append("manquant : " + ", ".join(absent))
        for state, one, many in ((PjState.NON_CONFORME, "document non conforme", "documents non conformes"),
                                 (PjState.A_RECONSTITUER, "document à reconstituer", "documents à reconstituer")):
            n = sum(1 for r in self.rows if r.state == state.value)
            if n:
                parts.append(f"{n} {one if n == 1 else many}")
        return " — ".join(parts) or "aucun document manquant"


class ReadyDocument(DTO):
    pj_id: int
    invoice_number: int
    fse_id: int
    fse_number: int
    lot_id: int
    lot_number: str
    type_code: str
    id_pj: str
    name: str
    path: str                      # absolute path of the SCOR PDF


class PurgeResult(DTO):
    today: date
    retention_days: int
    purged: tuple[int, ...]         # PieceJointe ids
    files_removed: int


class InboxResult(DTO):
    file_name: str
    status: str                    # importé | déjà importé | refusé
    message: str
    pj_id: int | None = None
    state: str | None = None


InvoiceResolver = Callable[[str], "int | None"]


@dataclass(frozen=True)
class _Prepared:
    """A checked document with its staged PDF, ready for the write transaction."""
    type_code: str
    source_name: str
    source_format: str
    sha256: str
    report: DocumentReport
    staging: Path
    folder: Path
    created_folders: tuple[Path, ...]


# --- service -------------------------------------------------------------------------------------------
class ScorService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # --- paths -----------------------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        return self.ctx.settings.documents_path

    def _invoice_folder(self, invoice: Invoice) -> Path:
        store = re.sub(r"[^A-Za-z0-9_-]", "_", self.ctx.store) or "store"
        return self.root / store / str(int(invoice.number))

    def _absolute(self, relative: str) -> Path | None:
        return (self.root / relative) if relative else None

    # --- required documents ----------------------------------------------------------------------------
    def required_documents(self, invoice_id: int) -> InvoicePieces:
        """Create the MANQUANT rows the invoice's current FSE needs (idempotent) and list its pieces."""
        with self.ctx.write():
            invoice = self._invoice(invoice_id)
            fse = self._current_fse(invoice)
            if fse is None:
                raise ValidationError(f"La facture N° {invoice.number} n'a pas de FSE : aucun document SCOR "
                                      "n'est à joindre.", log=f"invoice {invoice_id} has no FSE",
                                      code="no_fse")
            self._ensure_required(invoice, fse)
        return self.invoice_pieces(invoice_id)

    @staticmethod
    def required_types(fse: Fse) -> tuple[DocumentType, ...]:
        """ORDN for every FSE; the feuille de soins too in dégradé (manual §III-IV)."""
        if (fse.mode or "").upper().startswith("DEG"):
            return (DocumentType.ORDONNANCE, DocumentType.FEUILLE_DE_SOINS)
        return (DocumentType.ORDONNANCE,)

    def _current_fse(self, invoice: Invoice) -> Fse | None:
        return (Fse.select().where((Fse.invoice == invoice) & Fse.deleted_at.is_null()
                                   & (Fse.state != _DELETED_FSE_STATE))
                .order_by(Fse.created_at.desc(), Fse.id.desc()).first())

    def _ensure_required(self, invoice: Invoice, fse: Fse) -> None:
        """Inside write(): follow a recreated FSE, add missing required rows, drop rows no longer required."""
        rows = list(PieceJointe.select().where(PieceJointe.invoice == invoice).order_by(PieceJointe.id))
        # An FSE deleted and recreated (e.g. dégradé -> SESAM-Vitale): unsent pieces follow the new one.
        stale = [r.id for r in rows if r.sent_at is None and r.fse_id != fse.id]
        if stale:
            PieceJointe.update(fse=fse).where(PieceJointe.id.in_(stale)).execute()
        required = {t.value for t in self.required_types(fse)}
        present = {r.type_code for r in rows}
        for type_ in self.required_types(fse):
            # Any row of the type counts, sent ones included: an ordonnance already sent with a previous
            # FSE of this invoice is not sent again ([CONV-OPT] art. 37).
            if type_.value not in present:
                PieceJointe.create(invoice=invoice, fse=fse, type_code=type_.value,
                                   state=PjState.MANQUANT.value, checks=[])
        dropped = [r.id for r in rows if r.type_code not in required and r.state == PjState.MANQUANT.value
                   and not r.file_path]
        if dropped:
            PieceJointe.delete().where(PieceJointe.id.in_(dropped)).execute()

    # --- adding a document -----------------------------------------------------------------------------
    def add_document(self, invoice_id: int, path: str | Path,
                     type_code: str | DocumentType = DocumentType.ORDONNANCE, *, actor: str = "") -> AddResult:
        """Load, check and store a scan for the invoice. Runs in the caller's (worker) thread.

        Raises DocumentError (refused file) or ValidationError (nothing to attach it to); in both cases
        nothing is stored and no file is left behind.
        """
        return self._add(invoice_id, Path(path), type_code, actor=actor, inbox_copy=None)

    def _add(self, invoice_id: int, path: Path, type_code: str | DocumentType, *, actor: str,
             inbox_copy: Path | None) -> AddResult:
        type_ = _doc_type(type_code)
        invoice = self._invoice(invoice_id)
        if self._current_fse(invoice) is None:
            raise ValidationError(f"La facture N° {invoice.number} n'a pas de FSE : aucun document SCOR "
                                  "n'est à joindre.", log=f"invoice {invoice_id} has no FSE", code="no_fse")
        planned = self._pick_target(invoice, type_)   # raises early when nothing can take a document
        doc = load_document(path)
        sha = _sha256_file(path)
        report = check_document(doc, other_hashes=self._other_hashes(invoice, exclude=planned))
        prepared = self._stage_pdf(invoice, type_, doc, sha, report)
        final: Path | None = None
        old_files: list[Path] = []
        try:
            with self.ctx.write():
                invoice = self._invoice(invoice_id)
                fse = self._current_fse(invoice)
                if fse is None:
                    raise ValidationError(f"La facture N° {invoice.number} n'a plus de FSE.",
                                          log=f"invoice {invoice_id} lost its FSE", code="no_fse")
                self._ensure_required(invoice, fse)
                row = self._pick_target(invoice, type_)
                if row is None:
                    row = PieceJointe.create(invoice=invoice, fse=fse, type_code=type_.value,
                                             state=PjState.MANQUANT.value, checks=[])
                previous = PjState(row.state)
                replaced = previous in (PjState.NON_CONFORME, PjState.A_RECONSTITUER)
                old_files = _files_of(self._absolute(row.file_path), _as_dict(row.checks))
                old_name = _source_of(_as_dict(row.checks)) or row.name
                state = PjState.CONFORME if report.passed else PjState.NON_CONFORME
                if state != previous:
                    check_transition(previous, state)
                final = prepared.folder / f"{type_.value}-{row.id}-{sha[:12]}.pdf"
                os.replace(prepared.staging, final)
                row.fse = fse
                row.id_pj = row.id_pj or f"{type_.value}{row.id:07d}"
                row.name = prepared.source_name
                row.file_path = final.relative_to(self.root).as_posix()
                row.added_at = self.ctx.clock.now()
                row.sent_at = None
                row.teletransmitted_on = None
                row.purged_at = None
                row.state = state.value
                row.override_reason = ""
                row.checks = _checks_json(prepared, inbox_copy)
                row.save()
                if replaced:
                    self.ctx.audit("scor.remplacement", entity="piece_jointe", entity_id=row.id, actor=actor,
                                   details={"facture": invoice.number, "type": type_.value, "etat": previous.value,
                                            "ancien": old_name, "nouveau": prepared.source_name})
        except BaseException:
            prepared.staging.unlink(missing_ok=True)
            if final is not None and final not in old_files:
                final.unlink(missing_ok=True)
            _remove_empty(prepared.created_folders)
            raise
        for old in old_files:
            if old != final and old != inbox_copy:
                _unlink_quietly(old)
        log.info("SCOR document stored: invoice %s, %s, pj %s, %s", invoice.number, type_.value, row.id,
                 state.value)
        detail = self.piece_detail(row.id)
        return AddResult(pj_id=row.id, state=state.value, automatic_passed=report.passed, replaced=replaced,
                         detail=detail)

    def _pick_target(self, invoice: Invoice, type_: DocumentType) -> PieceJointe | None:
        """The row a new document of this type goes to; None: a new row; ValidationError: none may."""
        rows = list(PieceJointe.select().where((PieceJointe.invoice == invoice)
                                               & (PieceJointe.type_code == type_.value)).order_by(PieceJointe.id))
        for r in rows:
            if r.state == PjState.MANQUANT.value:
                return r
        if type_ is DocumentType.AUTRE or not rows:
            return None  # "Autres docs": any number of them
        for r in rows:
            if r.state in (PjState.NON_CONFORME.value, PjState.A_RECONSTITUER.value):
                return r
        current = rows[0]
        raise ValidationError(
            f"Un document « {type_.label_fr} » est déjà joint à la facture N° {invoice.number} (état "
            f"{current.state}) : supprimez-le d'abord pour en joindre un autre.",
            log=f"invoice {invoice.id} already has {type_.value} in state {current.state}", code="already_attached")

    def _other_hashes(self, invoice: Invoice, exclude: PieceJointe | None) -> list[str]:
        """Page hashes of the other documents of the same dossier, for the "pas de doublon" check."""
        rows = (PieceJointe.select(PieceJointe.id, PieceJointe.checks).join(Invoice)
                .where((Invoice.dossier == invoice.dossier_id) & (PieceJointe.file_path != "")))
        hashes: list[str] = []
        for r in rows:
            if exclude is not None and r.id == exclude.id:
                continue
            hashes.extend(p.get("phash", "") for p in _as_dict(r.checks).get("pages", []) if p.get("phash"))
        return hashes

    def _stage_pdf(self, invoice: Invoice, type_: DocumentType, doc: Any, sha: str,
                   report: DocumentReport) -> _Prepared:
        folder = self._invoice_folder(invoice)
        created = _missing_parents(folder, stop=self.root.parent)
        staging = folder / f".staging-{uuid.uuid4().hex}.pdf"
        try:
            build_scor_pdf(doc.pages, staging, title=f"{type_.label_fr} - facture {invoice.number}")
        except BaseException:
            staging.unlink(missing_ok=True)
            _remove_empty(created)
            raise
        return _Prepared(type_code=type_.value, source_name=doc.source_name, source_format=doc.format,
                         sha256=sha, report=report, staging=staging, folder=folder, created_folders=created)

    # --- conformity answer -------------------------------------------------------------------------------
    def confirm_conformity(self, pj_id: int, conforme: bool, reason: str | None = None, *,
                           actor: str = "") -> PieceDetail:
        """The user's answer to "Le document est-il conforme ?". Declaring conforming a document whose
        automatic check failed is a forçage: it needs a reason and is audited "scor.forcage_conformite"."""
        reason = (reason or "").strip()
        with self.ctx.write():
            row = self._piece(pj_id)
            current = PjState(row.state)
            if current not in _ANSWERABLE or row.purged_at is not None:
                raise ValidationError(f"La conformité d'une pièce à l'état « {current.label_fr} » ne peut pas "
                                      "être modifiée.", log=f"pj {pj_id} answer refused in {current.value}",
                                      code="pj_transition")
            checks = _as_dict(row.checks)
            automatic = bool(checks.get("automatic_passed", False))
            target = PjState.CONFORME if conforme else PjState.NON_CONFORME
            if target != current:
                check_transition(current, target)
            if conforme and not automatic:
                if len(reason) < MIN_REASON_LENGTH:
                    raise ValidationError("Le contrôle automatique a relevé des points non conformes : indiquez "
                                          "le motif pour déclarer ce document conforme.",
                                          log=f"pj {pj_id}: override without reason", code="reason_required")
                failed = [{"page": p.get("page"), "controle": c.get("id"), "mesure": c.get("measured"),
                           "seuil": c.get("threshold"), "unite": c.get("unit")}
                          for p in checks.get("pages", []) for c in p.get("checks", []) if not c.get("passed")]
                self.ctx.audit("scor.forcage_conformite", entity="piece_jointe", entity_id=row.id, actor=actor,
                               details={"facture": row.invoice.number, "type": row.type_code, "motif": reason,
                                        "points_en_echec": failed})
                row.override_reason = reason
            else:
                row.override_reason = ""
                if not conforme and automatic:
                    self.ctx.audit("scor.non_conformite_declaree", entity="piece_jointe", entity_id=row.id,
                                   actor=actor, details={"facture": row.invoice.number, "type": row.type_code,
                                                         "motif": reason})
            checks["answer"] = {"conforme": conforme, "at": self.ctx.clock.now().isoformat(), "reason": reason}
            row.checks = checks
            row.state = target.value
            row.save()
        return self.piece_detail(pj_id)

    # --- deleting a document -----------------------------------------------------------------------------
    def delete_document(self, pj_id: int, reason: str, *, actor: str = "") -> PieceDetail | None:
        """Remove an attached, unsent document (audited "scor.suppression"). A required row goes back to
        MANQUANT (returned); an optional one disappears (None). The file is removed after the commit."""
        reason = (reason or "").strip()
        if len(reason) < MIN_REASON_LENGTH:
            raise ValidationError("Indiquez le motif de la suppression (3 caractères au moins).",
                                  log=f"pj {pj_id}: delete without reason", code="reason_required")
        with self.ctx.write():
            row = self._piece(pj_id)
            current = PjState(row.state)
            if current not in _DELETABLE or row.purged_at is not None:
                raise ValidationError(f"Une pièce à l'état « {current.label_fr} » ne peut pas être supprimée.",
                                      log=f"pj {pj_id} delete refused in {current.value}", code="pj_transition")
            checks = _as_dict(row.checks)
            files = _files_of(self._absolute(row.file_path), checks)
            self.ctx.audit("scor.suppression", entity="piece_jointe", entity_id=row.id, actor=actor,
                           details={"facture": row.invoice.number, "type": row.type_code, "nom": row.name,
                                    "etat": current.value, "motif": reason,
                                    "sha256": checks.get("source", {}).get("sha256", "")})
            fse = self._current_fse(row.invoice)
            required = fse is not None and row.type_code in {t.value for t in self.required_types(fse)}
            keep = required and not self._other_row_of_type(row)
            if keep:
                check_transition(current, PjState.MANQUANT)
                PieceJointe.update(state=PjState.MANQUANT.value, name="", file_path="", added_at=None,
                                   sent_at=None, teletransmitted_on=None, checks=[], override_reason="",
                                   fse=fse).where(PieceJointe.id == row.id).execute()
            else:
                row.delete_instance()
        for f in files:
            _unlink_quietly(f)
        _remove_empty_dirs_up_to(files, self.root)
        return self.piece_detail(pj_id) if keep else None

    def _other_row_of_type(self, row: PieceJointe) -> bool:
        return PieceJointe.select().where((PieceJointe.invoice == row.invoice_id)
                                          & (PieceJointe.type_code == row.type_code)
                                          & (PieceJointe.id != row.id)).exists()

    # --- reading -------------------------------------------------------------------------------------------
    def piece_detail(self, pj_id: int) -> PieceDetail:
        row = (_rows_query().where(PieceJointe.id == pj_id).first())
        if row is None:
            raise ValidationError("Cette pièce jointe n'existe plus.", log=f"pj {pj_id} not found",
                                  code="not_found")
        checks = _as_dict(row.checks)
        nom, prenom = _person(row)
        answer = checks.get("answer") or {}
        path = self._absolute(row.file_path)
        return PieceDetail(
            pj_id=row.id, invoice_id=row.invoice_id, invoice_number=row.invoice.number, nom=nom, prenom=prenom,
            type_code=row.type_code, type_label=_type_label(row.type_code), id_pj=row.id_pj, name=row.name,
            state=row.state, source_format=checks.get("source", {}).get("format", ""), added_at=row.added_at,
            sent_at=row.sent_at, purged_at=row.purged_at,
            automatic_passed=checks.get("automatic_passed") if checks else None,
            answer=answer.get("conforme"), override_reason=row.override_reason or "",
            pages=_pages_from_json(checks), pdf_path=str(path) if path else "")

    def invoice_pieces(self, invoice_id: int) -> InvoicePieces:
        invoice = self._invoice(invoice_id)
        fse = self._current_fse(invoice)
        today, retention = self.ctx.clock.today(), self._retention_days()
        rows = sorted(_rows_query().where(PieceJointe.invoice == invoice), key=_row_sort_key)
        dossier = Dossier.get_by_id(invoice.dossier_id)
        nom, prenom = _person_of_dossier(dossier)
        return InvoicePieces(invoice_id=invoice.id, invoice_number=invoice.number, nom=nom, prenom=prenom,
                             mode=_mode(fse), rows=tuple(_row_dto(r, today, retention) for r in rows))

    def list_pieces(self, filters: PieceFilters | None = None) -> PiecesPage:
        """The "Pièces Jointes" tab: newest invoices first, filtered by invoice date and name."""
        f = filters or PieceFilters()
        query = _rows_query().where(Invoice.store == self.ctx.store)
        if f.date_from:
            query = query.where(Invoice.date >= f.date_from)
        if f.date_to:
            query = query.where(Invoice.date <= f.date_to)
        for term in f.nom.split():  # "DURAND Denis": every word in the nom or the prénom
            query = query.where(Beneficiaire.nom.contains(term) | Beneficiaire.prenom.contains(term)
                                | (Beneficiaire.id.is_null() & (Client.nom.contains(term)
                                                                | Client.prenom.contains(term))))
        total = query.count()
        size = max(1, f.page_size)
        page_count = max(1, math.ceil(total / size))
        page = min(max(1, f.page), page_count)
        order = pw.Case(PieceJointe.type_code, [(k, v) for k, v in _TYPE_ORDER.items()], 9)
        rows = query.order_by(Invoice.number.desc(), order, PieceJointe.id).paginate(page, size)
        today, retention = self.ctx.clock.today(), self._retention_days()
        return PiecesPage(rows=tuple(_row_dto(r, today, retention) for r in rows), page=page,
                          page_count=page_count, total=total)

    def invoice_id_for_number(self, number: int | str) -> int:
        try:
            value = int(str(number).strip())
        except ValueError:
            raise ValidationError(f"« {number} » n'est pas un numéro de facture.",
                                  log=f"bad invoice number {number!r}", code="invoice_number") from None
        invoice = Invoice.get_or_none((Invoice.store == self.ctx.store) & (Invoice.number == value))
        if invoice is None:
            raise ValidationError(f"La facture N° {value} n'existe pas.", log=f"invoice {value} not found",
                                  code="not_found")
        return invoice.id

    # --- sending -------------------------------------------------------------------------------------------
    def missing_for_fses(self, fse_ids: Iterable[int]) -> dict[int, list[DocumentType]]:
        """For "Blocage de la télétransmission si documents absents": the required documents that are not
        ready for each FSE (MANQUANT, NON CONFORME, A RECONSTITUER, or no row yet). FSEs missing nothing are
        left out of the result."""
        ids = list(dict.fromkeys(fse_ids))
        if not ids:
            return {}
        fses = list(Fse.select().where(Fse.id.in_(ids)))
        invoice_ids = {f.invoice_id for f in fses}
        satisfied: dict[int, set[str]] = {}
        for r in PieceJointe.select(PieceJointe.invoice, PieceJointe.type_code, PieceJointe.state).where(
                PieceJointe.invoice.in_(list(invoice_ids))):
            if PjState(r.state) in _SATISFIED:
                satisfied.setdefault(r.invoice_id, set()).add(r.type_code)
        result: dict[int, list[DocumentType]] = {}
        for fse in sorted(fses, key=lambda f: ids.index(f.id)):
            have = satisfied.get(fse.invoice_id, set())
            missing = [t for t in self.required_types(fse) if t.value not in have]
            if missing:
                result[fse.id] = missing
        return result

    def _ready_query(self) -> pw.ModelSelect:
        return (PieceJointe.select(PieceJointe, Fse, Lot, Invoice)
                .join(Fse, on=(PieceJointe.fse == Fse.id)).join(Lot, on=(Fse.lot == Lot.id))
                .switch(PieceJointe).join(Invoice, on=(PieceJointe.invoice == Invoice.id))
                .where((PieceJointe.state == PjState.CONFORME.value) & PieceJointe.sent_at.is_null()
                       & PieceJointe.purged_at.is_null() & (PieceJointe.file_path != "")
                       & Lot.state.in_(ARL_POSITIVE_STATES) & (Invoice.store == self.ctx.store)))

    def documents_ready_to_send(self) -> tuple[ReadyDocument, ...]:
        """Conforming documents whose FSE's lot has received a positive ARL, not sent yet."""
        rows = self._ready_query().order_by(Lot.id, Invoice.number, PieceJointe.id)
        return tuple(ReadyDocument(pj_id=r.id, invoice_number=r.invoice.number, fse_id=r.fse.id,
                                   fse_number=r.fse.number, lot_id=r.fse.lot.id, lot_number=r.fse.lot.number,
                                   type_code=r.type_code, id_pj=r.id_pj, name=r.name,
                                   path=str(self.root / r.file_path)) for r in rows)

    def mark_sent(self, pj_ids: Sequence[int], *, keep_paper: bool = False, actor: str = "") -> int:
        """Record that these documents went out (one transaction). They must be ready to send (see
        documents_ready_to_send); the retention period starts today. keep_paper: the SCOR verification
        period, the optician also keeps the paper copy (state SAUVEGARDE PAPIER, else ARCHIVE)."""
        ids = list(dict.fromkeys(pj_ids))
        if not ids:
            return 0
        target = PjState.SAUVEGARDE_PAPIER if keep_paper else PjState.ARCHIVE
        with self.ctx.write():
            ready = {r.id for r in self._ready_query().where(PieceJointe.id.in_(ids))}
            refused = [i for i in ids if i not in ready]
            if refused:
                raise ValidationError("Certaines pièces ne peuvent pas être envoyées (non conformes, déjà "
                                      "envoyées, ou lot sans ARL positif) : rien n'a été marqué envoyé.",
                                      log=f"mark_sent refused for pj {refused}", code="not_ready")
            check_transition(PjState.CONFORME, target)
            PieceJointe.update(sent_at=self.ctx.clock.now(), teletransmitted_on=self.ctx.clock.today(),
                               state=target.value).where(PieceJointe.id.in_(ids)).execute()
        return len(ids)

    # --- retention -------------------------------------------------------------------------------------------
    def _retention_days(self) -> int:
        from core.services.settings import SettingsService

        days = SettingsService(self.ctx).get().scor.retention_days
        # ScorSettings accepts up to 186 days; the core caps "6 mois maximum" at 184 (six calendar months).
        return min(max(days, MIN_RETENTION_DAYS), MAX_RETENTION_DAYS)

    def purge(self, today: date | None = None, *, actor: str = "") -> PurgeResult:
        """Delete the files of documents past their retention (>= 90 days after télétransmission, 6 months
        by default) with their derived copies; rows keep their history (purged_at, state ARCHIVE when the
        state allows it). One audit row "scor.purge" per purge that removed something."""
        today = today or self.ctx.clock.today()
        days = self._retention_days()
        settings = RetentionSettings(retention_days=days)
        removed = 0
        with self.ctx.write():
            candidates = list(PieceJointe.select().join(Invoice).where(
                PieceJointe.purged_at.is_null() & PieceJointe.teletransmitted_on.is_null(False)
                & (Invoice.store == self.ctx.store)).order_by(PieceJointe.id))
            items = [RetentionItem(id=r, teletransmitted_on=_as_date(r.teletransmitted_on),
                                   state=PjState(r.state)) for r in candidates]
            due = [item.id for item in documents_to_purge(items, today, settings)]
            if not due:
                return PurgeResult(today=today, retention_days=days, purged=(), files_removed=0)
            files: list[Path] = []
            now = self.ctx.clock.now()
            for row in due:
                checks = _as_dict(row.checks)
                files.extend(_files_of(self._absolute(row.file_path), checks))
                state = PjState(row.state)
                if state != PjState.ARCHIVE and can_transition(state, PjState.ARCHIVE):
                    state = PjState.ARCHIVE
                if checks.get("source"):
                    checks["source"].pop("inbox_copy", None)
                PieceJointe.update(purged_at=now, state=state.value, file_path="", checks=checks or []) \
                    .where(PieceJointe.id == row.id).execute()
            self.ctx.audit("scor.purge", entity="piece_jointe", actor=actor,
                           details={"date": today.isoformat(), "conservation_jours": days,
                                    "pieces": [r.id for r in due],
                                    "factures": sorted({r.invoice.number for r in due})})
            # Files go last, still inside the transaction: a failed unlink rolls the rows back (the purge
            # is retried next time), and a failed commit only leaves rows to purge again (missing files
            # are fine). Either way no file outlives a row marked purged.
            for f in files:
                try:
                    if f.exists():
                        f.unlink()
                        removed += 1
                except OSError as exc:
                    raise DocumentError(f"Impossible de supprimer « {f.name} » : la purge SCOR est annulée, "
                                        "elle sera refaite au prochain passage.",
                                        log=f"purge unlink {f}: {exc}", code="io") from exc
        _remove_empty_dirs_up_to(files, self.root)
        log.info("SCOR purge: %d pieces, %d files", len(due), removed)
        return PurgeResult(today=today, retention_days=days, purged=tuple(r.id for r in due),
                           files_removed=removed)

    # --- scanner drop folder ---------------------------------------------------------------------------------
    def import_inbox(self, folder: str | Path, invoice_id_resolver: InvoiceResolver | None = None, *,
                     actor: str = "", settle_seconds: float = 0.0) -> tuple[InboxResult, ...]:
        """Import the scans dropped in `folder` (named "<invoice>-<TYPE>[-...].pdf|png|jpg|tif").

        Imported files move to done/ (the copy is purged with its document), refused ones to rejected/
        with a "<name>.error.txt" explaining why. A file whose content (sha256) is already attached is not
        imported twice. `invoice_id_resolver` maps the invoice part of the name to an invoice id (default:
        the invoice number of this store); `settle_seconds` skips files modified more recently (a scanner
        still writing).
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise ValidationError(f"Le dossier de numérisation « {folder} » n'existe pas.",
                                  log=f"inbox {folder} is not a folder", code="inbox_missing")
        resolver = invoice_id_resolver or self._resolve_number
        results = []
        now = datetime.now().timestamp()  # compared with file mtimes: the real clock, not ctx.clock
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            name = path.name
            if name.startswith(".") or name.lower().endswith(_INBOX_SKIP_SUFFIXES):
                continue
            try:
                if settle_seconds and now - path.stat().st_mtime < settle_seconds:
                    continue
            except OSError:
                continue
            results.append(self._import_one(folder, path, resolver, actor))
        return tuple(results)

    def watch_inbox(self, folder: str | Path, *, stop: threading.Event, interval: float = 10.0,
                    invoice_id_resolver: InvoiceResolver | None = None,
                    on_results: Callable[[tuple[InboxResult, ...]], None] | None = None,
                    settle_seconds: float = 5.0, actor: str = "") -> None:
        """Poll the drop folder until `stop` is set (polling works on network shares, unlike inotify)."""
        while not stop.is_set():
            results = self.import_inbox(folder, invoice_id_resolver, actor=actor, settle_seconds=settle_seconds)
            if results and on_results is not None:
                on_results(results)
            stop.wait(interval)

    def _resolve_number(self, token: str) -> int | None:
        try:
            return self.invoice_id_for_number(token)
        except ValidationError:
            return None

    def _import_one(self, folder: Path, path: Path, resolver: InvoiceResolver, actor: str) -> InboxResult:
        name = path.name
        match = INBOX_NAME.match(name)
        if match is None:
            return _reject(folder, path, "nom de fichier non reconnu (attendu : <n° facture>-ORDN-<...>.pdf, "
                                         ".png, .jpg ou .tif ; types ORDN, FSOI, AUTR)")
        try:
            sha = _sha256_file(path)
        except DocumentError as exc:
            return _reject(folder, path, exc.message_fr)
        existing = self._piece_with_sha(sha)
        if existing is not None:
            _move_private(path, _unique(folder / INBOX_DONE, name), mkdir_root=folder)
            return InboxResult(file_name=name, status="déjà importé", pj_id=existing.id, state=existing.state,
                               message=f"déjà joint à la facture N° {existing.invoice.number}")
        invoice_id = resolver(match["invoice"])
        if invoice_id is None:
            return _reject(folder, path, f"facture N° {match['invoice']} inconnue")
        done = _unique(folder / INBOX_DONE, name)
        try:
            result = self._add(invoice_id, path, match["type"].upper(), actor=actor, inbox_copy=done)
        except LunetierError as exc:
            return _reject(folder, path, exc.message_fr)
        try:
            _move_private(path, done, mkdir_root=folder)
        except OSError as exc:
            # Stored already; the next run finds the sha256 and only moves the file.
            log.warning("inbox: cannot move %s to done/: %s", path, exc)
        return InboxResult(file_name=name, status="importé", pj_id=result.pj_id, state=result.state,
                           message=f"facture N° {result.detail.invoice_number} : {result.detail.type_label}, "
                                   f"{result.state}")

    def _piece_with_sha(self, sha: str) -> PieceJointe | None:
        for row in (PieceJointe.select().join(Invoice)
                    .where(_json_text_contains(PieceJointe.checks, sha) & PieceJointe.purged_at.is_null()
                           & (Invoice.store == self.ctx.store))):
            if _as_dict(row.checks).get("source", {}).get("sha256") == sha:
                return row
        return None

    # --- lookups -------------------------------------------------------------------------------------------
    def _invoice(self, invoice_id: int) -> Invoice:
        invoice = Invoice.get_or_none((Invoice.id == invoice_id) & (Invoice.store == self.ctx.store))
        if invoice is None:
            raise ValidationError("Cette facture n'existe pas.", log=f"invoice {invoice_id} not found",
                                  code="not_found")
        return invoice

    def _piece(self, pj_id: int) -> PieceJointe:
        row = PieceJointe.get_or_none(PieceJointe.id == pj_id)
        if row is None or row.invoice.store != self.ctx.store:
            raise ValidationError("Cette pièce jointe n'existe plus.", log=f"pj {pj_id} not found",
                                  code="not_found")
        return row


# --- helpers ---------------------------------------------------------------------------------------------
def _doc_type(value: str | DocumentType) -> DocumentType:
    try:
        return DocumentType(value.value if isinstance(value, DocumentType) else str(value).strip().upper())
    except ValueError:
        raise ValidationError(f"Type de document inconnu : « {value} » (ORDN, FSOI ou AUTR).",
                              log=f"unknown document type {value!r}", code="document_type") from None


def _type_label(code: str) -> str:
    try:
        return DocumentType(code).label_fr
    except ValueError:
        return code


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise DocumentError(f"Impossible de lire « {path.name} ».", log=f"read {path}: {exc}",
                            code="unreadable") from exc
    return digest.hexdigest()


def _json_text_contains(field: pw.Field, text: str) -> pw.Expression:
    """Substring test on the JSON text itself (JSONField would JSON-encode a plain pattern; ILIKE is LIKE on
    SQLite, whose peewee LIKE is a case-sensitive GLOB)."""
    return pw.Expression(field, pw.OP.ILIKE, pw.Value(f"%{text}%", converter=False))


def _as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _source_of(checks: dict[str, Any]) -> str:
    return checks.get("source", {}).get("name", "")


def _checks_json(prepared: _Prepared, inbox_copy: Path | None) -> dict[str, Any]:
    source: dict[str, Any] = {"name": prepared.source_name, "format": prepared.source_format,
                              "sha256": prepared.sha256}
    if inbox_copy is not None:
        source["inbox_copy"] = str(inbox_copy)
    return {
        "version": CHECKS_VERSION,
        "source": source,
        "automatic_passed": prepared.report.passed,
        "pages": [{"page": p.page_number, "phash": p.phash, "passed": p.passed,
                   "checks": [{"id": c.check_id.value, "label": c.label_fr, "passed": c.passed,
                               "measured": round(c.measured, 4), "threshold": c.threshold, "unit": c.unit,
                               "detail": c.detail_fr} for c in p.checks]}
                  for p in prepared.report.pages],
    }


def _pages_from_json(checks: dict[str, Any]) -> tuple[PageResult, ...]:
    return tuple(PageResult(page_number=int(p.get("page", 0)), passed=bool(p.get("passed")),
                            phash=str(p.get("phash", "")),
                            checks=tuple(CheckResult(check_id=str(c.get("id", "")), label_fr=str(c.get("label", "")),
                                                     passed=bool(c.get("passed")),
                                                     measured=float(c.get("measured", 0.0)),
                                                     threshold=float(c.get("threshold", 0.0)),
                                                     unit=str(c.get("unit", "")), detail_fr=str(c.get("detail", "")))
                                         for c in p.get("checks", [])))
                 for p in checks.get("pages", []))


def _files_of(pdf: Path | None, checks: dict[str, Any]) -> list[Path]:
    """The stored PDF and the derived copies of the source (the scanner inbox's done/ copy)."""
    files = [pdf] if pdf is not None else []
    copy = checks.get("source", {}).get("inbox_copy")
    if copy:
        files.append(Path(copy))
    return files


def _rows_query() -> pw.ModelSelect:
    return (PieceJointe.select(PieceJointe, Invoice, Dossier, Client, Beneficiaire, Fse)
            .join(Invoice).join(Dossier)
            .join(Client, on=(Dossier.client == Client.id))
            .switch(Dossier).join(Beneficiaire, pw.JOIN.LEFT_OUTER, on=(Dossier.beneficiaire == Beneficiaire.id))
            .switch(PieceJointe).join(Fse, pw.JOIN.LEFT_OUTER, on=(PieceJointe.fse == Fse.id)))


def _row_sort_key(row: PieceJointe) -> tuple[int, int]:
    return (_TYPE_ORDER.get(row.type_code, 9), row.id)


def _person(row: PieceJointe) -> tuple[str, str]:
    return _person_of_dossier(row.invoice.dossier)


def _person_of_dossier(dossier: Dossier) -> tuple[str, str]:
    """The patient (bénéficiaire of the dossier), else the client."""
    ben = dossier.beneficiaire if dossier.beneficiaire_id else None
    if ben is not None:
        return ben.nom, ben.prenom
    return dossier.client.nom, dossier.client.prenom


def _mode(fse: Fse | None) -> str:
    if fse is None:
        return ""
    return "DEG" if (fse.mode or "").upper().startswith("DEG") else "SV"


def _delai(row: PieceJointe, today: date, retention_days: int) -> str:
    """INFERRED meaning of the manual's "Délai" column (always empty in its screenshot): the days left
    before the document is purged, once it has been sent."""
    if row.purged_at is not None:
        return "purgé"
    if row.teletransmitted_on is None:
        return ""
    left = (purge_date(_as_date(row.teletransmitted_on), RetentionSettings(retention_days=retention_days))
            - today).days
    return f"{max(left, 0)} j"


def _row_dto(row: PieceJointe, today: date, retention_days: int) -> PieceRow:
    nom, prenom = _person(row)
    fse = row.fse if row.fse_id else None
    return PieceRow(
        pj_id=row.id, invoice_id=row.invoice_id, invoice_number=row.invoice.number,
        date_envoi=row.sent_at.date() if isinstance(row.sent_at, datetime) else row.sent_at,
        etat_sv=_mode(fse), nom=nom, prenom=prenom, state=row.state, type_code=row.type_code,
        type_label=_type_label(row.type_code), delai=_delai(row, today, retention_days), id_pj=row.id_pj,
        name=row.name, added_on=row.added_at.date() if isinstance(row.added_at, datetime) else row.added_at,
        has_document=bool(row.file_path), purged=row.purged_at is not None)


def _missing_parents(folder: Path, stop: Path) -> tuple[Path, ...]:
    """Folders that do not exist yet between `folder` and `stop` (created by build_scor_pdf, 0700)."""
    missing = []
    current = folder
    while not current.exists() and current != stop and current != current.parent:
        missing.append(current)
        current = current.parent
    return tuple(missing)


def _remove_empty(folders: Iterable[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            pass


def _remove_empty_dirs_up_to(files: Iterable[Path], root: Path) -> None:
    """After deleting files: remove their invoice folders left empty (never `root` or above)."""
    for f in files:
        parent = f.parent
        while parent != root and root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot remove %s: %s", path, exc)


def _private_dir(folder: Path) -> None:
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)


def _unique(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 1
    while candidate.exists():
        candidate = folder / f"{stem}.{n}{suffix}"
        n += 1
    return candidate


def _move_private(src: Path, dest: Path, *, mkdir_root: Path) -> None:
    _private_dir(dest.parent)
    shutil.move(str(src), str(dest))
    os.chmod(dest, 0o600)


def _reject(folder: Path, path: Path, message: str) -> InboxResult:
    dest = _unique(folder / INBOX_REJECTED, path.name)
    try:
        _move_private(path, dest, mkdir_root=folder)
        note = dest.with_name(dest.name + ".error.txt")
        fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(f"{path.name} : refusé.\n{message}\n")
    except OSError as exc:
        log.warning("inbox: cannot move %s to rejected/: %s", path, exc)
    return InboxResult(file_name=path.name, status="refusé", message=message)
