"""B2 record layouts (norme B2, libéral partners) as Python data, derived from shared/specs/b2.xml.

Only the records Lunetier writes and reads are described: 000 (début de fichier), 1 (début de lot),
2 (début facture), 4 (prestation), 4F (détail LPP), 5 (totalisation facture), 6 (fin de lot),
999 (fin de fichier). Positions are 1-based and inclusive, as in the spec; every layout tiles 1..128
(checked at import). Labels are the spec's French names so that `lunetier b2 show` speaks its words.

Field kinds (how a zone is encoded and decoded):
  K  constant (record type, "B2", "128"): written as given, checked on read
  N  integer, right-aligned, zero-padded; decoded to int
  M  amount in cents (an N zone); decoded to int
  C  code made of digits (régime "01", caisse "349"): zero-padded, decoded to str (leading zeros kept)
  D  date AAMMJJ (an N zone); "000000" means absent; decoded to datetime.date (century 20xx) or None
  A  alphanumeric, left-aligned, space-padded; decoded with trailing spaces removed
  L  lot number: 3 characters [0-9A-Z] (the spec says N; the manual shows "AAE" for AMC lots)
  B  filler (blanc / zone réservée): written as spaces, decoded as text

Spec deviations and choices (documented here once):
- Record 6, "Montant total ... organismes complémentaires": the XML says start=53 end=51 (typo);
  the gap between 42 and 52 makes it 43-51.
- Record 999, "blanc": start="2O" (letter O) is 20.
- Record 000, "N° de destinataire" is A in 000 but N in 999: both are written as 14 zero-padded digits.
- Record 000, "Identification du fichier" (A, 6) carries the file number as 6 zero-padded digits.
- 6-character dates are AAMMJJ (INFERRED: the spec gives lengths, not formats; NOEMIE uses AAMMJJ).
- The LPP detail is record 4F (the type-4 family counted by record 5), not 3F (hospital type-3 family).
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FieldSpec", "RecordSpec", "RECORD_LENGTH", "RECORDS", "INVOICE_KEY_FIELDS"]

RECORD_LENGTH = 128


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str       # stable English id used by the writer, the reader and JSON output
    name: str      # French label from the spec
    start: int     # 1-based, inclusive
    end: int       # 1-based, inclusive
    kind: str      # one of K N M C D A L B (see module doc)
    const: str = ""

    @property
    def width(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True, slots=True)
class RecordSpec:
    kind: str      # "000", "1", "2", "4", "4F", "5", "6", "999"
    title: str     # French description from the spec
    fields: tuple[FieldSpec, ...]
    index: dict[str, int] = field(init=False, repr=False, compare=False)  # key -> position in fields

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {f.key: i for i, f in enumerate(self.fields)})

    def field(self, key: str) -> FieldSpec:
        return self.fields[self.index[key]]


def _f(key: str, name: str, start: int, end: int, kind: str, const: str = "") -> FieldSpec:
    return FieldSpec(key, name, start, end, kind, const)


def _blank(start: int, end: int, name: str = "blanc") -> FieldSpec:
    return FieldSpec(f"blank_{start}", name, start, end, "B")


# Zones 2-35 shared by every invoice-level record (2, 4, 4F, 5): they tie the record to its invoice.
def _invoice_key(record_type: str, ps_label: str) -> tuple[FieldSpec, ...]:
    return (
        _f("record_type", "Type d'enregistrement", 1, 1, "K", record_type),
        _f("ps_number", ps_label, 2, 10, "C"),
        _blank(11, 11),
        _f("nir", "N° immatriculation assuré", 12, 24, "A"),
        _f("nir_key", "Clé du N° immatriculation", 25, 26, "C"),
        _f("invoice_number", "N° facture", 27, 35, "N"),
    )


INVOICE_KEY_FIELDS = ("ps_number", "nir", "nir_key", "invoice_number")

REC_000 = RecordSpec("000", "Début de fichier", (
    _f("record_type", "Type d'enregistrement", 1, 3, "K", "000"),
    _f("emitter_type", "Type d'émetteur", 4, 5, "A"),
    _f("emitter_number", "Numéro d'émetteur", 6, 19, "C"),
    _blank(20, 25),
    _f("recipient_type", "Type de destinataire", 26, 27, "A"),
    _f("recipient_number", "N° de destinataire", 28, 41, "C"),
    _f("frontal_date", "Date de réception du flux sur le frontal", 42, 47, "D"),
    _f("application", "Application", 48, 49, "A"),
    _f("file_id", "Identification du fichier", 50, 55, "A"),
    _f("created", "Date de création du fichier", 56, 61, "D"),
    _f("norme", "Norme", 62, 65, "A"),
    _f("norme_b2", "Version de la norme", 66, 67, "K", "B2"),
    _blank(68, 68),
    _blank(69, 69),
    _blank(70, 72, "zone reservée SESAM"),
    _blank(73, 82),
    _f("record_length", "Longueur d'enregistrement", 83, 85, "K", "128"),
    _blank(86, 91),
    _f("message", "Zone message", 92, 128, "A"),
))

REC_1 = RecordSpec("1", "Début de lot", (
    _f("record_type", "Type d'enregistrement", 1, 1, "K", "1"),
    _f("ps_number", "N° partenaire de santé + clé", 2, 10, "C"),
    _f("file_origin", "Origine du fichier", 11, 16, "A"),
    _f("organism", "N° d'organisme destinataire", 17, 19, "C"),
    _f("lot_number", "N° de lot", 20, 22, "L"),
    _f("category", "Catégorie", 23, 25, "A"),
    _f("legal_status", "Statut juridique", 26, 27, "A"),
    _f("tariff_mode", "Mode de fixation des tarifs", 28, 29, "A"),
    _f("ps_name", "Nom ou raison sociale du partenaire de santé", 30, 69, "A"),
    _f("norme_used", "Version de la norme utilisée", 70, 71, "A"),
    _f("lot_date", "Date de création du lot", 72, 77, "D"),
    _blank(78, 78),
    _f("norme_code", "Code norme", 79, 80, "A"),
    _f("certification_top", "Top certification du lot", 81, 81, "A"),
    _f("norme_version", "Numéro de version de norme", 82, 87, "C"),
    _f("currency", "Unité monétaire de facturation", 88, 88, "A"),
    _f("pivot_regime", "Grand régime de la caisse pivot", 89, 90, "A"),
    _f("pivot_caisse", "N° de la caisse pivot", 91, 93, "A"),
    _f("ccp", "Indication de dispositif Caisse Centralisatrice des Paiements", 94, 94, "A"),
    _blank(95, 128),
))

REC_2 = RecordSpec("2", "Début facture", _invoice_key("2", "N° du partenaire santé") + (
    _f("complement", "Complément du type", 36, 36, "A"),
    _f("invoice_marking", "Marquage de la facture", 37, 37, "A"),
    _f("amo_forcing", "Indicateur de forçage de la tarification de la part AMO", 38, 38, "A"),
    _f("operation_nature", "Nature d'opération", 39, 39, "C"),
    _f("invoice_date", "Date de facturation", 40, 45, "D"),
    _f("split_top", "Top éclatement des flux par le PS", 46, 46, "A"),
    _f("invoice_type", "Type de facture", 47, 47, "A"),
    _f("portable_device", "Facture établie sur un dispositif portable", 48, 48, "A"),
    _f("regime", "Code Grand Régime", 49, 50, "C"),
    _f("caisse", "N° Caisse gestionnaire", 51, 53, "C"),
    _f("centre", "N° Centre gestionnaire", 54, 57, "C"),
    _f("rights_proof", "Nature de la pièce justificative des droits", 58, 58, "C"),
    _f("prescriber", "N° prescripteur + clé", 59, 67, "C"),
    _f("prescription_date", "Date de prescription", 68, 73, "D"),
    _f("benefit_regime", "Régime de prestation de l'assuré", 74, 76, "A"),
    _f("insurance_nature", "Nature d'assurance", 77, 78, "C"),
    _f("exoneration", "Justification d'exonération ou de modulation du ticket modérateur", 79, 79, "A"),
    _f("maternity_date", "Date Maternité", 80, 85, "D"),
    _f("accident", "Numéro accident du travail ou date d'accident de droit commun", 86, 94, "N"),
    _f("substitute_cps", "Présence d'une CPS de remplaçant pour sécurisation de la facture", 95, 95, "C"),
    _f("birth_date", "Date de naissance du bénéficiaire", 96, 101, "A"),
    _f("birth_rank", "Rang de naissance", 102, 102, "N"),
    _f("quality", "Rang de bénéficiaire", 103, 104, "A"),
    _f("amc_member", "N° d'adhérent", 105, 112, "A"),
    _f("prescriber_specialty", "Spécialité de prescripteur", 113, 114, "C"),
    _f("payee", "Destinataire du règlement", 115, 116, "C"),
    _f("amc_contract_type", "Type de contrat souscrit auprès d'un organisme complémentaire", 117, 118, "C"),
    _f("amc_number", "N° d'organisme complémentaire", 119, 128, "A"),
))

REC_4 = RecordSpec("4", "Prestations réglées au partenaire de santé ou à l'assuré",
                   _invoice_key("4", "N° partenaire de santé") + (
    _f("complement", "Complément de type", 36, 36, "A"),
    _f("sequence", "Séquence", 37, 38, "N"),
    _f("treatment_mode", "Mode de traitement", 39, 40, "C"),
    _f("discipline", "Discipline de prestations", 41, 43, "C"),
    _f("prior_agreement_date",
       "Date de la demande d'accord préalable ou date d'accord de prise en charge CMU", 44, 49, "D"),
    _f("prior_agreement_code", "Code accord préalable", 50, 50, "C"),
    _f("renewal_sequence", "Séquence de renouvellement", 51, 52, "A"),
    _blank(53, 53),
    _f("act_exoneration",
       "Justification d'exonération ou de modulation du ticket modérateur au niveau de l'acte", 54, 54, "A"),
    _f("executant", "N° exécutant + clé ayant effectué l'acte ou fourni le produit", 55, 63, "C"),
    _f("tariff_zone", "Zone tarif de l'exécutant", 64, 65, "C"),
    _f("executant_specialty", "Spécialité de l'exécutant", 66, 67, "C"),
    _f("act_date", "Date de l'acte, de la délivrance du produit", 68, 73, "D"),
    _f("act_code", "Code acte", 74, 78, "A"),
    _f("quantity", "Quantités d'actes", 79, 80, "N"),
    _f("coefficient", "Coefficient", 81, 86, "N"),
    _f("count", "Dénombrement", 87, 88, "N"),
    _f("unit_price", "Prix unitaire", 89, 95, "M"),
    _f("base", "Base de remboursement", 96, 102, "M"),
    _f("rate", "Taux applicable à la prestation", 103, 105, "N"),
    _f("ro_amount", "Montant remboursable par l'organisme d'Assurance Maladie", 106, 112, "M"),
    _f("amount", "Montant des honoraires ou de la dépense", 113, 119, "M"),
    _f("expense_qualifier", "Qualificatif de la dépense", 120, 120, "A"),
    _f("place_code", "Code lieu", 121, 121, "C"),
    _f("rc_amount", "Montant remboursable par l'organisme complémentaire", 122, 128, "M"),
))

REC_4F = RecordSpec("4F", "Détail des actes (LPP)", _invoice_key("4", "N° partenaire de santé") + (
    _f("complement", "Complément de type", 36, 36, "K", "F"),
    _f("sequence", "Séquence", 37, 38, "N"),
    _blank(39, 42, "Réservé SESAM"),
    _f("lpp_code", "Code de la LPP", 43, 55, "A"),
    _f("lpp_kind", "Type de la prestation fournie", 56, 56, "A"),
    _f("siret", "N° SIRET du fabricant ou de l'importateur", 57, 70, "A"),
    _blank(71, 76, "Blanc"),
    _f("start_date", "Date début de location ou date d'achat ou de délivrance", 77, 82, "D"),
    _f("end_date", "Date de fin de location ou de service", 83, 88, "D"),
    _f("tariff", "Tarif de référence LPP ou PU sur devis", 89, 95, "M"),
    _f("quantity", "Nombre d'unités", 96, 97, "N"),
    _f("unit_price", "Prix unitaire de vente", 98, 104, "M"),
    _f("base", "Base de remboursement LPP", 105, 111, "M"),
    _f("amount", "Montant total facturé", 112, 118, "M"),
    _blank(119, 128, "Blanc"),
))

REC_5 = RecordSpec("5", "Totalisation de la facture", _invoice_key("5", "N° du partenaire santé") + (
    _blank(36, 38, "Blanc"),
    _f("type4_count", "Nombre d'enregistrement de Type 4", 39, 41, "N"),
    _blank(42, 57, "Zone réservée SESAM"),
    _f("total_amount", "Total des montants facturés", 58, 65, "M"),
    _f("total_ro", "Total remboursable par la Caisse", 66, 73, "M"),
    _f("total_patient",
       "Total participation assuré avant participation de l'organisme complémentaire", 74, 81, "M"),
    _f("total_rc", "Total remboursable par l'organisme complémentaire", 82, 89, "M"),
    _f("oct_split_top", "Top éclatement des flux par l'OCT", 90, 90, "A"),
    _blank(91, 93, "Zone réservée SESAM"),
    _f("opposition_list", "Liste d'opposition", 94, 94, "A"),
    _blank(95, 96, "Blanc"),
    _f("certification", "Zone de certification", 97, 128, "A"),
))

REC_6 = RecordSpec("6", "Fin du lot", (
    _f("record_type", "Type d'enregistrement", 1, 1, "K", "6"),
    _f("ps_number", "N° partenaire de santé + clé", 2, 10, "C"),
    _f("invoice_count", "Nombre de factures", 11, 13, "N"),
    _f("line_count", "Nombre de lignes actes", 14, 17, "N"),
    _f("type2_count", "Compatibilisation des enregistrements des types 2", 18, 21, "N"),
    _f("type5_count", "Total de tous les enregistrements de type 5", 22, 24, "N"),
    _f("total_amount", "Montant total général du lot prestations facturées", 25, 33, "M"),
    _f("total_ro", "Montant total général du lot prestations remboursables par l'organisme "
       "d'assurance maladie", 34, 42, "M"),
    _f("total_rc", "Montant total général du lot prestations remboursables par les organismes "
       "complémentaires", 43, 51, "M"),
    _f("lot_number", "N° de lot", 52, 54, "L"),
    _f("marking", "Indicateur de marquage des factures du lot", 55, 55, "A"),
    _f("invoice_type", "Type de facture", 56, 56, "A"),
    _blank(57, 60, "Blanc"),
    _f("software_approval", "N° agrément progiciel de santé", 61, 72, "A"),
    _f("portable_approval", "N° agrément du dispositif portable", 73, 84, "A"),
    _blank(85, 87, "Blanc"),
    _f("substitute_ps", "N° d'identification du PS remplaçant", 88, 96, "N"),
    _f("certification", "Zone de certification", 97, 128, "A"),
))

REC_999 = RecordSpec("999", "Fin de fichier", (
    _f("record_type", "Type d'enregistrement", 1, 3, "K", "999"),
    _f("emitter_type", "Type d'émetteur", 4, 5, "A"),
    _f("emitter_number", "Numéro émetteur", 6, 19, "C"),
    _blank(20, 25),
    _f("recipient_type", "Type de destinataire", 26, 27, "A"),
    _f("recipient_number", "Numéro de destinataire", 28, 41, "C"),
    _blank(42, 47),
    _f("application", "Application", 48, 49, "A"),
    _f("file_id", "Identification du fichier", 50, 55, "A"),
    _f("record_count", "Volume du fichier", 56, 63, "N"),
    _blank(64, 82),
    _f("lot_count", "Nombre de lots", 83, 85, "N"),
    _blank(86, 128),
))

RECORDS: dict[str, RecordSpec] = {r.kind: r for r in (REC_000, REC_1, REC_2, REC_4, REC_4F, REC_5, REC_6, REC_999)}


def _check(spec: RecordSpec) -> None:
    """Fail fast at import if a layout does not tile 1..128 or repeats a key."""
    position = 1
    keys: set[str] = set()
    for f in spec.fields:
        if f.start != position or f.end < f.start or f.kind not in "KNMCDALB":
            raise AssertionError(f"B2 layout {spec.kind}: bad field {f.key} at {f.start}-{f.end}")
        if f.kind == "K" and len(f.const) != f.width:
            raise AssertionError(f"B2 layout {spec.kind}: constant {f.key} has the wrong width")
        if f.key in keys:
            raise AssertionError(f"B2 layout {spec.kind}: duplicate key {f.key}")
        keys.add(f.key)
        position = f.end + 1
    if position != RECORD_LENGTH + 1:
        raise AssertionError(f"B2 layout {spec.kind}: ends at {position - 1}, not {RECORD_LENGTH}")


for _spec in RECORDS.values():
    _check(_spec)
