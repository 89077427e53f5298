"""SCOR (pièces justificatives): safe import, page pre-checks, PDF assembly, retention rules.

Public API:
    intake.load_document(path, limits=None) -> LoadedDocument
    checks.check_page(page, *, previous_hashes=(), other_hashes=(), settings=...) -> PageReport
    checks.check_document(doc, *, other_hashes=(), settings=...) -> DocumentReport
    pdf.build_scor_pdf(pages, out_path, *, title="", options=...) -> Path
    pdf.verify_scor_pdf(path, *, expected=None, dpi=200) -> PdfReport
    retention.documents_to_purge(docs, today, settings=None) -> list
"""
from core.scor.checks import (CheckId, DocumentReport, PageCheck, PageMetrics, PageReport, check_document,
                              check_page)
from core.scor.intake import load_document
from core.scor.model import DocumentType, DpiSource, LoadedDocument, LoadedPage
from core.scor.pdf import PdfReport, build_scor_pdf, verify_scor_pdf
from core.scor.retention import (ALLOWED_TRANSITIONS, PjState, RetentionItem, RetentionSettings,
                                 can_transition, check_transition, documents_to_purge, purge_date)
from core.scor.settings import CheckSettings, IntakeLimits, PdfOptions

__all__ = [
    "ALLOWED_TRANSITIONS", "CheckId", "CheckSettings", "DocumentReport", "DocumentType", "DpiSource",
    "IntakeLimits", "LoadedDocument", "LoadedPage", "PageCheck", "PageMetrics", "PageReport", "PdfOptions",
    "PdfReport", "PjState", "RetentionItem", "RetentionSettings", "build_scor_pdf", "can_transition",
    "check_document", "check_page", "check_transition", "documents_to_purge", "load_document", "purge_date",
    "verify_scor_pdf",
]
