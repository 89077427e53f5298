"""Suivi Facturations (manual §VII): the list of transmitted invoices with their returns, the invoice detail
with its rejects, and the optician's hand actions on it.

    svc = SuiviService(ctx)
    page = svc.list_invoices(SuiviFilters(date_from=..., date_to=..., page=1))   # SuiviPage (rows + summary)
    detail = svc.invoice_detail(invoice_id)                                      # InvoiceDetail + rejects
    svc.traitement_manuel(invoice_id, "PEC renvoyée à la mutuelle", actor=...)   # audited
    svc.changer_etat(invoice_id, part="AMO", etat="Payé", reason=..., actor=...) # audited
    svc.lettrer(invoice_id, actor=...)         # delegates to ReturnsService.lettrer (audited there)

Reads are plain selects (no transaction needed); each hand action is one ctx.write() transaction holding the
change and its audit row. Which invoices are listed, the filters and the order: core/services/suivi_query.py.
"""
from __future__ import annotations

from collections.abc import Iterator

from peewee import JOIN, Case, fn

from core.errors import ValidationError
from core.models import (Assure, Beneficiaire, Client, Dossier, Fse, Invoice, Lot, Mutuelle, Organism, Payment,
                         Reject, Virement)
from core.services.base import ServiceContext
from core.services.reject_diagnosis import diagnose
from core.services.suivi_dto import (ETATS, NA, SECURISE, TROUBLE_STATES, InvoiceDetail, PaymentLine, RejectRow,
                                     SuiviFilters, SuiviPage, SuiviRow, SuiviSummary, worst_state)
from core.services.suivi_query import filtered, ordering, recu_le

__all__ = ["SuiviService", "MIN_REASON"]

MIN_REASON = 3          # characters: the same rule as the ReasonDialog
_EXPORT_CHUNK = 500

LotDre = Lot.alias("lot_dre")
MutuelleDre = Mutuelle.alias("mutuelle_dre")


def _org_code(regime: str | None, caisse: str | None, centre: str | None) -> str:
    return " ".join(x for x in (regime, caisse, centre) if x)


def _has_amc(rc_expected: int, amc_state: str) -> bool:
    return rc_expected > 0 or amc_state not in ("", NA)


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise ValidationError("Indiquez un motif (3 caractères au moins).", log="hand action without reason")
    return reason


class SuiviService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # --- list ---------------------------------------------------------------------------------------------
    def summary(self, filters: SuiviFilters) -> SuiviSummary:
        """'N dossiers dont M sécurisés en sesam vitale' of the filter, counted by the database."""
        sv = fn.SUM(Case(None, [(Fse.mode == "SV", 1)], 0))
        total, secured = filtered(self.ctx.store, filters, fn.COUNT(Invoice.id), sv).tuples().get()
        return SuiviSummary(dossiers=int(total or 0), securises_sv=int(secured or 0))

    def list_invoices(self, filters: SuiviFilters) -> SuiviPage:
        """One page of the list and the summary line. A page past the end gives the last page."""
        summary = self.summary(filters)
        pages = max(1, -(-summary.dossiers // filters.page_size))
        page = min(filters.page, pages)
        ids = [row[0] for row in filtered(self.ctx.store, filters, Invoice.id).order_by(*ordering())
               .limit(filters.page_size).offset((page - 1) * filters.page_size).tuples()]
        return SuiviPage(rows=tuple(self._rows(ids)), page=page, page_size=filters.page_size, summary=summary)

    def iter_rows(self, filters: SuiviFilters) -> Iterator[SuiviRow]:
        """Every row of the filter, in the list's order (exports), fetched in chunks."""
        ids = [row[0] for row in filtered(self.ctx.store, filters, Invoice.id).order_by(*ordering()).tuples()]
        for start in range(0, len(ids), _EXPORT_CHUNK):
            yield from self._rows(ids[start:start + _EXPORT_CHUNK])

    def _rows(self, ids: list[int]) -> list[SuiviRow]:
        if not ids:
            return []
        query = (Invoice.select(Invoice.id, Invoice.number, Invoice.date, Invoice.ro_expected_cents,
                                Invoice.rc_expected_cents, Invoice.ro_paid_cents, Invoice.rc_paid_cents,
                                Invoice.amo_state, Invoice.amc_state, Invoice.manual_treatment, Invoice.lettree,
                                Fse.mode, Lot.number, LotDre.number, Client.nom, Client.prenom, Organism.regime,
                                Organism.caisse, Organism.centre, Mutuelle.numero, MutuelleDre.numero)
                 .join(Fse, on=((Fse.invoice == Invoice.id) & (Fse.state == SECURISE)
                                & (Fse.lot.is_null(False) | Fse.dre_lot.is_null(False))))
                 .join(Lot, JOIN.LEFT_OUTER, on=(Fse.lot == Lot.id))
                 .switch(Fse).join(LotDre, JOIN.LEFT_OUTER, on=(Fse.dre_lot == LotDre.id))
                 .switch(Fse).join(Organism, JOIN.LEFT_OUTER, on=(Fse.organism == Organism.id))
                 .switch(Fse).join(MutuelleDre, JOIN.LEFT_OUTER, on=(Fse.dre_mutuelle == MutuelleDre.id))
                 .switch(Invoice).join(Dossier, on=(Invoice.dossier == Dossier.id))
                 .join(Client, on=(Dossier.client == Client.id))
                 .switch(Dossier).join(Mutuelle, JOIN.LEFT_OUTER, on=(Dossier.mutuelle_rc1 == Mutuelle.id))
                 .where(Invoice.id.in_(ids)).tuples())
        received = recu_le(ids)
        by_id: dict[int, SuiviRow] = {}
        for (iid, number, on, ro_exp, rc_exp, ro_paid, rc_paid, amo, amc, manuel, lettree, mode, lot, dre_lot, nom,
             prenom, regime, caisse, centre, amc_num, dre_num) in query:
            with_amc = _has_amc(rc_exp, amc)
            by_id[iid] = SuiviRow(
                invoice_id=iid, numero=number, recu_le=received.get(iid), client=f"{nom} {prenom}".strip(),
                date=on, lot=lot or "", dre_lot=dre_lot or "", attendu_cents=ro_exp + rc_exp,
                paye_cents=ro_paid + rc_paid, org_amo=_org_code(regime, caisse, centre),
                org_amc=(amc_num or dre_num or "—") if with_amc else "", etat_amo=amo or "",
                etat_amc=(amc or "") if with_amc else "", sv=mode or "", manuel=bool(manuel), lettree=bool(lettree))
        return [by_id[i] for i in ids if i in by_id]

    # --- detail -------------------------------------------------------------------------------------------
    def invoice_id(self, numero: int) -> int:
        """The id of invoice N° `numero` of this store (ValidationError when there is none)."""
        row = Invoice.get_or_none((Invoice.store == self.ctx.store) & (Invoice.number == numero))
        if row is None:
            raise ValidationError(f"Aucune facture N° {numero}.", log=f"no invoice number {numero}")
        return row.id

    def invoice_detail(self, invoice_id: int) -> InvoiceDetail:
        inv = self._invoice(invoice_id)
        fse = (Fse.select().where(Fse.invoice == inv.id)
               .order_by(Case(None, [(Fse.state == SECURISE, 0)], 1), Fse.id.desc()).first())
        dossier = Dossier.get_by_id(inv.dossier_id)
        client = Client.get_or_none(Client.id == dossier.client_id)
        benef = Beneficiaire.get_or_none(Beneficiaire.id == dossier.beneficiaire_id)
        assure = Assure.get_or_none(Assure.id == benef.assure_id) if benef else None
        lot = Lot.get_or_none(Lot.id == fse.lot_id) if fse and fse.lot_id else None
        dre_lot = Lot.get_or_none(Lot.id == fse.dre_lot_id) if fse and fse.dre_lot_id else None
        organism = Organism.get_or_none(Organism.id == fse.organism_id) if fse and fse.organism_id else None
        mutuelle_id = dossier.mutuelle_rc1_id or (fse.dre_mutuelle_id if fse else None)
        mutuelle = Mutuelle.get_or_none(Mutuelle.id == mutuelle_id) if mutuelle_id else None
        with_amc = _has_amc(inv.rc_expected_cents, inv.amc_state)
        rejects = tuple(
            RejectRow(date=r.date, traitement=r.traitement, part=r.part, code=r.code, libelle=r.label,
                      prestation=r.prestation, date_soins=r.date_soins, niveau=r.niveau, execution=r.execution,
                      diagnosis=diagnose(r.code, r.label))
            for r in Reject.select().where(Reject.invoice == inv.id).order_by(Reject.date, Reject.code, Reject.id))
        payments = tuple(
            PaymentLine(date=on, part=part, organisme=organisme, billed_cents=billed, paid_cents=paid, state=state,
                        virement=reference or "")
            for on, part, organisme, billed, paid, state, reference in
            Payment.select(Payment.date, Payment.part, Payment.organisme, Payment.billed_cents, Payment.paid_cents,
                           Payment.state, Virement.reference)
            .join(Virement, JOIN.LEFT_OUTER, on=(Payment.virement == Virement.id))
            .where(Payment.invoice == inv.id).order_by(Payment.date, Payment.id).tuples())
        payload = (fse.payload or {}) if fse else {}
        return InvoiceDetail(
            invoice_id=inv.id, numero=inv.number,
            etat_facture=worst_state(inv.amo_state, inv.amc_state if with_amc else ""), date=inv.date,
            attendu_cents=inv.ro_expected_cents + inv.rc_expected_cents,
            paye_cents=inv.ro_paid_cents + inv.rc_paid_cents, type_facture=inv.type_facture,
            total_cents=inv.total_cents, etat_fse=(lot.state if lot else (fse.state if fse else "")),
            norme=str(payload.get("noemie_reference", "")), lot=lot.number if lot else "",
            dre_lot=dre_lot.number if dre_lot else "", sv=fse.mode if fse else "",
            client=f"{client.nom} {client.prenom}".strip() if client else "",
            benef_nom=benef.nom if benef else (client.nom if client else ""),
            benef_prenom=benef.prenom if benef else (client.prenom if client else ""),
            nir=f"{assure.nir}{assure.nir_key}" if assure else "", rang=benef.rang if benef else 1,
            birth_date=benef.birth_date if benef else (client.birth_date if client else ""),
            amo_demande_cents=inv.ro_expected_cents, amo_paye_cents=inv.ro_paid_cents, etat_amo=inv.amo_state,
            amc_demande_cents=inv.rc_expected_cents, amc_paye_cents=inv.rc_paid_cents,
            etat_amc=inv.amc_state or NA,
            org_amo=_org_code(organism.regime, organism.caisse, organism.centre) if organism else "",
            org_amc=(mutuelle.numero if mutuelle else "") if with_amc else "",
            manuel=inv.manual_treatment, manuel_motif=inv.manual_reason, lettree=inv.lettree,
            updated_at=inv.updated_at, rejects=rejects, payments=payments)

    def _invoice(self, invoice_id: int) -> Invoice:
        inv = Invoice.get_or_none((Invoice.id == invoice_id) & (Invoice.store == self.ctx.store))
        if inv is None:
            raise ValidationError("Facture introuvable (supprimée ou d'une autre boutique).",
                                  log=f"no invoice id {invoice_id} in store {self.ctx.store}")
        return inv

    # --- hand actions -------------------------------------------------------------------------------------
    def traitement_manuel(self, invoice_id: int, reason: str, *, actor: str = "") -> InvoiceDetail:
        """"Traitement manuel": the optician dealt with a reject outside the flow (ex. sent the PEC n° to
        the mutuelle). The invoice is flagged (filter "Facture traitée manuellement"); its states stay."""
        reason = _reason(reason)
        with self.ctx.write():
            inv = self._invoice(invoice_id)
            if inv.manual_treatment:
                raise ValidationError(f"La facture N° {inv.number} est déjà traitée manuellement.",
                                      log=f"invoice {inv.number} already treated by hand")
            if not any(s in TROUBLE_STATES for s in (inv.amo_state, inv.amc_state)):
                raise ValidationError(
                    f"La facture N° {inv.number} n'est ni rejetée, ni différée, ni en anomalie "
                    f"(état {worst_state(inv.amo_state, inv.amc_state)}) : rien à traiter manuellement.",
                    log=f"invoice {inv.number} not in trouble ({inv.amo_state}/{inv.amc_state})")
            Invoice.update(manual_treatment=True, manual_reason=reason, updated_at=self.ctx.clock.now()) \
                .where(Invoice.id == inv.id).execute()
            self.ctx.audit("facture.traitement_manuel", entity="invoice", entity_id=inv.id, actor=actor, details={
                "numero": inv.number, "motif": reason, "etat_amo": inv.amo_state, "etat_amc": inv.amc_state})
        return self.invoice_detail(invoice_id)

    def changer_etat(self, invoice_id: int, *, part: str, etat: str, reason: str, actor: str = "") -> InvoiceDetail:
        """Change the state of the AMO or AMC part by hand (ex. "Payé" once the organism paid outside the
        RSP, manual §VII); the lettrage manuel comes after."""
        reason = _reason(reason)
        if part not in ("AMO", "AMC"):
            raise ValidationError("Part inconnue : AMO ou AMC.", log=f"bad part {part!r}")
        if etat not in ETATS:
            raise ValidationError(f"État inconnu : « {etat} ».", log=f"bad state {etat!r}")
        with self.ctx.write():
            inv = self._invoice(invoice_id)
            current = inv.amo_state if part == "AMO" else inv.amc_state
            if part == "AMC" and not _has_amc(inv.rc_expected_cents, inv.amc_state):
                raise ValidationError(f"La facture N° {inv.number} n'a pas de part AMC.",
                                      log=f"invoice {inv.number} has no AMC part")
            if current == etat:
                raise ValidationError(f"La part {part} de la facture N° {inv.number} est déjà « {etat} ».",
                                      log=f"invoice {inv.number} {part} already {etat}")
            field = Invoice.amo_state if part == "AMO" else Invoice.amc_state
            Invoice.update({field: etat, Invoice.updated_at: self.ctx.clock.now()}) \
                .where(Invoice.id == inv.id).execute()
            self.ctx.audit("facture.changement_etat", entity="invoice", entity_id=inv.id, actor=actor, details={
                "numero": inv.number, "part": part, "de": current, "vers": etat, "motif": reason})
        return self.invoice_detail(invoice_id)

    def lettrer(self, invoice_id: int, *, actor: str = "") -> InvoiceDetail:
        """Lettrage manuel: ReturnsService.lettrer does it (one rule, one audit action for both screens)."""
        from core.services.returns import ReturnsService

        ReturnsService(self.ctx).lettrer(invoice_id, actor=actor)
        return self.invoice_detail(invoice_id)
