"""High-level constructors of RSP trees (used by the simulated caisse and by tests).

Amounts are integer cents; signed amounts become amount + sign zones. The niveaux are those documented in
model.py (01 mandataire, 02 règlement, 03 lot, 05 facture / mouvement / paiement ponctuel). Controls (990,
999) are computed by `write_noemie`, never here.

    f = rsp(header(emitter="10349000", recipient="00000992604231", file_id="000001", created=day),
            reglement(lot("001", day, facture("203", nir=..., amo=amo_part(3, "R"))),
                      recipient="000000992604231", accounting_date=day, label_1="VIR AMO LIGNE 1"))
    data = write_noemie(f)
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from core.formats.noemie.model import Entity, Group, NoemieFile, PaymentState

__all__ = [
    "NIVEAU_MANDATAIRE", "NIVEAU_REGLEMENT", "NIVEAU_LOT", "NIVEAU_FACTURE",
    "header", "rsp", "mandataire", "reglement", "lot", "facture", "amo_part", "amc_part", "act_line",
    "reject", "reject_line", "comment", "mouvement", "ponctuel", "ponctuel_detail",
]

NIVEAU_MANDATAIRE = 1
NIVEAU_REGLEMENT = 2
NIVEAU_LOT = 3
NIVEAU_FACTURE = 5


def _sign(amount: int) -> tuple[int, str]:
    return abs(amount), ("N" if amount < 0 else "P")


def header(*, emitter: str, recipient: str, file_id: str, created: date, reference: str = "576",
           emitter_type: str = "CP", recipient_type: str = "TP", flow_type: str = "D", exchange_type: str = "",
           emitter_program: str = "", recipient_program: str = "", version: str = "", message: str = "") -> Entity:
    """000 header. `reference` is the NOEMIE reference (576/572/531 paiements, 900/908 rejets), written
    left-aligned in the 4-character norme zone where [PSM1] reads its first 3 characters."""
    return Entity.make("000", emitter_type=emitter_type, emitter=emitter, emitter_program=emitter_program,
                       recipient_type=recipient_type, recipient=recipient, recipient_program=recipient_program,
                       exchange_type=exchange_type, file_id=file_id, created=created, norme=reference,
                       version=version, encryption="N", currency="U", flow_type=flow_type, record_length=128,
                       message=message)


def rsp(head: Entity, *groups: Group) -> NoemieFile:
    return NoemieFile(head, tuple(groups))


def mandataire(recipient: str, *groups: Group) -> Group:
    return Group.of(NIVEAU_MANDATAIRE, Entity.make("020", NIVEAU_MANDATAIRE, settlement_recipient=recipient),
                    *groups)


def reglement(*items: Group | Entity, recipient: str, accounting_date: date, label_1: str = "",
              label_2: str = "", payer: str = "", return_type: str = "01", virement: bool = True,
              place: str = "") -> Group:
    """One payment order: 040 destinataire + 071 virement (or 070 date comptable when virement=False,
    e.g. a rejects-only return) + 081 type de retour, then its lots / mouvements / ponctuels."""
    n = NIVEAU_REGLEMENT
    dated = (Entity.make("071", n, accounting_date=accounting_date, label_1=label_1, label_2=label_2,
                         payer=payer) if virement else Entity.make("070", n, accounting_date=accounting_date))
    return Group.of(n, Entity.make("040", n, settlement_recipient=recipient), dated,
                    Entity.make("081", n, return_type=return_type, place=place), *items)


def lot(number: str, lot_date: date, *factures: Group) -> Group:
    return Group.of(NIVEAU_LOT, Entity.make("080", NIVEAU_LOT, lot_date=lot_date, lot_number=number), *factures)


def amo_part(requested: int, state: PaymentState | str, paid: int | None = None) -> Entity:
    """198. `paid` is signed (a régularisation is negative); None leaves the zone blank."""
    amount, sign = _sign(paid or 0)
    return Entity.make("198", NIVEAU_FACTURE, requested=requested, state=state,
                       paid=None if paid is None else amount, sign=sign)


def amc_part(requested: int, state: PaymentState | str, paid: int | None = None, *, amc_number: str,
             member_id: str = "") -> Entity:
    amount, sign = _sign(paid or 0)
    return Entity.make("199", NIVEAU_FACTURE, requested=requested, state=state,
                       paid=None if paid is None else amount, sign=sign, amc_number=amc_number,
                       amc_member=member_id)


def act_line(line_number: int, *, care_date: date, prestation: str, reimbursed: int, base: int = 0,
             unit_price: int = 0, rate: int = 0, quantity: int = 1, coefficient: int = 100, expense: int = 0,
             expense_qualifier: str = "", amc_rate: int = 0, amc_amount: int = 0, amc_base: int = 0,
             prescription_date: date | None = None, care_end_date: date | None = None,
             exoneration: str = "", regime_code: str = "01", treatment_mode: str = "10",
             discipline: str = "000") -> Entity:
    """210 acte professionnel; `reimbursed` is signed."""
    amount, sign = _sign(reimbursed)
    return Entity.make(
        "210", NIVEAU_FACTURE, line_number=line_number, regime_code=regime_code, exoneration=exoneration,
        treatment_mode=treatment_mode, discipline=discipline, prescription_date=prescription_date or "000000",
        care_date=care_date, care_end_date=care_end_date or care_date, unit_price=unit_price, base=base,
        rate=rate, reimbursed=amount, sign=sign, prestation=prestation, quantity=quantity,
        coefficient=coefficient, act_count=quantity, expense=expense, expense_qualifier=expense_qualifier,
        am_rate=0, am_amount=0, amc_rate=amc_rate, amc_amount=amc_amount, amc_base=amc_base)


def reject(code: str, label: str, line_number: int = 0) -> Entity:
    """290 rejet ou signalement; `code` as the file carries it (8 digits, e.g. "04500561")."""
    return Entity.make("290", NIVEAU_FACTURE, line_number=line_number, code=code, label=label)


def reject_line(code: str, label: str, *, level: str = "F", part: str = "O", prestation: str = "",
                care_date: date | None = None, executant: str = "", line_number: int | None = None,
                rank: int | None = None, extra: str = "") -> Entity:
    """294 ligne rejet (4-character code, niveau F/L/A, part O/C)."""
    return Entity.make("294", NIVEAU_FACTURE, code=code, label=label, level=level, part=part,
                       prestation=prestation, care_date=care_date, executant=executant or None,
                       line_number=line_number, rank=rank, extra=extra)


def comment(text: str, code: str = "") -> Entity:
    return Entity.make("295", NIVEAU_FACTURE, comment_code=code, comment=text)


def facture(invoice_number: str | int, *, nir: str, nir_key: str, name: str, first_name: str,
            birth_date: str, birth_rank: str = "1", amo: Entity | None = None, amc: Entity | None = None,
            lines: Iterable[Entity] = (), rejects: Iterable[Entity] = (), comments: Iterable[Entity] = (),
            insurance_nature: str | None = "AS", archive_number: str | None = None, name_nature: str = "P",
            management_unit: str = "", insured_name: str | None = None,
            insured_first_name: str | None = None) -> Group:
    """Niveau-05 facture in the [PSM1] shape: 100, 110 assuré, 120 malade, 150, 160, 198, 199, lines,
    rejects, comments. `birth_date` is the raw 6-character string (lunar dates allowed)."""
    n = NIVEAU_FACTURE
    return Group.of(
        n,
        Entity.make("100", n, invoice_number=invoice_number),
        Entity.make("110", n, nir=nir, nir_key=nir_key, name_nature=name_nature,
                    name=insured_name if insured_name is not None else name,
                    first_name=insured_first_name if insured_first_name is not None else first_name),
        Entity.make("120", n, birth_date=birth_date, birth_rank=birth_rank, name=name, first_name=first_name,
                    management_unit=management_unit),
        Entity.make("150", n, insurance_nature=insurance_nature) if insurance_nature else None,
        Entity.make("160", n, archive_number=archive_number) if archive_number else None,
        amo, amc, *lines, *rejects, *comments,
    )


def mouvement(*, debt_reference: str, debt_date: date, debt_nature: str, operation: str, amount: int,
              balance: int | None = None, line_number: int = 1) -> Group:
    """Niveau-05 group holding one 250 (e.g. ODL/CIN +552 then ODL/RPR -552); `amount` is signed."""
    value, sign = _sign(amount)
    return Group.of(NIVEAU_FACTURE, Entity.make(
        "250", NIVEAU_FACTURE, line_number=line_number, debt_reference=debt_reference, debt_date=debt_date,
        debt_nature=debt_nature, operation=operation, amount=value, sign=sign, balance=balance))


def ponctuel_detail(*, amount: int, period: str = "P", code: str = "", label: str = "", nir: str | None = None,
                    nir_key: str | None = None, birth_date: str | None = None, birth_rank: str | None = None,
                    period_start: date | None = None, period_end: date | None = None) -> Entity:
    return Entity.make("262", NIVEAU_FACTURE, code=code, label=label, nir=nir, nir_key=nir_key,
                       birth_date=birth_date, birth_rank=birth_rank, period=period, period_start=period_start,
                       period_end=period_end, amount=amount)


def ponctuel(payment_code: str, amount: int, *details: Entity) -> Group:
    """Niveau-05 group: 261 paiement ponctuel ou forfaitaire and its 262 details."""
    return Group.of(NIVEAU_FACTURE, Entity.make("261", NIVEAU_FACTURE, payment_code=payment_code, amount=amount),
                    *details)
