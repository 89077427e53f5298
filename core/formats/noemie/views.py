"""Typed views over the entity tree: invoice payments, rejects, virements, movements, one-off payments.

The walk keeps a context while descending: the current règlement (040 destinataire, 070/071 date and
virement, 081 type de retour) and the current lot (080). A group holding a 100/102 is one facture; all the
entities of its subtree belong to that invoice. 250 and 261/262 anywhere are attached to the current
virement. 290/294 outside a facture are reported with the lot only.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

from core.formats.noemie.codec import decode_date
from core.formats.noemie.entities import ENTITIES, label_of
from core.formats.noemie.gcpause import paused_gc
from core.formats.noemie.model import (
    ActLine, Entity, FinancialMovement, Group, InvoicePayment, NoemieFile, OneOffDetail, OneOffPayment,
    PartPayment, PaymentState, Reject, Virement,
)

__all__ = ["Views", "build_views"]


class Views(NamedTuple):
    payments: tuple[InvoicePayment, ...]
    rejects: tuple[Reject, ...]
    virements: tuple[Virement, ...]
    movements: tuple[FinancialMovement, ...]
    one_off_payments: tuple[OneOffPayment, ...]


@dataclass
class _Context:
    virement: int | None = None
    accounting_date: object = None
    return_type: str | None = None
    payer: str | None = None
    recipient: str | None = None
    lot_number: str | None = None
    lot_date: object = None


@dataclass
class _VirementAcc:
    head: Virement
    payments: list = field(default_factory=list)
    movements: list = field(default_factory=list)
    ponctuels: list = field(default_factory=list)


def _s(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _slices(code: str, *keys: str) -> tuple[slice, ...]:
    """Zone slices taken from the spec once, so the hot paths below slice raw text directly."""
    spec = ENTITIES[code]
    return tuple(spec.by_key[k].slice for k in keys)


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None  # zones were validated by the reader: ASCII digits or blank


def _id(text: str) -> str | None:
    return text.strip() or None


def _signed(amount: str, sign: str) -> int:
    value = int(amount) if amount.isdigit() else 0
    return -value if sign == "N" else value


_I100 = _slices("100", "invoice_number")[0]
(_I102, _C102, _L102, _LD102, _T102, _D102, _N102) = _slices(
    "102", "invoice_number", "invoice_complement", "lot_number", "lot_date", "invoice_type", "invoice_date",
    "insurance_nature")
(_NIR103, _KEY103, _BN103, _UN103, _FN103, _BD103, _BR103, _BNAME103, _BFN103) = _slices(
    "103", "nir", "nir_key", "insured_birth_name", "insured_usage_name", "insured_first_name", "birth_date",
    "birth_rank", "beneficiary_name", "beneficiary_first_name")
(_NIR110, _KEY110, _N110, _FN110) = _slices("110", "nir", "nir_key", "name", "first_name")
(_BD120, _BR120, _N120, _FN120) = _slices("120", "birth_date", "birth_rank", "name", "first_name")
_NAT150 = _slices("150", "insurance_nature")[0]
_ARC160 = _slices("160", "archive_number")[0]
(_REQ, _STATE, _PAID, _SIGN) = _slices("198", "requested", "state", "paid", "sign")
assert (_REQ, _STATE, _PAID, _SIGN) == _slices("199", "requested", "state", "paid", "sign")
(_AMC199, _MEM199) = _slices("199", "amc_number", "amc_member")
_L210 = _slices("210", "line_number", "prestation", "care_date", "care_end_date", "prescription_date", "quantity",
                "coefficient", "unit_price", "base", "rate", "reimbursed", "sign", "expense", "expense_qualifier",
                "amc_rate", "amc_amount", "amc_base", "exoneration")
_R290 = _slices("290", "code", "label", "line_number")
_R294 = _slices("294", "code", "label", "line_number", "level", "part", "prestation", "care_date", "executant",
                "rank", "extra")
_C295 = _slices("295", "comment")[0]
_STATES = {s.value: s for s in PaymentState}
_INVOICE_CODES = frozenset({"100", "102"})
_CONTEXT_CODES = frozenset({"040", "070", "071", "081", "080"})


def _flatten(group: Group) -> list[Entity]:
    out: list[Entity] = []
    for item in group.items:
        if isinstance(item, Group):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


class _Builder:
    def __init__(self) -> None:
        self.payments: list[InvoicePayment] = []
        self.rejects: list[Reject] = []
        self.virements: list[_VirementAcc] = []
        self.movements: list[FinancialMovement] = []
        self.ponctuels: list[OneOffPayment] = []
        self._dates: dict[str, object] = {}  # dates repeat across a file: decode each text once

    def date(self, text: str) -> object:
        try:
            return self._dates[text]
        except KeyError:
            value = self._dates[text] = decode_date(text)
            return value

    def _acc(self, ctx: _Context) -> _VirementAcc | None:
        return self.virements[ctx.virement] if ctx.virement is not None else None

    # -- entities --
    def _reject(self, e: Entity, ctx: _Context, invoice_number: str | None) -> Reject:
        raw = e.raw
        if e.code == "290":
            code, label, line = _R290
            return Reject("290", raw[code].replace(" ", ""), raw[label].rstrip(), _int(raw[line]),
                          invoice_number=invoice_number, lot_number=ctx.lot_number, offset=e.offset)
        code, label, line, level, part, prest, care, executant, rank, extra = _R294
        return Reject("294", raw[code].replace(" ", ""), raw[label].rstrip(), _int(raw[line]), _id(raw[level]),
                      _id(raw[part]), _id(raw[prest]), self.date(raw[care]), _id(raw[executant]), _int(raw[rank]),
                      _id(raw[extra]), invoice_number, ctx.lot_number, e.offset)

    def _line(self, e: Entity) -> ActLine:
        raw = e.raw
        (num, prest, care, end, presc, qty, coef, unit, base, rate, reimb, sign, expense, qual, amc_rate, amc_amount,
         amc_base, exo) = _L210
        date = self.date
        return ActLine(_int(raw[num]), raw[prest].rstrip(), date(raw[care]), date(raw[end]), date(raw[presc]),
                       _int(raw[qty]), _int(raw[coef]), _int(raw[unit]), _int(raw[base]), _int(raw[rate]),
                       _signed(raw[reimb], raw[sign]), _int(raw[expense]), raw[qual].rstrip(), _int(raw[amc_rate]),
                       _int(raw[amc_amount]), _int(raw[amc_base]), raw[exo].rstrip(), e.offset)

    def _movement(self, e: Entity, ctx: _Context) -> FinancialMovement:
        v = e.value
        spec = e.spec
        assert spec is not None
        return FinancialMovement(
            v("line_number"), str(v("debt_reference")), v("debt_date"), str(v("debt_nature")),  # type: ignore[arg-type]
            label_of(spec.by_key["debt_nature"], e.zone("debt_nature")), str(v("operation")),
            label_of(spec.by_key["operation"], e.zone("operation")), e.signed("amount"), v("balance"),  # type: ignore[arg-type]
            ctx.virement, ctx.accounting_date, e.offset)  # type: ignore[arg-type]

    @staticmethod
    def _detail(e: Entity) -> OneOffDetail:
        v = e.value
        spec = e.spec
        assert spec is not None
        return OneOffDetail(str(v("code")), str(v("label")), _s(v("nir")), _s(v("nir_key")), _s(v("birth_date")),
                            _s(v("birth_rank")), str(v("period")), label_of(spec.by_key["period"], e.zone("period")),
                            v("period_start"), v("period_end"), v("amount"), e.offset)  # type: ignore[arg-type]

    def _invoice(self, group: Group, ctx: _Context) -> InvoicePayment:
        number = ""
        offset = -1
        lot_number, lot_date = ctx.lot_number, ctx.lot_date
        invoice_type = invoice_date = nir = nir_key = insured_name = insured_first_name = None
        beneficiary_name = beneficiary_first_name = birth_date = birth_rank = nature = archive = None
        amo = amc = None
        lines: list[ActLine] = []
        rejects: list[Reject] = []
        comments: list[str] = []
        items = group.items
        if Group in map(type, items):
            items = tuple(_flatten(group))
        for e in items:
            code, raw = e[0], e[1]
            if code == "198" or code == "199":
                if code == "198":
                    amo = PartPayment(int(raw[_REQ]), _STATES[raw[_STATE]], _signed(raw[_PAID], raw[_SIGN]))
                else:
                    amc = PartPayment(int(raw[_REQ]), _STATES[raw[_STATE]], _signed(raw[_PAID], raw[_SIGN]),
                                      _id(raw[_AMC199]), _id(raw[_MEM199]))
            elif code == "210":
                lines.append(self._line(e))
            elif code == "100" or code == "102":
                if offset < 0:
                    offset = e.offset
                    number = (raw[_I100] if code == "100" else raw[_I102]).strip()
                if code == "102":
                    invoice_type = _id(raw[_T102])
                    invoice_date = self.date(raw[_D102])
                    nature = _id(raw[_N102]) or nature
                    if raw[_L102].strip():
                        lot_number, lot_date = raw[_L102].strip(), self.date(raw[_LD102])
            elif code == "110":
                nir, nir_key = _id(raw[_NIR110]), _id(raw[_KEY110])
                insured_name, insured_first_name = _id(raw[_N110]), _id(raw[_FN110])
            elif code == "120":
                birth_date, birth_rank = _id(raw[_BD120]), _id(raw[_BR120])
                beneficiary_name, beneficiary_first_name = _id(raw[_N120]), _id(raw[_FN120])
            elif code == "103":
                nir, nir_key = _id(raw[_NIR103]), _id(raw[_KEY103])
                insured_name = _id(raw[_UN103]) or _id(raw[_BN103])
                insured_first_name = _id(raw[_FN103])
                birth_date, birth_rank = _id(raw[_BD103]), _id(raw[_BR103])
                beneficiary_name, beneficiary_first_name = _id(raw[_BNAME103]), _id(raw[_BFN103])
            elif code == "150":
                nature = _id(raw[_NAT150])
            elif code == "160":
                archive = _id(raw[_ARC160])
            elif code == "290" or code == "294":
                rejects.append(self._reject(e, ctx, number or None))
            elif code == "295":
                comments.append(raw[_C295].rstrip())
        return InvoicePayment(
            number, lot_number, lot_date, invoice_type, invoice_date, nir, nir_key, insured_name,  # type: ignore[arg-type]
            insured_first_name, beneficiary_name, beneficiary_first_name, birth_date, birth_rank, nature, archive,
            amo, amc, tuple(lines), tuple(rejects), tuple(comments), ctx.virement, ctx.accounting_date,  # type: ignore[arg-type]
            ctx.return_type, ctx.payer, ctx.recipient, offset)

    # -- groups --
    def group(self, group: Group, parent: _Context) -> None:
        items = group.items
        first = items[0].code if items and isinstance(items[0], Entity) else ""
        if first in _INVOICE_CODES:  # the hot path: one facture
            self._add_invoice(group, parent)
            return
        entities = [i for i in items if isinstance(i, Entity)]
        codes = {e.code for e in entities}
        ctx = parent
        if codes & _CONTEXT_CODES:
            ctx = replace(parent)
            # the 071 last: its virement takes the group's 040 and 081 whatever their order
            for e in sorted(entities, key=lambda e: e.code == "071"):
                self._context_entity(e, ctx, group)
        if codes & _INVOICE_CODES:  # facture entities sharing the niveau of the règlement or lot
            start = next(i for i, e in enumerate(entities) if e.code in _INVOICE_CODES)
            self._add_invoice(Group(group.niveau, tuple(entities[start:])), ctx)
        current: OneOffPayment | None = None
        details: list[OneOffDetail] = []
        for item in items:
            if isinstance(item, Group):
                self.group(item, ctx)
                continue
            code = item.code
            if code == "250":
                mv = self._movement(item, ctx)
                self.movements.append(mv)
                if (acc := self._acc(ctx)) is not None:
                    acc.movements.append(mv)
            elif code == "261":
                if current is not None:
                    self._ponctuel(current, details, ctx)
                current, details = OneOffPayment(_s(item.value("payment_code")), item.value("amount"),  # type: ignore[arg-type]
                                                 (), ctx.virement, ctx.accounting_date, ctx.return_type,
                                                 item.offset), []
            elif code == "262":
                if current is None:  # details without their 261: keep them on an anonymous payment
                    current = OneOffPayment(None, 0, (), ctx.virement, ctx.accounting_date, ctx.return_type,
                                            item.offset)
                details.append(self._detail(item))
            elif (code == "290" or code == "294") and not codes & _INVOICE_CODES:
                self.rejects.append(self._reject(item, ctx, None))
        if current is not None:
            self._ponctuel(current, details, ctx)

    def _add_invoice(self, group: Group, ctx: _Context) -> None:
        payment = self._invoice(group, ctx)
        self.payments.append(payment)
        if payment.rejects:
            self.rejects.extend(payment.rejects)
        if ctx.virement is not None:
            self.virements[ctx.virement].payments.append(payment)

    def _ponctuel(self, payment: OneOffPayment, details: list[OneOffDetail], ctx: _Context) -> None:
        payment = replace(payment, details=tuple(details))
        self.ponctuels.append(payment)
        if (acc := self._acc(ctx)) is not None:
            acc.ponctuels.append(payment)

    def _context_entity(self, e: Entity, ctx: _Context, group: Group) -> None:
        code = e.code
        if code == "040":
            ctx.recipient = _s(e.value("settlement_recipient"))
        elif code == "070":
            ctx.accounting_date = e.value("accounting_date")
        elif code == "071":
            ctx.accounting_date = e.value("accounting_date")
            ctx.payer = _s(e.value("payer"))
            ctx.virement = len(self.virements)
            self.virements.append(_VirementAcc(Virement(
                ctx.virement, ctx.accounting_date, str(e.value("label_1")), str(e.value("label_2")),  # type: ignore[arg-type]
                ctx.payer, ctx.recipient, ctx.return_type, group.amount, offset=e.offset)))
        elif code == "081":
            ctx.return_type = _s(e.value("return_type"))
        elif code == "080":
            ctx.lot_number = _s(e.value("lot_number"))
            ctx.lot_date = e.value("lot_date")

    def result(self) -> Views:
        virements = [replace(acc.head, payments=tuple(acc.payments), movements=tuple(acc.movements),
                             one_off_payments=tuple(acc.ponctuels)) for acc in self.virements]
        return Views(tuple(self.payments), tuple(self.rejects), tuple(virements), tuple(self.movements),
                     tuple(self.ponctuels))


def build_views(f: NoemieFile) -> Views:
    b = _Builder()
    with paused_gc():
        for group in f.groups:
            b.group(group, _Context())
        return b.result()
