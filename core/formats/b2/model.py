"""Input model of a B2 file: what the télétransmission service builds from database rows.

Plain frozen dataclasses, no validation at construction: `write_b2` checks every value against the
zone it goes into and raises `FormatError` naming that zone, so a bad row never becomes a half-written
file. Money is integer cents; birth dates are strings (lunar dates exist); other dates are `date`.
Codes made of digits (régime "01", caisse "349") are strings so that leading zeros survive.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["B2Lpp", "B2Line", "B2Invoice", "B2Lot", "B2File", "SECURE_MODES", "MARKINGS"]

# Mode de sécurisation -> "Top certification du lot" (record 1, zone 81). A lot holds one mode only.
SECURE_MODES = {"SV": "S", "DEG": "D"}

# "Indicateur de marquage des factures du lot" (record 6, zone 55): D = démonstration, T = tests.
# "R" (factures réelles) is refused on purpose: Lunetier's flow is a demonstration flow.
MARKINGS = ("D", "T")


@dataclass(frozen=True, slots=True)
class B2Lpp:
    """LPP detail of one line (record 4F)."""

    code: str                 # LPP code, e.g. "2203240" (individual manufacturer code since 2021)
    quantity: int             # nombre d'unités
    unit_price: int           # prix unitaire de vente, cents
    tariff: int               # tarif de référence LPP (or PU sur devis), cents
    base: int                 # base de remboursement LPP, cents
    kind: str = "A"           # type de prestation: A achat, L location, R réparation...
    siret: str = ""           # SIRET of the manufacturer/importer (optional)

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class B2Line:
    """One prestation (record 4), e.g. a frame "M03" or a lens "VU3"."""

    code: str                 # code prestation (acte), up to 5 characters
    date: date                # date de l'acte / de la délivrance
    unit_price: int           # cents
    base: int                 # base de remboursement, cents
    rate: int                 # taux AMO in percent (0..100)
    ro_amount: int            # montant remboursable AMO, cents
    rc_amount: int = 0        # montant remboursable AMC, cents
    quantity: int = 1
    lpp: B2Lpp | None = None  # LPP detail, written as a 4F record right after the line

    @property
    def amount(self) -> int:
        """Montant de la dépense: quantity x unit price."""
        return self.quantity * self.unit_price


@dataclass(frozen=True, slots=True)
class B2Invoice:
    """One FSE (or DRE) invoice: record 2, its lines (4 + 4F), record 5."""

    number: int                       # N° facture, 1..999 999 999 (shown as 9 digits)
    nir: str                          # NIR of the assuré, 13 characters (2A/2B allowed)
    nir_key: str                      # 2 digits
    birth_date: str                   # beneficiary, "AAAAMMJJ" (or "AAMMJJ"); written as AAMMJJ
    invoice_date: date
    regime: str                       # organisme AMO gestionnaire: code grand régime, 2 digits
    caisse: str                       # caisse gestionnaire, 3 digits
    centre: str                       # centre gestionnaire, 4 digits
    lines: tuple[B2Line, ...]
    birth_rank: int = 1               # rang de naissance (gémellaire), 1..9
    quality: str = "0"                # qualité du bénéficiaire, 0 = assuré, 6 = enfant...
    insurance_nature: str = "10"      # 10 maladie, 13 Alsace-Moselle, 30 maternité, 41 AT, 90 prévention
    secure_mode: str = "SV"           # "SV" (CPS + Vitale) or "DEG" (dégradé, CPS only)
    prescriber: str = ""              # n° AM du prescripteur + clé, 9 digits ("" when none)
    prescription_date: date | None = None
    prescriber_specialty: str = ""    # 2 digits, e.g. "15" ophtalmologie
    rights_proof: str = "4"           # nature de la pièce justificative des droits (4 = carte Vitale)
    exoneration: str = "0"            # justification d'exonération du TM (0 = non exonéré)
    payee: str = "05"                 # destinataire du règlement: 05 TP AMO, 15 TP intégral, 00 assuré
    operation_nature: str = "1"       # nature d'opération (INFERRED: 1 = facture initiale)
    amc_number: str = ""              # N° d'organisme complémentaire (required in an AMC lot)
    amc_member: str = ""              # N° d'adhérent AMC
    amc_contract_type: str = ""       # type de contrat AMC, 2 digits (89 = C2S...)
    total_amount: int | None = None   # if given, must equal the sum of the lines (else computed)
    total_ro: int | None = None
    total_rc: int | None = None
    certification: str = ""           # zone de certification of record 5 (engine's seal), 32 chars


@dataclass(frozen=True, slots=True)
class B2Lot:
    """A lot: invoices for one destination. AMO lots are numbered "001".."999"; AMC (DRE) lots
    carry letters ("AAE") and an AMC number, which each of their invoices must also carry."""

    number: str
    invoices: tuple[B2Invoice, ...]
    regime: str = ""            # AMO destination: code grand régime, e.g. "01"
    organism: str = ""          # AMO destination: organisme destinataire, e.g. "349"
    amc_number: str = ""        # AMC destination (DRE lot), e.g. "1100000000"
    created: date | None = None  # date de création du lot (default: the file's creation date)
    certification: str = ""     # zone de certification of record 6, 32 chars

    @property
    def is_amc(self) -> bool:
        return bool(self.amc_number)


@dataclass(frozen=True, slots=True)
class B2File:
    """A transmission file: one PS (situation), one or more lots."""

    ps_number: str              # N° de facturation du PS (n° AM) + clé, 9 digits, e.g. "992604231"
    ps_name: str                # nom ou raison sociale (accents are folded to ASCII)
    file_number: int            # identification du fichier, 0..999 999
    created: datetime           # only the date is written (record 000 has no time zone)
    lots: tuple[B2Lot, ...]
    situation: int = 1          # n° logique de situation PS (bookkeeping only: B2 has no zone for it)
    norme: str = "B2"           # record 000 "Norme" (4 chars) and record 1 "Code norme" (2 chars)
    norme_version: str = "062007"  # record 1 "Numéro de version de norme" (manual: "062007 - Juin 2007")
    ps_specialty: str = "28"    # spécialité de l'exécutant (INFERRED: 28 = opticien-lunetier)
    emitter_type: str = "TP"    # TP = partenaire de santé autre qu'établissement
    recipient_type: str = ""    # "" -> "CT" (centre de traitement) if the first lot is AMO, else "OC"
    recipient_number: str = ""  # "" -> first lot's régime + organisme + "000", or its AMC number
    application: str = ""       # record 000/999 "Application" (value not documented: blank)
    marking: str = "D"          # demo marker, record 6 zone 55: "D" démonstration or "T" tests
