"""Values read from the cards (frozen pydantic), shaped after the SSV data groups (DOMAIN.md 2.2, 3).

Field names deliberately match core.engine.types (VitaleCard, CpsIdentity, PinCheck...) so that
``EngineModel.model_validate(card_value.model_dump())`` works; the extra fields here (apdu_count, atr,
mutuelle, numero...) are ignored by the engine's models (extra="ignore").

Birth dates are strings as the card gives them: "AAAAMMJJ" (lunar dates such as month 19 kept), or
"AAMMJJ" with ``century_missing=True`` when the card has no century (the "Forçage Siècle Naissance" then
applies: see ``with_century``). Other dates (rights, validity) are real calendar dates.
"""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, computed_field

__all__ = [
    "ProfileError", "CardValue", "Period", "AldPeriod", "ServiceAmo", "MutuelleData", "AmcData", "AtData", "Organisme",
    "Identity", "Rights", "Beneficiary", "VitaleData", "CpsSituation", "CpsData", "PinResult",
    "QUALITE_LABELS", "SERVICE_AMO_LABELS", "with_century", "display_birth_date",
]

QUALITE_LABELS = {  # DOMAIN.md 1.4
    0: "Assuré", 1: "Ascendant, descendant, collatéraux ascendants", 2: "Conjoint", 3: "Conjoint divorcé",
    4: "Concubin", 5: "Conjoint séparé", 6: "Enfant", 7: "Bénéficiaire hors article 313", 8: "Conjoint veuf",
    9: "Autre ayant droit",
}
SERVICE_AMO_LABELS = {  # DOMAIN.md 2.2 (CMU-C renamed C2S in 2019)
    "00": "Pas de service AMO", "01": "C2S gérée par une AMO", "02": "C2S gérée par une AMC en convention avec une AMO",
    "03": "C2S gérée par une AMC", "10": "Sortant de C2S",
}


class ProfileError(ValueError):
    """Card content that does not follow the demo profile (the host turns it into a CardError)."""


class CardValue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Period(CardValue):
    debut: date | None = None
    fin: date | None = None          # None: open-ended

    def covers(self, day: date) -> bool:
        return (self.debut is None or self.debut <= day) and (self.fin is None or day <= self.fin)


class AldPeriod(Period):
    """Période de code couverture (groupe 106): code ALD + code situation (opaque engine codes; the
    manual's "no ALD" row is ALD "0", Sit. "100")."""
    code: str = ""
    situation: str = ""


class ServiceAmo(Period):
    """Service AMO (groupe 102 for the family, groupe 104 champs 15-17 per bénéficiaire)."""
    code: str = "00"

    @property
    def label(self) -> str:
        return SERVICE_AMO_LABELS.get(self.code, self.code)


class MutuelleData(CardValue):
    """Données mutuelle (groupe 107)."""
    identification: str = ""
    garanties: str = ""
    indicateur_traitement: str = ""
    type_services: str = ""
    services: str = ""
    aiguillage_sts: str = ""


class AmcData(CardValue):
    """Complémentaire santé / AMC (groupe 109): "Mutuelle AMC" (N° Adhérent, N° AMC)."""
    numero_amc: str = ""             # n° complémentaire B2
    numero_edi: str = ""
    numero_adherent: str = ""
    indicateur_traitement: str = ""
    debut: date | None = None
    fin: date | None = None
    code_routage: str = ""
    id_hote: str = ""
    domaine: str = ""
    aiguillage_sts: str = ""
    type_contrat: str = ""           # services associés au contrat
    garanties: str = ""
    gestion: str = ""                # "", "separee" or "unique" (DRE vs gestion unique) - demo field


class AtData(CardValue):
    """Accident du travail (groupe 103)."""
    gest_risque: str = ""
    gest_at1: str = ""
    id_at1: str = ""
    gest_at2: str = ""
    id_at2: str = ""


class Organisme(CardValue):
    """Rattachement: Régime / Caisse / Centre Gest. + Libellé."""
    regime: str
    caisse: str
    centre: str = ""
    libelle: str = ""

    @property
    def code(self) -> str:
        return "-".join(p for p in (self.regime, self.caisse, self.centre) if p)


class Identity(CardValue):
    """Bénéficiaire identity (groupe 104 champs 1-3, 9-14)."""
    nom: str                         # nom usuel
    prenom: str = ""
    patronyme: str = ""              # nom patronymique
    birth_date: str                  # "AAAAMMJJ", or "AAMMJJ" when century_missing
    rang: int = 1                    # rang de naissance (gémellaire)
    qualite: int = 0                 # DOMAIN.md 1.4
    nir_certifie: str = ""           # 13 characters, "" when not certified
    nir_certifie_key: str = ""
    date_certif: date | None = None
    century_missing: bool = False

    @property
    def qualite_label(self) -> str:
        return QUALITE_LABELS.get(self.qualite, str(self.qualite))

    @property
    def birth_date_display(self) -> str:
        return display_birth_date(self.birth_date)


class Rights(CardValue):
    """Droits & Couvertures of one bénéficiaire (groupes 104-109)."""
    amo_periods: tuple[Period, ...] = ()          # groupe 105 (0-3)
    ald: tuple[AldPeriod, ...] = ()                # groupe 106 (0-7)
    service_amo: ServiceAmo | None = None          # groupe 104 c15-17
    statut: str = ""                               # "Statut du Bénéf."
    mutuelle: MutuelleData | None = None           # groupe 107
    mutuelle_periods: tuple[Period, ...] = ()      # groupe 108 (0-3)
    amc: AmcData | None = None                     # groupe 109
    medecin_traitant: str = ""


class Beneficiary(CardValue):
    numero: int                      # 1-based position on the card ("1 - DESMAUX NATHALIE (15/06/1955)")
    identity: Identity
    adresse: tuple[str, ...] = ()    # up to 5 lines, the last one "CP Localité"
    rights: Rights = Rights()

    @property
    def choice_label(self) -> str:
        """The "Choix du bénéficiaire" line: "1 - DESMAUX NATHALIE (15/06/1955)"."""
        i = self.identity
        return f"{self.numero} - {i.nom} {i.prenom} ({i.birth_date_display})".replace("  ", " ")


class VitaleData(CardValue):
    """Everything a Carte Vitale read returns (card + assuré + up to 6 bénéficiaires)."""
    type_carte: str = "Vitale 2"     # groupe 101 c1 (demo profile: a label)
    numero_serie: str = ""
    validite: date | None = None     # date de fin de validité
    organisme: Organisme
    nir: str                         # the assuré's NIR body (13)
    nir_key: str
    nom_assure: str = ""
    prenom_assure: str = ""
    id_porteur: str = "Assuré"       # type d'identification du porteur
    code_gestion: str = ""
    service_amo_famille: ServiceAmo | None = None   # groupe 102
    at: AtData | None = None                         # groupe 103
    beneficiaries: tuple[Beneficiary, ...]
    atr: str = ""                    # "3B 75 13 ..." of the card read
    apdu_count: int = 0              # APDUs exchanged by the read (0 in the deck)

    def expired_on(self, day: date) -> bool:
        """True when the card's validity ended before ``day`` (ADRi then refreshes the rights)."""
        return self.validite is not None and self.validite < day

    def find(self, birth_date: str, rang: int) -> Beneficiary | None:
        return next((b for b in self.beneficiaries
                     if b.identity.birth_date == birth_date and b.identity.rang == rang), None)

    @property
    def assure(self) -> Beneficiary | None:
        return next((b for b in self.beneficiaries if b.identity.qualite == 0), None)


class CpsSituation(CardValue):
    """One situation de facturation of the CPS (groupe 2 of SSV_LireCartePS)."""
    numero: int                      # n° logique de situation
    mode_exercice: str = "0"         # 0 libéral, 1 salarié, 4 remplaçant, 7 non rétribué
    secteur_activite: str = "85"     # 85: commerce de détail de biens médicaux (lunetterie)
    type_structure: str = ""         # type d'identification de la structure
    id_structure: str = ""
    raison_sociale: str = ""
    numero_am: str = ""              # n° de facturation (identifiant PS pour l'AM, 9 digits)
    code_conventionnel: str = ""
    specialite: str = "28"           # 28: opticien-lunetier (INFERRED, ADELI profession code)
    zone_tarifaire: str = ""
    habilitation_facture: bool = True   # g2 c20 "Habilitation à signer une facture"
    habilitation_lot: bool = True       # g2 c21 "Habilitation à signer un lot"


class CpsData(CardValue):
    """The CPS holder and situations. Top-level fields match core.engine.types.CpsIdentity; ``situation``
    and ``numero_am`` are those of the first situation."""
    model_config = ConfigDict(frozen=True, extra="ignore")  # accepts its own dump (computed fields)

    type_carte: str = "CPS"
    code_type_carte: str = "0"       # 0 CPS, 1 CPF, 2 CDE/CPE, 3 CPA, 4 CSA
    civilite: str = ""
    nom: str
    prenom: str = ""
    type_identification: str = "8"  # 8: RPPS (national id "8" + RPPS, INFERRED; DOMAIN.md 3)
    rpps: str = ""
    code_profession: str = "28"
    numero_serie: str = ""
    validite: date | None = None
    situations: tuple[CpsSituation, ...] = ()
    atr: str = ""
    apdu_count: int = 0

    # computed fields: part of model_dump(), so core.engine.types.CpsIdentity validates from it
    @computed_field  # type: ignore[prop-decorator]
    @property
    def numero_am(self) -> str:
        return self.situations[0].numero_am if self.situations else ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def situation(self) -> int:
        return self.situations[0].numero if self.situations else 1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def specialite(self) -> str:
        return self.situations[0].specialite if self.situations else self.code_profession


class PinResult(CardValue):
    """Outcome of a VERIFY / RESET RETRY COUNTER. Holds no code, by construction."""
    ok: bool
    tries_left: int                  # remaining tries of the code concerned (PIN, or PUK for unblock)
    blocked: bool = False

    @property
    def remaining(self) -> int:      # core.engine.types.PinCheck's name
        return self.tries_left

    @property
    def message_fr(self) -> str:
        if self.ok:
            return "Code porteur correct."
        if self.blocked:
            return "Carte CPS bloquée : débloquez-la avec le code de déblocage (8 chiffres)."
        s = "s" if self.tries_left > 1 else ""
        return f"Code porteur incorrect : {self.tries_left} essai{s} restant{s}."


def with_century(birth_date: str, century: str) -> str:
    """Apply a forced century ("19" or "20") to a card birth date without one ("550615" -> "19550615")."""
    if len(birth_date) == 6 and birth_date.isdigit() and century in ("18", "19", "20", "21"):
        return century + birth_date
    return birth_date


def display_birth_date(birth_date: str) -> str:
    """"JJ/MM/AAAA" as the manual shows it (lunar dates kept: "01/19/1942"); "JJ/MM/AA" without century."""
    if len(birth_date) == 8:
        return f"{birth_date[6:8]}/{birth_date[4:6]}/{birth_date[:4]}"
    if len(birth_date) == 6:
        return f"{birth_date[4:6]}/{birth_date[2:4]}/{birth_date[:2]}"
    return birth_date
