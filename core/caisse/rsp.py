"""The simulated caisse's NOEMIE returns (RSP): payments, rejects, virements, mouvements, ponctuels.

    caisse = SimulatedCaisse(mailbox, scenario, clock=clock, rsp=NoemieRspEmitter())

For every lot the caisse accepted (ARL positif) the emitter writes one RSP file (reference 576) holding:
- a règlement with a virement (071) per `virement_size` paid or deferred invoices, with the lot (080) and
  its factures: 198 for an AMO lot (199 too when `amc_in_amo` and the invoice carries an AMC part), 199
  for an AMC (DRE) lot; paid lines as 210 actes;
- a règlement without virement (070) for the rejected invoices, each with its 290 rejet;
- the mouvements financiers (250) and paiements ponctuels (261/262) the scenario's rules attach to the lot.

Options come from the scenario's `[rsp]` table (see `RSP_EXAMPLE_TOML`). Decisions per invoice, in order:
1. an explicit `[[rsp.invoices]]` entry for the invoice number;
2. the ALD rule (AMO lots only): the referential (`[[rsp.ald]]`) holds an ALD for the beneficiary and the
   FSE did not carry the exonération du ticket modérateur (B2 zone "exoneration" is 0 or blank) -> reject
   0450 0561 "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE" (the manual's
   code and label);
3. a draw from the seed: reject with `reject_probability`, différé with `deferred_probability`, else paid.
Every draw depends only on (seed, B2 file name, lot, invoice or rule index): the same files give the same
bytes whatever the processing order.

INFERRED (no public master list): the default reject code 0100 0512 is the manual's, its full label is not
(completed as in core/demo_data.py); the différé code and label; the label lines of the virements.
"""
from __future__ import annotations

import random
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError as PydanticValidationError

from core.caisse.arl import lot_destination
from core.caisse.scenario import Decision, Scenario
from core.errors import ConfigError
from core.formats.b2 import B2Document, B2InvoiceNode, B2LotNode
from core.formats.noemie import Entity, Group, write_noemie
from core.formats.noemie import builder as b

__all__ = ["NoemieRspEmitter", "RspOptions", "AldEntry", "InvoiceRule", "MovementRule", "OneOffRule",
           "ALD_REJECT", "DEFAULT_REJECT", "DEFAULT_DEFERRED", "RSP_EXAMPLE_TOML", "rsp_file_name", "rsp_options"]

# (8-digit code as the file carries it, label)
ALD_REJECT = ("04500561", "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE")
DEFAULT_REJECT = ("01000512", "PARTENAIRE DE SANTE INCONNU OU NON HABILITE A LA DATE DES SOINS")
DEFAULT_DEFERRED = ("09990001", "PAIEMENT DIFFERE DANS L ATTENTE DU JUSTIFICATIF")  # INFERRED
_NOT_EXONERATED = ("", "0")

_CODE = Field(default="", max_length=10, pattern=r"^[0-9A-Z ]*$")
_LABEL = Field(default="", max_length=80)


class _Options(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AldEntry(_Options):
    """One beneficiary with an ALD in the caisse's referential."""
    nir: str = Field(pattern=r"^[0-9]{5}[0-9AB][0-9]{7}$")      # 13 characters (2A/2B allowed)
    nir_key: str = Field(default="", pattern=r"^([0-9]{2})?$")  # "" = any key
    birth_date: str = Field(default="", max_length=6)           # B2 AAMMJJ; "" = any beneficiary of the NIR


class InvoiceRule(_Options):
    """What the caisse answers for one invoice number, whatever the draw."""
    invoice: int = Field(ge=1, le=999_999_999)
    state: Literal["paye", "rejete", "differe"] = "paye"
    code: str = _CODE
    label: str = _LABEL
    paid: int | None = Field(default=None, ge=-99_999_999, le=99_999_999)  # cents; None = the amount asked


class _LotFilter(_Options):
    lot: str | None = None
    organisme: str | None = None
    probability: float = Field(default=1.0, ge=0.0, le=1.0)

    def matches(self, lot: str, organisme: str) -> bool:
        return (self.lot is None or self.lot == lot) and (self.organisme is None or self.organisme == organisme)


class MovementRule(_LotFilter):
    """A 250 mouvement financier attached to the lot's first virement (e.g. ODL/RPR -2,30)."""
    debt_reference: str = Field(max_length=10)
    debt_nature: str = Field(default="ODL", pattern=r"^[A-Z]{3}$")
    operation: str = Field(default="RPR", pattern=r"^[A-Z]{3}$")
    amount: int = Field(ge=-99_999_999, le=99_999_999)        # signed cents
    balance: int | None = Field(default=None, ge=0, le=99_999_999)
    debt_date: date | None = None                             # default: the day of the return


class OneOffRule(_LotFilter):
    """A 261/262 paiement ponctuel ou forfaitaire in its own règlement (type de retour 03)."""
    payment_code: str = Field(default="00001", pattern=r"^[0-9]{1,5}$")
    code: str = Field(default="AIDSV", max_length=5)
    label: str = Field(default="AIDE ANNUELLE SESAM-VITALE", max_length=80)
    amount: int = Field(default=30_000, ge=0, le=99_999_999)
    period: Literal["H", "M", "T", "S", "A", "P"] = "A"
    period_start: date | None = None
    period_end: date | None = None
    nir: str = Field(default="", max_length=13)
    nir_key: str = Field(default="", pattern=r"^([0-9]{2})?$")
    birth_date: str = Field(default="", max_length=6)


class RspOptions(_Options):
    enabled: bool = True
    reject_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    deferred_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    reject_code: str = Field(default=DEFAULT_REJECT[0], pattern=r"^[0-9]{8}$")
    reject_label: str = Field(default=DEFAULT_REJECT[1], max_length=80)
    deferred_code: str = Field(default=DEFAULT_DEFERRED[0], pattern=r"^[0-9]{8}$")
    deferred_label: str = Field(default=DEFAULT_DEFERRED[1], max_length=80)
    virement_size: int = Field(default=0, ge=0)             # invoices per virement; 0 = one per lot
    amc_in_amo: bool = False                                 # 199 in the AMO return (paiement coordonné)
    reference: str = Field(default="576", pattern=r"^[0-9]{3}$")
    ald: tuple[AldEntry, ...] = ()
    invoices: tuple[InvoiceRule, ...] = ()
    movements: tuple[MovementRule, ...] = ()
    one_off: tuple[OneOffRule, ...] = ()


def rsp_options(scenario: Scenario) -> RspOptions:
    """The scenario's `[rsp]` table, validated (ConfigError with the faulty key)."""
    try:
        return RspOptions.model_validate(scenario.rsp or {})
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("rsp", *first.get("loc", ())))
        raise ConfigError(f"Scénario de caisse invalide : « {where} » : {first.get('msg')}.",
                          log=f"invalid rsp options: {where}: {first.get('msg')}") from exc


def rsp_file_name(b2_name: str, lot: str, lots_in_file: int = 1) -> str:
    stem = b2_name[:-3] if b2_name.lower().endswith(".b2") else b2_name
    return f"RSP-{stem}.rsp" if lots_in_file == 1 else f"RSP-{stem}-{lot}.rsp"


class _Answer:
    """The caisse's decision for one invoice."""
    __slots__ = ("state", "code", "label", "paid")

    def __init__(self, state: str, code: str = "", label: str = "", paid: int | None = None) -> None:
        self.state, self.code, self.label, self.paid = state, code, label, paid


class NoemieRspEmitter:
    """`RspEmitter` of core/caisse: one RSP file per accepted lot (see the module doc)."""

    def emit(self, *, document: B2Document, lot: B2LotNode, decision: Decision, b2_name: str, now: datetime,
             scenario: Scenario) -> list[tuple[str, bytes]]:
        options = rsp_options(scenario)
        if not options.enabled or decision.outcome != "positif" or not lot.invoices:
            return []
        data = _LotReturn(document, lot, b2_name, now.date(), scenario.seed, options).build()
        return [(rsp_file_name(b2_name, lot.number, len(document.lots)), data)]


class _LotReturn:
    def __init__(self, document: B2Document, lot: B2LotNode, b2_name: str, day: date, seed: int,
                 options: RspOptions) -> None:
        self.document, self.lot, self.b2_name, self.day, self.seed, self.o = document, lot, b2_name, day, seed, options
        self.kind, self.dest = lot_destination(lot)
        self.amc = self.kind == "AMC"
        # Emitter as on the ARL: "01349000" for an AMO destination, the AMC number for a DRE lot.
        self.payer = self.dest if self.amc else self.dest.replace(" ", "") + "000"
        ps = str(lot.header["ps_number"])
        self.recipient14, self.recipient15 = ps.zfill(14), ps.zfill(15)
        file_id = str(document.header["file_id"]).strip()
        self.file_id = file_id.zfill(6) if file_id.isdigit() else "000000"
        self.rules = {r.invoice: r for r in options.invoices}
        self.ald = options.ald

    def _rng(self, *parts: object) -> random.Random:
        return random.Random("|".join(map(str, (self.seed, "rsp", self.b2_name, self.lot.number, *parts))))

    # -- decisions --
    def _has_ald(self, inv: B2InvoiceNode) -> bool:
        h = inv.header
        return any(a.nir == h["nir"] and a.nir_key in ("", h["nir_key"])
                   and a.birth_date in ("", str(h["birth_date"]).strip()) for a in self.ald)

    def _answer(self, inv: B2InvoiceNode) -> _Answer:
        number = inv.header["invoice_number"]
        rule = self.rules.get(number)
        if rule is not None:
            default = {"paye": ("", ""), "rejete": (self.o.reject_code, self.o.reject_label),
                       "differe": (self.o.deferred_code, self.o.deferred_label)}[rule.state]
            return _Answer(rule.state, rule.code or default[0], rule.label or default[1], rule.paid)
        if (not self.amc and self.ald and str(inv.header["exoneration"]).strip() in _NOT_EXONERATED
                and self._has_ald(inv)):
            return _Answer("rejete", *ALD_REJECT)
        draw = self._rng("facture", number).random()
        if draw < self.o.reject_probability:
            return _Answer("rejete", self.o.reject_code, self.o.reject_label)
        if draw < self.o.reject_probability + self.o.deferred_probability:
            return _Answer("differe", self.o.deferred_code, self.o.deferred_label)
        return _Answer("paye")

    # -- entities --
    def _part(self, inv: B2InvoiceNode, answer: _Answer, amc: bool) -> Entity:
        requested = inv.totals["total_rc" if amc else "total_ro"] or 0
        state = {"paye": "P", "rejete": "R", "differe": "D"}[answer.state]
        paid = (requested if answer.paid is None else answer.paid) if state == "P" else 0
        if amc:
            amc_number = str(inv.header["amc_number"]).strip() or (self.dest if self.amc else "")
            return b.amc_part(requested, state, paid, amc_number=amc_number if amc_number.isdigit() else "0",
                              member_id=str(inv.header["amc_member"]).strip())
        return b.amo_part(requested, state, paid)

    def _lines(self, inv: B2InvoiceNode) -> list[Entity]:
        out = []
        for i, node in enumerate(inv.lines, start=1):
            r = node.line
            reimbursed = r["rc_amount"] if self.amc else r["ro_amount"]
            out.append(b.act_line(i, care_date=r["act_date"], prestation=str(r["act_code"])[:3],
                                  reimbursed=reimbursed or 0, base=r["base"] or 0, unit_price=r["unit_price"] or 0,
                                  rate=r["rate"] or 0, quantity=r["quantity"] or 1, expense=r["amount"] or 0,
                                  amc_amount=(r["rc_amount"] or 0) if not self.amc else 0))
        return out

    def _facture(self, inv: B2InvoiceNode, answer: _Answer) -> Group:
        h = inv.header
        with_amc = self.amc or (self.o.amc_in_amo and (inv.totals["total_rc"] or 0) > 0)
        rejects, comments = [], []
        if answer.state != "paye":
            rejects.append(b.reject(answer.code[:10], answer.label[:80]))
        if answer.state == "differe":
            comments.append(b.comment(answer.label[:128]))
        return b.facture(
            h["invoice_number"], nir=h["nir"], nir_key=h["nir_key"], name="", first_name="",
            birth_date=str(h["birth_date"]).strip()[:6], birth_rank=str(h["birth_rank"] or 1)[:1],
            amo=None if self.amc else self._part(inv, answer, amc=False),
            amc=self._part(inv, answer, amc=True) if with_amc else None,
            lines=self._lines(inv) if answer.state == "paye" else (), rejects=rejects, comments=comments)

    def _lot(self, factures: list[Group]) -> Group:
        return b.lot(self.lot.number, self.lot.header["lot_date"] or self.day, *factures)

    def _reglement(self, *items: Group, index: int, total: int, return_type: str = "01") -> Group:
        label_1 = f"VIR {self.kind} LIGNE 1 - {self.file_id}-{self.lot.number}"
        label_2 = f"VIR {self.kind} LIGNE 2 - {index}/{total}"
        return b.reglement(*items, recipient=self.recipient15, accounting_date=self.day, label_1=label_1,
                           label_2=label_2, payer=self.payer[:10], return_type=return_type)

    def _movements(self) -> list[Group]:
        out = []
        for k, rule in enumerate(self.o.movements):
            if rule.matches(self.lot.number, self.dest) and self._rng("mouvement", k).random() < rule.probability:
                out.append(b.mouvement(debt_reference=rule.debt_reference, debt_date=rule.debt_date or self.day,
                                       debt_nature=rule.debt_nature, operation=rule.operation, amount=rule.amount,
                                       balance=rule.balance, line_number=len(out) + 1))
        return out

    def _one_offs(self) -> list[Group]:
        out = []
        for k, rule in enumerate(self.o.one_off):
            if rule.matches(self.lot.number, self.dest) and self._rng("ponctuel", k).random() < rule.probability:
                detail = b.ponctuel_detail(
                    amount=rule.amount, period=rule.period, code=rule.code, label=rule.label,
                    nir=rule.nir or None, nir_key=rule.nir_key or None, birth_date=rule.birth_date or None,
                    period_start=rule.period_start, period_end=rule.period_end)
                out.append(b.ponctuel(rule.payment_code, rule.amount, detail))
        return out

    def build(self) -> bytes:
        paid: list[Group] = []
        rejected: list[Group] = []
        for inv in self.lot.invoices:
            answer = self._answer(inv)
            (rejected if answer.state == "rejete" else paid).append(self._facture(inv, answer))
        size = self.o.virement_size or max(1, len(paid))
        chunks = [paid[i:i + size] for i in range(0, len(paid), size)]
        movements, one_offs = self._movements(), self._one_offs()
        count = len(chunks) + (1 if one_offs else 0) + (1 if movements and not chunks else 0)
        groups: list[Group] = []
        for k, chunk in enumerate(chunks, start=1):
            groups.append(self._reglement(self._lot(chunk), *(movements if k == 1 else ()), index=k, total=count))
        if movements and not chunks:  # a retenue with nothing to pay: a règlement of its own (type 05)
            groups.append(self._reglement(*movements, index=len(groups) + 1, total=count, return_type="05"))
        if one_offs:
            groups.append(self._reglement(*one_offs, index=len(groups) + 1, total=count, return_type="03"))
        if rejected:
            groups.append(b.reglement(self._lot(rejected), recipient=self.recipient15, accounting_date=self.day,
                                      virement=False))
        head = b.header(emitter=self.payer, recipient=self.recipient14, file_id=self.file_id, created=self.day,
                        reference=self.o.reference, emitter_type="OC" if self.amc else "CP",
                        flow_type="D" if self.document.is_demo else "T")
        return write_noemie(b.rsp(head, b.mandataire(self.recipient15, *groups)))


RSP_EXAMPLE_TOML = '''
# Retours NOEMIE (RSP) de la caisse simulée : un fichier par lot accepté (ARL positif).
[rsp]
reject_probability = 0.05        # rejet tiré au sort (code 0100 0512)
deferred_probability = 0.02      # paiement différé
virement_size = 0                # factures par virement (0 = un virement par lot)

# Référentiel : bénéficiaires en ALD. Une FSE sans exonération du ticket modérateur est rejetée
# (0450 0561 L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE).
[[rsp.ald]]
nir = "1421962965165"
nir_key = "96"

# Réponse imposée pour une facture.
[[rsp.invoices]]
invoice = 257
state = "rejete"

# Retenue sur prestation sur le premier virement du lot 025.
[[rsp.movements]]
lot = "025"
debt_reference = "DETTE9FR"
debt_nature = "ODL"
operation = "RPR"
amount = -230

# Aide annuelle SESAM-Vitale versée avec le lot 025.
[[rsp.one_off]]
lot = "025"
code = "AIDSV"
label = "AIDE ANNUELLE SESAM-VITALE"
amount = 30000
period = "A"
'''
