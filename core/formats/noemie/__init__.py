"""NOEMIE PS return files (RSP): reader, writer, entity tree and typed views.

Public API:
    read_noemie(data: bytes) -> NoemieFile            # any physical layout; FormatError(offset=...) on bad input
    write_noemie(model, layout="line") -> bytes       # computes 990 and 999; layouts "line", "blocks", "block-lines"
    NoemieFile.payments / .rejects / .virements / .movements / .one_off_payments   # typed views (model.py)
    builder.*                                          # high-level constructors for the simulated caisse

Specification: shared/specs/noemie-ps.xml (entities and zones), DOMAIN.md §7.4 (real-format evidence from
[PSM1]). Choices the spec does not settle are marked INFERRED in entities.py, model.py and physical.py.
"""
from core.formats.noemie.model import (
    ActLine, Entity, FieldValue, FinancialMovement, Group, InvoicePayment, Layout, NoemieFile, OneOffDetail,
    OneOffPayment, PartPayment, PaymentState, Reject, Virement,
)
from core.formats.noemie.reader import read_noemie
from core.formats.noemie.writer import write_noemie

__all__ = [
    "read_noemie", "write_noemie", "NoemieFile", "Entity", "Group", "FieldValue", "Layout",
    "InvoicePayment", "PartPayment", "PaymentState", "ActLine", "Reject", "Virement", "FinancialMovement",
    "OneOffPayment", "OneOffDetail",
]
