"""Lot -> B2 file: the only place where the services meet core.formats.b2.

`lot_file(ctx, lot, file_number)` reads the lot's FSEs and returns the bytes of its B2 file (one lot per
file, demo marking "D"). The database rows are first turned into plain `FseData` values, then
`fse_to_invoice` / `build_file` (pure functions) build the writer's input model.

Mapping choices (the FSE carries what the engine computed; where the B2 needs more, INFERRED defaults):
- invoice number = the commercial invoice number (DOMAIN.md 4.5: "Facture n° 000000253" for invoice 253);
- NIR and key of the assuré; birth date of the bénéficiaire ("AAAAMMJJ", lunar dates kept); rang and qualité;
- FseLine.honoraires_cents is the line amount (quantity x unit price); LPP detail when the line has a
  LPP code, with the line's base as tariff and base;
- payee: "15" tiers payant intégral (RO + RC), "05" tiers payant AMO, "00" the assuré;
- rights proof: FSE payload "rights_proof", else "4" (carte Vitale) in SV and "2" (attestation) in DEG;
- prescriber: the dossier's first ordonnance, when its prescriber has a 9-digit n° AM;
- the FSE payload may override "insurance_nature", "exoneration", "amc_member", "amc_contract_type".
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime

import peewee as pw

from core.domain.birthdate import parse_birth_date
from core.errors import FormatError, ValidationError
from core.formats.b2 import B2File, B2Invoice, B2Line, B2Lot, B2Lpp, write_b2
from core.models import (Assure, Beneficiaire, Dossier, Fse, FseLine, Invoice, Lot, Mutuelle, Ordonnance,
                         Organism, Practitioner, Prescriber)
from core.services.base import ServiceContext

__all__ = ["FseData", "LineData", "fse_to_invoice", "build_file", "lot_file", "load_fse_data", "file_id_of"]


@dataclass(frozen=True, slots=True)
class LineData:
    code: str
    lpp_code: str
    date: date
    quantity: int
    amount: int          # honoraires (cents): quantity x unit price
    base: int
    rate: int
    ro: int
    rc: int


@dataclass(frozen=True, slots=True)
class FseData:
    invoice_number: int
    invoice_date: date
    mode: str
    nir: str
    nir_key: str
    birth_date: str
    rang: int
    qualite: int
    regime: str
    caisse: str
    centre: str
    tp_ro: bool
    tp_rc: bool
    prescriber: str = ""
    prescription_date: date | None = None
    payload: dict = field(default_factory=dict)
    lines: tuple[LineData, ...] = ()


def _fail(message_fr: str, log: str) -> FormatError:
    return FormatError(message_fr, log=f"B2 mapping: {log}", code="b2.mapping")


@lru_cache(maxsize=4096)
def _birth(text: str) -> str:
    return parse_birth_date(text)  # pure: memoised because a lot repeats few distinct dates


def fse_to_invoice(fse: FseData, *, amc_number: str = "") -> B2Invoice:
    where = f"facture n° {fse.invoice_number}"
    lines = []
    for line in fse.lines:
        quantity = line.quantity or 1
        if line.amount % quantity:
            raise _fail(f"Montant de ligne non divisible par la quantité ({where}, acte {line.code}).",
                        f"{where}: amount {line.amount} / quantity {quantity}")
        unit = line.amount // quantity
        lpp = None
        if line.lpp_code:
            lpp = B2Lpp(code=line.lpp_code, quantity=quantity, unit_price=unit, tariff=line.base, base=line.base)
        lines.append(B2Line(code=line.code, date=line.date, unit_price=unit, base=line.base, rate=line.rate,
                            ro_amount=line.ro, rc_amount=line.rc, quantity=quantity, lpp=lpp))
    try:
        birth = _birth(fse.birth_date)
    except ValidationError as exc:
        raise _fail(f"{exc.message_fr} ({where})", f"{where}: bad birth date {fse.birth_date!r}") from exc
    payee = "15" if fse.tp_ro and fse.tp_rc else "05" if fse.tp_ro else "00"
    p = fse.payload or {}
    return B2Invoice(
        number=fse.invoice_number, nir=fse.nir, nir_key=fse.nir_key, birth_date=birth,
        invoice_date=fse.invoice_date, regime=fse.regime, caisse=fse.caisse, centre=fse.centre or "0000",
        lines=tuple(lines), birth_rank=fse.rang or 1, quality=str(fse.qualite), secure_mode=fse.mode,
        prescriber=fse.prescriber, prescription_date=fse.prescription_date if fse.prescriber else None,
        rights_proof=str(p.get("rights_proof") or ("4" if fse.mode == "SV" else "2")),
        insurance_nature=str(p.get("insurance_nature") or "10"), exoneration=str(p.get("exoneration") or "0"),
        payee=payee, amc_number=amc_number, amc_member=str(p.get("amc_member") or ""),
        amc_contract_type=str(p.get("amc_contract_type") or ""))


def build_file(*, ps_number: str, ps_name: str, file_number: int, created: datetime, lot_number: str,
               kind: str, org_dest: str, lot_date: date, fses: list[FseData], norme_version: str = "062007"
               ) -> B2File:
    """The writer's input for a one-lot file. `org_dest` is "01 349" (AMO) or the AMC number (AMC)."""
    if kind == "AMO":
        regime, _, dest = org_dest.partition(" ")
        lot = B2Lot(number=lot_number, regime=regime, organism=dest, created=lot_date,
                    invoices=tuple(fse_to_invoice(f) for f in fses))
    else:
        lot = B2Lot(number=lot_number, amc_number=org_dest, created=lot_date,
                    invoices=tuple(fse_to_invoice(f, amc_number=org_dest) for f in fses))
    return B2File(ps_number=ps_number, ps_name=ps_name, file_number=file_number, created=created, lots=(lot,),
                  norme_version=norme_version, marking="D")


def _rows(query: pw.Select) -> list[tuple]:
    """Raw rows of a peewee query: 10 000-FSE lots make per-value ORM conversion the main cost, and
    only dates and JSON need converting here (`_date`, `_json`)."""
    return list(query.model._meta.database.execute_sql(*query.sql()).fetchall())


def _date(value: object, _cache: dict = {}) -> date | None:  # noqa: B006 - a deliberate memo
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    text = str(value)[:10]
    found = _cache.get(text)
    if found is None:
        found = _cache[text] = date.fromisoformat(text)
    return found


def _json(value: object) -> dict:
    if isinstance(value, dict):
        return value
    if not value or value == "{}":
        return {}
    loaded = json.loads(value)  # type: ignore[arg-type]
    return loaded if isinstance(loaded, dict) else {}


def load_fse_data(lot: Lot) -> list[FseData]:
    """The lot's FSEs as plain values (a handful of queries, whatever the lot size)."""
    column = Fse.lot if lot.kind == "AMO" else Fse.dre_lot
    rows = _rows(Fse.select(Fse.id, Fse.mode, Fse.payload, Invoice.number, Invoice.date, Invoice.dossier,
                            Dossier.tp_ro, Dossier.tp_rc, Assure.nir, Assure.nir_key, Beneficiaire.birth_date,
                            Beneficiaire.rang, Beneficiaire.qualite, Organism.regime, Organism.caisse,
                            Organism.centre)
                 .join(Invoice, on=(Fse.invoice == Invoice.id))
                 .join(Dossier, on=(Invoice.dossier == Dossier.id))
                 .join(Beneficiaire, pw.JOIN.LEFT_OUTER, on=(Dossier.beneficiaire == Beneficiaire.id))
                 .join(Assure, pw.JOIN.LEFT_OUTER, on=(Beneficiaire.assure == Assure.id))
                 .join(Organism, pw.JOIN.LEFT_OUTER,
                       on=(Organism.id == pw.fn.COALESCE(Fse.organism, Assure.organism)))
                 .where(column == lot.id).order_by(Invoice.number, Fse.id))
    if not rows:
        return []
    lines: dict[int, list[LineData]] = defaultdict(list)
    query = (FseLine.select(FseLine.fse, FseLine.code_presta, FseLine.lpp_code, FseLine.date_exec, FseLine.quantity,
                            FseLine.honoraires_cents, FseLine.base_cents, FseLine.taux, FseLine.remb_amo_cents,
                            FseLine.remb_amc_cents)
             .join(Fse, on=(FseLine.fse == Fse.id)).where(column == lot.id)
             .order_by(FseLine.fse, FseLine.position))
    for fse_id, code, lpp, on, quantity, amount, base, rate, ro, rc in _rows(query):
        on = _date(on)
        lines[fse_id].append(LineData(code, lpp, on, quantity, amount, base, rate, ro, rc))  # type: ignore[arg-type]
    prescribers = _prescribers(column, lot.id)
    out = []
    for (fse_id, mode, payload, number, inv_date, dossier_id, tp_ro, tp_rc, nir, nir_key, birth, rang, qualite,
         regime, caisse, centre) in rows:
        if nir is None or regime is None:
            raise _fail(f"Facture n° {number} : assuré ou organisme d'assurance maladie manquant.",
                        f"invoice {number}: no assure/organism")
        prescriber, prescribed_on = prescribers.get(dossier_id, ("", None))
        inv_date = _date(inv_date)
        out.append(FseData(invoice_number=number, invoice_date=inv_date, mode=mode, nir=nir,  # type: ignore[arg-type]
                           nir_key=nir_key, birth_date=birth or "", rang=rang or 1, qualite=qualite or 0,
                           regime=regime, caisse=caisse, centre=centre, tp_ro=bool(tp_ro), tp_rc=bool(tp_rc),
                           prescriber=prescriber, prescription_date=prescribed_on, payload=_json(payload),
                           lines=tuple(lines[fse_id])))
    return out


def _prescribers(column: pw.Field, lot_id: int) -> dict[int, tuple[str, date | None]]:
    """{dossier id: (prescriber n° AM, prescription date)} from each dossier's first ordonnance."""
    out: dict[int, tuple[str, date | None]] = {}
    query = (Ordonnance.select(Ordonnance.dossier, Ordonnance.date, Prescriber.numero_am)
             .join(Prescriber, on=(Ordonnance.prescriber == Prescriber.id))
             .join(Invoice, on=(Invoice.dossier == Ordonnance.dossier))
             .join(Fse, on=(Fse.invoice == Invoice.id))
             .where(column == lot_id).order_by(Ordonnance.id))
    for dossier_id, on, numero_am in _rows(query):
        if dossier_id not in out and numero_am and len(numero_am) == 9 and numero_am.isdigit():
            out[dossier_id] = (numero_am, _date(on))
    return out


def lot_file(ctx: ServiceContext, lot: Lot, ps: Practitioner, file_number: int) -> bytes:
    """The B2 bytes of `lot` (FormatError naming the zone or FSE when a value does not fit)."""
    from core.services.settings import SettingsService

    fses = load_fse_data(lot)
    if not fses:
        raise _fail(f"Lot {lot.number} vide : aucune FSE.", f"lot {lot.number} empty")
    norme = SettingsService(ctx).get().teletransmission.norme_b2_defaut.split(" ")[0] or "062007"
    if lot.kind == "AMC" and lot.mutuelle_id:
        mutuelle = Mutuelle.get_by_id(lot.mutuelle_id)
        org_dest = (mutuelle.numero_prefectoral or mutuelle.numero).strip()
    else:
        org_dest = lot.org_dest
    model = build_file(ps_number=ps.numero_am, ps_name=f"{ps.nom} {ps.prenom}".strip(), file_number=file_number,
                       created=ctx.clock.now(), lot_number=lot.number, kind=lot.kind, org_dest=org_dest,
                       lot_date=lot.created_on, fses=fses, norme_version=norme)
    return write_b2(model)


def file_id_of(file_name: str) -> int | None:
    """The B2 file number encoded in a Lunetier lot file name ("B2-000012-025.b2" -> 12)."""
    parts = file_name.split("-")
    if len(parts) >= 2 and parts[1].isdigit():
        return int(parts[1])
    return None
