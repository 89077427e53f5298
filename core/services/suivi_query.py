"""SQL of the Suivi Facturations list: which invoices are "dossiers", the filters, the order, the page.

A *dossier* of Suivi Facturations (core/demo_data.py docstring) is an invoice of the store whose FSE is
"Sécurisé" and was put in a lot (AMO lot, or DRE lot for a DRE-only invoice); it is *sécurisé en SESAM-Vitale*
when that FSE's mode is "SV" (not "DEG"). One secured FSE per invoice: the engine refuses a second one under
the same number (DOMAIN 4.5), so the join below never duplicates an invoice.

Order: Date Fct newest first, then N° Facture (then the row id), so that paging is stable and served by the
(store, date, number) index of migration 0002. The manual's screenshot is ordered by "Reçu le" instead, but
"Reçu le" is not stored: it is the latest RSP import of the invoice's payments and rejects, and ordering by
it had to compute it for every invoice of the search (measured on 200 000 invoices: 125 ms for one year,
1.4 s for all, against < 15 ms here). "Reçu le" is computed for the rows of the page only.
The lot filter is a sub-query driven from the lot (fse.lot_id index); people filters choose between two plans
depending on the date range (see `_narrow`).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import peewee
from peewee import fn

from core.models import Assure, Beneficiaire, Client, Dossier, Fse, Invoice, Lot, Payment, Reject, RspImport
from core.services.suivi_dto import ETATS, REJETE, SECURISE, SuiviFilters
from core.errors import ValidationError


def clean_nir(text: str) -> str:
    """Keep the characters of a NIR (digits, and A/B of Corsica); spaces and dots are typing aids."""
    return "".join(ch for ch in text.upper() if ch.isdigit() or ch in "AB")


def clean_lot(text: str) -> str:
    """'3' -> '003' (AMO lots are 3 digits); AMC lots are letters ('AAE') and stay as typed."""
    text = text.strip().upper()
    return text.zfill(3) if text.isdigit() and len(text) < 3 else text


def _contains(expr: peewee.Node, value: str) -> peewee.Expression:
    return fn.UPPER(expr).contains(value.strip().upper())


def _starts(expr: peewee.Node, value: str) -> peewee.Expression:
    return fn.UPPER(expr).startswith(value.strip().upper())


def filtered(store: str, f: SuiviFilters, *fields: peewee.Node) -> peewee.ModelSelect:
    """SELECT fields FROM the dossiers of Suivi Facturations matching the filters (no order, no limit)."""
    if f.etat and f.etat not in ETATS:
        raise ValidationError(f"État de facturation inconnu : « {f.etat} ».", log=f"unknown etat {f.etat!r}")
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ValidationError("La date de début de la recherche est après la date de fin.",
                              log=f"date range reversed {f.date_from} > {f.date_to}")
    query = (Invoice.select(*fields)
             .join(Fse, on=((Fse.invoice == Invoice.id) & (Fse.state == SECURISE)
                            & (Fse.lot.is_null(False) | Fse.dre_lot.is_null(False)))))
    where: list[peewee.Expression] = [Invoice.store == store]
    if f.date_from:
        where.append(Invoice.date >= f.date_from)
    if f.date_to:
        where.append(Invoice.date <= f.date_to)
    if f.etat:
        where.append((Invoice.amo_state == f.etat) | (Invoice.amc_state == f.etat))
    if f.numero is not None:
        where.append(Invoice.number == f.numero)
    if f.maj_from:
        where.append(Invoice.updated_at >= datetime.combine(f.maj_from, time.min))
    if f.maj_to:
        where.append(Invoice.updated_at < datetime.combine(f.maj_to + timedelta(days=1), time.min))
    if f.manuel:
        where.append(Invoice.manual_treatment == True)  # noqa: E712 - peewee expression
    if f.dre_annulation:
        # INFERRED meaning of "DRE d'annulation possible": a DRE was transmitted to the AMC while the AMO
        # rejected the FSE, and nobody has dealt with it by hand yet: the AMC must be sent a cancelling DRE.
        where.append(Fse.dre_lot.is_null(False) & (Invoice.amo_state == REJETE)
                     & (Invoice.manual_treatment == False))  # noqa: E712
    if f.lot:
        lots = Lot.select(Lot.id).where((Lot.store == store) & (Lot.number == clean_lot(f.lot)))
        # Driven from the lot: the few FSEs of that lot, through the fse.lot_id / dre_lot_id indexes.
        in_lot = Fse.alias("fse_in_lot")
        where.append(Invoice.id.in_(in_lot.select(in_lot.invoice).where(in_lot.lot.in_(lots)
                                                                         | in_lot.dre_lot.in_(lots))))
    client_terms, benef_terms, assure_terms = _people_terms(f)
    if client_terms and _narrow(f):
        query = (query.switch(Invoice).join(Dossier, on=(Invoice.dossier == Dossier.id))
                 .join(Client, on=(Dossier.client == Client.id)))
        where.extend(client_terms)
        client_terms = []
    dossiers = _people_dossiers(store, client_terms, benef_terms, assure_terms)
    if dossiers is not None:
        where.append(Invoice.dossier.in_(dossiers))
    return query.where(where_all(where))


# People filters (measured on 200 000 invoices, benchmarks/bench_suivi.py). Name and NIR criteria of the
# beneficiary and the insured start from their (smaller) tables through the FK indexes: assure ->
# beneficiaire.assure_id -> dossier.beneficiaire_id -> invoice. The quick "Nom du client" search is a
# "contains" that no index serves: within a date range of up to a year, probing the range's invoices
# (dossier -> client by primary key) is cheaper than scanning every client; without one it starts from
# the clients.
NARROW_DAYS = 366


def _narrow(f: SuiviFilters) -> bool:
    return bool(f.date_from and f.date_to and (f.date_to - f.date_from).days <= NARROW_DAYS)


def _people_terms(f: SuiviFilters) -> tuple[list[peewee.Expression], ...]:
    """(client terms, beneficiaire terms, assure terms) of the name / NIR criteria."""
    client_terms: list[peewee.Expression] = []
    if f.nom.strip():
        client_terms.append(_contains(Client.nom.concat(" ").concat(Client.prenom), f.nom))
    benef_terms: list[peewee.Expression] = []
    if f.benef_nom.strip():
        benef_terms.append(_starts(Beneficiaire.nom, f.benef_nom))
    if f.benef_prenom.strip():
        benef_terms.append(_starts(Beneficiaire.prenom, f.benef_prenom))
    if clean_nir(f.benef_nir):
        benef_terms.append(Beneficiaire.nir_individuel.startswith(clean_nir(f.benef_nir)))
    assure_terms: list[peewee.Expression] = []
    if f.assure_nom.strip():
        assure_terms.append(_starts(Assure.nom, f.assure_nom))
    if f.assure_prenom.strip():
        assure_terms.append(_starts(Assure.prenom, f.assure_prenom))
    if clean_nir(f.assure_nir):
        assure_terms.append(Assure.nir.concat(Assure.nir_key).startswith(clean_nir(f.assure_nir)))
    return client_terms, benef_terms, assure_terms


def _people_dossiers(store: str, client_terms: list[peewee.Expression], benef_terms: list[peewee.Expression],
                     assure_terms: list[peewee.Expression]) -> peewee.Select | None:
    """Dossiers of the people matching the terms, driven from the people tables."""
    found: list[peewee.Expression] = []
    if client_terms:
        found.append(Dossier.client.in_(Client.select(Client.id).where(where_all([Client.store == store,
                                                                                   *client_terms]))))
    if assure_terms:
        assures = Assure.select(Assure.id).where(where_all([Assure.store == store, *assure_terms]))
        benef_terms = [*benef_terms, Beneficiaire.assure.in_(assures)]
    if benef_terms:
        found.append(Dossier.beneficiaire.in_(Beneficiaire.select(Beneficiaire.id).where(where_all(benef_terms))))
    if not found:
        return None
    # No dossier.store term here: SQLite would then scan every dossier of the store through dossier_store
    # instead of probing dossier_client_id / dossier_beneficiaire_id (the invoice is already in `store`).
    return Dossier.select(Dossier.id).where(where_all(found))


def ordering() -> tuple[peewee.Node, ...]:
    return (Invoice.date.desc(), Invoice.number.desc(), Invoice.id.desc())


def where_all(terms: list[peewee.Expression]) -> peewee.Expression:
    out = terms[0]
    for term in terms[1:]:
        out &= term
    return out


def recu_le(invoice_ids: list[int]) -> dict[int, datetime]:
    """Reçu le of a few invoices (one page): latest import date of their payments and rejects."""
    if not invoice_ids:
        return {}
    found: dict[int, datetime] = {}
    for model in (Payment, Reject):
        latest = fn.MAX(RspImport.imported_at).python_value(RspImport.imported_at.python_value)
        query = (model.select(model.invoice, latest.alias("at"))
                 .join(RspImport, on=(model.rsp_import == RspImport.id))
                 .where(model.invoice.in_(invoice_ids)).group_by(model.invoice).tuples())
        for invoice_id, at in query:
            if at is not None and (invoice_id not in found or at > found[invoice_id]):
                found[invoice_id] = at
    return found
