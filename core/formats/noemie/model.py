"""NOEMIE PS (RSP) in memory: the entity tree and the typed views the returns import needs.

Tree
- `Entity`: one logical record (code, text without '@', byte offset in the source file). Zones are decoded on
  demand from the spec (`entity.value("paid")`, `entity.fields()`); the reader has already validated every
  zone, so decoding never fails.
- `Group`: the entities sharing one niveau de rupture, in file order, with nested groups of deeper niveaux
  and the 990 that closed it (`control`, None when the group was closed implicitly).
- `NoemieFile`: the 000 header, the root groups, the 999 trailer and the physical layout it was read from.

Niveaux written by Lunetier (INFERRED: the spec fixes 01 for 020 and 02 for 040/070/071/081; [PSM1] shows
that a 990 at niveau 05 closes a facture; nothing public fixes the rest):
  01 mandataire (020) > 02 règlement (040 + 070|071 + 081) > 03 lot (080) > 05 facture (100|102, 103|110,
  120, 150, 160, 198, 199, 210 lines, 290/294/295 rejects and comments).
  Mouvements financiers (250) and paiements ponctuels (261 + its 262 details) are niveau 05 groups directly
  under the règlement. The reader does not depend on these numbers: it groups by whatever niveaux it finds.

Control totals (INFERRED, the spec gives the zones, not the arithmetic; consistent with the manual's
virements, e.g. 40,00 + 60,00 ponctuels - 5,52 retenue = 94,48):
- amount of an entity: 198/199 signed "payé" amount, 250 signed movement, 261 amount; others 0;
- count of a group: its direct sub-groups plus its 210 (lines) and 262 (details) entities;
- a group's amount is the sum over its entities and sub-groups; a 990 carries its group's count and amount;
- the 999 carries the number of entities (000 and 999 included), the number of 080 lots and the sum of the
  root groups' amounts.

Views (frozen dataclasses, built once per file): `payments` (one `InvoicePayment` per facture), `rejects`,
`virements`, `movements`, `one_off_payments`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Iterator, NamedTuple, Union

from core.formats.noemie.codec import Value, decode, encode
from core.formats.noemie.entities import ENTITIES, EntitySpec, label_of

if TYPE_CHECKING:
    from core.formats.noemie.views import Views

__all__ = [
    "Layout", "Entity", "FieldValue", "Group", "NoemieFile", "entity_amount", "COUNTED_CODES",
    "PaymentState", "PartPayment", "ActLine", "Reject", "InvoicePayment", "Virement", "FinancialMovement",
    "OneOffDetail", "OneOffPayment", "GROUP_KINDS",
]


class Layout(str, Enum):
    """Physical layouts of an RSP file (see physical.py)."""
    LINE = "line"          # one long line: 000 (128) + entities '@'-terminated + 999 (128)
    BLOCKS = "blocks"      # 128-byte blocks; data blocks start with a flag: '0' more follow, '1' last one
    BLOCK_LINES = "block-lines"  # the same blocks, one per text line (LF or CRLF)
    TEXT_LINES = "text-lines"    # read only: text lines without flags, joined (e.g. one entity per line)


class FieldValue(NamedTuple):
    key: str
    name: str        # French label from the spec
    raw: str         # zone text as in the file
    value: Value     # decoded value (int cents for amounts, date, str...)
    meaning: str | None  # French label of an enumerated code, if known


class Entity(NamedTuple):
    code: str
    raw: str         # logical record without the '@' delimiter
    offset: int = -1  # byte offset in the source file; -1 when built in memory

    @property
    def spec(self) -> EntitySpec | None:
        return ENTITIES.get(self.code)

    @property
    def title(self) -> str:
        spec = ENTITIES.get(self.code)
        return spec.title if spec else "Entité inconnue"

    @property
    def niveau(self) -> int | None:
        if self.code in ("000", "999"):
            return None
        text = self.raw[3:5]
        return int(text) if text.isdigit() else None

    def zone(self, key: str) -> str:
        """Raw text of a zone."""
        spec = ENTITIES[self.code]
        if not spec.known_layout and key == "data":
            return self.raw[5:]
        return self.raw[spec.by_key[key].slice]

    def value(self, key: str) -> Value:
        """Decoded value of a zone (KeyError for a key the entity does not have)."""
        spec = ENTITIES[self.code]
        if not spec.known_layout and key == "data":
            return self.raw[5:]
        f = spec.by_key[key]
        return decode(f, self.raw[f.slice])

    def fields(self) -> tuple[FieldValue, ...]:
        spec = ENTITIES[self.code]
        out = []
        for f in spec.fields:
            raw = self.raw[5:] if (not spec.known_layout and f.key == "data") else self.raw[f.slice]
            out.append(FieldValue(f.key, f.name, raw, decode(f, raw), label_of(f, raw)))
        return tuple(out)

    def signed(self, amount_key: str, sign_key: str = "sign") -> int:
        """An amount zone combined with its sign zone (blank amount -> 0)."""
        amount = self.value(amount_key) or 0
        assert isinstance(amount, int)
        return -amount if self.raw[ENTITIES[self.code].by_key[sign_key].slice] == "N" else amount

    @classmethod
    def make(cls, code: str, niveau: int | None = None, /, **values: object) -> "Entity":
        """Build an entity from Python values (zones not given are blank, or zeros for mandatory numbers).

        Raises FormatError when a value does not fit its zone; KeyError for an unknown zone key."""
        spec = ENTITIES[code]
        unknown = set(values) - set(spec.by_key)
        if unknown:
            raise KeyError(f"entity {code} has no zone {sorted(unknown)}")
        parts = []
        for f in spec.fields:
            if f.kind == "K":
                parts.append(code)
            elif f.kind == "V":
                parts.append(encode(f, niveau if niveau is not None else 0))
            elif not spec.known_layout and f.key == "data":
                parts.append(str(values.get("data", "")))
            else:
                parts.append(encode(f, values.get(f.key)))
        return cls(code, "".join(parts))


# ---- control arithmetic (shared by reader and writer) ----

COUNTED_CODES = frozenset({"210", "262"})


def entity_amount(code: str, raw: str) -> int:
    """Signed amount an entity contributes to its group's 990 cumul (see module doc)."""
    if code == "198" or code == "199":
        paid = raw[14:22]
        value = int(paid) if paid.isdigit() else 0
        return -value if raw[22] == "N" else value
    if code == "250":
        return -int(raw[29:37]) if raw[37] == "N" else int(raw[29:37])
    if code == "261":
        return int(raw[10:18])
    return 0


GROUP_KINDS = {
    "020": "mandataire", "040": "reglement", "070": "reglement", "071": "reglement", "081": "reglement",
    "080": "lot", "100": "facture", "102": "facture", "250": "mouvement", "261": "ponctuel", "210": "ligne",
}
GROUP_TITLES = {
    "mandataire": "Mandataire", "reglement": "Règlement", "lot": "Lot", "facture": "Facture",
    "mouvement": "Mouvement financier", "ponctuel": "Paiement ponctuel", "ligne": "Ligne", "groupe": "Groupe",
}


@dataclass(frozen=True, eq=False)
class Group:
    niveau: int
    items: tuple[Union[Entity, "Group"], ...]
    control: Entity | None = None   # the 990 that closed the group (reader); ignored by the writer

    @classmethod
    def of(cls, niveau: int, *items: Union[Entity, "Group", None]) -> "Group":
        """Builder helper: None items are skipped."""
        return cls(niveau, tuple(i for i in items if i is not None))

    @property
    def entities(self) -> tuple[Entity, ...]:
        return tuple(i for i in self.items if isinstance(i, Entity))

    @property
    def children(self) -> tuple["Group", ...]:
        return tuple(i for i in self.items if isinstance(i, Group))

    @property
    def kind(self) -> str:
        for item in self.items:
            if isinstance(item, Entity):
                return GROUP_KINDS.get(item.code, "groupe")
        return "groupe"

    @property
    def title(self) -> str:
        return GROUP_TITLES[self.kind]

    @cached_property
    def amount(self) -> int:
        """Signed cumul in cents, computed from the content (not read from the 990)."""
        return sum(i.amount if isinstance(i, Group) else entity_amount(i.code, i.raw) for i in self.items)

    @cached_property
    def count(self) -> int:
        return sum(1 for i in self.items if isinstance(i, Group) or i.code in COUNTED_CODES)

    def walk(self) -> Iterator[Entity]:
        """Every entity of the group and its sub-groups in file order, 990 controls included."""
        for item in self.items:
            if isinstance(item, Group):
                yield from item.walk()
            else:
                yield item
        if self.control is not None:
            yield self.control


@dataclass(frozen=True, eq=False)
class NoemieFile:
    header: Entity
    groups: tuple[Group, ...]
    trailer: Entity | None = None   # the 999 as read; the writer computes its own
    layout: Layout = Layout.LINE

    # -- tree --
    def entities(self) -> Iterator[Entity]:
        """Every entity in file order: 000, data entities and 990 controls, 999."""
        yield self.header
        for g in self.groups:
            yield from g.walk()
        if self.trailer is not None:
            yield self.trailer

    @property
    def reference(self) -> str:
        """NOEMIE reference (e.g. 576 paiements, 900 rejets): first 3 characters of the norme zone [PSM1]."""
        return self.header.raw[61:64].strip()

    @property
    def file_id(self) -> str:
        return str(self.header.value("file_id"))

    @property
    def created(self) -> date | str | None:
        return self.header.value("created")  # type: ignore[return-value]

    @property
    def emitter(self) -> str:
        return str(self.header.value("emitter") or "")

    @property
    def recipient(self) -> str:
        return str(self.header.value("recipient") or "")

    @property
    def amount(self) -> int:
        return sum(g.amount for g in self.groups)

    # -- typed views for the returns import --
    @cached_property
    def _views(self) -> "Views":
        from core.formats.noemie.views import build_views

        return build_views(self)

    @property
    def payments(self) -> tuple["InvoicePayment", ...]:
        return self._views.payments

    @property
    def rejects(self) -> tuple["Reject", ...]:
        return self._views.rejects

    @property
    def virements(self) -> tuple["Virement", ...]:
        return self._views.virements

    @property
    def movements(self) -> tuple["FinancialMovement", ...]:
        return self._views.movements

    @property
    def one_off_payments(self) -> tuple["OneOffPayment", ...]:
        return self._views.one_off_payments


# ---- typed views ----

class PaymentState(str, Enum):
    """État paiement part AMO/AMC (198/199)."""
    PAID = "P"
    REJECTED = "R"
    DEFERRED = "D"
    NOT_PROCESSED = " "

    @property
    def label_fr(self) -> str:
        return {"P": "Payé", "R": "Rejeté", "D": "Différé", " ": "Pas de traitement"}[self.value]


@dataclass(frozen=True)
class PartPayment:
    """One part (AMO from 198, AMC from 199) of an invoice payment; amounts in cents."""
    requested: int
    state: PaymentState
    paid: int                       # signed (régularisations are negative); 0 when the zone is blank
    organism: str | None = None     # 199: N° AMC destinataire
    member_id: str | None = None    # 199: N° identification AMC de l'adhérent


@dataclass(frozen=True)
class ActLine:
    """210 acte professionnel: one paid line of the invoice."""
    line_number: int | None
    prestation: str
    care_date: date | str | None
    care_end_date: date | str | None
    prescription_date: date | str | None
    quantity: int | None
    coefficient: int | None
    unit_price: int | None
    base: int | None
    rate: int | None
    reimbursed: int                 # signed
    expense: int | None
    expense_qualifier: str
    amc_rate: int | None
    amc_amount: int | None
    amc_base: int | None
    exoneration: str
    offset: int


@dataclass(frozen=True)
class Reject:
    """290 rejet ou signalement, or 294 ligne rejet."""
    source: str                     # "290" or "294"
    code: str                       # as in the file, spaces removed ("04500561")
    label: str
    line_number: int | None
    level: str | None = None        # 294: F facture, L ligne, A code affiné
    part: str | None = None         # 294: O obligatoire (+ complémentaire), C complémentaire
    prestation: str | None = None
    care_date: date | str | None = None
    executant: str | None = None
    rank: int | None = None
    extra: str | None = None
    invoice_number: str | None = None
    lot_number: str | None = None
    offset: int = -1

    @property
    def display_code(self) -> str:
        """The manual's form: two groups of 4 digits ("0450 0561")."""
        if len(self.code) == 8:
            return f"{self.code[:4]} {self.code[4:]}"
        return self.code


@dataclass(frozen=True)
class InvoicePayment:
    """What the RSP says about one invoice (a niveau-05 facture group)."""
    invoice_number: str             # as in the file ("000000203"); see invoice_number_int
    lot_number: str | None
    lot_date: date | str | None
    invoice_type: str | None        # 102 only
    invoice_date: date | str | None  # 102 only
    nir: str | None                 # 13 characters
    nir_key: str | None
    insured_name: str | None
    insured_first_name: str | None
    beneficiary_name: str | None
    beneficiary_first_name: str | None
    birth_date: str | None          # raw (lunar dates allowed)
    birth_rank: str | None
    insurance_nature: str | None
    archive_number: str | None
    amo: PartPayment | None
    amc: PartPayment | None
    lines: tuple[ActLine, ...]
    rejects: tuple[Reject, ...]
    comments: tuple[str, ...]
    virement_index: int | None      # index into NoemieFile.virements
    accounting_date: date | str | None
    return_type: str | None         # 081 code ("01" flux électroniques...)
    payer: str | None               # 071 organisme payeur
    settlement_recipient: str | None  # 040 destinataire de règlement
    offset: int

    @property
    def invoice_number_int(self) -> int | None:
        return int(self.invoice_number) if self.invoice_number.isdigit() else None

    @property
    def requested(self) -> int:
        return sum(p.requested for p in (self.amo, self.amc) if p is not None)

    @property
    def paid(self) -> int:
        return sum(p.paid for p in (self.amo, self.amc) if p is not None)

    @property
    def is_rejected(self) -> bool:
        return any(p is not None and p.state is PaymentState.REJECTED for p in (self.amo, self.amc))


@dataclass(frozen=True)
class FinancialMovement:
    """250 mouvement financier (opposition, retenue sur prestation...)."""
    line_number: int | None
    debt_reference: str
    debt_date: date | str | None
    debt_nature: str
    debt_nature_label: str | None
    operation: str
    operation_label: str | None
    amount: int                     # signed
    balance: int | None
    virement_index: int | None
    accounting_date: date | str | None
    offset: int

    @property
    def is_retenue(self) -> bool:
        return self.operation == "RPR"

    @property
    def is_opposition(self) -> bool:
        return self.debt_nature in ("ODL", "OID")


@dataclass(frozen=True)
class OneOffDetail:
    """262 détail paiement ponctuel ou forfaitaire."""
    code: str
    label: str
    nir: str | None
    nir_key: str | None
    birth_date: str | None
    birth_rank: str | None
    period: str
    period_label: str | None
    period_start: date | str | None
    period_end: date | str | None
    amount: int
    offset: int


@dataclass(frozen=True)
class OneOffPayment:
    """261 paiement ponctuel ou forfaitaire (e.g. aide annuelle SESAM-Vitale) with its 262 details."""
    payment_code: str | None
    amount: int
    details: tuple[OneOffDetail, ...]
    virement_index: int | None
    accounting_date: date | str | None
    return_type: str | None
    offset: int


@dataclass(frozen=True)
class Virement:
    """071 date comptable et référence du virement, with everything its règlement group carries."""
    index: int
    accounting_date: date | str | None
    label_1: str
    label_2: str
    payer: str | None
    settlement_recipient: str | None
    return_type: str | None
    total: int                      # signed cumul of the règlement group (payments + movements + ponctuels)
    payments: tuple[InvoicePayment, ...] = field(default=())
    movements: tuple[FinancialMovement, ...] = field(default=())
    one_off_payments: tuple[OneOffPayment, ...] = field(default=())
    offset: int = -1

    @property
    def label(self) -> str:
        """Both label lines concatenated, as the manual's Suivi Virements shows them."""
        return self.label_1 + self.label_2
