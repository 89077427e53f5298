"""Choice lists and input values of the counter dialogs, with the manual's labels verbatim.

Screens fill their selects from the ``*_CHOICES`` tuples (code, label) and send back
:class:`RateCheckParams` ("Vérification taux" / "Génération de la FSE") and :class:`AttestationAmc`
("Attestation AMC"). Stored values are the codes; for robustness a verbatim label is accepted wherever
a code is expected (the demo dataset stores labels).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import field_validator, model_validator

from core.engine.demo.rates import MANUAL_PROOFS, TAUX_EXONERATION as _TAUX
from core.services.base import DTO

__all__ = [
    "Choice", "PIECE_JUSTIF_AMO_CHOICES", "PIECE_JUSTIF_AMC_CHOICES", "DROITS_AMO_CHOICES",
    "NATURE_ASSURANCE_CHOICES", "PRESCRIPTION_CHOICES", "MODE_SECURISATION_CHOICES", "TAUX_EXONERATION_CHOICES",
    "SERVICE_AMO_CHOICES", "DATE_REFERENCE_CHOICES", "RateCheckParams", "AttestationAmc", "label_of",
    "MANUAL_PROOFS", "PieceJustifAmo", "PieceJustifAmc", "NatureAssurance", "ModeSecurisation",
]


class Choice(DTO):
    code: str
    label: str


def _choices(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(code=c, label=l) for c, l in pairs)


# Manual §III.A, "Pièce Justif. AMO": the five choices, verbatim.
PIECE_JUSTIF_AMO_CHOICES = _choices(
    ("aucune", "L'assuré n'a présenté aucune pièce justificative"),
    ("attestation_droits", "L'assuré a présenté un bulletin de salaire, une attestation de droits, une prise en "
                           "charge pour l'AME, etc..."),
    ("carte_assure_social", "L'assuré a présenté sa Carte d'assuré social (attestation AMO) ou le Professionnel de "
                            "Santé a consulté le fichier patient par télématique (feu-vert, CDR, ...)"),
    ("carte_vitale", "L'assuré a présenté sa carte Vitale"),
    ("adr", "Les droits ont été récupérés sur ADR"),
)
# Manual §III.A, "Pièce Justif. AMC": the screenshot lists 7 lines, the first being the selected value
# repeated above the list; these are the 6 distinct choices, verbatim.
PIECE_JUSTIF_AMC_CHOICES = _choices(
    ("aucun", "le patient ne présente aucun justificatif"),
    ("serveur_amc", "le PS a vérifié les droits du patient sur le serveur de l'AMC : exemple site web"),
    ("autre_support", "le PS a vérifié les droits du patient sur un autre support que la carte vitale : ex une "
                      "autre carte à puce ou papier"),
    ("reponse_pec", "une réponse de prise en charge justifie les droits du patient"),
    ("carte_vitale", "le PS a vérifié les droits du patient sur la carte vitale"),
    ("adr", "Les droits ont été récupérés sur ADR"),
)
# The manual shows only "Droits AMO ouverts" (no other value visible).
DROITS_AMO_CHOICES = _choices(("ouverts", "Droits AMO ouverts"))
NATURE_ASSURANCE_CHOICES = _choices(
    ("maladie", "Maladie"), ("maternite", "Maternité"), ("at", "Accident du travail"),
    ("smg", "Soins Médicaux Gratuit (SMG)"),
)
PRESCRIPTION_CHOICES = _choices(("", ""), ("RI", "Renouvellement Initial"), ("RA", "Renouvellement Adapté"))
MODE_SECURISATION_CHOICES = _choices(
    ("SESAM_VITALE", "SESAM_VITALE - Signature définitive simultanée par la CPS et la CVIT"),
    ("DEGRADE", "DEGRADE - Signature définitive par CPS seulement (remplace le mode SESAM_VITALE en cas d'oubli "
                "de la CVIT)"),
)
# "Situation ETM / Taux Exonération": "15 Non exonéré" is the manual's; the others are INFERRED (rates.py).
TAUX_EXONERATION_CHOICES = tuple(Choice(code=code, label=f"{code} {label}") for code, (label, _) in _TAUX.items())
# Code service AMO (DOMAIN.md 2.2, C2S wording): the forçage dialog shows "00 - Pas de service AMO".
SERVICE_AMO_CHOICES = _choices(
    ("00", "00 - Pas de service AMO"), ("01", "01 - C2S gérée par l'AMO"),
    ("02", "02 - C2S gérée par une AMC en convention ou délégation avec l'AMO"), ("03", "03 - C2S gérée par une AMC"),
    ("10", "10 - Sortant de C2S"),
)
DATE_REFERENCE_CHOICES = _choices(("acte", "Acte"), ("facture", "Facture"), ("prescription", "Prescription"))

PieceJustifAmo = Literal["aucune", "attestation_droits", "carte_assure_social", "carte_vitale", "adr"]
PieceJustifAmc = Literal["aucun", "serveur_amc", "autre_support", "reponse_pec", "carte_vitale", "adr"]
NatureAssurance = Literal["maladie", "maternite", "at", "smg"]
ModeSecurisation = Literal["SESAM_VITALE", "DEGRADE"]


def label_of(choices: tuple[Choice, ...], code: str | None) -> str:
    return next((c.label for c in choices if c.code == code), "" if code is None else str(code))


def _to_code(choices: tuple[Choice, ...], value: Any) -> Any:
    """Accept a verbatim label (or a "15 Non exonéré" style label) where a code is expected."""
    if isinstance(value, str):
        text = value.strip()
        for c in choices:
            if text == c.label or text.casefold() == c.label.casefold():
                return c.code
    return value


class RateCheckParams(DTO):
    """Every field of "Vérification taux" (and "Génération de la FSE", which is the same form)."""

    ordo: date | None = None                       # "Ordo."
    acte: date                                     # "Acte"
    facture: date | None = None                    # "Facture" (blank in Vérif. taux, today at invoicing)
    piece_justif_amo: PieceJustifAmo = "carte_vitale"
    droits_amo: Literal["ouverts"] = "ouverts"
    piece_justif_amc: PieceJustifAmc = "aucun"
    accident_droit_commun: bool = False            # "Accident Droit Commun" OUI/NON (attestation needed)
    ald: bool = False                              # "Soins en rapport avec l'ALD" OUI/NON
    victime_attentat: bool = False
    prescription: Literal["", "RI", "RA"] = ""     # RI / RA
    alsace_moselle: bool = False                   # "Régime Alsace Moselle"
    nature_assurance: NatureAssurance = "maladie"
    maternite_date: date | None = None             # Maternité: date de début de grossesse (INFERRED label)
    at_numero: str = ""                            # Accident du travail: n° d'AT
    at_date: date | None = None                    # Accident du travail: date de l'accident
    taux_exoneration: str | None = None            # "Situation ETM / Taux Exonération" code ("15")
    mode_securisation: ModeSecurisation = "SESAM_VITALE"

    @model_validator(mode="before")
    @classmethod
    def _labels_to_codes(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key, choices in (("piece_justif_amo", PIECE_JUSTIF_AMO_CHOICES),
                             ("piece_justif_amc", PIECE_JUSTIF_AMC_CHOICES), ("droits_amo", DROITS_AMO_CHOICES),
                             ("nature_assurance", NATURE_ASSURANCE_CHOICES), ("prescription", PRESCRIPTION_CHOICES),
                             ("taux_exoneration", TAUX_EXONERATION_CHOICES)):
            if key in data:
                data[key] = _to_code(choices, data[key])
        for key in ("ordo", "facture", "maternite_date", "at_date"):
            if data.get(key) == "":
                data[key] = None
        return data

    @field_validator("at_numero")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @property
    def requires_taux_exoneration(self) -> bool:
        """The three manual proofs force a manual choice of the Taux Exonération (manual §III.A)."""
        return self.piece_justif_amo in MANUAL_PROOFS

    @property
    def piece_justif_amo_label(self) -> str:
        return label_of(PIECE_JUSTIF_AMO_CHOICES, self.piece_justif_amo)

    @property
    def piece_justif_amc_label(self) -> str:
        return label_of(PIECE_JUSTIF_AMC_CHOICES, self.piece_justif_amc)

    @property
    def nature_assurance_label(self) -> str:
        return label_of(NATURE_ASSURANCE_CHOICES, self.nature_assurance)

    @property
    def mode_securisation_label(self) -> str:
        return label_of(MODE_SECURISATION_CHOICES, self.mode_securisation)

    @property
    def taux_exoneration_label(self) -> str:
        return label_of(TAUX_EXONERATION_CHOICES, self.taux_exoneration)


class AttestationAmc(DTO):
    """Every field of the "Attestation AMC" dialog (manual §III.B and §V), in its order."""

    piece_justif_amc: PieceJustifAmc = "aucun"
    date_reference: Literal["acte", "facture", "prescription"] = "acte"
    gestion_separee: bool = True
    numero_prefectoral: str = ""
    numero_edi: str = ""
    type_conv: str = ""
    garanties: str = ""
    id_assure: str = ""
    numero_pec: str = ""
    refus_ro: bool = False
    aiguillage_sts: str = ""
    id_hote: str = ""
    date_debut: date | None = None
    att_particuliere: str = ""
    numero_mutuelle: str = ""
    crit_secondaire: str = ""
    numero_adherent: str = ""
    type_contrat: str = ""
    montant_pec_cents: int | None = None
    traitement_rc: str = ""
    code_routage: str = ""
    domaine: str = ""
    date_fin: date | None = None
    source: Literal["saisie", "convention", "pec"] = "saisie"   # how it was filled (not a manual field)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "piece_justif_amc" in data:
            data["piece_justif_amc"] = _to_code(PIECE_JUSTIF_AMC_CHOICES, data["piece_justif_amc"])
        for key in ("date_debut", "date_fin", "montant_pec_cents"):
            if data.get(key) == "":
                data[key] = None
        for key, value in list(data.items()):
            if isinstance(value, str):
                data[key] = value.strip()
        return data

    @model_validator(mode="after")
    def _check(self) -> "AttestationAmc":
        if self.montant_pec_cents is not None and self.montant_pec_cents < 0:
            raise ValueError("le Montant PEC ne peut pas être négatif")
        if self.date_debut and self.date_fin and self.date_fin < self.date_debut:
            raise ValueError("la Date Fin précède la Date Début")
        return self

    @property
    def piece_justif_amc_label(self) -> str:
        return label_of(PIECE_JUSTIF_AMC_CHOICES, self.piece_justif_amc)


# --- dossier inputs ---------------------------------------------------------------------------------------
class PrescriberInput(DTO):
    """A prescriber typed at the counter (ophtalmologiste, orthoptiste...)."""
    nom: str
    prenom: str = ""
    rpps: str = ""                                 # 11 digits
    numero_am: str = ""                            # n° AM (9 digits), printed on the FSE
    specialite: str = ""                           # e.g. "15" ophtalmologie, "orthoptiste"


class OrdonnanceInput(DTO):
    """The dossier's "Ordonnance" panel."""
    date: date
    prescriber_id: int | None = None               # an existing prescriber...
    prescriber: PrescriberInput | None = None      # ...or a new/updated one (matched by RPPS)
    ri_ra: Literal["", "RI", "RA"] = ""            # Renouvellement Initial / Adapté
    ald_mention: bool = False                      # the prescriber wrote the ALD link on the ordonnance
    first_delivery: bool = True
    adaptation_agreement: bool = False             # written agreement of the prescriber to adapt


class ArticleInput(DTO):
    """A dossier line: frame, lens, supplement. ``rc1_cents``/``rc2_cents`` = mutuelle amounts (0 = none)."""
    libelle: str
    unit_price_cents: int
    kind: Literal["monture", "verre", "supplement", "autre"] = "monture"
    side: Literal["", "OD", "OG"] = ""
    lpp_code: str = ""
    prestation: str = ""                           # filled from the LPP catalogue when empty
    classe: Literal["", "A", "B"] = ""             # filled from the LPP catalogue when empty
    remboursable: bool = True                      # the "Rb" box
    quantity: int = 1
    rc1_cents: int = 0
    rc2_cents: int = 0


__all__ += ["PrescriberInput", "OrdonnanceInput", "ArticleInput"]
