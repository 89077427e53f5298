"""NOEMIE PS entity layouts as Python data, derived from shared/specs/noemie-ps.xml.

Positions are 1-based and inclusive, as in the spec. An entity's logical record is its text *without* the
'@' end-of-entity delimiter; every layout tiles 1..length exactly (checked at import). 000 and 999 are fixed
128-character records with no delimiter. Labels are the spec's French names (obvious typos corrected: "éxecution",
"paiment", "remboursabe", "Orde", "Indui", "Part concerné").

Field kinds (how a zone is encoded and decoded):
  K  record type (constant entity code), checked on read
  V  niveau de rupture: 2 digits, decoded to int
  N  integer, zero-padded; decoded to int (blank -> None)
  M  amount in cents (an N zone); decoded to int (blank -> None). Mandatory (O) amounts must be digits.
  C  identifier made of digits (émetteur, facture, clé NIR...): decoded to str, leading zeros kept
  D  date AAMMJJ (an N zone); blank or "000000" -> None; decoded to datetime.date, or the raw string when
     the digits are not a real date (INFERRED format: the spec gives lengths only; B2 and [PSM1] agree)
  Y  birth date: kept as a raw string (lunar dates such as month 19 exist); never converted
  A  alphanumeric, space-padded; decoded with trailing spaces removed
  E  enumerated code (labels in `values`); decoded with trailing spaces removed
  S  sign N (négatif) / P (positif); blank is read as positive
  T  payment state of a part (198/199): P payé, R rejeté, D différé, blank = pas de traitement
  B  filler (blanc): decoded as text

Validation is lenient where real files may differ from this 2007 spec (enumerations other than S and T are
not enforced; optional numeric zones may be blank) and strict where Lunetier computes with the value
(amounts, counts, signs, states, niveau).

Entities listed by [PSM1] but absent from the spec (010, 105, 212, 216, 220) are accepted with their
niveau and kept as raw data ("layout unknown"), so that a real file carrying them still opens.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

__all__ = [
    "FieldSpec", "EntitySpec", "ENTITIES", "HEADER_LENGTH", "entity_spec", "label_of",
]

HEADER_LENGTH = 128  # 000 and 999 are 128-character records without '@'


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str             # stable English id used by code and JSON
    name: str            # French label from the spec
    start: int           # 1-based inclusive
    end: int             # 1-based inclusive
    kind: str            # see module doc
    presence: str = "O"  # O obligatoire, F facultatif
    values: Mapping[str, str] | None = None  # code -> French label, for E/S/T zones

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    @property
    def slice(self) -> slice:
        return slice(self.start - 1, self.end)


@dataclass(frozen=True)
class EntitySpec:
    code: str
    title: str                      # French description
    fields: tuple[FieldSpec, ...]
    known_layout: bool = True       # False for [PSM1]-only entities kept as raw data
    by_key: Mapping[str, FieldSpec] = field(init=False, repr=False)
    length: int = field(init=False)  # logical length (without '@'); 0 = variable

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", MappingProxyType({f.key: f for f in self.fields}))
        object.__setattr__(self, "length", self.fields[-1].end if self.known_layout else 0)

    @property
    def has_niveau(self) -> bool:
        return self.code not in ("000", "999")


def _v(*pairs: str) -> Mapping[str, str]:
    it = iter(pairs)
    return MappingProxyType(dict(zip(it, it)))


ORGANISM_TYPES = _v(
    "AN", "Assemblée nationale", "BF", "Banque de France", "CC", "Caisse des cultes",
    "CE", "Caisse de retraite et de prévoyance des clercs et employés de notaires (CRPCEN)",
    "CF", "SNCF", "CI", "Chambre de commerce et d'industrie de Paris",
    "CM", "Caisse nationale militaire de sécurité sociale (CNMSS)", "CP", "C.P.A.M.", "CR", "C.R.A.M.",
    "CS", "Centre de Service Complémentaire (AMC)", "CT", "Centre de traitement informatique (Régime Général)",
    "EN", "Établissement national des invalides de la marine (ENIM)", "MA", "MSA",
    "OC", "Organisme complémentaire (AMC)", "OT", "Organisme concentrateur technique (OCT)",
    "PB", "Port autonome de Bordeaux", "RM", "Sécurité sociale minière", "RP", "R.A.T.P.",
    "SE", "Caisses autonomes de sécurité sociale du Sénat",
    "SI", "Autres émetteurs (sociétés civiles professionnelles...)", "SM", "Section des mutuelles nationales",
    "SR", "Centre informatique régional (AMPI)", "TE", "Établissements", "TP", "Autres partenaires de santé",
)
FLOW_TYPES = _v(" ", "Réel", "R", "Réel", "T", "Test", "D", "Démo")
YES_NO = _v("O", "Oui", "N", "Non")
CURRENCIES = _v("U", "Euro")
SIGNS = _v("N", "Négatif", "P", "Positif", " ", "Positif")
PAYMENT_STATES = _v("P", "Payé", "R", "Rejeté", "D", "Différé", " ", "Pas de traitement de cette part")
RETURN_TYPES = _v(
    "01", "Retours sur prestations transmises en flux électroniques",
    "02", "Retours sur prestations en facturation papier",
    "03", "Paiements ponctuels ou forfaitaires", "04", "Rappels sur prestations", "05", "Retenues",
)
INVOICE_TYPES = _v(
    "A", "Flux AMC", "B", "Flux B2 ou SESAM dégradé", "D", "DRE", "F", "FSE",
    "P", "Facture papier AMO ou AMO + AMC", "C", "Facture papier AMC", "E", "Rappel sur prestations",
    "R", "Réservé aux échanges inter-centres de traitement - rejeté",
    "L", "Réservé aux échanges inter-centres de traitement - liquidé",
)
AMC_PROCESSING = _v(
    "N", "Envoi de l'image décompte en NOEMIE 1 suite à TP sur la part AMC",
    "V", "Ordre de virement distinct pour la part AMO et la part AMC",
    "C", "Paiement coordonné (CMU, référent, NOEMIE 3...)", "E", "Éclatement sur le poste",
    "A", "Éclatement par un OCT", "F", "Éclatement par un OCT", " ", "Pas de traitement de la part AMC",
)
NAME_NATURES = _v("M", "Marital", "P", "Patronymique", "U", "Usage")
INSURANCE_NATURES = _v("AS", "Maladie", "AT", "Accident du travail", "AM", "Maternité")
ACT_COMPLEMENTS = _v("E", "Examen, expertise", "F", "Majoration jour férié", "N", "Majoration de nuit",
                     "P", "Présent", "S", "Sortie", "T", "Transfert")
EXPENSE_QUALIFIERS = _v(
    "AT", "Tiers payant AT", "DD", "Dépassement non prescrit", "DE", "Dépassement exigence",
    "DF", "Dépassement Fortune", "DP", "Dépassement permanent", "ED", "Entente directe", "GR", "Gratuit",
    "NR", "Non remboursable", "S", "Honoraires globalisés, suite", "TM", "Ticket modérateur seul",
)
DEBT_NATURES = _v(
    "ACC", "Acompte sur prestations", "AFF", "Affranchissement",
    "API", "Acompte caisse centralisatrice des paiements", "APR", "Avance sur prestations",
    "IEC", "Indu suite à erreur comptable", "IND", "Indu sur prestations", "IPH", "Indu sur avance pharmacie",
    "IPI", "Créance non gérée par caisse gestionnaire", "ISP", "Impayé mandat ou virement solde",
    "ODL", "Opposition interne paiement en double", "OID", "Opposition interne diverse", "REL", "Reliquat",
    "VMI", "Virement ou mandat impayé",
)
OPERATION_NATURES = _v(
    "ANT", "Annulation totale", "CIN", "Constat initial", "LOP", "Main levée d'opposition partielle",
    "LOT", "Main levée d'opposition totale", "NVP", "Admission en non valeur partielle",
    "NVT", "Admission en non valeur totale", "PAI", "Paiement", "PPR", "Passage en profit",
    "RAS", "Remboursement à l'assuré", "RDP", "Remise de dette partielle", "RDS", "Remise de dette < seuil",
    "RDT", "Remise de dette totale", "REL", "Rectification d'un élément signalétique",
    "RMO", "Rectification d'un montant", "RPR", "Retenue sur prestation",
)
PERIODS = _v("H", "Hebdomadaire", "M", "Mensuel", "T", "Trimestriel", "S", "Semestriel", "A", "Annuel",
             "P", "Ponctuel")
REJECT_LEVELS = _v("F", "Facture", "L", "Ligne de prestation", "A", "Code affiné")
REJECT_PARTS = _v("O", "Part obligatoire ou part obligatoire + complémentaire", "C", "Part complémentaire")


def _f(key: str, name: str, start: int, end: int, kind: str, presence: str = "O",
       values: Mapping[str, str] | None = None) -> FieldSpec:
    return FieldSpec(key, name, start, end, kind, presence, values)


def _head(code: str) -> tuple[FieldSpec, ...]:
    return (_f("record_type", "Type d'enregistrement", 1, 3, "K"),
            _f("niveau", "Niveau de rupture", 4, 5, "V"))


def _spec(code: str, title: str, *fields: FieldSpec) -> EntitySpec:
    return EntitySpec(code, title, _head(code) + fields)


_HEADER_COMMON = (
    _f("emitter_type", "Type d'émetteur", 4, 5, "E", values=ORGANISM_TYPES),
    _f("emitter", "Numéro d'émetteur", 6, 19, "C"),
    _f("emitter_program", "Programme émetteur", 20, 25, "A", "F"),
    _f("recipient_type", "Type de destinataire", 26, 27, "E", values=ORGANISM_TYPES),
    _f("recipient", "Numéro de destinataire", 28, 41, "A"),
    _f("recipient_program", "Programme destinataire", 42, 47, "A", "F"),
    _f("exchange_type", "Application-type d'échange", 48, 49, "A", "F"),
    _f("file_id", "Identification du fichier", 50, 55, "A"),
)

_SPECS: tuple[EntitySpec, ...] = (
    EntitySpec("000", "En-tête", (
        _f("record_type", "Type d'enregistrement", 1, 3, "K"),
        *_HEADER_COMMON,
        _f("created", "Date de création du fichier", 56, 61, "D"),
        _f("norme", "Norme utilisée - référence de l'échange", 62, 65, "A"),
        _f("version", "Version utilisée", 66, 67, "A", "F"),
        _f("compaction", "Compactage", 68, 68, "A", "F"),
        _f("encryption", "Cryptage", 69, 69, "E", "F", YES_NO),
        _f("currency", "Unité monétaire", 70, 70, "E", values=CURRENCIES),
        _f("flow_type", "Type de flux", 71, 71, "E", "F", FLOW_TYPES),
        _f("blank_72", "Blanc", 72, 82, "B", "F"),
        _f("record_length", "Longueur d'enregistrement", 83, 85, "N"),
        _f("password", "Mot de passe", 86, 91, "A", "F"),
        _f("message", "Zone message", 92, 128, "A", "F"),
    )),
    _spec("020", "Mandataire",
          _f("settlement_recipient", "Numéro de destinataire de règlement", 6, 20, "C")),
    _spec("040", "Destinataire de règlement",
          _f("settlement_recipient", "Numéro de destinataire de règlement", 6, 20, "C")),
    _spec("070", "Date comptable",
          _f("accounting_date", "Date de la journée comptable", 6, 11, "D")),
    _spec("071", "Date comptable et référence du virement",
          _f("accounting_date", "Date de la journée comptable ou date d'émission du virement", 6, 11, "D"),
          _f("label_1", "Libellé du virement - ligne 1", 12, 43, "A"),
          _f("label_2", "Libellé du virement - ligne 2", 44, 75, "A", "F"),
          _f("payer", "Organisme payeur", 76, 85, "A", "F")),
    # The spec types the lot number N; AMC lots are alphanumeric ("AAE" in the manual), so it is read as text.
    _spec("080", "Lot",
          _f("lot_date", "Date de constitution du lot", 6, 11, "D"),
          _f("lot_number", "Numéro de lot", 12, 14, "A")),
    _spec("081", "Type de retour",
          _f("return_type", "Code du type de retour", 6, 7, "E", values=RETURN_TYPES),
          _f("place", "Numéro du lieu d'exécution de l'acte", 8, 21, "A", "F")),
    _spec("100", "Facture",
          _f("invoice_number", "Numéro de facture", 6, 14, "C")),
    _spec("102", "Facture",
          _f("invoice_number", "N° de facture", 6, 14, "A"),
          _f("invoice_complement", "Complément au n° de facture", 15, 20, "A", "F"),
          _f("lot_number", "N° de lot", 21, 23, "A", "F"),
          _f("lot_date", "Date de création du lot", 24, 29, "D", "F"),
          _f("invoice_type", "Type de facture", 30, 30, "E", values=INVOICE_TYPES),
          _f("invoice_date", "Date de facturation", 31, 36, "D", "F"),
          _f("amc_processing", "Traitement effectué sur la part AMC", 37, 37, "E", "F", AMC_PROCESSING),
          _f("insurance_nature", "Nature d'assurance", 38, 39, "A", "F")),
    _spec("103", "Assuré et bénéficiaire",
          _f("nir", "N° immatriculation", 6, 18, "A"),
          _f("nir_key", "Clé du numéro d'immatriculation", 19, 20, "C"),
          _f("insured_birth_name", "Nom patronymique", 21, 45, "A", "F"),
          _f("insured_usage_name", "Nom d'usage", 46, 70, "A", "F"),
          _f("insured_first_name", "Prénom", 71, 85, "A", "F"),
          _f("beneficiary_nir", "N° immatriculation individuel", 86, 98, "A", "F"),
          _f("beneficiary_nir_key", "Clé du numéro d'immatriculation individuel", 99, 100, "C", "F"),
          _f("birth_date", "Date de naissance", 101, 106, "Y"),
          _f("birth_rank", "Rang de naissance", 107, 107, "C"),
          _f("beneficiary_name", "Nom", 108, 132, "A", "F"),
          _f("beneficiary_first_name", "Prénom", 133, 147, "A", "F"),
          _f("management_unit", "Unité de gestion de rattachement", 148, 151, "C", "F")),
    _spec("110", "Assuré",
          _f("nir", "Numéro de sécurité sociale", 6, 18, "A"),
          _f("nir_key", "Clé du numéro de sécurité sociale", 19, 20, "C"),
          _f("name_nature", "Nature du nom", 21, 21, "E", values=NAME_NATURES),
          _f("name", "Nom du bénéficiaire", 22, 46, "A"),
          _f("blank_47", "Blanc", 47, 72, "B"),
          _f("first_name", "Prénom du bénéficiaire", 73, 87, "A")),
    _spec("120", "Malade",
          _f("birth_date", "Date de naissance du bénéficiaire", 6, 11, "Y"),
          _f("birth_rank", "Rang du bénéficiaire", 12, 12, "A"),
          _f("name", "Nom du malade", 13, 37, "A"),
          _f("first_name", "Prénom du malade", 38, 52, "A"),
          _f("management_unit", "Unité de gestion de rattachement", 53, 56, "A")),
    _spec("150", "Nature d'assurance",
          _f("insurance_nature", "Nature de l'assurance", 6, 7, "E", values=INSURANCE_NATURES)),
    _spec("160", "Critère d'archivage",
          _f("archive_number", "Numéro d'archivage", 6, 22, "C")),
    _spec("198", "Part AMO",
          _f("requested", "Montant AMO demandé", 6, 13, "M"),
          _f("state", "État paiement part AMO", 14, 14, "T", values=PAYMENT_STATES),
          _f("paid", "Montant AMO payé", 15, 22, "M", "F"),
          _f("sign", "Signe du montant AMO payé", 23, 23, "S", values=SIGNS)),
    _spec("199", "Part AMC",
          _f("requested", "Montant AMC demandé", 6, 13, "M"),
          _f("state", "État paiement part AMC", 14, 14, "T", values=PAYMENT_STATES),
          _f("paid", "Montant AMC payé", 15, 22, "M", "F"),
          _f("sign", "Signe du montant AMC payé", 23, 23, "S", values=SIGNS),
          _f("amc_number", "N° AMC destinataire", 24, 33, "C"),
          _f("amc_member", "N° identification AMC de l'adhérent", 34, 48, "A", "F")),
    _spec("210", "Acte professionnel",
          _f("line_number", "N° de ligne", 6, 7, "N"),
          _f("regime_code", "Code gestion technique pour régime", 8, 9, "C"),
          _f("exoneration", "Justification pour exonération", 10, 10, "A"),
          _f("treatment_mode", "Mode de traitement", 11, 12, "C"),
          _f("discipline", "Discipline médico-tarifaire", 13, 15, "C"),
          _f("prescription_date", "Date de prescription d'un acte", 16, 21, "D"),
          _f("care_date", "Date des soins ou date début", 22, 27, "D"),
          _f("care_end_date", "Date de fin de soins", 28, 33, "D"),
          _f("unit_price", "Prix unitaire d'un acte", 34, 41, "M"),
          _f("base", "Base de remboursement d'un acte", 42, 49, "M"),
          _f("rate", "Taux de remboursement", 50, 52, "N"),
          _f("reimbursed", "Montant remboursé", 53, 60, "M"),
          _f("sign", "Signe de l'acte", 61, 61, "S", values=SIGNS),
          _f("prestation", "Nature de la prestation", 62, 64, "A"),
          _f("act_complement", "Code complémentaire à la nature d'acte", 65, 66, "E", values=ACT_COMPLEMENTS),
          _f("quantity", "Quantité d'actes", 67, 69, "N"),
          _f("coefficient", "Coefficient de l'acte", 70, 74, "N"),
          _f("act_count", "Dénombrement des actes", 75, 77, "N"),
          _f("expense", "Montant de la dépense", 78, 85, "M"),
          _f("expense_qualifier", "Qualificatif de la dépense", 86, 87, "E", values=EXPENSE_QUALIFIERS),
          _f("am_rate", "Taux complémentaire Alsace/Moselle", 88, 90, "N"),
          _f("am_amount", "Montant complémentaire Alsace/Moselle", 91, 98, "M"),
          _f("amc_rate", "Taux part complémentaire Mutuelle", 99, 101, "N"),
          _f("amc_amount", "Montant part complémentaire", 102, 109, "M"),
          _f("amc_base", "Base remboursement Mutuelle", 110, 117, "M")),
    _spec("250", "Mouvement financier - retenue",
          _f("line_number", "Numéro de ligne pour NOEMIE", 6, 7, "N"),
          _f("debt_reference", "Référence de la dette", 8, 17, "A"),
          _f("debt_date", "Date d'enregistrement de la dette", 18, 23, "D"),
          _f("debt_nature", "Nature de la dette", 24, 26, "E", values=DEBT_NATURES),
          _f("operation", "Nature des opérations de récupération", 27, 29, "E", values=OPERATION_NATURES),
          _f("amount", "Montant du mouvement financier", 30, 37, "M"),
          _f("sign", "Signe de l'acte", 38, 38, "S", values=SIGNS),
          _f("balance", "Montant du solde d'une dette", 39, 46, "M", "F")),
    _spec("261", "Paiements ponctuels ou forfaitaires",
          _f("payment_code", "Code paiement ponctuel ou forfaitaire", 6, 10, "C"),
          _f("amount", "Montant paiement ponctuel ou forfaitaire", 11, 18, "M")),
    _spec("262", "Détail paiement ponctuel ou forfaitaire",
          _f("code", "Codification", 6, 10, "A", "F"),
          _f("label", "Libellé associé", 11, 90, "A", "F"),
          _f("nir", "N° d'immatriculation", 91, 103, "A", "F"),
          _f("nir_key", "Clé du numéro d'immatriculation", 104, 105, "C", "F"),
          _f("birth_date", "Date de naissance", 106, 111, "Y", "F"),
          _f("birth_rank", "Rang de naissance", 112, 112, "C", "F"),
          _f("period", "Période", 113, 113, "E", values=PERIODS),
          _f("period_start", "Date début période", 114, 119, "D", "F"),
          _f("period_end", "Date fin période", 120, 125, "D", "F"),
          _f("amount", "Montant", 126, 133, "M")),
    _spec("290", "Rejet ou signalement",
          _f("line_number", "N° de ligne", 6, 7, "N"),
          _f("code", "Codification", 8, 17, "A"),
          _f("label", "Libellé", 18, 97, "A")),
    _spec("294", "Ligne rejet",
          _f("code", "Codification du rejet", 6, 9, "A"),
          _f("label", "Libellé du rejet", 10, 95, "A"),
          _f("level", "Niveau de rejet", 96, 96, "E", values=REJECT_LEVELS),
          _f("part", "Part concernée", 97, 97, "E", values=REJECT_PARTS),
          _f("prestation", "Nature de prestation concernée", 98, 102, "A", "F"),
          _f("care_date", "Date des soins", 103, 108, "D", "F"),
          _f("executant", "N° exécutant", 109, 117, "C", "F"),
          _f("line_number", "N° de ligne", 118, 120, "N", "F"),
          _f("rank", "Rang du rejet", 121, 122, "N", "F"),
          _f("extra", "Information complémentaire sur le rejet", 123, 152, "A", "F")),
    _spec("295", "Ligne commentaire",
          _f("comment_code", "Code commentaire", 6, 6, "A", "F"),
          _f("comment", "Commentaire", 7, 134, "A")),
    # 990 niveau = the niveau of the group it closes ([PSM1]: 990 niveau 05 closes a facture); the spec's
    # fixed value "99" is not what real files carry.
    _spec("990", "Entité de contrôle",
          _f("level_id", "Identification du niveau de rupture", 6, 22, "A", "F"),
          _f("count", "Compteur du niveau inférieur dans la hiérarchie", 23, 30, "N"),
          _f("total", "Cumul des montants de niveau inférieur", 31, 41, "M"),
          _f("sign", "Signe de l'acte", 42, 42, "S", values=SIGNS)),
    EntitySpec("999", "Fin de fichier", (
        _f("record_type", "Type d'enregistrement", 1, 3, "K"),
        *_HEADER_COMMON,
        _f("record_count", "Nombre d'enregistrements", 56, 63, "N"),
        _f("flow_type", "Type de flux", 64, 64, "E", "F", FLOW_TYPES),
        _f("blank_65", "Blanc", 65, 82, "B", "F"),
        _f("lot_count", "Nombre de lots", 83, 85, "N"),
        _f("total", "Cumul des montants du fichier", 86, 96, "M"),
        _f("sign", "Signe du montant du fichier", 97, 97, "S", values=SIGNS),
        _f("other_currency_total", "Cumul des montants du fichier dans l'autre monnaie", 98, 108, "M", "F"),
        _f("blank_109", "Blanc", 109, 128, "B", "F"),
    )),
)

# Entities named by [PSM1] (labels from its catalogue) whose layout the spec does not give.
_RAW_ONLY = {
    "010": "Organisme complémentaire", "105": "Titre H.P.", "212": "Acte professionnel avec exécutant",
    "216": "Acte professionnel avec exécutant et prescripteur", "220": "Frais hospitaliers",
}
_RAW_SPECS = tuple(
    EntitySpec(code, title, _head(code) + (_f("data", "Données (format non décrit)", 6, 6, "A", "F"),),
               known_layout=False)
    for code, title in _RAW_ONLY.items()
)

ENTITIES: Mapping[str, EntitySpec] = MappingProxyType({s.code: s for s in _SPECS + _RAW_SPECS})


def entity_spec(code: str) -> EntitySpec | None:
    return ENTITIES.get(code)


def label_of(spec: FieldSpec, raw: str) -> str | None:
    """French meaning of an enumerated zone value, or None when the code is not in the spec's list."""
    if spec.values is None:
        return None
    return spec.values.get(raw) or spec.values.get(raw.strip())


def _check_tiling() -> None:
    for spec in _SPECS:
        pos = 1
        for f in spec.fields:
            assert f.start == pos, (spec.code, f.key, f.start, pos)
            assert f.end >= f.start, (spec.code, f.key)
            pos = f.end + 1
        if spec.code in ("000", "999"):
            assert spec.length == HEADER_LENGTH, spec.code
        assert len({f.key for f in spec.fields}) == len(spec.fields), spec.code


_check_tiling()


# ---- validation patterns (one compiled regex per entity: a single fullmatch validates a record) ----

def _zone_pattern(f: FieldSpec) -> str:
    w = f.width
    if f.kind == "K":
        return ""  # the code is matched literally below
    if f.kind == "V":
        return r"\d\d"
    if f.kind == "S":
        return "[NP ]"
    if f.kind == "T":
        return "[PRD ]"
    if f.kind == "M" and f.presence == "O":
        return rf"\d{{{w}}}"
    if f.kind in ("N", "M", "C", "D"):
        return rf"(?:\d{{{w}}}| {{{w}}})"
    return rf".{{{w}}}"


def _entity_pattern(spec: EntitySpec) -> re.Pattern[str]:
    if not spec.known_layout:
        return re.compile(re.escape(spec.code) + r"\d\d.*", re.DOTALL | re.ASCII)
    body = "".join(_zone_pattern(f) for f in spec.fields)
    return re.compile(re.escape(spec.code) + body, re.DOTALL | re.ASCII)


PATTERNS: Mapping[str, re.Pattern[str]] = MappingProxyType({c: _entity_pattern(s) for c, s in ENTITIES.items()})


def zone_ok(f: FieldSpec, raw: str) -> bool:
    """Does one zone's text match its kind? Used to name the faulty zone in error messages."""
    if f.kind == "K":
        return True
    return re.fullmatch(_zone_pattern(f), raw, re.DOTALL | re.ASCII) is not None
