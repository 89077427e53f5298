"""Plain-French diagnosis and suggested fix for NOEMIE reject codes (Rejets/Différés of the invoice detail).

Sources and honesty (DOMAIN.md 7.4): the rejects are shown as two 4-digit groups ("0450 0561"); the first
group is INFERRED to be the rubrique, the second the motif. **No public master list of reject codes was
found.** Only two codes are attested, by the manual (§VII): 0100 0512 and 0450 0561 (the 0100 0512 label is
truncated there; its completion comes from the demo data and is INFERRED).

Every other entry below is INFERRED: its code number is a placeholder in the same two-group shape, chosen to
group optical rejects by theme; what is real is the situation it describes (the optical rules of DOMAIN.md
§5, the exonération motives of §11.3, rights, prescriptions, SCOR). Because an INFERRED number may collide
with a real code meaning something else, an INFERRED entry is only used when the reject's own label agrees
with it (one of its keywords) or the label is empty; otherwise the label's keywords choose the entry. The
result then says "(interprétation du libellé)" and never pretends to know the code.
Pure functions: no database, no I/O.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict


class Diagnosis(BaseModel):
    """What the reject means and what to do, for the optician at the counter."""
    model_config = ConfigDict(frozen=True)

    code: str                 # the reject's code as received
    titre: str                # short name of the problem
    explication: str          # plain-French diagnosis
    correction: str           # suggested fix
    source: str               # "manuel" (attested) | "INFERRED" (see module doc)
    par_libelle: bool = False  # chosen from the label's words, not from the code


@dataclass(frozen=True)
class _Entry:
    code: str
    titre: str
    explication: str
    correction: str
    keywords: tuple[str, ...]
    inferred: bool = True


_RESEND = "puis renvoyer la facture (nouveau lot) ou, si elle ne peut plus l'être, la traiter manuellement (F6)."

ENTRIES: tuple[_Entry, ...] = (
    # --- attested by the manual (§VII, Détail facture 203) ------------------------------------------------
    _Entry("0100 0512", "Partenaire de santé inconnu ou non habilité",
           "La caisse ne reconnaît pas l'opticien à la date des soins : le n° de facturation AM (ou la "
           "situation de facturation de la carte CPS) est inconnu de son fichier des professionnels de santé, "
           "ou l'agrément / le conventionnement n'était pas encore (ou plus) valable ce jour-là.",
           "Le n° de facturation AM vient de la carte CPS (il ne se saisit pas dans Paramètres) : vérifier "
           "que la CPS insérée est la bonne et que sa situation de facturation (n° AM, cabinet) est à jour, "
           "appeler le service des relations avec les professionnels de santé de la caisse pour faire mettre "
           "à jour son fichier, " + _RESEND,
           ("PARTENAIRE", "HABILITE", "PS INCONNU", "PROFESSIONNEL"), inferred=False),
    _Entry("0450 0561", "Exonération du ticket modérateur non transmise",
           "D'après les droits que la caisse connaît (son « référentiel »), le bénéficiaire est exonéré du "
           "ticket modérateur (ALD en rapport, invalidité, maternité, C2S...), mais la facture est partie "
           "sans cette exonération (code Exo TM à 0, taux à 60 %).",
           "Relire la carte Vitale ou faire un ADRi pour récupérer l'exonération, refaire la « Vérif. taux » "
           "avec la bonne situation (ex. ALD en rapport avec l'équipement : taux 100 %), recréer la FSE "
           "(décocher puis recocher « Générer FSE »), " + _RESEND,
           ("EXONERATION", "TICKET MODERATEUR", "EXO"), inferred=False),
    # --- INFERRED placeholders (see module doc): situations common in optics ----------------------------
    _Entry("0110 0520", "Droits AMO non ouverts à la date des soins",
           "La caisse ne trouve pas de droits ouverts pour le bénéficiaire à la date de délivrance (carte "
           "Vitale non mise à jour, changement de caisse, fin de droits).",
           "Faire un ADRi (ou relire une carte à jour) pour vérifier la période de droits et la caisse de "
           "rattachement, corriger le dossier, " + _RESEND,
           ("DROIT", "NON OUVERT", "FERME", "RADIE")),
    _Entry("0120 0530", "Immatriculation de l'assuré incorrecte",
           "Le NIR de l'assuré (ou sa clé) ne correspond à aucun assuré de la caisse.",
           "Comparer le NIR du dossier avec la carte Vitale ou l'attestation de droits (13 chiffres + clé), "
           "corriger la fiche assuré, " + _RESEND,
           ("NIR", "IMMATRICULATION", "MATRICULE", "CLE")),
    _Entry("0130 0540", "Bénéficiaire inconnu (date de naissance ou rang)",
           "L'assuré est connu mais pas ce bénéficiaire : date de naissance (parfois lunaire), rang de "
           "gémellité ou qualité différents de ceux de la caisse.",
           "Reprendre la date de naissance et le rang exactement comme sur la carte Vitale (ex. 01/19/1942), "
           "vérifier la qualité (assuré, conjoint, enfant), " + _RESEND,
           ("NAISSANCE", "RANG", "BENEFICIAIRE", "JUMEAU", "QUALITE")),
    _Entry("0200 0601", "Prescripteur inconnu",
           "Le n° AM ou RPPS du prescripteur de l'ordonnance n'est pas reconnu (erreur de saisie, médecin "
           "hors répertoire).",
           "Ressaisir le n° RPPS / AM de l'ophtalmologiste depuis l'ordonnance, " + _RESEND,
           ("PRESCRIPTEUR", "MEDECIN", "RPPS")),
    _Entry("0210 0610", "Ordonnance périmée ou date de prescription invalide",
           "La date de prescription manque, est postérieure aux soins, ou l'ordonnance n'était plus valable "
           "(5 ans en général, 3 ans de 16 à 42 ans, 1 an avant 16 ans ; renouvellement par l'opticien "
           "seulement dans les cas prévus).",
           "Vérifier la date de l'ordonnance et la tranche d'âge du patient ; demander une nouvelle "
           "ordonnance si elle est périmée, corriger la date, " + _RESEND,
           ("PRESCRIPTION", "ORDONNANCE", "PERIME")),
    _Entry("0300 0701", "Code LPP inconnu ou non remboursable",
           "Un code LPP (monture, verre, supplément) n'existe pas, n'était pas remboursable à la date de "
           "délivrance, ou ne correspond pas au code prestation transmis.",
           "Contrôler chaque ligne avec la liste LPP en vigueur à la date de délivrance (classe A ou B, "
           "type de verre), corriger la ligne, refaire la « Vérif. taux », " + _RESEND,
           ("LPP", "CODE PRODUIT", "TIPS", "CODE PRESTATION", "NOMENCLATURE")),
    _Entry("0310 0710", "Prix limite de vente dépassé (100 % Santé)",
           "Un équipement de classe A (100 % Santé) est facturé au-dessus de son prix limite de vente.",
           "Ramener le prix de l'article de classe A à son prix limite de vente (ou le passer en classe B "
           "avec un nouveau devis), refaire la « Vérif. taux », " + _RESEND,
           ("PRIX LIMITE", "PLV", "DEPASSEMENT", "PRIX SUPERIEUR")),
    _Entry("0320 0720", "Renouvellement avant le délai",
           "Un équipement a déjà été remboursé pour ce bénéficiaire pendant la période de renouvellement "
           "(2 ans pour un adulte, 1 an avant 16 ans, sauf évolution de la vue justifiée).",
           "Vérifier la date du dernier équipement remboursé ; si la vue a évolué, joindre la justification "
           "(ordonnance mentionnant l'évolution), sinon facturer sans prise en charge AMO, " + _RESEND,
           ("RENOUVELLEMENT", "PERIODICITE", "DELAI", "ANTERIORITE")),
    _Entry("0330 0730", "Prestations incompatibles",
           "Les lignes de la facture ne peuvent pas être remboursées ensemble (ex. plus de deux verres, "
           "deux montures, supplément sans verre correspondant).",
           "Revoir la composition de l'équipement (deux verres et une monture par équipement, suppléments "
           "rattachés à leur verre), " + _RESEND,
           ("INCOMPATIB", "ASSOCIATION", "CUMUL", "QUANTITE")),
    _Entry("0400 0801", "Facture en doublon",
           "La caisse a déjà reçu une facture avec ce numéro ou pour les mêmes soins.",
           "Vérifier dans Suivi Facturations si la facture a déjà été payée ; ne renvoyer une FSE sous le même "
           "numéro qu'après un rejet, sinon traiter manuellement (F6) ou faire un avoir.",
           ("DOUBLON", "DEJA", "DOUBLE")),
    _Entry("0410 0810", "Taux ou base de remboursement erronés",
           "Le montant, la base ou le taux de remboursement transmis diffère de celui que la caisse calcule "
           "(situation ALD, Alsace-Moselle, C2S, accident du travail).",
           "Refaire la « Vérif. taux » avec la bonne nature d'assurance et le bon régime, recréer la FSE, "
           + _RESEND,
           ("TAUX", "BASE DE REMBOURSEMENT", "MONTANT", "CALCUL")),
    _Entry("0500 0901", "Pièce justificative absente ou illisible (SCOR)",
           "L'ordonnance numérisée (SCOR) manque, est illisible ou ne correspond pas à la facture.",
           "Ouvrir Tiers Payant > Pièces Jointes, joindre une numérisation lisible de l'ordonnance (200 dpi), "
           "la renvoyer ; la facture est ensuite reprise par la caisse.",
           ("PIECE JUSTIFICATIVE", "SCOR", "NUMERIS", "JUSTIFICATIF")),
    _Entry("0600 0950", "Signature ou carte CPS invalide",
           "La FSE n'a pas pu être authentifiée : carte CPS expirée ou d'un autre professionnel, signature "
           "absente ou incorrecte.",
           "Vérifier la carte CPS (validité, titulaire), puis recréer et signer à nouveau la FSE, " + _RESEND,
           ("SIGNATURE", "CPS", "CERTIFICAT", "AUTHENTIF")),
    _Entry("0700 0990", "Mauvaise caisse destinataire",
           "La facture est arrivée à une caisse qui ne gère pas (ou plus) l'assuré, par exemple après un "
           "déménagement ou un changement de régime.",
           "Vérifier le régime, la caisse et le centre de rattachement (carte Vitale à jour ou ADRi), corriger "
           "le dossier, " + _RESEND,
           ("ORGANISME", "CAISSE", "MUTATION", "DESTINATAIRE")),
)

_BY_CODE = {e.code: e for e in ENTRIES}


def normalize_code(code: str) -> str:
    """'04500561', '0450-0561', ' 0450 0561 ' -> '0450 0561' (two groups of 4 digits when possible)."""
    digits = re.sub(r"\D", "", code or "")
    if len(digits) == 8:
        return f"{digits[:4]} {digits[4:]}"
    return " ".join((code or "").split())


def _plain(text: str) -> str:
    """Upper case without accents or apostrophes: NOEMIE labels are written that way."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", ascii_only.upper()).split())


def _agrees(entry: _Entry, label: str) -> bool:
    """A keyword matches at the start of a word ("DROIT" matches "DROITS", not "ANDROIT")."""
    plain = f" {_plain(label)}"
    return any(f" {k}" in plain for k in entry.keywords)


def _result(entry: _Entry, code: str, *, by_label: bool) -> Diagnosis:
    return Diagnosis(code=code, titre=entry.titre, explication=entry.explication, correction=entry.correction,
                     source="INFERRED" if entry.inferred else "manuel", par_libelle=by_label)


def diagnose(code: str, label: str = "") -> Diagnosis | None:
    """The diagnosis of one reject, or None when neither its code nor its label says anything known."""
    normalized = normalize_code(code)
    entry = _BY_CODE.get(normalized)
    if entry is not None and (not entry.inferred or not label.strip() or _agrees(entry, label)):
        return _result(entry, normalized, by_label=False)
    if label.strip():
        for candidate in ENTRIES:
            if _agrees(candidate, label):
                return _result(candidate, normalized, by_label=True)
    return None


def known_codes() -> tuple[str, ...]:
    return tuple(e.code for e in ENTRIES)
