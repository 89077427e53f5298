"""Values returned by the Suivi Facturations queries (core/services/suivi.py): frozen, no peewee rows.

Money is integer cents. Labels follow the manual (§VII): "Reçu le", "Attendu", "Mt payé", "Reste dû",
"Org. AMO/AMC", "État AMO/AMC", "SV"; the detail mirrors "Suivi des factures Tiers Payant - Détail facture".
"""
from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from core.services.base import DTO
from core.services.reject_diagnosis import Diagnosis

# Invoice billing states (DOMAIN 10.3). "Différé" comes from the Rejets/Différés table of the detail.
PAYE, REJETE, ANOMALIE, ATTENTE, DIFFERE, NA = "Payé", "Rejeté", "En anomalie", "Attente RSP", "Différé", "N/A"
ETATS = (PAYE, REJETE, ANOMALIE, ATTENTE, DIFFERE)
# States from which the optician may take over by hand ("En cas de rejet ... Traitement manuel").
TROUBLE_STATES = (REJETE, ANOMALIE, DIFFERE)
SECURISE = "Sécurisé"

# Worst first: the "État facture" of the detail is the worst state of its AMO and AMC parts.
_SEVERITY = (REJETE, ANOMALIE, DIFFERE, ATTENTE, PAYE)

# Rang (NOEMIE 120, twins): how the manual prints rang 1 ("Pas de jumeau ou 1er").
RANG_LABELS = {1: "Pas de jumeau ou 1er", 2: "2ème jumeau", 3: "3ème jumeau", 4: "4ème jumeau"}


def rang_label(rang: int) -> str:
    return RANG_LABELS.get(rang, f"Rang {rang}")


def worst_state(*states: str) -> str:
    present = [s for s in states if s and s != NA]
    for state in _SEVERITY:
        if state in present:
            return state
    return present[0] if present else NA


def pair(amo: str, amc: str) -> str:
    """'Rejeté / Rejeté' when the invoice has an AMC part, else the AMO value alone (manual's column)."""
    return f"{amo} / {amc}" if amc else amo


class SuiviFilters(DTO):
    """Quick filters of the pane plus every field of "Gestion des filtres". Empty = no restriction."""
    date_from: date | None = None          # Date Facturation (min)
    date_to: date | None = None            # Date Facturation (max)
    etat: str = ""                         # État Facturation (AMO or AMC part in that state)
    nom: str = ""                          # quick "Nom du client" filter (contains, case-insensitive)
    benef_nom: str = ""
    benef_prenom: str = ""
    benef_nir: str = ""
    assure_nom: str = ""
    assure_prenom: str = ""
    assure_nir: str = ""
    maj_from: date | None = None           # Date dernière MAJ (min)
    maj_to: date | None = None             # Date dernière MAJ (max)
    numero: int | None = None              # N° Facture
    lot: str = ""                          # N° Lot (AMO lot or DRE lot)
    dre_annulation: bool = False           # DRE d'annulation possible
    manuel: bool = False                   # Facture traitée manuellement
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, le=500)

    def advanced_count(self) -> int:
        """How many "Recherche avancée" criteria are set (shown next to the search line)."""
        values = (self.benef_nom, self.benef_prenom, self.benef_nir, self.assure_nom, self.assure_prenom,
                  self.assure_nir, self.maj_from, self.maj_to, self.numero, self.lot, self.dre_annulation,
                  self.manuel)
        return sum(1 for v in values if v not in ("", None, False))


class SuiviRow(DTO):
    invoice_id: int
    numero: int
    recu_le: datetime | None               # latest RSP import that touched the invoice
    client: str                            # "NOM PRENOM"
    date: date
    lot: str
    dre_lot: str = ""
    attendu_cents: int
    paye_cents: int
    org_amo: str                           # "01 349 9881"
    org_amc: str = ""                      # n° AMC when the invoice has an AMC part
    etat_amo: str
    etat_amc: str = ""
    sv: str                                # SV | DEG
    manuel: bool = False
    lettree: bool = False

    @property
    def reste_cents(self) -> int:
        return self.attendu_cents - self.paye_cents

    @property
    def org(self) -> str:
        return pair(self.org_amo, self.org_amc)

    @property
    def etat(self) -> str:
        return pair(self.etat_amo, self.etat_amc if self.org_amc else "")


class SuiviSummary(DTO):
    """'N dossiers dont M sécurisés en sesam vitale soit P%' for the current filter."""
    dossiers: int
    securises_sv: int

    @property
    def percent(self) -> int:
        # Half-up to a whole percent (19/23 = 82.6 -> 83 %, the manual's figure).
        return (200 * self.securises_sv + self.dossiers) // (2 * self.dossiers) if self.dossiers else 0

    @property
    def line(self) -> str:
        dossiers = "dossier" if self.dossiers <= 1 else "dossiers"
        securises = "sécurisé" if self.securises_sv <= 1 else "sécurisés"
        return (f"{self.dossiers} {dossiers} dont {self.securises_sv} {securises} en sesam vitale "
                f"soit {self.percent}%")


class SuiviPage(DTO):
    rows: tuple[SuiviRow, ...]
    page: int
    page_size: int
    summary: SuiviSummary

    @property
    def total(self) -> int:
        return self.summary.dossiers

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


class RejectRow(DTO):
    date: date
    traitement: str
    part: str
    code: str
    libelle: str
    prestation: str
    date_soins: date | None
    niveau: str
    execution: str
    diagnosis: Diagnosis | None = None


class PaymentLine(DTO):
    date: date
    part: str
    organisme: str
    billed_cents: int
    paid_cents: int
    state: str
    virement: str = ""


class InvoiceDetail(DTO):
    """Every field of "Suivi des factures Tiers Payant - Détail facture"."""
    invoice_id: int
    numero: int
    etat_facture: str
    date: date
    attendu_cents: int
    paye_cents: int
    type_facture: str
    total_cents: int
    etat_fse: str                          # the state of the FSE's lot ("RSP")
    norme: str                             # NOEMIE reference of the return ("900")
    lot: str
    dre_lot: str = ""
    sv: str = ""
    client: str = ""
    benef_nom: str
    benef_prenom: str
    nir: str                               # 15 characters (13 + key)
    rang: int
    birth_date: str
    amo_demande_cents: int
    amo_paye_cents: int
    etat_amo: str
    amc_demande_cents: int
    amc_paye_cents: int
    etat_amc: str
    org_amo: str = ""
    org_amc: str = ""
    manuel: bool = False
    manuel_motif: str = ""
    lettree: bool = False
    updated_at: datetime | None = None
    rejects: tuple[RejectRow, ...] = ()
    payments: tuple[PaymentLine, ...] = ()

    @property
    def numero_long(self) -> str:
        return f"{self.numero:09d}"

    @property
    def reste_cents(self) -> int:
        return self.attendu_cents - self.paye_cents

    @property
    def lot_label(self) -> str:
        return " / ".join(x for x in (self.lot, self.dre_lot) if x)

    @property
    def rang_label(self) -> str:
        return rang_label(self.rang)

    @property
    def can_treat_manually(self) -> bool:
        return not self.manuel and any(s in TROUBLE_STATES for s in (self.etat_amo, self.etat_amc))

    @property
    def can_change_state(self) -> bool:
        return any(s and s not in (PAYE, NA) for s in (self.etat_amo, self.etat_amc))

    @property
    def can_letter(self) -> bool:
        return not self.lettree and self.reste_cents > 0
