"""The demo dataset: the shop of the manual (shared/seed/000_798691918ba54ec8.txt, sections II-X), as data.

Pure values (frozen dataclasses, no database): core/services/demo.py turns them into rows. Money is in
integer cents, birth dates are strings as the card shows them ("01/19/1942" is a lunar date: month 19).

Where the manual's screenshots disagree with each other (they were taken on different days: the
Télétransmis list says "date du jour : 28/05/24" while Suivi Facturations already shows RSPs received on
24/06/24), each screen's own rows are reproduced and the choice is noted next to the data.

Definition behind the manual's line "23 dossiers dont 19 sécurisés en sesam vitale soit 83%"
(Suivi Facturations, search 01/01/2024-28/05/2024): a *dossier* of Suivi Facturations is an invoice of
the store, dated within the search range, whose FSE is in state "Sécurisé" and has been put in an AMO lot
(``Fse.lot`` set). It is *sécurisé en SESAM-Vitale* when that FSE's mode is "SV" (not "DEG").
With this data: invoices 200-215, 222, 249, 251, 253, 254, 257, 258 = 23; DEG = 200, 201, 203, 257
(203 and 257 are DEG in the manual; 200 and 201 are INFERRED: they only appear on the unseen page 2
of the Pièces Jointes list) -> 19 SV, 19/23 = 83 %.

"Too many results" case of the convention choice (manual §V, "Code : -1300"): n° préfectoral
``OVERFLOW_PREFECTORAL`` (mutuelle "Mut. Multi-Conventions (démo)") has ``OVERFLOW_COUNT`` conventions,
each with a distinct (Type Conv., Crit. Secondaire); the pair printed on the demo "carte mutuelle" is
``OVERFLOW_CARD``, which narrows the list to one convention.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

DEMO_VERSION = 1
MARKER_KEY = "demo.loaded"

# Counter names (Counter.name) and the values the demo leaves: next invoice 260, next AMO lot 038.
COUNTER_INVOICE = "invoice"
COUNTER_LOT_AMO = "lot.AMO"
COUNTER_LOT_AMC = "lot.AMC"   # AMC (DRE) lots are lettered: 1 = AAA ... 5 = AAE (INFERRED encoding)
COUNTER_VENTE = "vente"
COUNTER_DEVIS = "devis"

# --- Practitioner ---------------------------------------------------------------------------------------
PS_NOM = "OPTIQUE DEMO"                 # INFERRED: the manual never shows the optician's name
PS_PRENOM = "Lunetier"
PS_NUMERO_AM = "992604231"              # "id PS 992604..." and "Numéro destinataire 00000992604231"
PS_RPPS = "10100992600"                 # INFERRED (11 digits, Luhn-valid); not in the manual
PS_ID = PS_NUMERO_AM
PS_DESTINATAIRE = PS_NUMERO_AM.rjust(14, "0")   # "00000992604231"


def d(text: str) -> date:
    """'28/05/2024' -> date: keeps the tables below readable in the manual's own notation."""
    day, month, year = text.split("/")
    return date(int(year), int(month), int(day))


def dt(text: str, hm: str = "10:00") -> datetime:
    hour, minute = hm.split(":")
    return datetime.combine(d(text), datetime.min.time()).replace(hour=int(hour), minute=int(minute))


# --- Organisms (AMO) ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrganismSpec:
    key: str
    regime: str
    caisse: str
    centre: str
    libelle: str

    @property
    def payeur(self) -> str:
        """8-digit "Organisme payeur" of Suivi Virements (régime + caisse + centre informatique 000)."""
        return f"{self.regime}{self.caisse}000"

    @property
    def org_dest(self) -> str:
        return f"{self.regime} {self.caisse}"


ORGANISMS = (
    OrganismSpec("TEST", "01", "999", "9999", "Caisse de TEST"),
    OrganismSpec("CNDA", "01", "349", "9881", "Flux CNAMTS CNDA"),
    OrganismSpec("MSA", "02", "349", "0000", "Flux MSA CNDA"),          # label INFERRED (MSA = régime 02)
    OrganismSpec("CRPCEN", "10", "349", "0210", "Flux CRPCEN CNDA"),    # label INFERRED (régime 10)
)
ORGANISM = {o.key: o for o in ORGANISMS}


# --- Mutuelles (AMC) and conventions --------------------------------------------------------------------
@dataclass(frozen=True)
class MutuelleSpec:
    key: str
    numero: str
    nom: str
    mode_gestion_sv: str            # separee | unique
    teletransmission_defaut: bool
    organisme_payeur: str = ""


MUTUELLES = (
    # Manual §V "Paramétrage : Mutuelle": gestion séparée, télétransmission par défaut (DRE lot AAE).
    MutuelleSpec("CNDA", "1100000000", "Mut. Test CNDA", "separee", True),
    # The manual's "C25 (RO) régime obligatoire" is OCR of "C2S": the RO manages the RC part (GU), which
    # is why the RO's virement pays both parts ("01 349 9881 / 99999997 Payé / Payé").
    MutuelleSpec("C2S", "99999997", "C2S (RO) régime obligatoire", "unique", True, "01349000"),
    # Paid inside the CRPCEN virement 7FR (AMC part of invoice 259): gestion unique, name INFERRED.
    MutuelleSpec("PART", "0062013354", "Mut. Partenaire (démo)", "unique", True, "10349000"),
    # Not in the manual: the mutuelle whose n° préfectoral has too many conventions (see module doc).
    MutuelleSpec("MULTI", "7777777777", "Mut. Multi-Conventions (démo)", "separee", True),
)
MUTUELLE = {m.key: m for m in MUTUELLES}


@dataclass(frozen=True)
class ConventionSpec:
    id_signataire: str
    lib_signataire: str
    type_convention: str
    type_accord: str
    numero_amc: str
    lib_amc: str
    conv_groupe: str = ""
    crit_secondaire: str = ""
    desactive: bool = False
    mutuelle: str = ""              # MutuelleSpec key when the shop has that mutuelle

    @property
    def natural_key(self) -> tuple[str, str, str, str]:
        return (self.id_signataire, self.type_convention, self.crit_secondaire, self.numero_amc)


OVERFLOW_PREFECTORAL = "7777777777"
OVERFLOW_TYPES = ("CM", "SP", "TP", "GU", "RC", "HO")
OVERFLOW_COUNT = 120                 # 6 types x 20 critères; any engine limit below this gives -1300
OVERFLOW_CARD = ("SP", "07")         # (Type Conv., Crit. Secondaire) printed on the demo carte mutuelle


def _overflow_conventions() -> tuple[ConventionSpec, ...]:
    rows = []
    for t, conv_type in enumerate(OVERFLOW_TYPES):
        for crit in range(1, OVERFLOW_COUNT // len(OVERFLOW_TYPES) + 1):
            n = t * 100 + crit
            rows.append(ConventionSpec(
                id_signataire=f"77{n:08d}", lib_signataire=f"Signataire {n:03d}", type_convention=conv_type,
                type_accord="T", numero_amc=OVERFLOW_PREFECTORAL, lib_amc="Mut. Multi-Conventions (démo)",
                crit_secondaire=f"{crit:02d}", desactive=(crit == 20), mutuelle="MULTI"))
    return tuple(rows)


# The manual's grid row reads "1100000000 | Zz1 | | CM | | T | | | 0"; N° AMC is filled here (the manual
# shows it blank) so that a search by n° préfectoral / N° AMC finds it.
CONVENTIONS = (
    ConventionSpec("1100000000", "Zz1", "CM", "T", "1100000000", "Mut. Test CNDA", mutuelle="CNDA"),
    # Two conventions of mutuelles the shop does not have (INFERRED, platform names from DOMAIN 6.3).
    ConventionSpec("7500000001", "ISANTE", "SP", "T", "0775659923", "Mutuelle iSanté (démo)", crit_secondaire="01"),
    ConventionSpec("7500000002", "ALMERYS", "CM", "P", "0442155012", "Mutuelle Almerys (démo)", desactive=True),
) + _overflow_conventions()


# --- Prescriber -----------------------------------------------------------------------------------------
PRESCRIBER_AM = "991000696"
PRESCRIBER_RPPS = "00991000696"
PRESCRIBER_NOM = "CNDA"             # the dossier's Ordonnance panel shows "CNDA"
PRESCRIBER_SPECIALITE = "15"        # ophtalmologie, INFERRED


# --- People ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientSpec:
    key: str
    nom: str
    prenom: str
    birth_date: str = ""
    sexe: str = ""
    adresse: str = ""
    code_postal: str = ""
    ville: str = ""


@dataclass(frozen=True)
class AssureSpec:
    key: str
    nir: str                        # 13-character body; the key is computed (python-stdnum)
    nom: str
    prenom: str
    organism: str


@dataclass(frozen=True)
class BenefSpec:
    key: str
    assure: str
    client: str
    qualite: int = 0                # 0 assuré, 2 conjoint, 6 enfant (DOMAIN 1.4)
    rang: int = 1
    amc: str = ""                   # MutuelleSpec key of the AMC known for this beneficiary


CLIENTS = (
    ClientSpec("DESMAUX", "DESMAUX", "NATHALIE", "15/06/1955", "F", "5, BD MARIE ET ALEXANDRE OYON", "72019",
               "LE MANS CEDEX 2"),
    ClientSpec("ISSNER_NATACHA", "ISSNER", "NATACHA", "12/03/1978", "F"),
    # The Pièces Jointes list shows "ISSNER Nathalie" for invoice 251: kept as Natacha's daughter.
    ClientSpec("ISSNER_NATHALIE", "ISSNER", "NATHALIE", "04/09/2008", "F"),
    ClientSpec("DURAND", "DURAND", "DENIS", "22/04/1965", "M"),
    ClientSpec("ESSAI_ALAIN", "ESSAI", "ALAIN", "01/19/1942", "M"),   # lunar date, as on the card
    ClientSpec("ESSAI_ALAINTER", "ESSAI", "ALAINTER", "07/02/1944", "F"),
    ClientSpec("ESSAI_ALEXIS", "ESSAI", "ALEXIS", "12/02/2010", "M"),
    ClientSpec("ESSAI_ARTHUR", "ESSAI", "ARTHUR", "12/02/2010", "M"),  # Alexis' twin: rang 2
    ClientSpec("ESSAI_ALEXANDRE", "ESSAI", "ALEXANDRE", "03/07/2004", "M"),
    ClientSpec("ESSAI_ALEXA", "ESSAI", "ALEXA", "21/11/2003", "F"),
    ClientSpec("CASTROIS", "CASTROIS", "LUCIEN", "14/08/1950", "M"),
    ClientSpec("AMELIE", "FACTURE", "AMELIE", "01/01/1980", "F"),
    # Counter customers without tiers payant (the invoices the manual never shows), INFERRED.
    ClientSpec("MARTIN", "MARTIN", "CLAIRE", "", "F", ville="LE MANS"),
    ClientSpec("PETIT", "PETIT", "LOUIS", "", "M", ville="LE MANS"),
    ClientSpec("BERNARD", "BERNARD", "SOPHIE", "", "F", ville="ALLONNES"),
    ClientSpec("ROBERT", "ROBERT", "HUGO", "", "M", ville="COULAINES"),
)
CLIENT = {c.key: c for c in CLIENTS}
COUNTER_CLIENTS = ("MARTIN", "PETIT", "BERNARD", "ROBERT")

# Invented test NIRs (dept 99 / commune 999 like the manual's 2 55 06 99 999 999) except DESMAUX and
# ESSAI Alain, which are the manual's. ESSAI Alexandre has his own NIR at the CRPCEN (invoices 215, 250)
# and is still an ayant droit of his father at the CNAMTS (invoice 212): both exist in the manual.
ASSURES = (
    AssureSpec("DESMAUX", "2550699999999", "DESMAUX", "NATHALIE", "TEST"),
    AssureSpec("ISSNER", "2780399999998", "ISSNER", "NATACHA", "CNDA"),
    AssureSpec("DURAND", "1650499999997", "DURAND", "DENIS", "CNDA"),
    AssureSpec("ESSAI_ALAIN", "1421962965165", "ESSAI", "ALAIN", "CNDA"),
    AssureSpec("ESSAI_ALEXANDRE", "1040799999996", "ESSAI", "ALEXANDRE", "CRPCEN"),
    AssureSpec("CASTROIS", "1500899999995", "CASTROIS", "LUCIEN", "MSA"),
    AssureSpec("AMELIE", "2800199999994", "FACTURE", "AMELIE", "CNDA"),
)
ASSURE = {a.key: a for a in ASSURES}

BENEFICIAIRES = (
    BenefSpec("DESMAUX", "DESMAUX", "DESMAUX"),
    BenefSpec("ISSNER_NATACHA", "ISSNER", "ISSNER_NATACHA", amc="C2S"),
    BenefSpec("ISSNER_NATHALIE", "ISSNER", "ISSNER_NATHALIE", qualite=6, amc="C2S"),
    BenefSpec("DURAND", "DURAND", "DURAND"),
    BenefSpec("ESSAI_ALAIN", "ESSAI_ALAIN", "ESSAI_ALAIN"),
    BenefSpec("ESSAI_ALAINTER", "ESSAI_ALAIN", "ESSAI_ALAINTER", qualite=2, amc="C2S"),
    BenefSpec("ESSAI_ALEXIS", "ESSAI_ALAIN", "ESSAI_ALEXIS", qualite=6, rang=1),
    BenefSpec("ESSAI_ARTHUR", "ESSAI_ALAIN", "ESSAI_ARTHUR", qualite=6, rang=2),
    BenefSpec("ESSAI_ALEXANDRE_AD", "ESSAI_ALAIN", "ESSAI_ALEXANDRE", qualite=6),
    BenefSpec("ESSAI_ALEXANDRE", "ESSAI_ALEXANDRE", "ESSAI_ALEXANDRE"),
    BenefSpec("ESSAI_ALEXA", "ESSAI_ALEXANDRE", "ESSAI_ALEXA", qualite=2, amc="PART"),
    BenefSpec("CASTROIS", "CASTROIS", "CASTROIS"),
    BenefSpec("AMELIE", "AMELIE", "AMELIE"),
)
BENEF = {b.key: b for b in BENEFICIAIRES}

# "Informations lues le 28/05/24 à 11:13" (Détail Informations Vitale) for DESMAUX; ADRi window of §II.
DESMAUX_READ_AT = dt("28/05/2024", "11:13")
DESMAUX_AMO = (d("29/05/2023"), d("28/05/2024"))


# --- Dossier lines --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineSpec:
    """One article, and (when remboursable) the FSE line the engine produced for it."""
    libelle: str
    kind: str
    price_cents: int
    lpp: str = ""
    prestation: str = ""
    classe: str = "B"
    side: str = ""
    remboursable: bool = True
    base_cents: int = 0             # engine's base de remboursement for the line
    taux: int = 60
    amo_cents: int = 0
    amc_cents: int = 0              # RC1 amount (mutuelle)


def madele(taux: int = 60, amo: int = 3) -> tuple[LineSpec, ...]:
    """Frame MADELE, M03 / LPP 7211674, 209,00 (base 0,05). Taux 100 where the manual shows 0,05 RO."""
    return (LineSpec("MADELE", "monture", 20900, "7211674", "M03", base_cents=5, taux=taux, amo_cents=amo),)


def desmaux_equipment(with_rc: bool) -> tuple[LineSpec, ...]:
    """Détail remboursements of §III: 415,00, RO 0,09. With RC (invoice 254): 100,00 split 40/30/30
    over the three lines (INFERRED split; the manual gives the total only)."""
    lens = "V Airwear Cz EasyP Chrono"
    return (
        LineSpec("MADELE", "monture", 20900, "7211674", "M03", base_cents=5, amo_cents=3,
                 amc_cents=4000 if with_rc else 0),
        LineSpec(lens, "verre", 10300, "7230795", "VU3", side="OD", base_cents=5, amo_cents=3,
                 amc_cents=3000 if with_rc else 0),
        LineSpec("S Cz EasyP", "supplement", 0, side="OD", remboursable=False),
        LineSpec(lens, "verre", 10300, "7230795", "VU3", side="OG", base_cents=5, amo_cents=3,
                 amc_cents=3000 if with_rc else 0),
        LineSpec("S Cz EasyP", "supplement", 0, side="OG", remboursable=False),
    )


def frame_a(base: int = 900, taux: int = 60, amo: int = 540, amc: int = 0) -> LineSpec:
    """Classe A frame 30,00 (catalogue 7990101, M01, BR 9,00 -> RO 5,40 at 60 %)."""
    return LineSpec("Monture classe A 100% Santé", "monture", 3000, "7990101", "M01", "A", base_cents=base,
                    taux=taux, amo_cents=amo, amc_cents=amc)


# The CNDA demonstration flux answered amounts that no catalogue rule gives (5,52 and 4,69 + 0,83): the FSE
# lines keep the engine's numbers. INFERRED reading: base 5,52; 60 % -> 3,31 RO + 2,21 RC (ticket
# modérateur) for the C2S family; 85 % -> 4,69 RO (+ 0,83 RC) at the CRPCEN.
T552 = (frame_a(base=552, taux=60, amo=331, amc=221),)
T469 = (frame_a(base=552, taux=85, amo=469),)
T469_RC = (frame_a(base=552, taux=85, amo=469, amc=83),)
# 249: 47,55 = frame 30,00 + one classe A lens 17,55 (INFERRED split); C2S: RO + RC = the whole price.
ISSNER_249 = (
    frame_a(amc=2460),
    LineSpec("Verre unifocal classe A", "verre", 1755, "7990201", "VU1", "A", side="OD", base_cents=975,
             amo_cents=585, amc_cents=1170),
)

# Counter sales without tiers payant or FSE (invoices 216-221, 223-248, 252), INFERRED.
COUNTER_ITEMS = (
    ("Lunettes solaires Sun 54", 8900), ("Étui rigide", 1200), ("Cordon à lunettes", 650),
    ("Spray nettoyant 30 ml", 790), ("Lentilles journalières (boîte de 30)", 2990), ("Loupe de lecture", 1900),
)


def counter_sale(index: int) -> tuple[LineSpec, ...]:
    libelle, price = COUNTER_ITEMS[index % len(COUNTER_ITEMS)]
    return (LineSpec(libelle, "autre", price, classe="", remboursable=False),)


# --- Invoices -------------------------------------------------------------------------------------------
SV, DEG = "SV", "DEG"
SECURISE, TP_CALCULE, SUPPRIMEE = "Sécurisé", "TP Calculé", "FSE supprimée"
PAYE, REJETE, ANOMALIE, ATTENTE, NA = "Payé", "Rejeté", "En anomalie", "Attente RSP", "N/A"


@dataclass(frozen=True)
class InvoiceSpec:
    number: int
    on: date
    who: str                        # BenefSpec key (tiers payant) or ClientSpec key (counter sale)
    lines: tuple[LineSpec, ...]
    organism: str = ""              # AMO of the FSE ("" = no FSE)
    mutuelle: str = ""              # AMC of the RC part
    fse_state: str = ""             # "" = no FSE row
    mode: str = SV
    lot: str = ""                   # AMO lot number
    amo_state: str = ""
    amc_state: str = ""
    ordo_on: date | None = None
    type_facture: str = "FSE Seule"
    dre_lot: str = ""

    @property
    def tiers_payant(self) -> bool:
        return bool(self.organism)

    @property
    def amo_cents(self) -> int:
        return sum(line.amo_cents for line in self.lines)

    @property
    def amc_cents(self) -> int:
        return sum(line.amc_cents for line in self.lines)

    @property
    def total_cents(self) -> int:
        return sum(line.price_cents for line in self.lines)


JAN8, JAN9 = d("08/01/2024"), d("09/01/2024")
MAY27, MAY28, MAY29 = d("27/05/2024"), d("28/05/2024"), d("29/05/2024")
ORDO_JAN, ORDO_MAY = d("05/01/2024"), d("26/05/2024")   # "Ordo. 26/05/2024" (§III); January one INFERRED


def _essai(number: int, who: str, lot: str, state: str, mode: str = SV) -> InvoiceSpec:
    return InvoiceSpec(number, JAN8, who, madele(), "CNDA", fse_state=SECURISE, mode=mode, lot=lot,
                       amo_state=state, amc_state=NA, ordo_on=ORDO_JAN)


_TP_INVOICES = (
    # Suivi Facturations, page 1 (lots 001-016: one invoice per lot, dated 08/01/2024).
    _essai(200, "ESSAI_ALAIN", "002", REJETE, DEG),
    _essai(201, "ESSAI_ALAIN", "001", REJETE, DEG),
    _essai(202, "ESSAI_ALAIN", "004", REJETE),
    _essai(203, "ESSAI_ALAIN", "003", REJETE, DEG),     # "DEB" in Pièces Jointes; Détail facture 203
    _essai(204, "ESSAI_ALAIN", "005", ATTENTE),
    _essai(205, "ESSAI_ALAIN", "006", ATTENTE),
    _essai(206, "ESSAI_ALAIN", "007", ATTENTE),
    _essai(207, "ESSAI_ALEXIS", "008", REJETE),
    InvoiceSpec(208, JAN8, "CASTROIS", madele(100, 5), "MSA", fse_state=SECURISE, lot="009", amo_state=ATTENTE,
                amc_state=NA, ordo_on=ORDO_JAN),
    _essai(209, "ESSAI_ALEXIS", "010", REJETE),
    InvoiceSpec(210, JAN8, "CASTROIS", madele(100, 5), "MSA", fse_state=SECURISE, lot="011", amo_state=ATTENTE,
                amc_state=NA, ordo_on=ORDO_JAN),
    _essai(211, "ESSAI_ARTHUR", "012", REJETE),
    _essai(212, "ESSAI_ALEXANDRE_AD", "013", REJETE),
    InvoiceSpec(213, JAN8, "ISSNER_NATACHA", T552, "CNDA", "C2S", SECURISE, lot="014", amo_state=PAYE,
                amc_state=PAYE, ordo_on=ORDO_JAN),
    InvoiceSpec(214, JAN8, "ESSAI_ALAINTER", T552, "CNDA", "C2S", SECURISE, lot="015", amo_state=PAYE,
                amc_state=PAYE, ordo_on=ORDO_JAN),
    InvoiceSpec(215, JAN8, "ESSAI_ALEXANDRE", T469, "CRPCEN", fse_state=SECURISE, lot="016", amo_state=ANOMALIE,
                amc_state=NA, ordo_on=ORDO_JAN),
    InvoiceSpec(222, JAN9, "AMELIE", madele(100, 5), "CNDA", fse_state=SECURISE, lot="037", amo_state=ATTENTE,
                amc_state=NA, ordo_on=ORDO_JAN),
    InvoiceSpec(249, JAN9, "ISSNER_NATACHA", ISSNER_249, "CNDA", "C2S", SECURISE, lot="026", amo_state=REJETE,
                amc_state=REJETE, ordo_on=ORDO_JAN),
    # 250-252 are not in the manual's lists except the Pièces Jointes one (250, 251). 250 is secured but
    # not sent yet (the demo's "À Télétransmettre" work: the next AMO lot, 038, will carry it).
    InvoiceSpec(250, MAY27, "ESSAI_ALEXANDRE", T469, "CRPCEN", fse_state=SECURISE, ordo_on=ORDO_MAY),
    InvoiceSpec(251, MAY27, "ISSNER_NATHALIE", (frame_a(amc=2460),), "CNDA", "C2S", SECURISE, lot="024",
                amo_state=ATTENTE, amc_state=ATTENTE, ordo_on=ORDO_MAY),
    # Télétransmissions list (§VI) and Détail lot n°027.
    InvoiceSpec(253, MAY28, "DESMAUX", desmaux_equipment(False), "TEST", fse_state=SECURISE, lot="027",
                amo_state=ATTENTE, amc_state=NA, ordo_on=ORDO_MAY),
    InvoiceSpec(254, MAY28, "DESMAUX", desmaux_equipment(True), "TEST", "CNDA", SECURISE, lot="027",
                amo_state=ATTENTE, amc_state=ATTENTE, ordo_on=ORDO_MAY, type_facture="FSE + DRE", dre_lot="AAE"),
    # "ESSAI Alain 209,00 / 0,05": taux 100 as shown (the January invoices were at 60 %).
    InvoiceSpec(255, MAY28, "ESSAI_ALAIN", madele(100, 5), "CNDA", fse_state=TP_CALCULE, ordo_on=ORDO_MAY),
    InvoiceSpec(256, MAY28, "ISSNER_NATACHA", (frame_a(amc=2460),), "CNDA", "C2S", SUPPRIMEE, ordo_on=ORDO_MAY),
    InvoiceSpec(257, MAY28, "DURAND", (frame_a(),), "CNDA", fse_state=SECURISE, mode=DEG, lot="025",
                amo_state=REJETE, amc_state=NA, ordo_on=ORDO_MAY),
    InvoiceSpec(258, MAY28, "ISSNER_NATACHA", T552, "CNDA", "C2S", SECURISE, lot="028", amo_state=PAYE,
                amc_state=PAYE, ordo_on=ORDO_MAY),
    # Détail du virement: paid 4,69 / 0,83 (7FR) then regularised -4,69 / -0,83 (7FR-2): nothing is left
    # paid, hence "En anomalie" (INFERRED state).
    InvoiceSpec(259, MAY29, "ESSAI_ALEXA", T469_RC, "CRPCEN", "PART", SECURISE, lot="036", amo_state=ANOMALIE,
                amc_state=ANOMALIE, ordo_on=ORDO_MAY),
)


def _counter_invoices() -> tuple[InvoiceSpec, ...]:
    numbers = [*range(216, 222), *range(223, 249), 252]
    return tuple(
        InvoiceSpec(n, MAY27 if n == 252 else JAN9, COUNTER_CLIENTS[i % len(COUNTER_CLIENTS)], counter_sale(i),
                    type_facture="")
        for i, n in enumerate(numbers))


INVOICES = tuple(sorted(_TP_INVOICES + _counter_invoices(), key=lambda inv: inv.number))
INVOICE = {inv.number: inv for inv in INVOICES}
FIRST_INVOICE, LAST_INVOICE = 200, 259
VENTE_OFFSET = 619      # "Vente n°872" is the dossier of invoice 253
DEVIS_OFFSET = 600      # INFERRED

# Suivi Facturations search range of the manual and the invoices it lists (see module doc).
SUIVI_RANGE = (d("01/01/2024"), d("28/05/2024"))
SUIVI_INVOICES = (*range(200, 216), 222, 249, 251, 253, 254, 257, 258)
SUIVI_SV = tuple(n for n in SUIVI_INVOICES if n not in (200, 201, 203, 257))


# --- Lots -----------------------------------------------------------------------------------------------
LOT_EXPEDIE, LOT_ARL_OK, LOT_RSP, LOT_REJETE = "Lot expédié", "ARL positif reçu", "RSP", "Lot rejeté"
# "Code: 4025 ..." and "TRAITE..." are truncated in the manual; the completions are INFERRED.
REJECT_4025 = "Code: 4025 - Lot rejeté par le serveur de réception"
ERROR_TREATED = "TRAITEMENT EFFECTUE"


@dataclass(frozen=True)
class LotSpec:
    number: str
    organism: str                   # OrganismSpec key (AMO) or MutuelleSpec key (AMC)
    created_on: date
    state: str
    received_on: date | None
    arl_on: date | None = None      # ARL received (positive, or the negative one of a rejected lot)
    kind: str = "AMO"
    arl_label: str = ""
    error_treatment: str = ""


def _rsp(number: str, organism: str, received: date) -> LotSpec:
    return LotSpec(number, organism, JAN8, LOT_RSP, received, arl_on=JAN8)


def _rejected(number: str) -> LotSpec:
    return LotSpec(number, "CNDA", JAN8, LOT_REJETE, JAN8, arl_on=JAN8, arl_label=REJECT_4025,
                   error_treatment=ERROR_TREATED)


# Lot numbers 017-023 and 029-035 are absent from every list of the manual: left unused (unlike invoice
# numbers, lot numbers need not be continuous). "Date réception" 28/05/2024 on the expédié lots is what the
# Télétransmis list shows (it is the date of the last state change there).
LOTS = (
    _rsp("001", "CNDA", MAY28), _rsp("002", "CNDA", MAY28), _rsp("003", "CNDA", MAY28),
    _rsp("004", "CNDA", MAY28),
    _rejected("005"), _rejected("006"), _rejected("007"),
    _rsp("008", "CNDA", MAY28),
    LotSpec("009", "MSA", JAN8, LOT_ARL_OK, JAN8, arl_on=JAN8),
    _rsp("010", "CNDA", MAY28),
    LotSpec("011", "MSA", JAN8, LOT_ARL_OK, JAN8, arl_on=JAN8),
    _rsp("012", "CNDA", MAY28), _rsp("013", "CNDA", MAY28),
    _rsp("014", "CNDA", JAN8), _rsp("015", "CNDA", JAN8), _rsp("016", "CRPCEN", JAN8),
    LotSpec("024", "CNDA", MAY27, LOT_EXPEDIE, None),
    # Lots 025/026 stay "Lot expédié" as in the Télétransmis list of 28/05, although Suivi Facturations
    # (taken later) shows their invoices 257/249 rejected on 24/06/2024: both screens are reproduced.
    LotSpec("025", "CNDA", MAY28, LOT_EXPEDIE, MAY28),
    LotSpec("026", "CNDA", MAY28, LOT_EXPEDIE, MAY28),
    LotSpec("027", "TEST", MAY28, LOT_EXPEDIE, MAY28),
    LotSpec("AAE", "CNDA", MAY28, LOT_EXPEDIE, MAY28, kind="AMC"),   # DRE of invoice 254 to 1100000000
    LotSpec("028", "CNDA", MAY28, LOT_RSP, MAY28, arl_on=MAY28),
    LotSpec("036", "CRPCEN", MAY29, LOT_RSP, MAY29, arl_on=MAY29),
    LotSpec("037", "CNDA", MAY29, LOT_EXPEDIE, None),
)
LAST_AMO_LOT = 37
LAST_AMC_LOT = 5                     # AAE


# --- NOEMIE returns, virements, operations --------------------------------------------------------------
@dataclass(frozen=True)
class RspSpec:
    key: str
    file_name: str
    imported_at: datetime


RSP_IMPORTS = (
    RspSpec("R0108", "RSP_20240108_01349.rsp", dt("08/01/2024", "18:30")),
    RspSpec("R0528", "RSP_20240528_01349.rsp", dt("28/05/2024", "17:05")),
    RspSpec("R0529", "RSP_20240529_10349.rsp", dt("29/05/2024", "16:40")),
    RspSpec("R0624", "RSP_20240624_01349.rsp", dt("24/06/2024", "08:15")),
)


@dataclass(frozen=True)
class VirementSpec:
    key: str
    on: date
    line1: str
    line2: str
    payeur: str
    amount_cents: int
    rsp: str

    @property
    def libelle(self) -> str:
        return f"{self.line1} / {self.line2}"     # both lines, as returns.virement_label joins them


def _vir(ref: str, on: date, payeur: str, amount: int, rsp: str) -> VirementSpec:
    return VirementSpec(ref, on, f"VIR AMO LIGNE 1 - {ref}", f"VIR AMO LIGNE 2 - {ref}", payeur, amount, rsp)


# A virement's amount = its payments + its paiements ponctuels + its retenues ponctuelles. Mouvements
# financiers only explain a debt already netted in the payments (7FR-2: -5,52 régularisation).
VIREMENTS = (
    _vir("0FR", JAN8, "01349000", 552, "R0108"),      # INFERRED: outside the manual's 29/04-29/05 window
    _vir("1FR", MAY28, "01349000", 552, "R0528"),     # invoice 258
    _vir("7FR", MAY29, "10349000", 552, "R0529"),     # invoice 259: 4,69 + 0,83
    _vir("7FR-2", MAY29, "10349000", 9448, "R0529"),  # 40,00 + 60,00 - 4,69 - 0,83
    _vir("9FR", MAY29, "01349000", 322, "R0529"),     # invoice 214 5,52 - retenue DETTE9FR 2,30
)


@dataclass(frozen=True)
class PaymentSpec:
    invoice: int
    part: str
    organisme: str
    billed_cents: int
    paid_cents: int
    state: str
    on: date
    rsp: str
    virement: str = ""


def _paid_both(invoice: int, on: date, rsp: str, virement: str) -> tuple[PaymentSpec, ...]:
    inv = INVOICE[invoice]
    return (PaymentSpec(invoice, "AMO", ORGANISM[inv.organism].payeur, inv.amo_cents, inv.amo_cents, PAYE, on,
                        rsp, virement),
            PaymentSpec(invoice, "AMC", MUTUELLE[inv.mutuelle].numero, inv.amc_cents, inv.amc_cents, PAYE, on,
                        rsp, virement))


PAYMENTS = (
    *_paid_both(213, JAN8, "R0108", "0FR"),
    # 214: paid by the RSP of 08/01; the demo flux's transfer (9FR) came on 29/05 (INFERRED).
    *_paid_both(214, JAN8, "R0108", "9FR"),
    PaymentSpec(215, "AMO", "10349000", 469, 0, ANOMALIE, JAN8, "R0108"),
    *_paid_both(258, MAY28, "R0528", "1FR"),
    *_paid_both(259, MAY29, "R0529", "7FR"),
    PaymentSpec(259, "AMO", "10349000", 469, -469, "Régularisation", MAY29, "R0529", "7FR-2"),
    PaymentSpec(259, "AMC", "0062013354", 83, -83, "Régularisation", MAY29, "R0529", "7FR-2"),
)

# Reject labels: 0450 0561 is the manual's full text; 0100 0512 is truncated ("PARTENAIRE DE SANT...")
# and completed here (INFERRED).
REJECT_0100_0512 = ("0100 0512", "PARTENAIRE DE SANTE INCONNU OU NON HABILITE A LA DATE DES SOINS")
REJECT_0450_0561 = ("0450 0561", "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE")
NOEMIE_REJECT_NORME = "900"          # "Norme: 900" of Détail facture 203


@dataclass(frozen=True)
class RejectSpec:
    invoice: int
    on: date
    code: str
    label: str
    rsp: str
    traitement: str = "Rejet"


def _both_rejects(invoice: int) -> tuple[RejectSpec, ...]:
    # Same CNDA scenario as invoice 203 for every January rejection (INFERRED for the others than 203).
    return tuple(RejectSpec(invoice, JAN9, code, label, "R0528") for code, label in (REJECT_0100_0512,
                                                                                       REJECT_0450_0561))


REJECTS = (
    *(r for n in (200, 201, 202, 203, 207, 209, 211, 212) for r in _both_rejects(n)),
    RejectSpec(249, d("24/06/2024"), *REJECT_0100_0512, "R0624"),
    RejectSpec(257, d("24/06/2024"), *REJECT_0100_0512, "R0624"),
)


@dataclass(frozen=True)
class MouvementSpec:
    virement: str
    reference: str
    on: date
    nature_dette: str
    nature_operation: str
    amount_cents: int
    solde_cents: int = 0


NATURE_DETTE_7FR = "Opposition Interne Paiement"   # "Opposition Interne Paie..." completed (INFERRED)
MOUVEMENTS = (
    MouvementSpec("7FR-2", "DETTE7FR", MAY29, NATURE_DETTE_7FR, "Constat Initial", 552),
    MouvementSpec("7FR-2", "DETTE7FR", MAY29, NATURE_DETTE_7FR, "Retenue Sur Prestation", -552),
)


@dataclass(frozen=True)
class OperationSpec:
    kind: str                       # paiement | retenue
    on: date
    organisme: str
    amount_cents: int
    virement: str
    code: str = ""
    libelle: str = ""
    periode: str = ""
    debut: date | None = None
    fin: date | None = None
    nir: str = ""
    birth_date: str = ""
    rang: str = ""
    reference_dette: str = ""
    nature: str = ""
    fields: tuple[tuple[str, str], ...] = field(default=())


def _ponctuel_fields(nir: str, birth: str, total: str, vir: VirementSpec) -> tuple[tuple[str, str], ...]:
    """Every line of the manual's "Détail opération ponctuelle" dialog, in its order, as displayed."""
    return (
        ("Date comptable", "29/05/2024"), ("NIR", nir), ("Date naissance", birth), ("Rang", "Inconnu"),
        ("Bénéficiaire", ""), ("Type Retour", "Paiements Ponctuels Ou Forfaitaires"), ("Risque", "Maladie"),
        ("Lien archivage", ""), ("Libellé virement 1", vir.line1), ("Libellé virement 2", vir.line2),
        ("Total paiement", total), ("Numéro émetteur", vir.payeur), ("Numéro destinataire", PS_DESTINATAIRE),
        ("Type destinataire", "Autres Partenaires de Santé"), ("Numéro destinataire RegL", PS_DESTINATAIRE),
        ("Total RO", ""), ("Total RC", ""), ("Total Autre", total), ("Libellé 1er rejet", ""),
    )


_VIR = {v.key: v for v in VIREMENTS}
_EPOCH = d("01/01/2015")
OPERATIONS = (
    OperationSpec("paiement", MAY29, "10349000", 4000, "7FR-2", "CODE1", "LIBELLE1", "PONCTUEL", _EPOCH, _EPOCH,
                  "PAT01 00", "30/11/1999", "", fields=_ponctuel_fields("PAT01 00", "30/11/1999", "40,00",
                                                                         _VIR["7FR-2"])),
    # CODE2's detail is not shown: same shape, birth date INFERRED.
    OperationSpec("paiement", MAY29, "10349000", 6000, "7FR-2", "CODE2", "LIBELLE2", "PONCTUEL", _EPOCH, _EPOCH,
                  "PAT02 00", "01/01/2000", "", fields=_ponctuel_fields("PAT02 00", "01/01/2000", "60,00",
                                                                         _VIR["7FR-2"])),
    OperationSpec("retenue", MAY29, "01349000", -230, "9FR", reference_dette="DETTE9FR",
                  nature="Retenue Sur Prestation",
                  fields=(("Date comptable", "29/05/2024"), ("Ref. Dette", "DETTE9FR"),
                          ("Nature des Opérations", "Retenue Sur Prestation"), ("Mt Retenue", "-2,30"),
                          ("Libellé virement 1", _VIR["9FR"].line1), ("Libellé virement 2", _VIR["9FR"].line2),
                          ("Numéro émetteur", "01349000"), ("Numéro destinataire", PS_DESTINATAIRE))),
)


# --- Pièces jointes (SCOR) ------------------------------------------------------------------------------
ORDN, FSOI = "ORDN", "FSOI"     # FSOI: INFERRED code of core/scor/model.py for the feuille de soins


@dataclass(frozen=True)
class PieceSpec:
    invoice: int
    state: str
    type_code: str = ORDN
    sent_on: date | None = None
    checks: tuple[tuple[str, bool], ...] = ()


_OK_CHECKS = (("non_vide", True), ("droite", True), ("lisible", True), ("claire", True), ("non_doublon", True))

# The manual's Pièces Jointes list (page 1 = 20 rows) plus page 2 (200-202, INFERRED "ARCHIVE"). Truncated
# states are completed as in DOMAIN.md §8 ("SAUVEGARDE P..." -> SAUVEGARDE PARTIELLE is INFERRED).
PIECES = (
    PieceSpec(257, "MANQUANT"), PieceSpec(257, "MANQUANT", FSOI),
    PieceSpec(254, "MANQUANT"),
    PieceSpec(253, "NON CONFORME", checks=(("non_vide", True), ("droite", False), ("lisible", True),
                                           ("claire", True), ("non_doublon", True))),
    PieceSpec(251, "CONFORME", checks=_OK_CHECKS),
    PieceSpec(250, "MANQUANT"),
    PieceSpec(249, "NON CONFORME", checks=(("non_vide", True), ("droite", True), ("lisible", False),
                                           ("claire", False), ("non_doublon", True))),
    PieceSpec(215, "MANQUANT"), PieceSpec(214, "MANQUANT"), PieceSpec(213, "MANQUANT"),
    PieceSpec(212, "A RECONSTITUER", sent_on=JAN8, checks=_OK_CHECKS),
    *(PieceSpec(n, "ARCHIVE", sent_on=JAN8, checks=_OK_CHECKS) for n in (211, 210, 209)),
    *(PieceSpec(n, "SAUVEGARDE PARTIELLE", sent_on=JAN8, checks=_OK_CHECKS) for n in (208, 207)),
    *(PieceSpec(n, "COLLECTE PAPIER", sent_on=JAN8, checks=_OK_CHECKS) for n in (206, 205, 204)),
    *(PieceSpec(n, "ARCHIVE", sent_on=JAN8, checks=_OK_CHECKS) for n in (203, 202, 201, 200)),
)
