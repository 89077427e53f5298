"""NOEMIE returns (RSP): import, matching, invoice states, virements, lettrage (manual VII, IX, X).

    summary = ReturnsService(ctx).import_rsp("RSP-B2-000001-001.rsp", data)   # -> ImportSummary
    ReturnsService(ctx).lettrer(invoice_id, actor="...")                        # manual lettrage (audited)
    ReturnsService(ctx).recuperer(mailbox)        # "Récupération automatique Lots/RSPs": ARL + RSP of the inbox

Import rules:
- Atomic: the whole file is one transaction. A file that does not parse (FormatError, with its byte offset)
  or is addressed to another PS changes nothing but one RspImport row "rejected" holding the error.
- Idempotent: the file's sha256 is unique; the same bytes again -> "already_imported", nothing changes.
  Bytes rejected before are read again (they may pass once the PS number is corrected); rejected again,
  they keep their one "rejected" row.
- Matching: lot number (080) + invoice number (100/102) + NIR and key of the assuré (110/103). An invoice
  found by number whose lot or NIR differs is "En anomalie" (its payments are still recorded); an invoice
  not found at all, and a rejet outside any facture, are listed in `ImportSummary.unmatched` and in the
  import's audit row: nothing is dropped silently.
- Part states (AMO from 198, AMC from 199): R -> "Rejeté", D -> "Différé", P -> "Payé" when the amount the
  file asks equals the invoice's expected amount and the paid total (every payment so far, signed:
  régularisations are negative) equals it too, otherwise "En anomalie". A blank state changes nothing.
- Rows: one Payment per part (state "Régularisation" when the amount is negative), one Reject per 290/294
  (Traitement "Rejet" / "Différé" / "Signalement"), one Virement per 071, one MouvementFinancier per 250
  (and an OperationPonctuelle "retenue" for each retenue sur prestation, RPR), one OperationPonctuelle
  "paiement" per 262 (or per 261 without detail) with every field of the "Détail opération ponctuelle".
- Lots: a lot in "ARL positif reçu" whose invoices the file answers moves to "RSP"; a lot in another
  state keeps it (listed in `lots_unchanged`).
- Lettrage auto (setting "Lettrage auto. suite à l'intégration des fichiers RSP"): every invoice the file
  touched whose AMO and AMC parts are paid exactly what was expected becomes lettrée; audited.

Speed: invoices are pre-loaded per lot in one query, rows go in with insert_many, invoice updates with
one executemany, all inside the one transaction (benchmarks/bench_returns.py: 100 000 invoices).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterable, Literal

import peewee as pw

from core.domain.money import format_euros
from core.errors import FormatError, LunetierError, ValidationError
from core.formats.noemie import Group, InvoicePayment, NoemieFile, PaymentState, read_noemie
from core.formats.noemie.entities import ORGANISM_TYPES, RETURN_TYPES
from core.formats.noemie.gcpause import paused_gc
from core.models import (Assure, Beneficiaire, Dossier, Fse, Invoice, Lot, MouvementFinancier, OperationPonctuelle,
                         Payment, Practitioner, Reject, RspImport, Virement)
from core.services.base import DTO, ServiceContext
from core.services.lot_states import LotState, apply_transition

__all__ = ["ReturnsService", "ImportSummary", "UnmatchedItem", "LettrageResult", "PAYE", "REJETE", "ANOMALIE",
           "ATTENTE", "DIFFERE", "NA", "REGULARISATION"]

PAYE, REJETE, ANOMALIE, ATTENTE, DIFFERE, NA = "Payé", "Rejeté", "En anomalie", "Attente RSP", "Différé", "N/A"
REGULARISATION = "Régularisation"   # Payment.state of a negative payment (manual IX: -4,69 / -0,83)
_SETTLED_STATES = frozenset({PAYE, NA, ""})
_CHUNK = 500                        # values per IN (...) list (SQLite variable limit)
_OCTET = re.compile(r"\(octet (\d+)\)")


# --- DTOs ---------------------------------------------------------------------------------------------
class UnmatchedItem(DTO):
    """A facture (or a rejet) of the file that could not be put on an invoice as it is."""
    invoice_number: str = ""            # as in the file ("000000203"); "" for a rejet outside any facture
    lot: str = ""
    nir: str = ""                       # NIR + key as in the file
    invoice_id: int | None = None       # the invoice found by number: it is now "En anomalie"
    reason: str                         # French
    requested_cents: int = 0
    paid_cents: int = 0
    rejects: tuple[str, ...] = ()       # "0450 0561 L EXONERATION ..." of an invoice that was not found
    offset: int = -1                    # byte offset of the facture in the file


class ImportSummary(DTO):
    file_name: str
    sha256: str
    status: Literal["imported", "already_imported", "rejected"]
    import_id: int | None = None
    imported_at: datetime | None = None
    reference: str = ""                 # NOEMIE reference (576 paiements, 900 rejets...)
    invoices: int = 0                   # factures in the file
    matched: int = 0                    # factures put on an invoice (anomalies included)
    paid: int = 0                       # factures with a part "Payé" after the import
    rejected: int = 0
    deferred: int = 0
    anomalies: int = 0
    payments: int = 0                   # Payment rows written
    paid_cents: int = 0                 # signed total of those payments
    rejects: int = 0                    # Reject rows written
    virements: int = 0
    virements_cents: int = 0
    mouvements: int = 0
    mouvements_cents: int = 0
    ponctuels: int = 0
    ponctuels_cents: int = 0
    lots: tuple[str, ...] = ()          # lots now "RSP": "001 (01 349)"
    lots_unchanged: tuple[str, ...] = ()  # lots answered but not waiting for a return: "002 (Lot expédié)"
    lettrees: int = 0                   # invoices lettrées automatically
    unmatched: tuple[UnmatchedItem, ...] = ()
    error: str = ""
    error_offset: int | None = None

    @property
    def message(self) -> str:
        """One French line for the CLI and the inbox report."""
        if self.status == "rejected":
            return f"Fichier RSP rejeté : {self.error}"
        if self.status == "already_imported":
            return f"Fichier RSP déjà intégré ({self.invoices} facture(s))."
        parts = [f"{self.invoices} facture(s)", f"{self.paid} payée(s)"]
        if self.rejected:
            parts.append(f"{self.rejected} rejetée(s)")
        if self.deferred:
            parts.append(f"{self.deferred} différée(s)")
        if self.anomalies:
            parts.append(f"{self.anomalies} en anomalie")
        missing = sum(1 for u in self.unmatched if u.invoice_id is None)
        if missing:
            parts.append(f"{missing} non rapprochée(s)")
        if self.virements:
            parts.append(f"{self.virements} virement(s) {_euros(self.virements_cents)}")
        if self.lettrees:
            parts.append(f"{self.lettrees} lettrée(s)")
        return "RSP intégré : " + ", ".join(parts) + "."


class LettrageResult(DTO):
    invoice_id: int
    numero: int
    lettree: bool
    reste_cents: int


# --- helpers ------------------------------------------------------------------------------------------
def _euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d} €"


def _amount_fr(cents: int) -> str:
    """Amounts of the detail dialog, like every other amount of the app: "40,00", "-2,30" (the manual's
    screenshot shows "40"; consistency wins)."""
    return format_euros(cents)


def virement_label(line_1: str, line_2: str) -> str:
    """The two label lines of a NOEMIE virement as one readable libellé ("LIGNE 1 / LIGNE 2"); the file pads
    each line with spaces, so gluing them gave "...-038VIR AMO LIGNE 2"."""
    return " / ".join(p for p in (line_1.strip(), line_2.strip()) if p)


def _clean(text: object, limit: int = 255) -> str:
    """File text for a database column: control characters (a corrupt byte, a NUL PostgreSQL refuses) -> '?'."""
    s = "" if text is None else str(text)
    if not s.isprintable():
        s = "".join(c if c.isprintable() else "?" for c in s)
    return s[:limit]


def _day(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _title(label: str | None) -> str:
    """Spec label -> the manual's display ("Retenue sur prestation" -> "Retenue Sur Prestation")."""
    if not label:
        return ""
    words = label.split(" ")
    return " ".join(w if i and w in ("de", "du", "des", "d") else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _birth_fr(raw: str | None, today: date) -> str:
    """NOEMIE AAMMJJ -> "JJ/MM/AAAA" as text (lunar dates such as month 19 stay as they are)."""
    if not raw or len(raw) != 6 or not raw.isdigit():
        return raw or ""
    yy = int(raw[:2])
    century = 2000 if 2000 + yy <= today.year else 1900
    return f"{raw[4:]}/{raw[2:4]}/{century + yy}"


def _date_fr(value: object) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else ("" if value is None else str(value))


def _number8(text: str | None) -> str:
    """Organism numbers are shown on 8 digits ("00000010349000" -> "10349000")."""
    if text and text.isdigit():
        return text.lstrip("0").zfill(8)
    return text or ""


def _ranges(numbers: Iterable[int]) -> str:
    """[1, 2, 3, 7] -> "1-3,7": compact and exact, for audit rows about many invoices."""
    out: list[str] = []
    start = prev = None
    for n in sorted(numbers):
        if prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(f"{start}-{prev}" if prev != start else str(start))
        start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else str(start))
    return ",".join(out)


def _executemany(db: pw.Database, sql: str, rows: list[tuple]) -> None:
    if not rows:
        return
    cursor = db.cursor()
    if isinstance(db, pw.PostgresqlDatabase):
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql, rows, page_size=1000)
    else:
        cursor.executemany(sql, rows)


def _insert(db: pw.Database, model: type[pw.Model], fields: list[pw.Field], rows: list[tuple]) -> None:
    """Bulk insert with one prepared statement: peewee's insert_many spends more time building the SQL
    text of 100 000 rows than SQLite spends storing them. Values are already database values (ints, str,
    None, dates, which both drivers adapt as peewee would)."""
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join([db.param] * len(fields))
    _executemany(db, f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})', rows)


# --- matching -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Inv:
    """An invoice as the import sees and changes it."""
    id: int
    number: int
    nir: str
    nir_key: str
    ro_expected: int
    rc_expected: int
    ro_paid: int
    rc_paid: int
    amo_state: str
    amc_state: str
    lettree: bool
    lots: dict[str, int]        # lot number -> lot id (AMO lot and DRE lot)
    touched: bool = False


def _without_act_lines(model: NoemieFile) -> NoemieFile:
    """The same file without its 210 actes: the import stores no line, and building 100 000 ActLine views
    for nothing costs a third of the typed views. 210 carries no amount, so every group keeps its cumul
    (seeded into the cached property, as the reader does)."""
    def prune(group: Group) -> Group:
        items, changed = [], False
        for item in group.items:
            if type(item) is Group:
                sub = prune(item)
                changed = changed or sub is not item
                items.append(sub)
            elif item[0] == "210":
                changed = True
            else:
                items.append(item)
        if not changed:
            return group
        lean = Group(group.niveau, tuple(items), group.control)
        lean.__dict__["amount"] = group.amount
        return lean

    with paused_gc():
        return NoemieFile(model.header, tuple(prune(g) for g in model.groups), model.trailer, model.layout)


def _rows(query: pw.Select) -> list[tuple]:
    return list(query.model._meta.database.execute_sql(*query.sql()).fetchall())


_INV_COLUMNS = (Invoice.id, Invoice.number, Assure.nir, Assure.nir_key, Invoice.ro_expected_cents,
                Invoice.rc_expected_cents, Invoice.ro_paid_cents, Invoice.rc_paid_cents, Invoice.amo_state,
                Invoice.amc_state, Invoice.lettree)


def _with_assure(query: pw.Select) -> pw.Select:
    return (query.join(Dossier, on=(Invoice.dossier == Dossier.id))
            .join(Beneficiaire, pw.JOIN.LEFT_OUTER, on=(Dossier.beneficiaire == Beneficiaire.id))
            .join(Assure, pw.JOIN.LEFT_OUTER, on=(Beneficiaire.assure == Assure.id)))


class _Matcher:
    """Invoices of the file's lots, loaded once: (lot number, invoice number) -> _Inv."""

    def __init__(self, store: str, payments: tuple[InvoicePayment, ...]) -> None:
        self.store = store
        self.invoices: dict[int, _Inv] = {}
        self.by_lot: dict[tuple[str, int], _Inv] = {}
        self.by_number: dict[int, _Inv | None] = {}
        lot_numbers = sorted({p.lot_number for p in payments if p.lot_number})
        for start in range(0, len(lot_numbers), _CHUNK):
            self._load_lots(lot_numbers[start:start + _CHUNK])
        missing = sorted({n for p in payments if (n := p.invoice_number_int) is not None
                          and (p.lot_number or "", n) not in self.by_lot})
        for start in range(0, len(missing), _CHUNK):
            self._load_numbers(missing[start:start + _CHUNK])

    def _inv(self, row: tuple) -> _Inv:
        inv = self.invoices.get(row[0])
        if inv is None:
            inv = self.invoices[row[0]] = _Inv(row[0], row[1], row[2] or "", row[3] or "", row[4] or 0, row[5] or 0,
                                               row[6] or 0, row[7] or 0, row[8] or "", row[9] or "", bool(row[10]),
                                               {})
        return inv

    def _load_lots(self, numbers: list[str]) -> None:
        for column in (Fse.lot, Fse.dre_lot):
            query = _with_assure(
                Fse.select(*_INV_COLUMNS, Lot.id, Lot.number)
                .join(Lot, on=(column == Lot.id)).switch(Fse).join(Invoice, on=(Fse.invoice == Invoice.id)))
            query = query.where((Lot.store == self.store) & (Invoice.store == self.store) & Lot.number.in_(numbers)) \
                .order_by(Lot.created_at, Lot.id)
            for row in _rows(query):
                inv = self._inv(row)
                inv.lots[row[12]] = row[11]           # the most recent lot of that number wins (ordered)
                self.by_lot[(row[12], row[1])] = inv

    def _load_numbers(self, numbers: list[int]) -> None:
        query = _with_assure(Invoice.select(*_INV_COLUMNS)).where(
            (Invoice.store == self.store) & Invoice.number.in_(numbers) & (Invoice.kind == "facture"))
        rows = _rows(query)
        for row in rows:
            self.by_number[row[1]] = self._inv(row)
        if rows:  # the lots those invoices really are in, for the anomaly message
            ids = [r[0] for r in rows]
            for column in (Fse.lot, Fse.dre_lot):
                for inv_id, lot_id, lot_number in _rows(Fse.select(Fse.invoice, Lot.id, Lot.number)
                                                        .join(Lot, on=(column == Lot.id))
                                                        .where(Fse.invoice.in_(ids)).order_by(Lot.created_at, Lot.id)):
                    self.invoices[inv_id].lots.setdefault(lot_number, lot_id)

    def find(self, lot: str | None, number: int | None) -> tuple[_Inv | None, str]:
        """(invoice, anomaly reason or "")."""
        if number is None:
            return None, ""
        inv = self.by_lot.get((lot or "", number))
        if inv is not None:
            return inv, ""
        inv = self.by_number.get(number)
        if inv is None:
            return None, ""
        if not lot:
            return inv, ""  # a return without lot (e.g. paper invoices): the number alone decides
        where = ", ".join(sorted(inv.lots)) or "aucun lot"
        return inv, f"Lot {lot} du retour différent du lot de la facture ({where})"


# --- the import -----------------------------------------------------------------------------------------
_PAYMENT_FIELDS = [Payment.invoice, Payment.rsp_import, Payment.virement, Payment.part, Payment.organisme,
                   Payment.billed_cents, Payment.paid_cents, Payment.state, Payment.date]
_REJECT_FIELDS = [Reject.invoice, Reject.rsp_import, Reject.date, Reject.traitement, Reject.part, Reject.code,
                  Reject.label, Reject.prestation, Reject.date_soins, Reject.niveau, Reject.execution]
_PART_LABELS = {"O": "AMO", "C": "AMC"}


class _Import:
    def __init__(self, ctx: ServiceContext, name: str, digest: str, model: NoemieFile, actor: str) -> None:
        self.ctx, self.name, self.digest, self.model, self.actor = ctx, name, digest, model, actor
        self.now = ctx.clock.now()
        self.today = ctx.clock.today()
        created = _day(model.created)
        self.file_day = created or self.today
        self.emitter = _number8(model.emitter)
        self.unmatched: list[UnmatchedItem] = []
        self.payments: list[tuple] = []
        self.rejects: list[tuple] = []
        self.paid_cents = 0
        self.lot_ids: set[int] = set()
        self.matched = 0
        self.anomalous: set[int] = set()

    # -- facture by facture --
    def _part(self, inv: _Inv, p: InvoicePayment, amo: bool, anomaly: str, vir_id: int | None, on: date) -> None:
        part = p.amo if amo else p.amc
        if part is None or part.state is PaymentState.NOT_PROCESSED:
            return
        expected = inv.ro_expected if amo else inv.rc_expected
        if amo:
            inv.ro_paid += part.paid
            total = inv.ro_paid
        else:
            inv.rc_paid += part.paid
            total = inv.rc_paid
        reason = anomaly
        if part.state is PaymentState.REJECTED:
            state = REJETE
        elif part.state is PaymentState.DEFERRED:
            state = DIFFERE
        elif part.requested != expected:
            reason = reason or (f"Montant {'AMO' if amo else 'AMC'} demandé {_euros(part.requested)} différent du "
                                f"montant attendu {_euros(expected)}")
            state = ANOMALIE
        elif total != expected:
            reason = reason or (f"Montant {'AMO' if amo else 'AMC'} payé {_euros(total)} au total pour "
                                f"{_euros(expected)} attendus")
            state = ANOMALIE
        else:
            state = PAYE
        if reason:
            state = ANOMALIE
            if inv.id not in self.anomalous:
                self.anomalous.add(inv.id)
                self.unmatched.append(UnmatchedItem(
                    invoice_number=p.invoice_number, lot=p.lot_number or "", nir=(p.nir or "") + (p.nir_key or ""),
                    invoice_id=inv.id, reason=_clean(reason), requested_cents=p.requested, paid_cents=p.paid,
                    offset=p.offset))
        if amo:
            inv.amo_state = state
        else:
            inv.amc_state = state
        organisme = (p.payer or self.emitter) if amo else (part.organism or p.payer or "")
        self.payments.append((inv.id, self.import_id, vir_id, "AMO" if amo else "AMC", _clean(organisme),
                              part.requested, part.paid, REGULARISATION if part.paid < 0 else state, on))
        self.paid_cents += part.paid

    def _facture(self, p: InvoicePayment, matcher: _Matcher) -> None:
        inv, anomaly = matcher.find(p.lot_number, p.invoice_number_int)
        if inv is None:
            self.unmatched.append(UnmatchedItem(
                invoice_number=_clean(p.invoice_number), lot=_clean(p.lot_number or ""),
                nir=_clean((p.nir or "") + (p.nir_key or "")), reason=f"Facture inconnue : aucune facture n° "
                f"{_clean(p.invoice_number)}" + (f" dans le lot {_clean(p.lot_number)}" if p.lot_number else ""),
                requested_cents=p.requested, paid_cents=p.paid,
                rejects=tuple(_clean(f"{r.display_code} {r.label}") for r in p.rejects), offset=p.offset))
            return
        self.matched += 1
        if not anomaly and p.lot_number and p.lot_number in inv.lots:
            self.lot_ids.add(inv.lots[p.lot_number])  # the lot was answered, even if the NIR below differs
        if not anomaly and (p.nir, p.nir_key) != (inv.nir, inv.nir_key):
            anomaly = (f"NIR du retour {_clean((p.nir or '') + ' ' + (p.nir_key or ''))} différent de celui de "
                       f"la facture {inv.nir} {inv.nir_key}")
        inv.touched = True
        on = _day(p.accounting_date) or self.file_day
        vir_id = self.virement_ids[p.virement_index] if p.virement_index is not None else None
        self._part(inv, p, True, anomaly, vir_id, on)
        self._part(inv, p, False, anomaly, vir_id, on)
        if inv.rc_expected == 0 and inv.amc_state == "":
            inv.amc_state = NA
        states = {part.state for part in (p.amo, p.amc) if part is not None}
        traitement = ("Rejet" if PaymentState.REJECTED in states else
                      "Différé" if PaymentState.DEFERRED in states else "Signalement")
        for r in p.rejects:
            self.rejects.append((inv.id, self.import_id, on, traitement, _PART_LABELS.get(r.part or "", ""),
                                 _clean(r.display_code), _clean(r.label, 1000), _clean(r.prestation or ""),
                                 _day(r.care_date), _clean(r.level or ""), _clean(r.executant or "0")))

    # -- virements, mouvements, ponctuels --
    def _virements(self) -> None:
        self.virement_ids: list[int] = []
        for v in self.model.virements:
            row = Virement.create(store=self.ctx.store, rsp_import=self.import_id,
                                  date=_day(v.accounting_date) or self.file_day, libelle=_clean(virement_label(v.label_1, v.label_2)),
                                  organisme_payeur=_clean(v.payer or self.emitter),
                                  reference=_clean(f"{self.model.file_id}-{v.index + 1}"), amount_cents=v.total)
            self.virement_ids.append(row.id)

    def _vir(self, index: int | None) -> tuple[int | None, object]:
        if index is None:
            return None, None
        return self.virement_ids[index], self.model.virements[index]

    def _movements(self) -> tuple[int, int]:
        count = total = 0
        for m in self.model.movements:
            vir_id, vir = self._vir(m.virement_index)
            nature_dette = _clean(_title(m.debt_nature_label) or m.debt_nature)
            operation = _clean(_title(m.operation_label) or m.operation)
            MouvementFinancier.create(virement=vir_id, reference_dette=_clean(m.debt_reference),
                                      date_dette=_day(m.debt_date), nature_dette=nature_dette,
                                      nature_operation=operation, amount_cents=m.amount, solde_cents=m.balance or 0)
            count += 1
            total += m.amount
            if m.is_retenue:
                on = _day(m.accounting_date) or self.file_day
                payer = _clean(getattr(vir, "payer", None) or self.emitter)
                fields = [("Date comptable", _date_fr(on)), ("Ref. Dette", _clean(m.debt_reference)),
                          ("Date dette", _date_fr(_day(m.debt_date))), ("Nature dette", nature_dette),
                          ("Nature des Opérations", operation), ("Mt Retenue", _amount_fr(m.amount)),
                          ("Montant solde", _amount_fr(m.balance or 0)),
                          ("Libellé virement 1", _clean(getattr(vir, "label_1", ""))),
                          ("Libellé virement 2", _clean(getattr(vir, "label_2", ""))),
                          ("Montant virement", _amount_fr(getattr(vir, "total", 0))),
                          ("Numéro émetteur", payer), ("Numéro destinataire", _clean(self.model.recipient))]
                OperationPonctuelle.create(
                    store=self.ctx.store, virement=vir_id, rsp_import=self.import_id, kind="retenue", date_comptable=on,
                    organisme=payer, code="", libelle=operation, amount_cents=m.amount,
                    reference_dette=_clean(m.debt_reference), nature=operation,
                    details={"fields": [list(f) for f in fields]})
        return count, total

    def _ponctuels(self) -> tuple[int, int]:
        count = total = 0
        header = self.model.header
        recipient_type = str(header.value("recipient_type") or "")
        for o in self.model.one_off_payments:
            vir_id, vir = self._vir(o.virement_index)
            on = _day(o.accounting_date) or self.file_day
            payer = _clean(getattr(vir, "payer", None) or self.emitter)
            details = o.details or (None,)
            for d in details:
                amount = d.amount if d is not None else o.amount
                nir = f"{d.nir or ''} {d.nir_key or ''}".strip() if d is not None else ""
                birth = _birth_fr(d.birth_date, self.today) if d is not None else ""
                rank = (d.birth_rank or "") if d is not None else ""
                period = (d.period_label or d.period).upper() if d is not None else ""
                fields = [
                    ("Date comptable", _date_fr(on)), ("NIR", _clean(nir)), ("Date naissance", _clean(birth)),
                    ("Rang", _clean(rank) or "Inconnu"), ("Bénéficiaire", ""),
                    ("Type Retour", _title(RETURN_TYPES.get(o.return_type or "", o.return_type or ""))),
                    ("Risque", "Maladie"),  # INFERRED: a 261/262 carries no nature d'assurance
                    ("Lien archivage", ""), ("Libellé virement 1", _clean(getattr(vir, "label_1", ""))),
                    ("Libellé virement 2", _clean(getattr(vir, "label_2", ""))),
                    ("Total paiement", _amount_fr(amount)), ("Numéro émetteur", payer),
                    ("Numéro destinataire", _clean(self.model.recipient)),
                    ("Type destinataire", _title(ORGANISM_TYPES.get(recipient_type, recipient_type))),
                    ("Numéro destinataire RegL", _clean((getattr(vir, "settlement_recipient", None) or "")[-14:])),
                    ("Total RO", ""), ("Total RC", ""), ("Total Autre", _amount_fr(amount)), ("Libellé 1er rejet", ""),
                ]
                OperationPonctuelle.create(
                    store=self.ctx.store, virement=vir_id, rsp_import=self.import_id, kind="paiement",
                    date_comptable=on, organisme=payer, code=_clean(d.code if d is not None else o.payment_code or ""),
                    libelle=_clean(d.label if d is not None else ""), amount_cents=amount, periode=_clean(period),
                    debut=_day(d.period_start) if d is not None else None,
                    fin=_day(d.period_end) if d is not None else None, nir=_clean(nir), birth_date=_clean(birth),
                    rang=_clean(rank), details={"fields": [list(f) for f in fields],
                                                "montant_virement": getattr(vir, "total", 0),
                                                "code_paiement": _clean(o.payment_code or "")})
                count += 1
                total += amount
        return count, total

    # -- lots, invoices, lettrage --
    def _lots(self) -> tuple[list[str], list[str]]:
        moved, unchanged = [], []
        for lot in Lot.select().where(Lot.id.in_(sorted(self.lot_ids))).order_by(Lot.id) if self.lot_ids else ():
            label = f"{lot.number} ({lot.org_dest})"
            if lot.state == LotState.ARL_POSITIF.value:
                apply_transition(self.ctx, lot, LotState.RSP, at=self.now, reason=_clean(f"retour NOEMIE {self.name}"))
            if lot.state == LotState.RSP.value:
                Lot.update(received_on=self.today).where(Lot.id == lot.id).execute()
                moved.append(label)
            else:
                unchanged.append(f"{lot.number} ({lot.state})")
        return moved, unchanged

    def _lettrage(self, invoices: list[_Inv]) -> list[_Inv]:
        from core.services.settings import SettingsService

        if not SettingsService(self.ctx).get().teletransmission.lettrage_auto:
            return []
        done = []
        for inv in invoices:
            if (not inv.lettree and inv.ro_paid == inv.ro_expected and inv.rc_paid == inv.rc_expected
                    and inv.ro_expected + inv.rc_expected > 0 and inv.amo_state in _SETTLED_STATES
                    and inv.amc_state in _SETTLED_STATES and PAYE in (inv.amo_state, inv.amc_state)):
                inv.lettree = True
                done.append(inv)
        return done

    def _update_invoices(self, invoices: list[_Inv]) -> None:
        db = self.ctx.db
        p = db.param
        sql = (f'UPDATE "{Invoice._meta.table_name}" SET "ro_paid_cents" = {p}, "rc_paid_cents" = {p}, '
               f'"amo_state" = {p}, "amc_state" = {p}, "lettree" = {p}, "updated_at" = {p} WHERE "id" = {p}')
        now = Invoice.updated_at.db_value(self.now)
        yes, no = Invoice.lettree.db_value(True), Invoice.lettree.db_value(False)
        _executemany(db, sql, [(i.ro_paid, i.rc_paid, i.amo_state, i.amc_state, yes if i.lettree else no, now, i.id)
                               for i in invoices])

    def run(self) -> ImportSummary:
        model = self.model
        payments = model.payments
        record = RspImport.create(store=self.ctx.store, file_name=_clean(self.name), sha256=self.digest,
                                  imported_at=self.now, status="imported")
        self.import_id = record.id
        self._virements()
        matcher = _Matcher(self.ctx.store, payments)
        for p in payments:
            self._facture(p, matcher)
        for r in model.rejects:
            if r.invoice_number is None:
                self.unmatched.append(UnmatchedItem(lot=_clean(r.lot_number or ""), offset=r.offset,
                                                    reason=_clean(f"Rejet hors facture : {r.display_code} {r.label}")))
        _insert(self.ctx.db, Payment, _PAYMENT_FIELDS, self.payments)
        _insert(self.ctx.db, Reject, _REJECT_FIELDS, self.rejects)
        mouvements, mouvements_cents = self._movements()
        ponctuels, ponctuels_cents = self._ponctuels()
        touched = [inv for inv in matcher.invoices.values() if inv.touched]
        lettrees = self._lettrage(touched)
        self._update_invoices(touched)
        moved, unchanged = self._lots()
        RspImport.update(invoices=len(payments), payments_cents=self.paid_cents).where(
            RspImport.id == record.id).execute()
        states = [(i.amo_state, i.amc_state) for i in touched]
        summary = ImportSummary(
            file_name=self.name, sha256=self.digest, status="imported", import_id=record.id, imported_at=self.now,
            reference=_clean(model.reference), invoices=len(payments), matched=self.matched,
            paid=sum(1 for s in states if PAYE in s), rejected=sum(1 for s in states if REJETE in s),
            deferred=sum(1 for s in states if DIFFERE in s), anomalies=sum(1 for s in states if ANOMALIE in s),
            payments=len(self.payments), paid_cents=self.paid_cents, rejects=len(self.rejects),
            virements=len(model.virements), virements_cents=sum(v.total for v in model.virements),
            mouvements=mouvements, mouvements_cents=mouvements_cents, ponctuels=ponctuels,
            ponctuels_cents=ponctuels_cents, lots=tuple(moved), lots_unchanged=tuple(unchanged),
            lettrees=len(lettrees), unmatched=tuple(self.unmatched))
        self.ctx.audit("retours.import", entity="rsp_import", entity_id=record.id, actor=self.actor, details={
            "fichier": summary.file_name, "sha256": self.digest, "reference": summary.reference,
            "factures": summary.invoices, "rapprochees": summary.matched, "paiements": summary.payments,
            "montant_paye_cents": summary.paid_cents, "rejets": summary.rejects, "virements": summary.virements,
            "lots": list(moved), "non_rapprochees": [u.model_dump(exclude_defaults=True) for u in self.unmatched]})
        if lettrees:
            self.ctx.audit("retours.lettrage_auto", entity="rsp_import", entity_id=record.id, actor=self.actor,
                           details={"factures": len(lettrees), "numeros": _ranges(i.number for i in lettrees)})
        return summary


# --- the service --------------------------------------------------------------------------------------
class ReturnsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def import_rsp(self, name: str, data: bytes, *, actor: str = "") -> ImportSummary:
        """Integrate one RSP file (see the module doc). Never raises for a bad file: status "rejected"."""
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        prior = self._prior(name, digest)
        if prior is not None and prior.status == "already_imported":
            return prior
        # A file rejected before is read again: it may pass now (e.g. the PS number was corrected).
        # The file's tree is millions of acyclic objects: the cyclic collector would walk them again and again
        # between the steps for nothing (paused_gc restores it; a collection is only delayed).
        with paused_gc():
            try:
                model = _without_act_lines(read_noemie(data))
                model.payments  # noqa: B018 - build the views now: a surprise is a file problem, before writing
                self._check_recipient(model)
            except (FormatError, ValidationError) as exc:
                return self._reject(name, digest, exc)
            try:
                with self.ctx.write():
                    RspImport.delete().where((RspImport.sha256 == digest) & (RspImport.status == "rejected")) \
                        .execute()  # the earlier verdict, which holds nothing else
                    if RspImport.select().where(RspImport.sha256 == digest).exists():
                        raise _Again()
                    return _Import(self.ctx, name, digest, model, actor).run()
            except _Again:
                prior = self._prior(name, digest)
                assert prior is not None
                return prior

    def lettrer(self, invoice_id: int, *, actor: str = "") -> LettrageResult:
        """Lettrage manuel of one invoice (after a payment outside the RSP, or a manual treatment)."""
        ctx = self.ctx
        with ctx.write():
            inv = Invoice.get_or_none((Invoice.id == invoice_id) & (Invoice.store == ctx.store))
            if inv is None:
                raise ValidationError("Facture introuvable.", log=f"lettrage: no invoice {invoice_id}",
                                      code="retours.introuvable")
            if inv.lettree:
                raise ValidationError(f"La facture N° {inv.number} est déjà lettrée.",
                                      log=f"lettrage: invoice {inv.number} already lettree", code="retours.lettree")
            reste = inv.ro_expected_cents + inv.rc_expected_cents - inv.ro_paid_cents - inv.rc_paid_cents
            Invoice.update(lettree=True, updated_at=ctx.clock.now()).where(Invoice.id == inv.id).execute()
            ctx.audit("retours.lettrage_manuel", entity="invoice", entity_id=inv.id, actor=actor, details={
                "numero": inv.number, "reste_du_cents": reste, "etat_amo": inv.amo_state, "etat_amc": inv.amc_state,
                "paye_cents": inv.ro_paid_cents + inv.rc_paid_cents})
        return LettrageResult(invoice_id=inv.id, numero=inv.number, lettree=True, reste_cents=reste)

    def recuperer(self, mailbox=None, on_progress: Callable[[str, int, int], None] | None = None):  # noqa: ANN001
        """"Récupération automatique Lots/RSPs": integrate the inbox (ARL and RSP files, in name order, so an
        ARL comes before the RSP of its lot) whatever the setting "Intégrer les fichiers RSP après
        télétransmission". Returns the télétransmission ReceptionResult."""
        from core.services.rsp_inbox import RspInboxHandler
        from core.services.teletransmission import TeletransmissionService

        service = TeletransmissionService(self.ctx, mailbox, inbox_handlers=(RspInboxHandler(self.ctx, force=True),))
        return service.recevoir_uniquement(on_progress)

    # -- internals --
    def _prior(self, name: str, digest: str) -> ImportSummary | None:
        row = RspImport.get_or_none(RspImport.sha256 == digest)
        if row is None:
            return None
        if row.status == "rejected":
            match = _OCTET.search(row.error or "")
            return ImportSummary(file_name=name, sha256=digest, status="rejected", import_id=row.id,
                                 imported_at=row.imported_at, error=row.error,
                                 error_offset=int(match.group(1)) if match else None)
        return ImportSummary(file_name=name, sha256=digest, status="already_imported", import_id=row.id,
                             imported_at=row.imported_at, invoices=row.invoices, paid_cents=row.payments_cents)

    def _check_recipient(self, model: NoemieFile) -> None:
        recipient = model.recipient.strip()
        if not recipient.isdigit() or not int(recipient):
            return
        ours = [n for (n,) in Practitioner.select(Practitioner.numero_am)
                .where(Practitioner.store == self.ctx.store).tuples() if n and n.isdigit()]
        if ours and int(recipient) not in {int(n) for n in ours}:
            raise ValidationError(f"Retour NOEMIE destiné à un autre professionnel de santé (n° {recipient}).",
                                  log=f"RSP for PS {recipient}, we are {ours}", code="retours.destinataire")

    def _reject(self, name: str, digest: str, exc: LunetierError) -> ImportSummary:
        message = exc.message_fr
        offset = getattr(exc, "offset", None)
        if offset is not None and f"octet {offset}" not in message:
            message = f"{message} (octet {offset})"
        now = self.ctx.clock.now()
        try:
            with self.ctx.write():
                row = RspImport.get_or_none(RspImport.sha256 == digest)
                if row is not None:  # the same bytes, rejected again: keep one record, with today's verdict
                    if row.status != "rejected":
                        raise _Again()
                    RspImport.update(error=message, imported_at=now, file_name=_clean(name)).where(
                        RspImport.id == row.id).execute()
                else:
                    row = RspImport.create(store=self.ctx.store, file_name=_clean(name), sha256=digest,
                                           imported_at=now, status="rejected", error=message)
        except _Again:
            prior = self._prior(name, digest)
            assert prior is not None
            return prior
        except pw.IntegrityError:  # another counter recorded the same bytes meanwhile
            prior = self._prior(name, digest)
            assert prior is not None
            return prior
        return ImportSummary(file_name=name, sha256=digest, status="rejected", import_id=row.id, imported_at=now,
                             error=message, error_offset=offset)


class _Again(Exception):
    """The same bytes were imported by another counter between the check and the write lock."""
