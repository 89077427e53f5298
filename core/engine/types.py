"""Values exchanged with an engine (the port's vocabulary).

Frozen pydantic models so that the services can store them as JSON (VitaleRead snapshots, FSE payloads)
and rebuild them. Field names follow the SSV data groups (DOMAIN.md 2.2) and the manual's labels.
Birth dates are canonical strings "AAAAMMJJ" (core.domain.birthdate): cards carry lunar dates.
Money is integer cents.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "EngineValue", "Period", "AldPeriod", "ServiceAmo", "AmcData", "AtData", "Organisme", "Identity", "Rights",
    "CardBeneficiary", "VitaleCard", "CpsIdentity", "PinCheck", "AdriQuery", "AdriAnswer", "RateLine",
    "RateQuery", "RateLineResult", "RateTotals", "RateFinding", "RateAnswer", "ConventionQuery", "ConventionRow",
    "PecQuery", "PecAnswer", "FseBeneficiary", "FsePrescription", "FseLineInput", "FseAmc", "FseRequest",
    "FseTotals", "FseDraft", "FseSignature", "DecodedReturn", "C2S_SERVICE_CODES", "MODE_SV", "MODE_DEG",
    "SecureMode",
]

MODE_SV = "SESAM_VITALE"
MODE_DEG = "DEGRADE"
SecureMode = Literal["SESAM_VITALE", "DEGRADE"]

# Code service AMO (SSV groupe 104 champ 15, DOMAIN.md 2.2): 01-03 = C2S (ex CMU-C) managed by the AMO or an
# AMC; 10 = sortant (no longer C2S).
C2S_SERVICE_CODES = frozenset({"01", "02", "03"})


class EngineValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Period(EngineValue):
    debut: date | None = None
    fin: date | None = None

    def covers(self, day: date) -> bool:
        return (self.debut is None or self.debut <= day) and (self.fin is None or day <= self.fin)


class AldPeriod(Period):
    """Période de code couverture (groupe 106): code ALD + code situation."""
    code: str = ""
    situation: str = ""


class ServiceAmo(Period):
    """Service AMO bénéficiaire (groupe 104 champs 15-17): "00 - Pas de service AMO", 01 C2S..."""
    code: str = "00"

    def is_c2s_on(self, day: date) -> bool:
        return self.code in C2S_SERVICE_CODES and self.covers(day)


class AmcData(EngineValue):
    """Mutuelle / AMC data (groupes 107-109): what "Mutuelle AMC" shows and a DRE needs."""
    numero_amc: str = ""
    numero_edi: str = ""
    numero_adherent: str = ""
    indicateur_traitement: str = ""
    code_routage: str = ""
    id_hote: str = ""
    domaine: str = ""
    aiguillage_sts: str = ""
    type_contrat: str = ""
    garanties: str = ""
    gestion: Literal["", "separee", "unique"] = ""
    debut: date | None = None
    fin: date | None = None


class AtData(EngineValue):
    """Accident du travail (groupe 103): Gest. Risque, Gest. AT1 / Id AT1, Gest. AT2 / Id AT2."""
    gest_risque: str = ""
    gest_at1: str = ""
    id_at1: str = ""
    gest_at2: str = ""
    id_at2: str = ""


class Organisme(EngineValue):
    regime: str
    caisse: str
    centre: str = ""
    libelle: str = ""

    @property
    def code(self) -> str:
        """"01-999-9999" as the FSE recap shows it ("AMO : 01-999-9999")."""
        return "-".join(p for p in (self.regime, self.caisse, self.centre) if p)


class Identity(EngineValue):
    """Bénéficiaire identity (groupe 104)."""
    nom: str
    prenom: str = ""
    patronyme: str = ""
    birth_date: str                      # canonical "AAAAMMJJ" (lunar dates kept)
    rang: int = 1
    qualite: int = 0
    nir_certifie: str = ""               # 13 characters, "" when not certified
    nir_certifie_key: str = ""
    date_certif: date | None = None
    century_missing: bool = False        # the card had no century: "Forçage Siècle Naissance" may be needed


class Rights(EngineValue):
    """Droits & Couvertures of one bénéficiaire, from the card or from ADRi."""
    amo_periods: tuple[Period, ...] = ()
    ald: tuple[AldPeriod, ...] = ()
    service_amo: ServiceAmo | None = None
    statut: str = ""                     # "Statut du Bénéf." (free text, engine's)
    mutuelle_periods: tuple[Period, ...] = ()
    amc: AmcData | None = None
    maternite: Period | None = None      # INFERRED: ADRi returns the nature d'assurance maternité (DOMAIN 9)
    at: AtData | None = None
    medecin_traitant: str = ""

    def amo_open_on(self, day: date) -> bool:
        return any(p.covers(day) for p in self.amo_periods)

    def ald_on(self, day: date) -> AldPeriod | None:
        """An exonerating ALD period on ``day`` (code "0" with situation "100" is the manual's "no ALD" row)."""
        for period in self.ald:
            if period.code not in ("", "0") and period.covers(day):
                return period
        return None

    def c2s_on(self, day: date) -> bool:
        return self.service_amo is not None and self.service_amo.is_c2s_on(day)

    def maternite_on(self, day: date) -> bool:
        return self.maternite is not None and self.maternite.covers(day)


class CardBeneficiary(EngineValue):
    identity: Identity
    adresse: tuple[str, ...] = ()
    rights: Rights = Rights()


class VitaleCard(EngineValue):
    """What a Carte Vitale read returns (groupes 101-109), all bénéficiaires of the card."""
    type_carte: str = "Vitale 2"
    numero_serie: str = ""
    validite: date | None = None          # date de fin de validité; None = not shown
    organisme: Organisme
    nir: str                              # the assuré's NIR body, 13 characters
    nir_key: str
    nom_assure: str = ""
    prenom_assure: str = ""
    id_porteur: str = "Assuré"            # type d'identification du porteur
    code_gestion: str = ""
    beneficiaries: tuple[CardBeneficiary, ...]
    at: AtData | None = None
    apcv: bool = False                    # True when the identity came from the appli carte Vitale

    def expired_on(self, day: date) -> bool:
        return self.validite is not None and self.validite < day

    def find(self, birth_date: str, rang: int) -> CardBeneficiary | None:
        for b in self.beneficiaries:
            if b.identity.birth_date == birth_date and b.identity.rang == rang:
                return b
        return None


class CpsIdentity(EngineValue):
    """Carte de Professionnel de Santé: holder and billing situation (never the PIN)."""
    type_carte: str = "CPS"
    nom: str
    prenom: str = ""
    numero_am: str = ""                   # n° de facturation AM (9 digits)
    rpps: str = ""
    specialite: str = "28"                # 28 = opticien-lunetier
    situation: int = 1
    numero_serie: str = ""


class PinCheck(EngineValue):
    ok: bool
    remaining: int
    blocked: bool = False


# --- ADRi ---------------------------------------------------------------------------------------------
class AdriQuery(EngineValue):
    nir: str
    nir_key: str
    birth_date: str
    rang: int = 1
    qualite: int = 0
    on: date                              # consultation / acte date: the window ends on it
    organisme: Organisme | None = None
    card: CardBeneficiary | None = None   # card data, when read (the demo server mirrors it for unknown people)
    nom: str = ""
    prenom: str = ""


class AdriAnswer(EngineValue):
    queried_on: date
    window_start: date                    # one year back: 28/05/2024 -> 29/05/2023
    window_end: date
    organisme: Organisme
    nir: str
    nir_key: str
    nom_assure: str = ""
    prenom_assure: str = ""
    identity: Identity
    adresse: tuple[str, ...] = ()
    rights: Rights
    messages: tuple[str, ...] = ()


# --- Rate verification ----------------------------------------------------------------------------------
class RateLine(EngineValue):
    libelle: str
    unit_price_cents: int
    qty: int = 1
    lpp_code: str = ""
    prestation: str = ""
    remboursable: bool = True
    rc1_cents: int | None = None          # None = not typed (lets the 100% Santé auto-fill work)
    rc2_cents: int | None = None


class RateQuery(EngineValue):
    """Everything "Vérification taux" sends; rights already carry the forçages (C2S, maternité)."""
    lines: tuple[RateLine, ...]
    acte: date
    ordo: date | None = None
    nature_assurance: Literal["maladie", "maternite", "at", "smg"] = "maladie"
    ald: bool = False
    alsace_moselle: bool = False
    piece_justif_amo: str = "carte_vitale"
    taux_exoneration: str | None = None   # required with a manual proof (no card, no ADR)
    rights: Rights | None = None
    contrat_responsable: bool = True
    tiers_payant_ro: bool = True
    tiers_payant_rc: bool = False


class RateLineResult(EngineValue):
    index: int
    libelle: str
    prestation: str
    lpp_code: str
    classe: str
    section: str                          # "prix_libres" | "100_sante"
    remboursable: bool
    qty: int
    net_cents: int
    base_ro_cents: int
    taux: int
    rbt_ro_cents: int
    rbt_rc1_cents: int
    rbt_rc2_cents: int
    rbt_rc_cents: int
    rbt_ro_rc_cents: int
    a_charge_cents: int
    reste_a_charge_cents: int
    ald: bool
    exo: bool
    etm: str


class RateTotals(EngineValue):
    net_cents: int = 0
    base_ro_cents: int = 0
    rbt_ro_cents: int = 0
    rbt_rc_cents: int = 0
    rbt_ro_rc_cents: int = 0
    a_charge_cents: int = 0
    reste_a_charge_cents: int = 0


class RateFinding(EngineValue):
    code: str
    severity: str
    message_fr: str
    fix_fr: str
    line: int | None = None


class RateAnswer(EngineValue):
    situation: str                        # core.domain.tarification.Situation value
    situation_label: str
    taux: int
    exo_tm: str                           # FSE "Exo. TM" ("0" non exonéré)
    rate_table: dict[str, int]            # RateTable used (rebuild it to recompute the fingerprint)
    lines: tuple[RateLineResult, ...]
    prix_libres: RateTotals
    cent_pour_cent_sante: RateTotals
    total: RateTotals
    panachage: bool
    findings: tuple[RateFinding, ...] = ()
    messages: tuple[str, ...] = ()
    fingerprint: str


# --- AMC conventions and PEC ---------------------------------------------------------------------------
class ConventionQuery(EngineValue):
    text: str = ""                        # fuzzy: name or number
    numero_prefectoral: str = ""
    type_conv: str = ""
    crit_secondaire: str = ""
    include_disabled: bool = True         # the grid shows "Desactiv." rows


class ConventionRow(EngineValue):
    """One row of "AreaFSE - Choix de la convention AMC/Mutuelle"."""
    id_signataire: str
    lib_signataire: str = ""
    conv_groupe: str = ""
    type_convention: str = ""
    crit_secondaire: str = ""
    type_accord: str = ""
    numero_amc: str = ""
    lib_amc: str = ""
    desactive: bool = False
    numero_edi: str = ""
    code_routage: str = ""
    id_hote: str = ""
    domaine: str = ""
    aiguillage_sts: str = ""
    gestion_separee: bool = True


class PecQuery(EngineValue):
    kind: Literal["prise_en_charge", "cotation"] = "prise_en_charge"
    reference_dossier: str
    numero_amc: str
    numero_adherent: str = ""
    numero_contrat: str = ""
    consentement_imprime: bool = False
    nir: str = ""
    birth_date: str = ""
    total_cents: int = 0
    rc_requested_cents: int = 0
    lines: tuple[RateLine, ...] = ()
    on: date


class PecAnswer(EngineValue):
    reference: str                        # platform reference (polling key)
    state: Literal["accord", "refus", "en attente", "cotation"]
    numero_pec: str = ""
    montant_cents: int = 0
    codes: tuple[str, ...] = ()           # "Choix code à utiliser"
    message_plateforme: str = ""
    message_mutuelle: str = ""
    que_faire: str = ""
    credit: int = 0                       # "Crédit PEC" left after this request


# --- FSE ----------------------------------------------------------------------------------------------
class FseBeneficiary(EngineValue):
    nom: str
    prenom: str = ""
    birth_date: str                       # canonical AAAAMMJJ
    rang: int = 1
    qualite: int = 0
    nir: str
    nir_key: str
    organisme: Organisme


class FsePrescription(EngineValue):
    numero_am: str = ""
    rpps: str = ""
    nom: str = ""
    date_prescription: date | None = None
    ri_ra: str = ""


class FseLineInput(EngineValue):
    code_presta: str
    libelle: str = ""
    lpp_code: str = ""
    date_exec: date
    qty: int = 1
    honoraires_cents: int
    base_cents: int
    taux: int
    exo_tm: str = "0"
    remb_amo_cents: int
    remb_amc_cents: int = 0
    form_amc: str = ""


class FseAmc(EngineValue):
    numero_amc: str
    nom: str = ""
    gestion: Literal["separee", "unique"] = "separee"
    dre: bool = False
    attestation: dict[str, object] = {}     # the Attestation AMC values (JSON)


class FseRequest(EngineValue):
    numero_facture: int
    date_facture: date
    mode: SecureMode
    beneficiary: FseBeneficiary
    prescription: FsePrescription | None = None
    date_droits: date | None = None       # "Détermination des droits"
    params: dict[str, object] = {}        # the "Génération de la FSE" fields, as stored
    lines: tuple[FseLineInput, ...]
    tiers_payant_amo: bool = True
    facturation_amc: bool = False
    tiers_payant_amc: bool = False
    amc: FseAmc | None = None


class FseTotals(EngineValue):
    honoraires_cents: int
    avance_amo_cents: int
    avance_amc_cents: int
    restant_du_cents: int
    remb_amo_cents: int
    remb_amc_cents: int


class FseDraft(EngineValue):
    request: FseRequest
    totals: FseTotals
    content_hash: str                     # sha256 of the canonical FSE content
    flux_label: str                       # "Flux de Démonstration"


class FseSignature(EngineValue):
    signature: str
    algorithm: str
    signed_at: datetime
    mode: SecureMode
    cps_numero_am: str
    cps_rpps: str = ""
    vitale_serial: str = ""


class DecodedReturn(EngineValue):
    kind: Literal["b2", "noemie", "arl"]
    name: str
    document: object                       # B2Document | NoemieFile | ARL summary dict
