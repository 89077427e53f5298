"""B2 writer: `write_b2(B2File) -> bytes`.

Records are 128 ASCII characters laid end to end, with no separator: the file header declares
"Longueur d'enregistrement" = 128 and B2 readers cut the stream in 128-byte blocks. Record order:

    000 | per lot: 1 | per invoice: 2, (4 [4F])..., 5 | 6 | 999

Demo marker: record 6 zone 55 "Indicateur de marquage des factures du lot" = "D" (factures
démonstrations), a value the spec lists; "T" (tests) is also accepted, "R" (réelles) never. The free
"Zone message" of record 000 also says so in words for a human reader.

Counts and amounts of records 5, 6 and 999 are computed from the lines, never taken on trust; invoice
totals given by the caller must agree with its lines. Any value that does not fit its zone raises
`FormatError` naming the zone, before a single byte is returned (no partial output).
"""
from __future__ import annotations

import re
from typing import Any

from core.errors import FormatError
from core.formats.b2.codec import encode
from core.formats.b2.model import MARKINGS, SECURE_MODES, B2File, B2Invoice, B2Lot
from core.formats.b2.spec import RECORDS, RecordSpec

__all__ = ["write_b2", "DEMO_MESSAGE", "TEST_MESSAGE"]

DEMO_MESSAGE = "FLUX DE DEMONSTRATION LUNETIER"
TEST_MESSAGE = "FLUX DE TEST LUNETIER"

_NIR_RE = re.compile(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}")
_AMO_LOT_RE = re.compile(r"[0-9]{3}")
_AMC_LOT_RE = re.compile(r"(?=.*[A-Z])[0-9A-Z]{3}")
_SPEC = RECORDS


class _Template:
    """A layout compiled for writing: fillers and constants merged into literal text, and a fast path
    for the usual well-formed values; anything unusual goes through codec.encode (which refuses)."""

    __slots__ = ("kind", "steps")

    def __init__(self, spec: RecordSpec) -> None:
        self.kind = spec.kind
        steps: list[object] = []
        for f in spec.fields:
            if f.kind in "BK":
                literal = f.const if f.kind == "K" else " " * f.width
                if steps and isinstance(steps[-1], str):
                    steps[-1] += literal
                else:
                    steps.append(literal)
            else:
                steps.append((f.key, f.width, f.kind, f, 10 ** f.width))
        self.steps = tuple(steps)

    def render(self, values: dict[str, Any], context: str) -> str:
        parts = []
        for step in self.steps:
            if step.__class__ is str:
                parts.append(step)
                continue
            key, width, kind, f, limit = step
            v = values.get(key)
            if kind in "NM":
                if v.__class__ is int and 0 <= v < limit:
                    parts.append(str(v).zfill(width))
                    continue
            elif kind == "A":
                if v is None:
                    parts.append(" " * width)
                    continue
                if v.__class__ is str and len(v) <= width and v.isascii() and v.isprintable():
                    parts.append(v.ljust(width))
                    continue
            elif kind == "C":
                if v.__class__ is str and len(v) <= width and v.isascii() and (v.isdigit() or not v):
                    parts.append(v.zfill(width))
                    continue
            parts.append(encode(f, v, self.kind, context))
        return "".join(parts)


_TEMPLATES = {kind: _Template(spec) for kind, spec in RECORDS.items()}


def _render(spec: RecordSpec, values: dict[str, Any], context: str) -> str:
    return _TEMPLATES[spec.kind].render(values, context)


def _fail(message_fr: str, log: str, code: str) -> FormatError:
    return FormatError(message_fr, log=f"B2 write: {log}", code=code)


def write_b2(file: B2File) -> bytes:
    """The complete B2 file for `file`, or FormatError naming the first value that does not fit."""
    if file.marking not in MARKINGS:
        raise _fail(f"Marquage « {file.marking} » refusé : seuls D (démonstration) et T (tests) sont "
                    "permis.", f"marking {file.marking!r} refused", "b2.marking")
    if file.norme.strip() == "CP":
        raise _fail("La norme CP (établissements) n'est pas prise en charge.", "norme CP refused", "b2.norme")
    if not file.lots:
        raise _fail("Fichier B2 vide : aucun lot.", "no lot", "b2.empty")
    numbers = [lot.number for lot in file.lots]
    if len(set(numbers)) != len(numbers):
        raise _fail("N° de lot en double dans le fichier.", f"duplicate lot numbers {numbers}", "b2.lot")
    first = file.lots[0]
    recipient_type = file.recipient_type or ("OC" if first.is_amc else "CT")
    recipient_number = file.recipient_number or (
        first.amc_number if first.is_amc else f"{first.regime}{first.organism}000")
    if type(file.file_number) is not int or file.file_number < 0:
        raise _fail(f"Zone « Identification du fichier » (enregistrement 000) : numéro de fichier entier "
                    f"positif attendu, reçu « {file.file_number} ».", f"bad file number {file.file_number!r}",
                    "b2.type")
    file_id = f"{file.file_number:06d}"  # > 999 999 overflows the zone and is refused by encode()
    header = {
        "emitter_type": file.emitter_type,
        "emitter_number": file.ps_number,
        "recipient_type": recipient_type,
        "recipient_number": recipient_number,
        "application": file.application,
        "file_id": file_id,
        "created": file.created.date(),
        "norme": file.norme,
        "message": DEMO_MESSAGE if file.marking == "D" else TEST_MESSAGE,
    }
    out = [_render(_SPEC["000"], header, "en-tête de fichier")]
    for lot in file.lots:
        _write_lot(out, file, lot)
    trailer = dict(header, record_count=len(out) + 1, lot_count=len(file.lots))
    out.append(_render(_SPEC["999"], trailer, "fin de fichier"))
    return "".join(out).encode("ascii")


def _write_lot(out: list[str], file: B2File, lot: B2Lot) -> None:
    where = f"lot {lot.number}"
    if not lot.invoices:
        raise _fail(f"Lot {lot.number} vide : aucune facture.", f"lot {lot.number!r} empty", "b2.empty")
    pattern = _AMC_LOT_RE if lot.is_amc else _AMO_LOT_RE
    if not isinstance(lot.number, str) or not pattern.fullmatch(lot.number):
        expected = "3 caractères dont une lettre (lot AMC)" if lot.is_amc else "3 chiffres (lot AMO)"
        raise _fail(f"N° de lot « {lot.number} » invalide : {expected}.",
                    f"lot number {lot.number!r} invalid (amc={lot.is_amc})", "b2.lot")
    if lot.is_amc and (lot.regime or lot.organism):
        raise _fail(f"Lot {lot.number} : un lot AMC n'a ni régime ni organisme AMO.",
                    f"lot {lot.number!r}: AMC lot with AMO destination", "b2.lot")
    if not lot.is_amc and not (lot.regime and lot.organism):
        raise _fail(f"Lot {lot.number} : régime et organisme destinataire obligatoires.",
                    f"lot {lot.number!r}: AMO destination missing", "b2.lot")
    invoice_numbers = [inv.number for inv in lot.invoices]
    if len(set(invoice_numbers)) != len(invoice_numbers):
        raise _fail(f"Lot {lot.number} : n° de facture en double.", f"lot {lot.number!r}: duplicate invoice numbers",
                    "b2.invoice")
    modes = {inv.secure_mode for inv in lot.invoices}
    if len(modes) != 1 or not modes <= SECURE_MODES.keys():
        raise _fail(f"Lot {lot.number} : un lot regroupe des factures d'un seul mode de sécurisation "
                    f"(SV ou DEG), reçu {', '.join(sorted(map(str, modes)))}.",
                    f"lot {lot.number!r}: secure modes {sorted(map(str, modes))}", "b2.mode")
    out.append(_render(_SPEC["1"], {
        "ps_number": file.ps_number,
        "organism": "000" if lot.is_amc else lot.organism,
        "lot_number": lot.number,
        "ps_name": file.ps_name,
        "norme_used": "B2",
        "lot_date": lot.created or file.created.date(),
        "norme_code": file.norme[:2],
        "certification_top": SECURE_MODES[modes.pop()],
        "norme_version": file.norme_version,
        "currency": "E",
        "pivot_regime": lot.regime,
        "pivot_caisse": lot.organism,
    }, where))
    totals = [0, 0, 0]
    line_count = 0
    for invoice in lot.invoices:
        amount, ro, rc = _write_invoice(out, file, lot, invoice)
        totals[0] += amount
        totals[1] += ro
        totals[2] += rc
        line_count += len(invoice.lines)
    count = len(lot.invoices)
    out.append(_render(_SPEC["6"], {
        "ps_number": file.ps_number,
        "invoice_count": count,
        "line_count": line_count,
        "type2_count": count,
        "type5_count": count,
        "total_amount": totals[0],
        "total_ro": totals[1],
        "total_rc": totals[2],
        "lot_number": lot.number,
        "marking": file.marking,
        "invoice_type": "F",
        "certification": lot.certification,
    }, where))


def _write_invoice(out: list[str], file: B2File, lot: B2Lot, inv: B2Invoice) -> tuple[int, int, int]:
    where = f"lot {lot.number}, facture n° {inv.number}"
    _check_invoice(lot, inv, where)
    key = {"ps_number": file.ps_number, "nir": inv.nir, "nir_key": inv.nir_key,
           "invoice_number": inv.number}
    out.append(_render(_SPEC["2"], dict(
        key,
        operation_nature=inv.operation_nature,
        invoice_date=inv.invoice_date,
        split_top="E" if lot.is_amc else "",
        invoice_type="F",
        regime=inv.regime,
        caisse=inv.caisse,
        centre=inv.centre,
        rights_proof=inv.rights_proof,
        prescriber=inv.prescriber,
        prescription_date=inv.prescription_date,
        insurance_nature=inv.insurance_nature,
        exoneration=inv.exoneration,
        substitute_cps="0",
        birth_date=inv.birth_date[-6:],
        birth_rank=inv.birth_rank,
        quality=inv.quality,
        amc_member=inv.amc_member,
        prescriber_specialty=inv.prescriber_specialty,
        payee=inv.payee,
        amc_contract_type=inv.amc_contract_type,
        amc_number=inv.amc_number,
    ), where))
    amount = ro = rc = 0
    type4 = 0
    line_spec, lpp_spec = _SPEC["4"], _SPEC["4F"]
    for sequence, line in enumerate(inv.lines, start=1):
        line_where = f"{where}, ligne {sequence}"
        if type(line.quantity) is not int or type(line.unit_price) is not int:
            raise _fail(f"Quantité et prix entiers attendus ({line_where}).",
                        f"{line_where}: non-integer quantity/price", "b2.type")
        line_amount = line.amount
        out.append(_render(line_spec, dict(
            key,
            sequence=sequence,
            prior_agreement_code="9",  # acte non soumis à accord préalable
            executant=file.ps_number,
            executant_specialty=file.ps_specialty,
            act_date=line.date,
            act_code=line.code,
            quantity=line.quantity,
            coefficient=100,  # 1,00 (two implied decimals; INFERRED)
            unit_price=line.unit_price,
            base=line.base,
            rate=line.rate,
            ro_amount=line.ro_amount,
            amount=line_amount,
            place_code="0",  # au cabinet (en magasin)
            rc_amount=line.rc_amount,
        ), line_where))
        type4 += 1
        lpp = line.lpp
        if lpp is not None:
            if type(lpp.quantity) is not int or type(lpp.unit_price) is not int:
                raise _fail(f"Quantité et prix LPP entiers attendus ({line_where}).",
                            f"{line_where}: non-integer LPP quantity/price", "b2.type")
            out.append(_render(lpp_spec, dict(
                key,
                sequence=sequence,
                lpp_code=lpp.code,
                lpp_kind=lpp.kind,
                siret=lpp.siret,
                start_date=line.date,
                tariff=lpp.tariff,
                quantity=lpp.quantity,
                unit_price=lpp.unit_price,
                base=lpp.base,
                amount=lpp.amount,
            ), line_where))
            type4 += 1
        amount += line_amount
        ro += _int(line.ro_amount, line_where)
        rc += _int(line.rc_amount, line_where)
    for given, computed, label in ((inv.total_amount, amount, "montant facturé"), (inv.total_ro, ro, "part AMO"),
                                   (inv.total_rc, rc, "part AMC")):
        if given is not None and given != computed:
            raise _fail(f"Total {label} incohérent ({where}) : {given} centimes annoncés, "
                        f"{computed} centimes dans les lignes.",
                        f"{where}: total {label} {given} != sum of lines {computed}", "b2.totals")
    if ro > amount:
        raise _fail(f"Part AMO supérieure au montant facturé ({where}).", f"{where}: ro {ro} > amount {amount}",
                    "b2.totals")
    out.append(_render(_SPEC["5"], dict(
        key,
        type4_count=type4,
        total_amount=amount,
        total_ro=ro,
        total_patient=amount - ro,
        total_rc=rc,
        certification=inv.certification,
    ), where))
    return amount, ro, rc


def _int(value: object, where: str) -> int:
    if type(value) is not int:
        raise _fail(f"Montant entier en centimes attendu ({where}).", f"{where}: non-integer amount {value!r}",
                    "b2.type")
    return value


def _check_invoice(lot: B2Lot, inv: B2Invoice, where: str) -> None:
    """Rules a single zone cannot check by itself (the zones check widths and charsets)."""
    if not inv.lines:
        raise _fail(f"Facture sans ligne ({where}).", f"{where}: no line", "b2.empty")
    if not isinstance(inv.nir, str) or not _NIR_RE.fullmatch(inv.nir):
        raise _fail(f"NIR « {inv.nir} » invalide : 13 caractères attendus ({where}).",
                    f"{where}: bad NIR {inv.nir!r}", "b2.nir")
    if not isinstance(inv.nir_key, str) or len(inv.nir_key) != 2:
        raise _fail(f"Clé NIR « {inv.nir_key} » invalide : 2 chiffres attendus ({where}).",
                    f"{where}: bad NIR key {inv.nir_key!r}", "b2.nir")
    birth = inv.birth_date
    if not isinstance(birth, str) or len(birth) not in (6, 8) or not (birth.isascii() and birth.isdigit()):
        raise _fail(f"Date de naissance « {birth} » invalide : AAAAMMJJ attendu ({where}).",
                    f"{where}: bad birth date {birth!r}", "b2.birth_date")
    if lot.is_amc and inv.amc_number != lot.amc_number:
        raise _fail(f"Facture destinée à l'AMC « {inv.amc_number} » dans le lot de l'AMC "
                    f"« {lot.amc_number} » ({where}).",
                    f"{where}: invoice AMC {inv.amc_number!r} != lot AMC {lot.amc_number!r}", "b2.amc")
