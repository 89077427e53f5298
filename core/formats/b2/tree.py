"""What `read_b2` returns: a tree of records with named, decoded zones, and its way back to the model.

    B2Document
      header (000) · lots: B2LotNode
                          header (1) · invoices: B2InvoiceNode
                                                  header (2) · lines: B2LineNode(line (4), lpp (4F) | None)
                                                  totals (5)
                          trailer (6)
      trailer (999)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Iterator

from core.formats.b2.model import SECURE_MODES, B2File, B2Invoice, B2Line, B2Lot, B2Lpp
from core.formats.b2.spec import RECORDS

__all__ = ["B2Field", "B2Record", "B2LineNode", "B2InvoiceNode", "B2LotNode", "B2Document"]

_MODE_BY_TOP = {top: mode for mode, top in SECURE_MODES.items()}


@dataclass(frozen=True, slots=True)
class B2Field:
    key: str        # stable English id (spec.py)
    name: str       # French label of the spec
    start: int      # 1-based position in the record
    end: int
    raw: str        # the characters as found in the file
    value: Any      # decoded: int, str, date or None (see spec.py for the kinds)

    def to_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"key": self.key, "name": self.name, "start": self.start, "end": self.end,
                "raw": self.raw, "value": value}


@dataclass(frozen=True, slots=True)
class B2Record:
    """One 128-character record. Zones are decoded and checked by the reader; `fields` builds the
    named B2Field objects on demand (cheap records matter: a day's file holds ~100 000 of them)."""

    kind: str                 # "000", "1", "2", "4", "4F", "5", "6", "999"
    offset: int               # byte offset of the record in the file
    text: str                 # the 128 characters
    values: tuple[Any, ...]   # decoded zone values, in layout order

    @property
    def title(self) -> str:
        return RECORDS[self.kind].title

    @property
    def fields(self) -> tuple[B2Field, ...]:
        text = self.text
        return tuple(B2Field(f.key, f.name, f.start, f.end, text[f.start - 1:f.end], value)
                     for f, value in zip(RECORDS[self.kind].fields, self.values))

    def field(self, key: str) -> B2Field:
        spec = RECORDS[self.kind]
        i = spec.index[key]
        f = spec.fields[i]
        return B2Field(f.key, f.name, f.start, f.end, self.text[f.start - 1:f.end], self.values[i])

    def __getitem__(self, key: str) -> Any:
        return self.values[RECORDS[self.kind].index[key]]

    def field_offset(self, key: str) -> int:
        return self.offset + RECORDS[self.kind].field(key).start - 1

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "title": self.title, "offset": self.offset,
                "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True, slots=True)
class B2LineNode:
    line: B2Record
    lpp: B2Record | None

    def records(self) -> Iterator[B2Record]:
        yield self.line
        if self.lpp is not None:
            yield self.lpp


@dataclass(frozen=True, slots=True)
class B2InvoiceNode:
    header: B2Record
    lines: tuple[B2LineNode, ...]
    totals: B2Record

    def records(self) -> Iterator[B2Record]:
        yield self.header
        for line in self.lines:
            yield from line.records()
        yield self.totals


@dataclass(frozen=True, slots=True)
class B2LotNode:
    header: B2Record
    invoices: tuple[B2InvoiceNode, ...]
    trailer: B2Record

    @property
    def number(self) -> str:
        return self.header["lot_number"]

    @property
    def is_amc(self) -> bool:
        return not self.number.isdigit()

    def records(self) -> Iterator[B2Record]:
        yield self.header
        for invoice in self.invoices:
            yield from invoice.records()
        yield self.trailer


@dataclass(frozen=True, slots=True)
class B2Document:
    header: B2Record
    lots: tuple[B2LotNode, ...]
    trailer: B2Record

    @property
    def is_demo(self) -> bool:
        """True when every lot is marked "D" (factures démonstrations)."""
        return all(lot.trailer["marking"] == "D" for lot in self.lots)

    def records(self) -> Iterator[B2Record]:
        yield self.header
        for lot in self.lots:
            yield from lot.records()
        yield self.trailer

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "B2",
            "demo": self.is_demo,
            "header": self.header.to_dict(),
            "lots": [{
                "header": lot.header.to_dict(),
                "invoices": [{
                    "header": inv.header.to_dict(),
                    "lines": [{"line": ln.line.to_dict(), "lpp": ln.lpp.to_dict() if ln.lpp else None}
                              for ln in inv.lines],
                    "totals": inv.totals.to_dict(),
                } for inv in lot.invoices],
                "trailer": lot.trailer.to_dict(),
            } for lot in self.lots],
            "trailer": self.trailer.to_dict(),
        }

    def to_model(self) -> B2File:
        """The input model back from the file. Lossy only where B2 has no zone: the creation time
        (midnight), the PS situation (1), the birth-date century (birth_date comes back as AAMMJJ)."""
        h = self.header
        first = self.lots[0].header
        return B2File(
            ps_number=first["ps_number"],
            ps_name=first["ps_name"],
            file_number=int(h["file_id"]) if h["file_id"].isdigit() else 0,
            created=datetime.combine(h["created"] or date(2000, 1, 1), time()),
            lots=tuple(_lot_model(lot) for lot in self.lots),
            norme=h["norme"],
            norme_version=first["norme_version"],
            ps_specialty=self.lots[0].invoices[0].lines[0].line["executant_specialty"],
            emitter_type=h["emitter_type"],
            recipient_type=h["recipient_type"],
            recipient_number=h["recipient_number"],
            application=h["application"],
            marking=self.lots[0].trailer["marking"],
        )


def _lot_model(lot: B2LotNode) -> B2Lot:
    h = lot.header
    mode = _MODE_BY_TOP.get(h["certification_top"], h["certification_top"])
    invoices = tuple(_invoice_model(inv, mode) for inv in lot.invoices)
    return B2Lot(
        number=lot.number,
        invoices=invoices,
        regime="" if lot.is_amc else h["pivot_regime"],
        organism="" if lot.is_amc else h["organism"],
        amc_number=invoices[0].amc_number if lot.is_amc else "",
        created=h["lot_date"],
        certification=lot.trailer["certification"],
    )


def _invoice_model(inv: B2InvoiceNode, mode: str) -> B2Invoice:
    h, t = inv.header, inv.totals
    return B2Invoice(
        number=h["invoice_number"],
        nir=h["nir"],
        nir_key=h["nir_key"],
        birth_date=h["birth_date"],
        invoice_date=h["invoice_date"],
        regime=h["regime"],
        caisse=h["caisse"],
        centre=h["centre"],
        lines=tuple(_line_model(ln) for ln in inv.lines),
        birth_rank=h["birth_rank"],
        quality=h["quality"],
        insurance_nature=h["insurance_nature"],
        secure_mode=mode,
        prescriber=h["prescriber"].lstrip("0") and h["prescriber"],
        prescription_date=h["prescription_date"],
        prescriber_specialty=h["prescriber_specialty"].lstrip("0") and h["prescriber_specialty"],
        rights_proof=h["rights_proof"],
        exoneration=h["exoneration"],
        payee=h["payee"],
        operation_nature=h["operation_nature"],
        amc_number=h["amc_number"],
        amc_member=h["amc_member"],
        amc_contract_type=h["amc_contract_type"].lstrip("0") and h["amc_contract_type"],
        total_amount=t["total_amount"],
        total_ro=t["total_ro"],
        total_rc=t["total_rc"],
        certification=t["certification"],
    )


def _line_model(node: B2LineNode) -> B2Line:
    r = node.line
    lpp = None
    if node.lpp is not None:
        p = node.lpp
        lpp = B2Lpp(code=p["lpp_code"], quantity=p["quantity"], unit_price=p["unit_price"],
                    tariff=p["tariff"], base=p["base"], kind=p["lpp_kind"], siret=p["siret"])
    return B2Line(code=r["act_code"], date=r["act_date"], unit_price=r["unit_price"], base=r["base"],
                  rate=r["rate"], ro_amount=r["ro_amount"], rc_amount=r["rc_amount"],
                  quantity=r["quantity"], lpp=lpp)
