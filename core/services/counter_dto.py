"""DTOs of the counter flow (card -> dossier -> Vérif. taux -> FSE -> signature), for screens and CLI.

All frozen pydantic models (core.services.base.DTO); money in integer cents (format with
core.domain.money.format_euros); dates are ``datetime.date``; birth dates are display strings
"JJ/MM/AAAA" (lunar dates allowed). Input values and choice lists live in counter_choices.py and are
re-exported here.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import model_validator

from core.domain.nir import QUALITE_LABELS
from core.services.base import DTO
from core.services import counter_choices as _choices
from core.services.counter_choices import (  # noqa: F401 - re-exported: screens import everything from here
    DATE_REFERENCE_CHOICES, DROITS_AMO_CHOICES, MODE_SECURISATION_CHOICES, NATURE_ASSURANCE_CHOICES,
    PIECE_JUSTIF_AMC_CHOICES, PIECE_JUSTIF_AMO_CHOICES, PRESCRIPTION_CHOICES, SERVICE_AMO_CHOICES,
    TAUX_EXONERATION_CHOICES, ArticleInput, AttestationAmc, Choice, OrdonnanceInput, PrescriberInput,
    RateCheckParams, label_of)

# --- small shared values ------------------------------------------------------------------------------


class FindingDTO(DTO):
    """A rule finding (core.domain.findings): "bloquant" forbids the FSE, "avertissement" does not."""
    code: str
    severity: Literal["bloquant", "avertissement"]
    message_fr: str
    fix_fr: str
    line: int | None = None


class OrganismeDTO(DTO):
    regime: str
    caisse: str
    centre: str = ""
    libelle: str = ""

    @property
    def code(self) -> str:
        """"01-999-9999"."""
        return "-".join(p for p in (self.regime, self.caisse, self.centre) if p)


class PeriodDTO(DTO):
    debut: date | None = None
    fin: date | None = None


class AldPeriodDTO(PeriodDTO):
    code: str = ""          # column "ALD"
    situation: str = ""     # column "Sit."


class ServiceAmoDTO(PeriodDTO):
    code: str = "00"

    @property
    def label(self) -> str:
        return label_of(SERVICE_AMO_CHOICES, self.code)


class MutuelleRefDTO(DTO):
    id: int
    numero: str
    nom: str
    numero_prefectoral: str = ""
    mode_gestion_sv: str = "separee"
    pec_obligatoire: bool = False
    teletransmission_defaut: bool = False

    @property
    def gestion_separee(self) -> bool:
        return self.mode_gestion_sv == "separee"

    @property
    def label(self) -> str:
        """"1100000000 Mut. Test CNDA"."""
        return f"{self.numero} {self.nom}"


# --- Carte Vitale, ADRi, Détail Informations Vitale -------------------------------------------------------


class VitaleSnapshotDTO(DTO):
    """One tab of "Détail Informations Vitale" (lecture, ADRi, ApCV), every field of the manual.

    Stored as VitaleRead.snapshot (model_dump(mode="json") without kind/read_at/window). The validator
    also accepts the older flat shape written by the demo dataset (droits.amo_debut/amo_fin, carte.type).
    """

    kind: Literal["lecture", "adri", "apcv"] = "lecture"
    read_at: datetime | None = None
    window_start: date | None = None           # ADRi: one-year window
    window_end: date | None = None
    # Rattachement
    regime: str = ""
    caisse: str = ""
    centre: str = ""
    libelle: str = ""
    # Informations carte
    type_carte: str = ""
    numero_serie: str = ""
    validite: date | None = None
    # Bénéficiaire
    nom: str = ""
    prenom: str = ""
    patronyme: str = ""
    birth_date: str = ""                       # "JJ/MM/AAAA"
    nir: str = ""                              # NIR certifié (bénéficiaire), 13
    nir_key: str = ""                          # "Clé."
    certifie: bool = False                     # "Certif."
    date_certif: date | None = None
    qualite: int = 0
    rang: int = 1
    adresse: tuple[str, ...] = ()
    # Assuré
    assure_nom: str = ""
    assure_prenom: str = ""
    assure_nir: str = ""                       # "Num SS" (13)
    assure_nir_key: str = ""
    id_porteur: str = ""
    medecin_traitant: str = ""
    # Droits & Couvertures
    amo_periods: tuple[PeriodDTO, ...] = ()    # "Période droits AMO"
    ald: tuple[AldPeriodDTO, ...] = ()         # "Période couverture ALD" (Début, Fin, ALD, Sit.)
    service_amo: ServiceAmoDTO | None = None   # "Service AMO Bénéf." + "Période AMO Bénéf. au"
    statut: str = ""                           # "Statut du Bénéf."
    mutuelle_periods: tuple[PeriodDTO, ...] = ()  # "Période droits Mutuelle"
    amc_numero_adherent: str = ""              # "Mutuelle AMC": N° Adhérent
    amc_numero: str = ""                       # N° AMC
    amc: dict[str, Any] = {}                   # the full AMC group (routage, hôte, domaine, indicateur...)
    maternite: PeriodDTO | None = None
    # Accident Travail
    at_gest_risque: str = ""
    at_gest_at1: str = ""
    at_id_at1: str = ""
    at_gest_at2: str = ""
    at_id_at2: str = ""
    century_missing: bool = False
    messages: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _legacy(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "rattachement" not in data and "droits" not in data:
            return data
        out = {k: v for k, v in data.items() if not isinstance(v, dict)}
        rat, carte = data.get("rattachement") or {}, data.get("carte") or {}
        ben, ass, droits = data.get("beneficiaire") or {}, data.get("assure") or {}, data.get("droits") or {}
        out.update({k: rat.get(k, "") for k in ("regime", "caisse", "centre", "libelle")})
        out.update(type_carte=carte.get("type", carte.get("type_carte", "")), numero_serie=carte.get("numero_serie", ""),
                   validite=carte.get("validite") or None)
        out.update({k: ben[k] for k in ("nom", "prenom", "patronyme", "birth_date", "nir", "nir_key", "qualite", "rang",
                                         "date_certif") if k in ben})
        out.update(assure_nom=ass.get("nom", ""), assure_prenom=ass.get("prenom", ""), assure_nir=ass.get("nir", ""),
                   assure_nir_key=ass.get("nir_key", ""), medecin_traitant=ass.get("medecin_traitant", ""))
        if droits.get("amo_debut") or droits.get("amo_fin"):
            out["amo_periods"] = ({"debut": droits.get("amo_debut") or None, "fin": droits.get("amo_fin") or None},)
        out["ald"] = tuple({**a, "debut": a.get("debut") or None, "fin": a.get("fin") or None}
                           for a in droits.get("ald", ()))
        return out

    @property
    def qualite_label(self) -> str:
        return QUALITE_LABELS.get(self.qualite, str(self.qualite))

    @property
    def rang_label(self) -> str:
        return "Pas de jumeau ou 1er" if self.rang == 1 else f"{self.rang}e jumeau"

    @property
    def title(self) -> str:
        """"Informations lues le 28/05/24 à 11:13"."""
        return f"Informations lues le {self.read_at:%d/%m/%y à %H:%M}" if self.read_at else ""


class VitaleDetailDTO(DTO):
    """"Détail Informations Vitale": tab "Informations vitale (lecture)" and tab "ADRi"."""
    beneficiaire_id: int
    lecture: VitaleSnapshotDTO | None
    adri: VitaleSnapshotDTO | None
    adri_empty_label: str = "Pas de consultation ADRi"


class VitaleInfoDTO(DTO):
    """The dossier banner "Informations Vitale au 28/05/2024" (2 55 06 99 999 999 | 34 | 60 % | 01 999 9999)."""
    as_of: date
    nir_formatted: str
    nir_key: str
    taux_label: str                            # "60 %" / "100 %"
    regime: str
    caisse: str
    centre: str
    source: Literal["lecture", "adri", "apcv", "aucune"]
    card_present: bool = False


class AdriOutcomeDTO(DTO):
    """What an ADRi call (automatic or manual) gave. Never an exception for an outage: the flow goes on."""
    status: Literal["ok", "indisponible", "inconnu", "cps_requise"]
    trigger: str                               # lecture | tp | verif_taux | facturation | manuel | apcv
    message_fr: str
    queried_on: date
    window_start: date | None = None
    window_end: date | None = None
    vitale_read_id: int | None = None
    differences: tuple[str, ...] = ()          # what ADRi says that the card did not
    suggested_piece_justif_amo: str = "adr"    # "carte_vitale" when the server is down


class BeneficiaryChoiceDTO(DTO):
    """One entry of "Choix du bénéficiaire": "1 - DESMAUX NATHALIE (15/06/1955)"."""
    index: int
    beneficiaire_id: int
    label: str
    nom: str
    prenom: str
    birth_date: str
    rang: int
    qualite: int


class CardReadDTO(DTO):
    read_at: datetime
    date_du_jour: date                         # "(date du jour : 29/10/2024)"
    kind: Literal["lecture", "apcv"]
    type_carte: str
    numero_serie: str
    validite: date | None
    expired: bool
    assure_nir_formatted: str
    organisme: OrganismeDTO
    beneficiaires: tuple[BeneficiaryChoiceDTO, ...]
    adri: AdriOutcomeDTO | None = None         # ApCV: the ADRi that gave the rights


class BeneficiaryDTO(DTO):
    id: int
    assure_id: int
    client_id: int | None
    nom: str
    prenom: str
    birth_date: str                            # "JJ/MM/AAAA" (forced century applied when forced)
    rang: int
    qualite: int
    nir: str                                   # the assuré's NIR body (13)
    nir_key: str
    nir_formatted: str                         # "2 55 06 99 999 999"
    organisme: OrganismeDTO | None
    service_amo: str = ""
    c2s: bool = False
    ald: tuple[AldPeriodDTO, ...] = ()

    @property
    def qualite_label(self) -> str:
        return QUALITE_LABELS.get(self.qualite, str(self.qualite))

    @property
    def display_name(self) -> str:
        return f"{self.nom} {self.prenom}".strip()


class BeneficiarySelectionDTO(DTO):
    beneficiaire: BeneficiaryDTO
    client_id: int
    info: VitaleInfoDTO | None
    adri: AdriOutcomeDTO | None = None


class CpsDTO(DTO):
    """The CPS holder once the code was accepted (the code itself is never returned)."""
    nom: str
    prenom: str
    numero_am: str
    rpps: str
    specialite: str


# --- Dossier ---------------------------------------------------------------------------------------------


class ClientDTO(DTO):
    id: int
    nom: str
    prenom: str
    birth_date: str = ""
    adresse: str = ""
    code_postal: str = ""
    ville: str = ""


class PrescriberDTO(DTO):
    id: int
    nom: str
    prenom: str = ""
    rpps: str = ""
    numero_am: str = ""
    specialite: str = ""

    @property
    def label(self) -> str:
        return f"{self.nom} {self.prenom}".strip() + (f" (RPPS {self.rpps})" if self.rpps else "")


class OrdonnanceDTO(DTO):
    id: int
    date: date
    prescriber: PrescriberDTO | None
    ri_ra: Literal["", "RI", "RA"] = ""
    ald_mention: bool = False
    first_delivery: bool = True
    adaptation_agreement: bool = False

    @property
    def ri_ra_label(self) -> str:
        return {"RI": "Renouvellement Initial", "RA": "Renouvellement Adapté"}.get(self.ri_ra, "")


class ArticleDTO(DTO):
    id: int
    position: int
    kind: str
    side: str
    libelle: str
    lpp_code: str
    prestation: str
    classe: str
    remboursable: bool
    quantity: int
    unit_price_cents: int
    net_cents: int
    rc1_cents: int
    rc2_cents: int


class TiersPayantDTO(DTO):
    """"Tiers Payant & Télétransmission": Tiers Payant RO/RC, Télétransmission RO/RC, Générer FSE."""
    tp_ro: bool
    tp_rc: bool
    teletrans_ro: bool
    teletrans_rc: bool
    generer_fse: bool
    teletrans_rc_possible: bool
    teletrans_rc_reason: str = ""              # why RC télétransmission is not possible yet


class RateCheckStatusDTO(DTO):
    exists: bool
    checked_at: datetime | None = None
    is_stale: bool = False
    stale_reasons: tuple[str, ...] = ()
    taux: int | None = None
    situation_label: str = ""
    mode_securisation: str = ""

    @property
    def stale_reason(self) -> str:
        return " ; ".join(self.stale_reasons)


class InvoiceDTO(DTO):
    id: int
    number: int
    kind: Literal["facture", "avoir"]
    date: date
    dossier_id: int
    total_cents: int
    ro_expected_cents: int
    rc_expected_cents: int
    type_facture: str
    amo_state: str = ""
    amc_state: str = ""
    avoir_of_id: int | None = None
    avoir_id: int | None = None                # the avoir cancelling this invoice, if any


class FseStatusDTO(DTO):
    id: int
    number: int
    state: str                                 # TP Calculé | Sécurisé | FSE supprimée
    mode: Literal["SV", "DEG"]
    has_dre: bool
    signed_at: datetime | None = None
    in_lot: bool = False


class DossierDTO(DTO):
    id: int
    state: Literal["devis", "vente", "facture"]
    devis_number: int | None
    vente_number: int | None
    created_at: datetime
    updated_at: datetime | None
    consultation_date: date
    client: ClientDTO
    beneficiaire: BeneficiaryDTO | None
    info_vitale: VitaleInfoDTO | None
    ordonnance: OrdonnanceDTO | None
    articles: tuple[ArticleDTO, ...]
    tiers_payant: TiersPayantDTO
    mutuelle_rc1: MutuelleRefDTO | None
    mutuelle_rc2: MutuelleRefDTO | None
    card_present: bool
    rate_check: RateCheckStatusDTO
    invoice: InvoiceDTO | None
    fse: FseStatusDTO | None
    total_cents: int
    forcages_actifs: tuple[str, ...] = ()
    contrat_responsable: bool = True
    editable: bool = True                      # False once invoiced (make an avoir to change it)

    @property
    def state_label(self) -> str:
        return {"devis": "Devis", "vente": "Vente", "facture": "Facture"}[self.state]


class TiersPayantResultDTO(DTO):
    dossier: DossierDTO
    adri: AdriOutcomeDTO | None = None


class GenererFseResultDTO(DTO):
    dossier: DossierDTO
    message_fr: str = ""                       # the information message shown when unticking
    fse_deleted: bool = False
    needs_generation: bool = False             # re-ticked on an invoiced dossier: open "Génération de la FSE"


# --- Détail remboursements --------------------------------------------------------------------------------


class ReimbursementRowDTO(DTO):
    """A row of "Détail remboursements" (columns Rb, Acte, T, Détail, Lpp, Net, Base RO, Rbt RO, Rbt RC,
    Rbt RO+RC, À Charge, ALD, ETM). ``rc1_cents`` / ``rc2_cents`` are the typed (editable) amounts."""
    article_id: int
    index: int
    rb: bool
    acte: str
    t: str                                     # INFERRED: "A" on a 100% Santé (classe A) line, else ""
    detail: str
    lpp: str
    net_cents: int
    base_ro_cents: int
    rbt_ro_cents: int
    rbt_rc_cents: int
    rbt_ro_rc_cents: int
    a_charge_cents: int
    ald: str                                   # "X" when the line is in rapport with an ALD
    etm: str
    taux: int = 0
    classe: str = ""
    rc1_cents: int = 0
    rc2_cents: int = 0


class ReimbursementTotalsDTO(DTO):
    net_cents: int = 0
    base_ro_cents: int = 0
    rbt_ro_cents: int = 0
    rbt_rc_cents: int = 0
    rbt_ro_rc_cents: int = 0
    a_charge_cents: int = 0


class ReimbursementTableDTO(DTO):
    rows: tuple[ReimbursementRowDTO, ...]
    totals: ReimbursementTotalsDTO


class RcTabDTO(DTO):
    """Tab RC1 or RC2: the prix libres table, then the "100% SANTÉ" one (Contrat non responsable toggle)."""
    mutuelle: MutuelleRefDTO | None
    prix_libres: ReimbursementTableDTO
    cent_pour_cent_sante: ReimbursementTableDTO
    contrat_non_responsable: bool


class PecDTO(DTO):
    """A prise en charge request (PEC tab). "Que faire ?" is the platform's advice for this state."""
    id: int
    kind: Literal["prise_en_charge", "cotation"] = "prise_en_charge"
    requested_at: datetime
    state: str                                 # accord | refus | en attente | cotation
    reference_dossier: str
    numero_pec: str
    numero_contrat: str
    numero_adherent: str
    montant_cents: int
    codes: tuple[str, ...] = ()                # "Choix code à utiliser"
    code_utilise: str = ""                     # the code put in the Attestation AMC (N° PEC)
    message_plateforme: str = ""
    message_mutuelle: str = ""
    que_faire: str = ""
    mutuelle: MutuelleRefDTO | None = None


class PecTabDTO(DTO):
    credit: int                                # "Crédit PEC : 245"
    mutuelle: MutuelleRefDTO | None            # "Sélection pour demande PEC"
    requests: tuple[PecDTO, ...]               # newest first
    current: PecDTO | None
    pec_obligatoire: bool = False


class MaterniteForcageDTO(DTO):
    fin_theorique: date | None
    fin_forcee: date | None


class ServiceAmoForcageDTO(DTO):
    carte: ServiceAmoDTO                       # "CARTE VITALE" block (card / ADRi value)
    forcage: ServiceAmoDTO | None              # "FORÇAGE" block


class SituationEtmDTO(DTO):
    taux_exoneration: str | None
    allowed: bool                              # dégradé only
    reason_fr: str = ""

    @property
    def label(self) -> str:
        return label_of(TAUX_EXONERATION_CHOICES, self.taux_exoneration)


class SiecleNaissanceDTO(DTO):
    date_naissance: str                        # as read ("15/06/1955")
    forcee: str | None                         # forced birth date, "JJ/MM/AAAA"
    century_missing: bool = False


class ForcagesDTO(DTO):
    """The "SESAM-Vitale" button's dialogs: Maternité, Situation ETM, Service AMO, Siècle naissance,
    Attestation AMC."""
    dossier_id: int
    maternite: MaterniteForcageDTO
    situation_etm: SituationEtmDTO
    service_amo: ServiceAmoForcageDTO
    siecle_naissance: SiecleNaissanceDTO
    attestation_amc: AttestationAmc | None
    actifs: tuple[str, ...] = ()


class RateLineDTO(DTO):
    index: int
    article_id: int | None
    acte: str
    lpp: str
    detail: str
    net_cents: int
    base_ro_cents: int
    taux: int
    rbt_ro_cents: int
    rbt_rc_cents: int
    rbt_ro_rc_cents: int
    a_charge_cents: int
    ald: bool
    etm: str


class ConventionDTO(DTO):
    """A row of "Choix de la convention AMC/Mutuelle" (Id. signat., Lib. signa., Conv. gro., Type con.,
    Crit. seco., Type accord, N° AMC, Lib. AMC, Desactiv.)."""
    id_signataire: str
    lib_signataire: str
    conv_groupe: str
    type_convention: str
    crit_secondaire: str
    type_accord: str
    numero_amc: str
    lib_amc: str
    desactive: bool
    numero_edi: str = ""
    code_routage: str = ""
    id_hote: str = ""
    domaine: str = ""
    aiguillage_sts: str = ""


class ConventionSearchDTO(DTO):
    rows: tuple[ConventionDTO, ...]
    page: int = 1
    pages: int = 1
    total: int = 0
    too_many: bool = False
    error_code: str | None = None              # "-1300"
    message_fr: str = ""                       # "Nombre de résultats trop grand, merci d'affiner votre recherche"
    guidance_fr: str = ""                      # "Il y a trop de mutuelles ... Cliquer sur attestation AMC ..."


class ConventionNeedDTO(DTO):
    """Returned by Vérif. taux when the RC is télétransmitted in gestion séparée and no convention is set."""
    status: Literal["auto", "choix", "trop_de_resultats", "aucune"]
    search: ConventionSearchDTO | None = None
    message_fr: str = ""


class RateCheckDTO(DTO):
    id: int
    dossier_id: int
    checked_at: datetime
    params: RateCheckParams
    situation: str
    situation_label: str
    taux: int
    mode_securisation: str
    lines: tuple[RateLineDTO, ...]
    total_ro_cents: int
    total_rc_cents: int
    total_net_cents: int
    messages: tuple[str, ...] = ()
    findings: tuple[FindingDTO, ...] = ()
    adri: AdriOutcomeDTO | None = None
    convention: ConventionNeedDTO | None = None

    @property
    def taux_label(self) -> str:
        return f"{self.taux} %"


class SesamVitaleTabDTO(DTO):
    """Tab "SESAM Vitale" of Détail remboursements: the engine's view of the dossier."""
    flux_label: str
    rate_check: RateCheckStatusDTO
    params: RateCheckParams | None
    forcages: ForcagesDTO
    fse: FseStatusDTO | None


class ReimbursementDetailDTO(DTO):
    """"Détail remboursements". RO is 0,00 until a Vérif. taux ran (``ro_source`` "non_verifie");
    "moteur" = the engine's amounts of a fresh check; "apercu" = the check is stale, amounts recomputed
    locally as a preview (rate_check.stale_reasons says what changed)."""
    dossier_id: int
    taux_label: str                            # "60 %"
    tiers_payant_label: str                    # "Tiers Payant RO+RC"
    ro_source: Literal["non_verifie", "moteur", "apercu"]
    rate_check: RateCheckStatusDTO
    rc1: RcTabDTO
    rc2: RcTabDTO
    pec: PecTabDTO
    sesam_vitale: SesamVitaleTabDTO
    total: ReimbursementTotalsDTO
    findings: tuple[FindingDTO, ...] = ()
    teletrans_rc_possible: bool = False


# --- Invoice and FSE -------------------------------------------------------------------------------------


class FseRecapLineDTO(DTO):
    code_presta: str
    date_exec: date
    honoraires_cents: int
    base_cents: int
    taux: int
    exo_tm: str
    remb_amo_cents: int
    remb_amc_cents: int
    form_amc: str = ""
    libelle: str = ""
    lpp_code: str = ""


class FseRecapBeneficiaryDTO(DTO):
    nom_prenom: str                            # "DESMAUX NATHALIE"
    birth_date: str                            # "15/06/1955"
    rang: int
    nir: str                                   # "2550699999999"
    nir_key: str                               # "34"
    amo: str                                   # "01-999-9999"
    date_droits: date | None                   # "[Détermination des droits : 26/05/2024]"


class FseRecapPrescriptionDTO(DTO):
    numero_am: str                             # "991000696"
    date: date | None
    rpps: str                                  # "00991000696"


class FseRecapDTO(DTO):
    """"AreaFSE - Facture (Flux de Démonstration)": nothing is editable here."""
    fse_id: int
    invoice_id: int
    title: str                                 # "AreaFSE - Facture (Flux de Démonstration)"
    numero: int
    numero_9: str                              # "000000253"
    date_facture: date
    mode: Literal["SV", "DEG"]
    mode_label: str                            # "SESAM Vitale" | "Dégradé"
    state: str
    beneficiaire: FseRecapBeneficiaryDTO
    prescription: FseRecapPrescriptionDTO | None
    lines: tuple[FseRecapLineDTO, ...]
    honoraires_cents: int
    avance_amo_cents: int
    avance_amc_cents: int
    restant_du_cents: int
    tiers_payant_amo: bool
    facturation_amc: bool
    tiers_payant_amc: bool
    has_dre: bool
    dre_mutuelle: str = ""                     # "1100000000 Mut. Test CNDA"
    signature: str = ""
    signed_at: datetime | None = None
    scor_documents: tuple[str, ...] = ("ORDN",)  # SCOR types to add after signing (+ FSOI in dégradé)

    @property
    def facture_label(self) -> str:
        """"Facture n° 000000253 en date du 28/05/2024"."""
        return f"Facture n° {self.numero_9} en date du {self.date_facture:%d/%m/%Y}"


class FseFormDTO(DTO):
    """"Génération de la FSE - Facture n°253 du 28/05/2024": the Vérif. taux form, pre-filled; the
    number is a preview (allocated when invoicing)."""
    dossier_id: int
    invoice_number_preview: int
    title: str
    params: RateCheckParams
    locked_fields: tuple[str, ...]             # greyed fields (INFERRED: the dates and the prescription)
    findings: tuple[FindingDTO, ...] = ()      # pre-flight lint


class InvoiceResultDTO(DTO):
    invoice: InvoiceDTO
    fse: FseRecapDTO | None
    findings: tuple[FindingDTO, ...] = ()      # warnings (blocking ones refuse the invoice)
    adri: AdriOutcomeDTO | None = None
    message_fr: str = ""


class SignResultDTO(DTO):
    fse: FseRecapDTO
    findings: tuple[FindingDTO, ...] = ()
    message_fr: str = ""


class DeleteFseResultDTO(DTO):
    fse: FseStatusDTO
    invoice: InvoiceDTO
    message_fr: str


class AvoirResultDTO(DTO):
    avoir: InvoiceDTO
    original: InvoiceDTO
    fse_deleted: bool = False
    message_fr: str = ""


__all__ = [name for name in dir() if name.endswith("DTO")] + list(_choices.__all__)
