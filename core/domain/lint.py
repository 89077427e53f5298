"""Pre-flight lint of a dossier before "Vérif. taux" / FSE generation.

``lint(facts, catalogue) -> tuple[Finding, ...]`` (blocking first). It never raises on bad dossier
data: a problem that would make a rule raise becomes a finding (``DONNEES_INVALIDES``...).

Finding codes (severity): RATE_CHECK_ABSENTE / RATE_CHECK_PERIMEE (bloquant), ORDONNANCE_ABSENTE,
ORDONNANCE_EXPIREE, RENOUVELLEMENT_TROP_TOT, ADAPTATION_INTERDITE, ALD_SANS_MENTION, PEC_ABSENT,
DATE_FUTURE, DATE_IMPOSSIBLE, DATE_NAISSANCE_INVALIDE, DONNEES_INVALIDES (bloquant); plus what
tarification.py emits per line: LPP_MANQUANT, LPP_INCONNU, LPP_HORS_VALIDITE, CLASSE_A_AU_DELA_PLV
(bloquant), LPP_CODE_GENERIQUE, RC_SUPERIEUR_RESTE, RAC0_NON_RESPECTE, RC_PLAFOND_MONTURE
(avertissement); and LPP_TRANCHE_AGE (avertissement) when a code's age band does not fit the patient.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.domain.birthdate import age_on, calendar_birth_date, parse_birth_date
from core.domain.findings import AVERTISSEMENT, BLOQUANT, Finding, sort_findings
from core.domain.lpp import LppCatalogue
from core.domain.prescription import Prescriber, check_adaptation, check_ordonnance
from core.domain.renewal import RenewalReason, check_renewal
from core.domain.tarification import (BillingLine, RateTable, Situation, TarificationRequest, compute,
                                      fingerprint)
from core.errors import LunetierError, ValidationError

__all__ = ["DossierFacts", "lint"]


@dataclass(frozen=True)
class DossierFacts:
    """Everything the lint needs, built by the dossier service from the DB (no ORM rows here).

    Dates are ``datetime.date`` (the manual's "Ordo.", "Acte", "Facture"); the birth date is the
    card's string (lunar dates allowed, see birthdate.py).
    """

    today: date                               # from the injected Clock (never date.today() in rules)
    birth_date: str                           # beneficiary's birth date, "AAAAMMJJ" or "JJ/MM/AAAA"
    lines: tuple[BillingLine, ...]            # rows of "Détail remboursements", in screen order
    situation: Situation = Situation.MALADIE  # Nature Assurance / exonération used for the RO rate
    prescription_date: date | None = None     # "Ordo." - date written on the ordonnance
    delivery_date: date | None = None         # "Acte" - date de délivrance (LPP validity, age, rights)
    invoice_date: date | None = None          # "Facture"
    prescriber: Prescriber = Prescriber.OPHTALMOLOGISTE
    first_delivery: bool = True               # first délivrance on this ordonnance (no renewal yet)
    adapted: bool = False                     # the optician changed the prescribed correction (-> RA)
    prescriber_agreement: bool = False        # written agreement to adapt at first délivrance
    prescriber_opposition: bool = False       # prescriber wrote "pas d'adaptation"
    refraction_in_shop: bool = True           # réfraction exam done in the shop (needed to adapt)
    last_delivery_date: date | None = None    # last optical prise en charge (Ameli Pro / history)
    renewal_reasons: frozenset[RenewalReason] = frozenset()  # anticipated-renewal justifications
    ordonnance_mentions_ald: bool = False     # the prescriber wrote the ALD link on the ordonnance
    rate_check_fingerprint: str | None = None  # tarification.fingerprint() stored at the last Vérif. taux
    pec_required: bool = False                # mutuelle parameter "Numéro de PEC obligatoire"
    pec_number: str = ""                      # "N° de PEC" from the PEC tab
    contrat_responsable: bool = True          # mutuelle contract is responsable (100% Santé RAC 0)
    tiers_payant_ro: bool = False             # "Tiers Payant: RO" ticked
    tiers_payant_rc: bool = False             # "Tiers Payant: RC" ticked
    rates: RateTable = field(default_factory=RateTable)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "renewal_reasons", frozenset(RenewalReason(r) for r in self.renewal_reasons))
        object.__setattr__(self, "situation", Situation(self.situation))
        if not all(isinstance(line, BillingLine) for line in self.lines):
            raise ValidationError("Lignes du dossier invalides.", log="DossierFacts.lines must hold BillingLine")

    def tarification_request(self) -> TarificationRequest:
        """The request whose fingerprint the rate check must match."""
        return TarificationRequest(
            lines=self.lines, situation=self.situation, on=self.delivery_date, rates=self.rates,
            contrat_responsable=self.contrat_responsable, tiers_payant_ro=self.tiers_payant_ro,
            tiers_payant_rc=self.tiers_payant_rc,
        )


def _f(code: str, severity: str, message: str, fix: str, line: int | None = None) -> Finding:
    return Finding(code, severity, message, fix, line)  # type: ignore[arg-type]


def _date_findings(facts: DossierFacts, born: date | None) -> list[Finding]:
    out: list[Finding] = []
    labelled = (("Ordo.", facts.prescription_date), ("Acte", facts.delivery_date), ("Facture", facts.invoice_date))
    for label, value in labelled:
        if value is not None and value > facts.today:
            out.append(_f("DATE_FUTURE", BLOQUANT, f"Date {label} ({value:%d/%m/%Y}) dans le futur.",
                          f"Corriger la date {label}."))
    pairs = (("Acte", facts.delivery_date, "Ordo.", facts.prescription_date),
             ("Facture", facts.invoice_date, "Acte", facts.delivery_date))
    for later_label, later, earlier_label, earlier in pairs:
        if later is not None and earlier is not None and later < earlier:
            out.append(_f("DATE_IMPOSSIBLE", BLOQUANT,
                          f"Date {later_label} ({later:%d/%m/%Y}) antérieure à la date {earlier_label} "
                          f"({earlier:%d/%m/%Y}).", f"Corriger la date {later_label} ou {earlier_label}."))
    if born is not None:
        first = min((d for _, d in labelled if d is not None), default=facts.today)
        if born > first:
            out.append(_f("DATE_IMPOSSIBLE", BLOQUANT, "Date de naissance postérieure aux dates du dossier.",
                          "Vérifier la date de naissance du bénéficiaire."))
        elif age_on(facts.birth_date, first) > 130:
            out.append(_f("DATE_IMPOSSIBLE", BLOQUANT, "Âge supérieur à 130 ans.",
                          "Vérifier la date de naissance (siècle ?)."))
    return out


def _rule_findings(facts: DossierFacts) -> list[Finding]:
    out: list[Finding] = []
    on = facts.delivery_date or facts.today
    if facts.prescription_date is None:
        out.append(_f("ORDONNANCE_ABSENTE", BLOQUANT, "Date d'ordonnance non saisie.",
                      "Saisir la date de l'ordonnance (Ordo.) et le prescripteur."))
        ordonnance_valid = False
    else:
        verdict = check_ordonnance(facts.prescription_date, on, facts.birth_date, facts.prescriber)
        ordonnance_valid = verdict.valid
        if not verdict.valid and facts.prescription_date <= on:
            out.append(_f("ORDONNANCE_EXPIREE", BLOQUANT, verdict.reason_fr or "Ordonnance expirée.",
                          "Demander une nouvelle ordonnance au prescripteur."))
    renewal = check_renewal(facts.birth_date, on, facts.last_delivery_date, facts.renewal_reasons)
    if not renewal.eligible:
        out.append(_f("RENOUVELLEMENT_TROP_TOT", BLOQUANT, renewal.reason_fr or "Renouvellement trop tôt.",
                      "Justifier un renouvellement anticipé (nouvelle prescription, pathologie) ou facturer "
                      "hors prise en charge."))
    if facts.adapted:
        adaptation = check_adaptation(first_delivery=facts.first_delivery,
                                      prescriber_agreement=facts.prescriber_agreement,
                                      prescriber_opposition=facts.prescriber_opposition,
                                      ordonnance_valid=ordonnance_valid, refraction_in_shop=facts.refraction_in_shop)
        if not adaptation.allowed:
            out.append(_f("ADAPTATION_INTERDITE", BLOQUANT, adaptation.reason_fr or "Adaptation interdite.",
                          "Délivrer la correction prescrite ou obtenir l'accord écrit du prescripteur."))
    if facts.situation == Situation.ALD_EN_RAPPORT and not facts.ordonnance_mentions_ald:
        out.append(_f("ALD_SANS_MENTION", BLOQUANT,
                      "« Soins en rapport avec l'ALD » à OUI sans mention de l'ALD sur l'ordonnance.",
                      "Passer « Soins en rapport avec l'ALD » à NON sauf si le prescripteur l'a indiqué."))
    rc_typed = any(isinstance(v, int) and v > 0 for l in facts.lines for v in (l.rc1_cents, l.rc2_cents))
    if facts.pec_required and not facts.pec_number.strip() and (facts.tiers_payant_rc or rc_typed):
        out.append(_f("PEC_ABSENT", BLOQUANT, "Cette mutuelle exige un numéro de prise en charge (PEC).",
                      "Renseigner le N° de PEC dans l'onglet « PEC » du « Détail remboursements »."))
    return out


def _age_band_findings(facts: DossierFacts, catalogue: LppCatalogue | None) -> list[Finding]:
    if catalogue is None or facts.delivery_date is None:
        return []
    age = age_on(facts.birth_date, facts.delivery_date)
    out = []
    for index, line in enumerate(facts.lines):
        entry = catalogue.find(line.lpp_code.strip(), facts.delivery_date) if line.lpp_code else None
        if entry and ((entry.age_band == "moins_16" and age >= 16) or (entry.age_band == "16_plus" and age < 16)):
            band = "moins de 16 ans" if entry.age_band == "moins_16" else "16 ans et plus"
            out.append(_f("LPP_TRANCHE_AGE", AVERTISSEMENT,
                          f"Ligne {index + 1} : code LPP {entry.code} réservé aux {band} (patient : {age} ans).",
                          "Choisir le code LPP de la tranche d'âge du patient.", index))
    return out


def lint(facts: DossierFacts, catalogue: LppCatalogue | None = None) -> tuple[Finding, ...]:
    """All findings for ``facts``, blocking ones first. Pass the shop's catalogue (the service loads it
    once); without one, LPP code checks are skipped."""
    try:
        parse_birth_date(facts.birth_date)
        born: date | None = calendar_birth_date(facts.birth_date)
    except LunetierError as exc:
        born = None
        birth_finding = _f("DATE_NAISSANCE_INVALIDE", BLOQUANT, exc.message_fr,
                           "Corriger la date de naissance du bénéficiaire (JJ/MM/AAAA).")
    findings = _date_findings(facts, born)
    if born is None:
        return sort_findings([birth_finding, *findings])
    findings += _rule_findings(facts)
    request = facts.tarification_request()
    try:
        result = compute(request, catalogue)
        findings += result.findings
    except LunetierError as exc:
        findings.append(_f("DONNEES_INVALIDES", BLOQUANT, exc.message_fr, "Corriger la ligne concernée."))
    findings += _age_band_findings(facts, catalogue)
    if facts.rate_check_fingerprint is None:
        findings.append(_f("RATE_CHECK_ABSENTE", BLOQUANT,
                           "La vérification du taux n'a jamais été demandée sur ce dossier.",
                           "Cliquer sur « Vérif. taux » pour que le moteur SESAM-Vitale calcule le taux et le "
                           "montant RO."))
    elif facts.rate_check_fingerprint != fingerprint(request):
        findings.append(_f("RATE_CHECK_PERIMEE", BLOQUANT,
                           "Le dossier a changé depuis la dernière vérification du taux (prix, articles ou RC).",
                           "Relancer « Vérif. taux » avant de facturer."))
    return sort_findings(findings)
