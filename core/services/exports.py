"""Exports: invoices, payments and lots (CLI `lunetier export`), the Suivi Facturations list and one invoice
detail ("Exporter les données" of the Détail facture).

Formats (one choice, written down here):
- CSV for a French spreadsheet: separator ";", money in euros with a decimal comma and two decimals
  ("5,40", "-4,69"), dates JJ/MM/AAAA, UTF-8 with a BOM (so that Excel reads the accents), one header line
  with the manual's labels. Text cells that a spreadsheet would run as a formula (= + - @ at the start) are
  prefixed with "'"; amounts never are.
- JSON for programs: one object {"export", "store", "generated_at", "date_from", "date_to", "money": "cents",
  "rows": [...]}; amounts are integers in cents under keys ending in "_cents", dates ISO 8601.
Files are written whole or not at all (temporary file + rename) with mode 0600 (patient data); large
exports stream in chunks of 500 rows.
"""
from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from peewee import JOIN, fn

from core.domain.money import format_euros
from core.errors import ValidationError
from core.models import Client, Dossier, Fse, Invoice, Lot, Mutuelle, Organism, Payment, RspImport, Virement
from core.services.base import ServiceContext
from core.services.suivi_dto import NA, InvoiceDetail, SuiviRow

__all__ = ["EXPORT_KINDS", "export_table", "write_file", "exports_dir", "export_invoice_detail",
           "export_suivi_rows", "Format"]

Format = Literal["csv", "json"]
Kind = Literal["text", "money", "date", "datetime", "int", "bool"]
EXPORT_KINDS = ("invoices", "payments", "lots")
CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    label: str              # CSV header (French, the manual's label)
    key: str                # JSON key (money keys end in _cents)
    kind: Kind = "text"


def _csv_cell(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "money":
        return format_euros(int(value))
    if kind == "date":
        return value.strftime("%d/%m/%Y")
    if kind == "datetime":
        return value.strftime("%d/%m/%Y %H:%M")
    if kind == "bool":
        return "Oui" if value else "Non"
    text = str(value)
    return "'" + text if kind == "text" and text.startswith(_FORMULA_START) else text


def _json_cell(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind in ("date", "datetime"):
        return value.isoformat()
    if kind in ("money", "int"):
        return int(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def write_csv(out: TextIO, columns: tuple[Column, ...], rows: Iterable[dict[str, Any]]) -> int:
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in columns])
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(row.get(c.key), c.kind) for c in columns])
        count += 1
    return count


def write_json(out: TextIO, columns: tuple[Column, ...], rows: Iterable[dict[str, Any]], meta: dict[str, Any]) -> int:
    head = json.dumps({**meta, "money": "cents"}, ensure_ascii=False, indent=2)
    out.write(head[:-2] + ',\n  "rows": [')
    count = 0
    for row in rows:
        item = {c.key: _json_cell(row.get(c.key), c.kind) for c in columns}
        out.write(("," if count else "") + "\n    " + json.dumps(item, ensure_ascii=False))
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def write_file(path: Path, produce: Callable[[TextIO], int], *, bom: bool) -> int:
    """Write `path` atomically with mode 0600; `produce(stream)` returns the row count."""
    path = Path(path).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".export-", dir=path.parent)
    except OSError as exc:
        raise ValidationError(f"Impossible d'écrire dans « {path.parent} » : {exc.strerror}.",
                              log=f"cannot create export in {path.parent}: {exc}") from exc
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
            count = produce(stream)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ValidationError(f"Impossible d'écrire « {path} » : {exc.strerror}.",
                              log=f"cannot write export {path}: {exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def exports_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "exports"


# --- tables -------------------------------------------------------------------------------------------
INVOICE_COLUMNS = (
    Column("N° Facture", "numero", "int"), Column("Type", "type"), Column("Date Fct", "date", "date"),
    Column("Nom du client", "client"), Column("Type facture", "type_facture"),
    Column("Total facture", "total_cents", "money"), Column("Attendu AMO", "attendu_amo_cents", "money"),
    Column("Attendu AMC", "attendu_amc_cents", "money"), Column("Payé AMO", "paye_amo_cents", "money"),
    Column("Payé AMC", "paye_amc_cents", "money"), Column("Reste dû", "reste_du_cents", "money"),
    Column("État AMO", "etat_amo"), Column("État AMC", "etat_amc"), Column("Org. AMO", "org_amo"),
    Column("Org. AMC", "org_amc"), Column("Lot", "lot"), Column("Lot DRE", "lot_dre"), Column("SV", "sv"),
    Column("Reçu le", "recu_le", "datetime"), Column("Traitée manuellement", "traitee_manuellement", "bool"),
    Column("Motif", "motif"), Column("Lettrée", "lettree", "bool"),
    Column("Dernière MAJ", "derniere_maj", "datetime"),
)
PAYMENT_COLUMNS = (
    Column("Date", "date", "date"), Column("N° Facture", "numero", "int"), Column("Nom du client", "client"),
    Column("Part", "part"), Column("Organisme", "organisme"), Column("Facturé", "facture_cents", "money"),
    Column("Payé", "paye_cents", "money"), Column("État", "etat"), Column("Virement", "virement"),
    Column("Date virement", "date_virement", "date"), Column("Libellé du virement", "libelle_virement"),
    Column("Fichier RSP", "fichier_rsp"),
)
LOT_COLUMNS = (
    Column("Lot", "lot"), Column("Type", "type"), Column("Org.Dest.", "org_dest"),
    Column("Date lot", "date_lot", "date"), Column("Etat lot", "etat"),
    Column("Date réception", "date_reception", "date"), Column("Libellé ARL/RSP", "libelle_arl"),
    Column("Trait. Erreur", "traitement_erreur"), Column("Fichier", "fichier"),
    Column("Expédié le", "expedie_le", "datetime"), Column("Envois", "envois", "int"),
    Column("FSE", "fse", "int"), Column("Montant RO", "montant_ro_cents", "money"),
    Column("Montant RC", "montant_rc_cents", "money"),
)
COLUMNS = {"invoices": INVOICE_COLUMNS, "payments": PAYMENT_COLUMNS, "lots": LOT_COLUMNS}


def _within(field: Any, date_from: date | None, date_to: date | None, *more: Any) -> Any:
    """AND of `more` and the date range on `field`."""
    terms = list(more)
    if date_from:
        terms.append(field >= date_from)
    if date_to:
        terms.append(field <= date_to)
    out = terms[0]
    for term in terms[1:]:
        out &= term
    return out


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _invoice_rows(store: str, date_from: date | None, date_to: date | None) -> Iterator[dict[str, Any]]:
    from core.services.suivi_query import recu_le

    LotDre = Lot.alias("lot_dre")
    ids = [r[0] for r in Invoice.select(Invoice.id).where(_within(Invoice.date, date_from, date_to,
                                                                  Invoice.store == store))
           .order_by(Invoice.date, Invoice.number).tuples()]
    for chunk in _chunks(ids):
        query = (Invoice.select(Invoice, Fse.mode.alias("mode"), Lot.number.alias("lot_number"),
                                LotDre.number.alias("lot_dre_number"), Client.nom.alias("nom"),
                                Client.prenom.alias("prenom"), Organism.regime.alias("regime"),
                                Organism.caisse.alias("caisse"), Organism.centre.alias("centre"),
                                Mutuelle.numero.alias("amc_numero"))
                 .join(Fse, JOIN.LEFT_OUTER, on=((Fse.invoice == Invoice.id) & (Fse.state == "Sécurisé")))
                 .join(Lot, JOIN.LEFT_OUTER, on=(Fse.lot == Lot.id))
                 .switch(Fse).join(LotDre, JOIN.LEFT_OUTER, on=(Fse.dre_lot == LotDre.id))
                 .switch(Fse).join(Organism, JOIN.LEFT_OUTER, on=(Fse.organism == Organism.id))
                 .switch(Invoice).join(Dossier, on=(Invoice.dossier == Dossier.id))
                 .join(Client, JOIN.LEFT_OUTER, on=(Dossier.client == Client.id))
                 .switch(Dossier).join(Mutuelle, JOIN.LEFT_OUTER, on=(Dossier.mutuelle_rc1 == Mutuelle.id))
                 .where(Invoice.id.in_(chunk)).order_by(Invoice.date, Invoice.number).dicts())
        received = recu_le(chunk)
        for r in query:
            with_amc = r["rc_expected_cents"] > 0 or r["amc_state"] not in ("", NA)
            expected = r["ro_expected_cents"] + r["rc_expected_cents"]
            yield {"numero": r["number"], "type": r["kind"], "date": r["date"],
                   "client": f"{r['nom'] or ''} {r['prenom'] or ''}".strip(), "type_facture": r["type_facture"],
                   "total_cents": r["total_cents"], "attendu_amo_cents": r["ro_expected_cents"],
                   "attendu_amc_cents": r["rc_expected_cents"], "paye_amo_cents": r["ro_paid_cents"],
                   "paye_amc_cents": r["rc_paid_cents"],
                   "reste_du_cents": expected - r["ro_paid_cents"] - r["rc_paid_cents"],
                   "etat_amo": r["amo_state"], "etat_amc": r["amc_state"],
                   "org_amo": " ".join(x for x in (r["regime"], r["caisse"], r["centre"]) if x),
                   "org_amc": (r["amc_numero"] or "") if with_amc else "", "lot": r["lot_number"] or "",
                   "lot_dre": r["lot_dre_number"] or "", "sv": r["mode"] or "", "recu_le": received.get(r["id"]),
                   "traitee_manuellement": r["manual_treatment"], "motif": r["manual_reason"],
                   "lettree": r["lettree"], "derniere_maj": r["updated_at"]}


def _payment_rows(store: str, date_from: date | None, date_to: date | None) -> Iterator[dict[str, Any]]:
    ids = [r[0] for r in Payment.select(Payment.id).join(Invoice, on=(Payment.invoice == Invoice.id))
           .where(_within(Payment.date, date_from, date_to, Invoice.store == store))
           .order_by(Payment.date, Payment.id).tuples()]
    for chunk in _chunks(ids):
        query = (Payment.select(Payment.date, Invoice.number, Client.nom, Client.prenom, Payment.part,
                                Payment.organisme, Payment.billed_cents, Payment.paid_cents, Payment.state,
                                Virement.reference, Virement.date, Virement.libelle, RspImport.file_name)
                 .join(Invoice, on=(Payment.invoice == Invoice.id))
                 .join(Dossier, on=(Invoice.dossier == Dossier.id))
                 .join(Client, JOIN.LEFT_OUTER, on=(Dossier.client == Client.id))
                 .switch(Payment).join(Virement, JOIN.LEFT_OUTER, on=(Payment.virement == Virement.id))
                 .switch(Payment).join(RspImport, JOIN.LEFT_OUTER, on=(Payment.rsp_import == RspImport.id))
                 .where(Payment.id.in_(chunk)).order_by(Payment.date, Payment.id).tuples())
        for on, number, nom, prenom, part, org, billed, paid, state, ref, vdate, vlib, rsp in query:
            yield {"date": on, "numero": number, "client": f"{nom or ''} {prenom or ''}".strip(), "part": part,
                   "organisme": org, "facture_cents": billed, "paye_cents": paid, "etat": state,
                   "virement": ref or "", "date_virement": vdate,
                   "libelle_virement": vlib or "", "fichier_rsp": rsp or ""}


def _lot_rows(store: str, date_from: date | None, date_to: date | None) -> Iterator[dict[str, Any]]:
    lots = list(Lot.select().where(_within(Lot.created_on, date_from, date_to, Lot.store == store))
                .order_by(Lot.created_on, Lot.created_at, Lot.id))
    for chunk in _chunks([lot.id for lot in lots]):
        totals: dict[int, tuple[int, int, int]] = {}
        for model_field, amc in ((Fse.lot, False), (Fse.dre_lot, True)):
            query = (Fse.select(model_field, fn.COUNT(Fse.id), fn.SUM(Fse.ro_cents), fn.SUM(Fse.rc_cents))
                     .where(model_field.in_(chunk) & (Fse.state != "FSE supprimée")).group_by(model_field).tuples())
            for lot_id, count, ro, rc in query:
                before = totals.get(lot_id, (0, 0, 0))
                totals[lot_id] = (before[0] + count, before[1] + (0 if amc else int(ro or 0)),
                                  before[2] + int(rc or 0))
        wanted = set(chunk)
        for lot in (x for x in lots if x.id in wanted):
            count, ro, rc = totals.get(lot.id, (0, 0, 0))
            yield {"lot": lot.number, "type": lot.kind, "org_dest": lot.org_dest, "date_lot": lot.created_on,
                   "etat": lot.state, "date_reception": lot.received_on, "libelle_arl": lot.arl_label,
                   "traitement_erreur": lot.error_treatment, "fichier": lot.file_name, "expedie_le": lot.sent_at,
                   "envois": lot.send_count, "fse": count, "montant_ro_cents": ro, "montant_rc_cents": rc}


_ROWS = {"invoices": _invoice_rows, "payments": _payment_rows, "lots": _lot_rows}


def export_table(ctx: ServiceContext, kind: str, fmt: Format, out: TextIO, *, date_from: date | None = None,
                 date_to: date | None = None) -> int:
    """Write the `kind` table of the store (rows dated within the range) to `out`; returns the row count."""
    if kind not in _ROWS:
        raise ValidationError(f"Export inconnu : « {kind} » (invoices, payments ou lots).", log=f"bad kind {kind}")
    if date_from and date_to and date_from > date_to:
        raise ValidationError("La date de début est après la date de fin.", log="export range reversed")
    rows = _ROWS[kind](ctx.store, date_from, date_to)
    if fmt == "csv":
        return write_csv(out, COLUMNS[kind], rows)
    if fmt == "json":
        meta = {"export": kind, "store": ctx.store, "generated_at": ctx.clock.now().isoformat(),
                "date_from": date_from.isoformat() if date_from else None,
                "date_to": date_to.isoformat() if date_to else None}
        return write_json(out, COLUMNS[kind], rows, meta)
    raise ValidationError(f"Format inconnu : « {fmt} » (csv ou json).", log=f"bad format {fmt}")


# --- screen exports (CSV in data_dir/exports) ---------------------------------------------------------
SUIVI_COLUMNS = (
    Column("Reçu le", "recu_le", "datetime"), Column("Nom du client", "client"), Column("Date Fct", "date", "date"),
    Column("N° Facture", "numero", "int"), Column("Lot", "lot"), Column("Attendu", "attendu_cents", "money"),
    Column("Mt payé", "paye_cents", "money"), Column("Reste dû", "reste_cents", "money"),
    Column("Org. AMO/AMC", "org"), Column("État AMO/AMC", "etat"), Column("SV", "sv"),
    Column("Traitée manuellement", "manuel", "bool"), Column("Lettrée", "lettree", "bool"),
)


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S")


def export_suivi_rows(rows: Iterable[SuiviRow], directory: Path, now: datetime) -> tuple[Path, int]:
    """The Suivi Facturations list (every page of the current search) as CSV."""
    path = Path(directory) / f"suivi-facturations-{_stamp(now)}.csv"

    def produce(out: TextIO) -> int:
        return write_csv(out, SUIVI_COLUMNS, ({**r.model_dump(), "reste_cents": r.reste_cents, "org": r.org,
                                                "etat": r.etat} for r in rows))

    return path, write_file(path, produce, bom=True)


def export_invoice_detail(detail: InvoiceDetail, directory: Path, now: datetime) -> Path:
    """"Exporter les données" of the Détail facture: the fields (Information;Valeur), then the
    Rejets/Différés table with the full labels and, for known codes, the diagnosis and the fix."""
    path = Path(directory) / f"facture-{detail.numero_long}-{_stamp(now)}.csv"

    def money(cents: int) -> str:
        return format_euros(cents)

    def produce(out: TextIO) -> int:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        fields = [
            ("N° Facture", detail.numero_long), ("État facture", detail.etat_facture),
            ("Date Facture", detail.date.strftime("%d/%m/%Y")), ("Montant attendu", money(detail.attendu_cents)),
            ("Montant payé", money(detail.paye_cents)), ("Restant dû (TP)", money(detail.reste_cents)),
            ("Type", detail.type_facture), ("Total facture", money(detail.total_cents)),
            ("État FSE", detail.etat_fse), ("Norme", detail.norme), ("N° lot FSE/DRE", detail.lot_label),
            ("Nom", detail.benef_nom), ("Prénom", detail.benef_prenom), ("NIR", detail.nir),
            ("Rang", detail.rang_label), ("Date Naissance", detail.birth_date),
            ("Montant AMO demandé", money(detail.amo_demande_cents)),
            ("Montant AMO payé", money(detail.amo_paye_cents)), ("État AMO", detail.etat_amo),
            ("Montant AMC demandé", money(detail.amc_demande_cents)),
            ("Montant AMC payé", money(detail.amc_paye_cents)), ("État AMC", detail.etat_amc),
            ("Traitée manuellement", "Oui" if detail.manuel else "Non"), ("Motif", detail.manuel_motif),
            ("Lettrée", "Oui" if detail.lettree else "Non"),
        ]
        writer.writerow(["Information", "Valeur"])
        for label, value in fields:
            writer.writerow([label, _csv_cell(value, "text")])
        writer.writerow([])
        writer.writerow(["Rejets/Différés"])
        writer.writerow(["Date", "Traitement", "Part", "Code", "Libellé", "Prestation", "Date soins", "Niveau",
                         "Exec.", "Diagnostic", "Correction proposée", "Source du diagnostic"])
        for r in detail.rejects:
            d = r.diagnosis
            writer.writerow([r.date.strftime("%d/%m/%Y"), r.traitement, r.part, r.code, _csv_cell(r.libelle, "text"),
                             r.prestation, r.date_soins.strftime("%d/%m/%Y") if r.date_soins else "", r.niveau,
                             r.execution, f"{d.titre} : {d.explication}" if d else "", d.correction if d else "",
                             d.source if d else ""])
        return len(fields) + len(detail.rejects)

    write_file(path, produce, bom=True)
    return path
