"""The rate computation behind the manual's "Détail remboursements" (a preview of "Vérif. taux").

The SESAM-Vitale engine's answer is authoritative (DOMAIN.md 0 and 12.1); this module gives the same
numbers for the screen, the demo engine and the lint, and explains what it cannot cover.

Per line (all integer cents, money.py rules):
- ``net`` = unit price x qty ("Net").
- ``base_ro`` = LPP tarif x qty, capped at ``net`` (INFERRED: LPP pays "dans la limite du prix de
  vente"); 0 when the line is not remboursable (the "Rb" box), has no/unknown/expired code, or
  carries a generic (regroupement) code in the FSE (no AMO coverage, lenses excepted).
- ``rbt_ro`` = apply_rate(base_ro, taux), rounded half-up **per line**, then summed.
- ``rbt_rc`` = RC1 + RC2 entered by the user, capped so that RO + RC <= net (finding when capped).
  For a classe A (100% Santé) line with a contrat responsable or C2S and no RC typed, RC is filled
  with what makes the reste à charge zero within the PLV (30,00 frame: RO 5,40 -> RC 24,60).
- ``reste_a_charge`` = net - RO - RC: what the client finally bears. RO + RC + reste = net.
- ``a_charge`` = the manual's "À Charge" column: what the client pays at the counter, i.e. net minus
  the parts in tiers payant (``tiers_payant_ro`` / ``tiers_payant_rc``). The manual's example shows
  Rbt RO 0,09 next to À Charge 415,00: we reproduce it as the client advancing everything when the
  RO part is not in tiers payant (INFERRED reading of the screenshot).

Rates (taux RO on the base) by situation, DOMAIN.md 5.2: maladie 60 %; ALD en rapport, C2S,
maternité, AT/MP 100 % (exonérés); Alsace-Moselle régime local 90 % by default, **UNVERIFIED**
(configurable in :class:`RateTable`).

Sections: classe A lines go to "100% SANTÉ", the others to the prix libres table; a dossier mixing
both is a panachage (allowed, DOMAIN.md 5.1).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from enum import StrEnum

from core.domain.findings import AVERTISSEMENT, BLOQUANT, Finding, sort_findings
from core.domain.lpp import LppCatalogue, LppEntry, fse_code_findings
from core.domain.money import apply_rate, format_euros
from core.errors import ValidationError

__all__ = ["Situation", "SITUATION_LABELS", "RateTable", "BillingLine", "TarificationRequest", "LineResult",
           "Totals", "TarificationResult", "compute", "fingerprint", "SECTION_PRIX_LIBRES", "SECTION_100_SANTE"]

SECTION_PRIX_LIBRES = "prix_libres"
SECTION_100_SANTE = "100_sante"
MONTURE_RC_CEILING_CENTS = 10_000  # contrat responsable: frame ≤ 100 € within the équipement ceiling (DOMAIN 5.1)


class Situation(StrEnum):
    MALADIE = "maladie"
    ALD_EN_RAPPORT = "ald_en_rapport"
    C2S = "c2s"
    MATERNITE = "maternite"
    AT_MP = "at_mp"
    ALSACE_MOSELLE = "alsace_moselle"


SITUATION_LABELS: dict[Situation, str] = {
    Situation.MALADIE: "Maladie",
    Situation.ALD_EN_RAPPORT: "Soins en rapport avec l'ALD",
    Situation.C2S: "Complémentaire santé solidaire (C2S)",
    Situation.MATERNITE: "Maternité",
    Situation.AT_MP: "Accident du travail / maladie professionnelle",
    Situation.ALSACE_MOSELLE: "Régime Alsace Moselle",
}
_EXONERATED = frozenset({Situation.ALD_EN_RAPPORT, Situation.C2S, Situation.MATERNITE, Situation.AT_MP})


@dataclass(frozen=True)
class RateTable:
    """Taux RO in percent per situation. ``alsace_moselle`` is UNVERIFIED (DOMAIN.md 5.2)."""

    maladie: int | Decimal = 60
    ald_en_rapport: int | Decimal = 100
    c2s: int | Decimal = 100
    maternite: int | Decimal = 100
    at_mp: int | Decimal = 100
    alsace_moselle: int | Decimal = 90

    def rate_for(self, situation: Situation) -> int | Decimal:
        rate = getattr(self, Situation(situation).value)
        if isinstance(rate, bool) or not isinstance(rate, (int, Decimal)) or not 0 <= rate <= 100:
            raise ValidationError(f"Taux RO invalide pour {SITUATION_LABELS[Situation(situation)]} : {rate!r}.",
                                  log=f"rate {rate!r} for {situation}")
        return rate


@dataclass(frozen=True)
class BillingLine:
    """One row of "Détail remboursements".

    ``rc1_cents`` / ``rc2_cents``: the mutuelle amounts typed in RC1 / RC2, ``None`` = not typed (lets
    the 100% Santé auto-fill work). ``base_unit_cents`` / ``classe`` / ``plv_unit_cents`` override the
    catalogue (e.g. amounts returned by the engine); without a catalogue they are the only source.
    """

    libelle: str
    unit_price_cents: int
    qty: int = 1
    lpp_code: str = ""
    prestation: str = ""
    remboursable: bool = True
    rc1_cents: int | None = None
    rc2_cents: int | None = None
    base_unit_cents: int | None = None
    classe: str = ""
    plv_unit_cents: int | None = None


@dataclass(frozen=True)
class TarificationRequest:
    lines: tuple[BillingLine, ...]
    situation: Situation = Situation.MALADIE
    on: date | None = None               # date de délivrance ("Acte"): LPP validity date
    rates: RateTable = field(default_factory=RateTable)
    contrat_responsable: bool = True
    tiers_payant_ro: bool = False
    tiers_payant_rc: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "situation", Situation(self.situation))


@dataclass(frozen=True)
class LineResult:
    index: int
    libelle: str
    prestation: str
    lpp_code: str
    classe: str
    section: str
    remboursable: bool
    qty: int
    net_cents: int
    base_ro_cents: int
    taux: int | Decimal
    rbt_ro_cents: int
    rbt_rc1_cents: int
    rbt_rc2_cents: int
    rbt_rc_cents: int
    rbt_ro_rc_cents: int
    a_charge_cents: int
    reste_a_charge_cents: int
    plv_cents: int | None
    ald: bool
    exo: bool
    etm: str                  # "0" = non exonéré (as the manual shows); "" = left to the engine


@dataclass(frozen=True)
class Totals:
    net_cents: int = 0
    base_ro_cents: int = 0
    rbt_ro_cents: int = 0
    rbt_rc_cents: int = 0
    rbt_ro_rc_cents: int = 0
    a_charge_cents: int = 0
    reste_a_charge_cents: int = 0

    @classmethod
    def of(cls, lines: tuple[LineResult, ...] | list[LineResult]) -> "Totals":
        sums = [0] * len(_TOTAL_FIELDS)
        for line in lines:
            for i, name in enumerate(_TOTAL_FIELDS):
                sums[i] += getattr(line, name)
        return cls(*sums)


_TOTAL_FIELDS = tuple(f.name for f in fields(Totals))


@dataclass(frozen=True)
class TarificationResult:
    situation: Situation
    taux: int | Decimal
    lines: tuple[LineResult, ...]
    prix_libres: Totals
    cent_pour_cent_sante: Totals
    total: Totals
    panachage: bool
    findings: tuple[Finding, ...]
    fingerprint: str


def _check_amount(value: int | None, what: str, index: int, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"Ligne {index + 1} : {what} invalide.", log=f"line {index}: {what} {value!r}")
    if value < 0:
        raise ValidationError(f"Ligne {index + 1} : {what} négatif ({format_euros(value)}).",
                              log=f"line {index}: negative {what} {value}")


def _validate(line: BillingLine, index: int) -> None:
    if not isinstance(line, BillingLine):
        raise ValidationError(f"Ligne {index + 1} invalide.", log=f"line {index}: {type(line).__name__}")
    _check_amount(line.unit_price_cents, "prix", index)
    if isinstance(line.qty, bool) or not isinstance(line.qty, int) or line.qty < 1:
        raise ValidationError(f"Ligne {index + 1} : quantité invalide ({line.qty!r}).", log=f"line {index}: qty")
    _check_amount(line.rc1_cents, "montant RC1", index, optional=True)
    _check_amount(line.rc2_cents, "montant RC2", index, optional=True)
    _check_amount(line.base_unit_cents, "base de remboursement", index, optional=True)
    _check_amount(line.plv_unit_cents, "PLV", index, optional=True)
    if line.classe not in ("", "A", "B"):
        raise ValidationError(f"Ligne {index + 1} : classe « {line.classe} » (A ou B).", log=f"line {index}: classe")


def _resolve(line: BillingLine, index: int, request: TarificationRequest, catalogue: LppCatalogue | None,
             findings: list[Finding]) -> tuple[LppEntry | None, bool]:
    """Catalogue entry (if any) and whether the AMO covers the line."""
    if not line.remboursable:
        return None, False
    code = line.lpp_code.strip()
    if not code:
        findings.append(Finding("LPP_MANQUANT", BLOQUANT, f"Ligne {index + 1} ({line.libelle}) : code LPP absent.",
                                "Saisir le code LPP individuel ou décocher « Rb » si l'article n'est pas remboursable.",
                                index))
        return None, False
    if catalogue is None or request.on is None:
        return None, line.base_unit_cents is not None
    entry = catalogue.find(code, request.on)
    if entry is None:
        known = code in catalogue
        findings.append(Finding(
            "LPP_HORS_VALIDITE" if known else "LPP_INCONNU", BLOQUANT,
            f"Ligne {index + 1} : code LPP {code} " + ("non valide à la date de délivrance." if known
                                                      else "inconnu du catalogue."),
            "Vérifier le code sur le bon de livraison ou mettre à jour le catalogue LPP.", index))
        return None, False
    generic = fse_code_findings(entry, index)
    findings.extend(generic)
    return entry, not generic


def _line(line: BillingLine, index: int, request: TarificationRequest, rate: int | Decimal,
          catalogue: LppCatalogue | None, findings: list[Finding]) -> LineResult:
    _validate(line, index)
    entry, covered = _resolve(line, index, request, catalogue, findings)
    classe = line.classe or (entry.classe if entry else "")
    base_unit = line.base_unit_cents if line.base_unit_cents is not None else (entry.base_cents if entry else 0)
    plv_unit = line.plv_unit_cents if line.plv_unit_cents is not None else (entry.plv_cents if entry else None)
    net = line.unit_price_cents * line.qty
    plv = plv_unit * line.qty if plv_unit is not None else None
    base = min(base_unit * line.qty, net) if covered else 0
    ro = apply_rate(base, rate)
    room = net - ro

    if classe == "A" and plv_unit is not None and line.unit_price_cents > plv_unit:
        findings.append(Finding(
            "CLASSE_A_AU_DELA_PLV", BLOQUANT,
            f"Ligne {index + 1} : prix {format_euros(line.unit_price_cents)} au-delà du prix limite de vente "
            f"100% Santé ({format_euros(plv_unit)}).",
            "Ramener le prix au PLV ou choisir un article de classe B.", index))

    rac0 = classe == "A" and line.remboursable and (request.contrat_responsable or request.situation == Situation.C2S)
    if rac0 and line.rc1_cents is None and line.rc2_cents is None:
        rc1, rc2 = max(0, min(net, plv if plv is not None else net) - ro), 0
    else:
        rc1, rc2 = line.rc1_cents or 0, line.rc2_cents or 0
    if rc1 + rc2 > room:
        findings.append(Finding(
            "RC_SUPERIEUR_RESTE", AVERTISSEMENT,
            f"Ligne {index + 1} : part RC ({format_euros(rc1 + rc2)}) supérieure au reste après RO "
            f"({format_euros(room)}) ; ramenée à {format_euros(room)}.",
            "Corriger le montant mutuelle (RC1/RC2) dans « Détail remboursements ».", index))
        rc1 = min(rc1, room)
        rc2 = min(rc2, room - rc1)
    rc = rc1 + rc2
    reste = net - ro - rc
    if rac0 and plv is not None and net <= plv and reste > 0:
        findings.append(Finding(
            "RAC0_NON_RESPECTE", AVERTISSEMENT,
            f"Ligne {index + 1} : 100% Santé, il reste {format_euros(reste)} à charge du client.",
            "Vérifier le montant RC : en classe A le reste à charge doit être nul (contrat responsable ou C2S).",
            index))
    element = entry.element if entry else ""
    if request.contrat_responsable and classe == "B" and element == "monture" and rc > MONTURE_RC_CEILING_CENTS:
        findings.append(Finding(
            "RC_PLAFOND_MONTURE", AVERTISSEMENT,
            f"Ligne {index + 1} : part RC monture {format_euros(rc)} au-delà du plafond de 100,00 "
            "d'un contrat responsable.", "Vérifier la garantie de la mutuelle.", index))
    exo = request.situation in _EXONERATED
    return LineResult(
        index=index, libelle=line.libelle, prestation=line.prestation or (entry.prestation if entry else ""),
        lpp_code=line.lpp_code.strip(), classe=classe,
        section=SECTION_100_SANTE if classe == "A" else SECTION_PRIX_LIBRES, remboursable=line.remboursable,
        qty=line.qty, net_cents=net, base_ro_cents=base, taux=rate if covered else 0, rbt_ro_cents=ro,
        rbt_rc1_cents=rc1, rbt_rc2_cents=rc2, rbt_rc_cents=rc, rbt_ro_rc_cents=ro + rc,
        a_charge_cents=net - (ro if request.tiers_payant_ro else 0) - (rc if request.tiers_payant_rc else 0),
        reste_a_charge_cents=reste, plv_cents=plv,
        ald=covered and request.situation == Situation.ALD_EN_RAPPORT, exo=covered and exo,
        etm=("0" if not exo else "") if covered else "",
    )


def compute(request: TarificationRequest, catalogue: LppCatalogue | None = None) -> TarificationResult:
    """Compute "Détail remboursements". Bad amounts raise :class:`ValidationError`; rule problems
    (unknown code, RC capped, PLV exceeded...) come back as findings."""
    if not isinstance(request, TarificationRequest):
        raise ValidationError("Demande de calcul invalide.", log=f"compute got {type(request).__name__}")
    rate = request.rates.rate_for(request.situation)
    findings: list[Finding] = []
    lines = tuple(_line(l, i, request, rate, catalogue, findings) for i, l in enumerate(request.lines))
    libres = tuple(l for l in lines if l.section == SECTION_PRIX_LIBRES)
    sante = tuple(l for l in lines if l.section == SECTION_100_SANTE)
    return TarificationResult(
        situation=request.situation, taux=rate, lines=lines, prix_libres=Totals.of(libres),
        cent_pour_cent_sante=Totals.of(sante), total=Totals.of(lines),
        panachage=any(l.remboursable for l in libres if l.classe == "B") and any(l.remboursable for l in sante),
        findings=sort_findings(findings), fingerprint=fingerprint(request),
    )


_LINE_FIELDS = tuple(f.name for f in fields(BillingLine))
_RATE_FIELDS = tuple(f.name for f in fields(RateTable))


def _jsonable(value: object) -> object:
    if isinstance(value, (date, Decimal)):
        return str(value)
    raise TypeError(type(value).__name__)


def fingerprint(request: TarificationRequest) -> str:
    """Stable hash of everything that changes the amounts. Store it when "Vérif. taux" runs; a
    different value later means the rate check is stale (lint RATE_CHECK_PERIMEE)."""
    payload = {
        "lines": [[getattr(l, name) for name in _LINE_FIELDS] for l in request.lines],
        "situation": request.situation.value, "on": request.on,
        "rates": [getattr(request.rates, name) for name in _RATE_FIELDS],
        "flags": [request.contrat_responsable, request.tiers_payant_ro, request.tiers_payant_rc],
    }
    text = json.dumps(payload, default=_jsonable, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
