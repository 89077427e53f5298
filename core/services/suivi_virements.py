"""Suivi Virements (manual §IX) and Op. Ponctuelles (§X): read-only queries over the rows the RSP import
writes (Virement, Payment, MouvementFinancier, OperationPonctuelle).

    svc = VirementsService(ctx)
    svc.list_virements(VirementFilters(date_from=..., date_to=...))   # Date, Libellé, Organisme payeur, Payé
    svc.virement_detail(virement_id)      # tabs Paiements et Régularisations / Paiements ponctuels /
                                          # Retenues ponctuelles + Mouvements Financiers
    svc.list_operations(OperationFilters(kind="paiement" | "retenue", ...))
    svc.operation_detail(operation_id)    # "Détail opération ponctuelle": (Information, Valeur) rows

A virement's "Paiements et Régularisations" groups its payments by invoice, payments and régularisations
(negative amounts, manual IX: -4,69 / -0,83) on separate lines, AMO and AMC side by side.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from peewee import JOIN, fn
from pydantic import Field

from core.domain.money import format_euros
from core.errors import ValidationError
from core.models import Client, Dossier, Invoice, MouvementFinancier, OperationPonctuelle, Payment, Virement
from core.services.base import DTO, ServiceContext

__all__ = ["VirementsService", "VirementFilters", "VirementRow", "VirementsPage", "VirementDetail",
           "VirementInvoiceRow", "MouvementRow", "OperationFilters", "OperationRow", "OperationsPage",
           "OperationDetail"]

Kind = Literal["paiement", "retenue"]


def _check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationError("La date de début de la recherche est après la date de fin.",
                              log=f"date range reversed {date_from} > {date_to}")


def _date_fr(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


# --- DTOs ---------------------------------------------------------------------------------------------
class VirementFilters(DTO):
    date_from: date | None = None
    date_to: date | None = None
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=50, ge=1, le=500)


class VirementRow(DTO):
    virement_id: int
    date: date
    libelle: str
    organisme_payeur: str
    amount_cents: int
    reference: str = ""


class VirementsPage(DTO):
    rows: tuple[VirementRow, ...]
    page: int
    page_size: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


class VirementInvoiceRow(DTO):
    """One line of "Paiement(s)/Régularisation(s)": Facture / AMO / AMC."""
    invoice_id: int
    numero: int
    date: date
    client: str
    amo_organisme: str = ""
    amo_facture_cents: int = 0
    amo_paye_cents: int = 0
    amc_organisme: str = ""
    amc_facture_cents: int = 0
    amc_paye_cents: int = 0
    regularisation: bool = False


class MouvementRow(DTO):
    reference_dette: str
    date_dette: date | None
    nature_dette: str
    nature_operation: str
    amount_cents: int
    solde_cents: int


class OperationRow(DTO):
    """A row of Op. Ponctuelles (Paiements or Retenues list), also the ponctual tabs of a virement."""
    operation_id: int
    kind: str
    date_comptable: date
    organisme: str
    code: str = ""
    libelle: str = ""
    amount_cents: int
    periode: str = ""
    debut: date | None = None
    fin: date | None = None
    nir: str = ""
    reference_dette: str = ""
    nature: str = ""
    virement_libelle: str = ""
    virement_cents: int | None = None


class VirementDetail(DTO):
    virement: VirementRow
    paiements: tuple[VirementInvoiceRow, ...]
    paiements_ponctuels: tuple[OperationRow, ...]
    retenues_ponctuelles: tuple[OperationRow, ...]
    mouvements: tuple[MouvementRow, ...]


class OperationFilters(DTO):
    kind: Kind = "paiement"
    date_from: date | None = None
    date_to: date | None = None
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=50, ge=1, le=500)


class OperationsPage(DTO):
    kind: Kind
    rows: tuple[OperationRow, ...]
    page: int
    page_size: int
    total: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


class OperationDetail(DTO):
    """"Détail opération ponctuelle": (Information, Valeur) in the manual's order."""
    operation: OperationRow
    fields: tuple[tuple[str, str], ...]


# --- service ------------------------------------------------------------------------------------------
class VirementsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- Suivi Virements --
    def list_virements(self, filters: VirementFilters) -> VirementsPage:
        _check_range(filters.date_from, filters.date_to)
        where = Virement.store == self.ctx.store
        if filters.date_from:
            where &= Virement.date >= filters.date_from
        if filters.date_to:
            where &= Virement.date <= filters.date_to
        total = Virement.select(fn.COUNT(Virement.id)).where(where).scalar() or 0
        pages = max(1, -(-total // filters.page_size))
        page = min(filters.page, pages)
        rows = (Virement.select().where(where).order_by(Virement.date, Virement.id)
                .limit(filters.page_size).offset((page - 1) * filters.page_size))
        return VirementsPage(rows=tuple(self._virement_row(v) for v in rows), page=page,
                             page_size=filters.page_size, total=int(total))

    @staticmethod
    def _virement_row(v: Virement) -> VirementRow:
        return VirementRow(virement_id=v.id, date=v.date, libelle=v.libelle, organisme_payeur=v.organisme_payeur,
                           amount_cents=v.amount_cents, reference=v.reference)

    def virement_detail(self, virement_id: int) -> VirementDetail:
        v = Virement.get_or_none((Virement.id == virement_id) & (Virement.store == self.ctx.store))
        if v is None:
            raise ValidationError("Virement introuvable.", log=f"no virement {virement_id} in {self.ctx.store}")
        operations = [self._operation_row(o, v) for o in OperationPonctuelle.select()
                      .where(OperationPonctuelle.virement == v.id)
                      .order_by(OperationPonctuelle.date_comptable, OperationPonctuelle.id)]
        mouvements = tuple(
            MouvementRow(reference_dette=m.reference_dette, date_dette=m.date_dette, nature_dette=m.nature_dette,
                         nature_operation=m.nature_operation, amount_cents=m.amount_cents, solde_cents=m.solde_cents)
            for m in MouvementFinancier.select().where(MouvementFinancier.virement == v.id)
            .order_by(MouvementFinancier.id))
        return VirementDetail(virement=self._virement_row(v), paiements=self._invoice_rows(v.id),
                              paiements_ponctuels=tuple(o for o in operations if o.kind == "paiement"),
                              retenues_ponctuelles=tuple(o for o in operations if o.kind == "retenue"),
                              mouvements=mouvements)

    @staticmethod
    def _invoice_rows(virement_id: int) -> tuple[VirementInvoiceRow, ...]:
        query = (Payment.select(Payment.invoice, Invoice.number, Invoice.date, Client.nom, Client.prenom,
                                Payment.part, Payment.organisme, Payment.billed_cents, Payment.paid_cents)
                 .join(Invoice, on=(Payment.invoice == Invoice.id))
                 .join(Dossier, on=(Invoice.dossier == Dossier.id))
                 .join(Client, JOIN.LEFT_OUTER, on=(Dossier.client == Client.id))
                 .where(Payment.virement == virement_id).order_by(Invoice.number, Payment.id).tuples())
        lines: dict[tuple[int, bool], dict] = {}
        for invoice_id, number, on, nom, prenom, part, organisme, billed, paid in query:
            key = (invoice_id, paid < 0)
            line = lines.setdefault(key, {"invoice_id": invoice_id, "numero": number, "date": on,
                                          "client": f"{nom or ''} {prenom or ''}".strip(),
                                          "regularisation": paid < 0})
            side = "amo" if part == "AMO" else "amc"
            line[f"{side}_organisme"] = organisme
            line[f"{side}_facture_cents"] = line.get(f"{side}_facture_cents", 0) + billed
            line[f"{side}_paye_cents"] = line.get(f"{side}_paye_cents", 0) + paid
        return tuple(VirementInvoiceRow(**line) for line in lines.values())

    # -- Op. Ponctuelles --
    def list_operations(self, filters: OperationFilters) -> OperationsPage:
        _check_range(filters.date_from, filters.date_to)
        op = OperationPonctuelle
        where = (op.store == self.ctx.store) & (op.kind == filters.kind)
        if filters.date_from:
            where &= op.date_comptable >= filters.date_from
        if filters.date_to:
            where &= op.date_comptable <= filters.date_to
        total = op.select(fn.COUNT(op.id)).where(where).scalar() or 0
        pages = max(1, -(-total // filters.page_size))
        page = min(filters.page, pages)
        rows = (op.select(op, Virement).join(Virement, JOIN.LEFT_OUTER, on=(op.virement == Virement.id))
                .where(where).order_by(op.date_comptable, op.id)
                .limit(filters.page_size).offset((page - 1) * filters.page_size))
        return OperationsPage(kind=filters.kind, rows=tuple(self._operation_row(o, o.virement) for o in rows),
                              page=page, page_size=filters.page_size, total=int(total))

    @staticmethod
    def _operation_row(o: OperationPonctuelle, v: Virement | None) -> OperationRow:
        return OperationRow(
            operation_id=o.id, kind=o.kind, date_comptable=o.date_comptable, organisme=o.organisme, code=o.code,
            libelle=o.libelle, amount_cents=o.amount_cents, periode=o.periode, debut=o.debut, fin=o.fin, nir=o.nir,
            reference_dette=o.reference_dette, nature=o.nature, virement_libelle=v.libelle if v else "",
            virement_cents=v.amount_cents if v else None)

    def operation_detail(self, operation_id: int) -> OperationDetail:
        op = OperationPonctuelle
        o = (op.select(op, Virement).join(Virement, JOIN.LEFT_OUTER, on=(op.virement == Virement.id))
             .where((op.id == operation_id) & (op.store == self.ctx.store)).first())
        if o is None:
            raise ValidationError("Opération ponctuelle introuvable.", log=f"no operation {operation_id}")
        row = self._operation_row(o, o.virement if o.virement_id else None)
        stored = (o.details or {}).get("fields") if isinstance(o.details, dict) else None
        if stored:
            fields = tuple((str(label), "" if value is None else str(value)) for label, value in stored)
        else:
            fields = _fallback_fields(row)
        return OperationDetail(operation=row, fields=fields)


def _fallback_fields(row: OperationRow) -> tuple[tuple[str, str], ...]:
    """The detail built from the columns when the import stored no field list (older rows)."""
    amount = format_euros(row.amount_cents)
    if row.kind == "retenue":
        return (("Date comptable", _date_fr(row.date_comptable)), ("Ref. Dette", row.reference_dette),
                ("Nature des Opérations", row.nature), ("Mt Retenue", amount),
                ("Libellé virement", row.virement_libelle), ("Numéro émetteur", row.organisme))
    return (("Date comptable", _date_fr(row.date_comptable)), ("NIR", row.nir), ("Code", row.code),
            ("Libellé", row.libelle), ("Période", row.periode), ("Début", _date_fr(row.debut)),
            ("Fin", _date_fr(row.fin)), ("Total paiement", amount), ("Libellé virement", row.virement_libelle),
            ("Numéro émetteur", row.organisme))
