"""B2 invoice files (norme B2, 128-character records) for the demonstration télétransmission flow.

Public API:
    write_b2(file: B2File) -> bytes          build a file from the input model (FormatError if a value
                                             does not fit its zone)
    read_b2(data: bytes) -> B2Document       parse + check a file (FormatError with .offset)
    B2Document.to_model() -> B2File          back to the input model (see its docstring for what is lost)
    B2Document.to_dict() -> dict             JSON-ready tree (used by `lunetier b2 show --json`)
Layouts live in spec.py; zone encoding in codec.py.
"""
from core.formats.b2.model import MARKINGS, SECURE_MODES, B2File, B2Invoice, B2Line, B2Lot, B2Lpp
from core.formats.b2.reader import read_b2
from core.formats.b2.spec import RECORD_LENGTH, RECORDS, FieldSpec, RecordSpec
from core.formats.b2.tree import B2Document, B2Field, B2InvoiceNode, B2LineNode, B2LotNode, B2Record
from core.formats.b2.writer import DEMO_MESSAGE, write_b2

__all__ = [
    "write_b2", "read_b2",
    "B2File", "B2Lot", "B2Invoice", "B2Line", "B2Lpp", "SECURE_MODES", "MARKINGS",
    "B2Document", "B2LotNode", "B2InvoiceNode", "B2LineNode", "B2Record", "B2Field",
    "RECORDS", "RECORD_LENGTH", "RecordSpec", "FieldSpec", "DEMO_MESSAGE",
]
