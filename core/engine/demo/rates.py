"""The demo engine's "Vérif. taux": the RO situation from the rights, amounts from core.domain.tarification.

Situation (taux RO on the base, DOMAIN.md 5.2), first match wins:
1. Nature Assurance: Maternité -> maternité (100 %), Accident du travail -> AT/MP (100 %),
   Soins Médicaux Gratuit -> 100 % (INFERRED: SMG pays the whole base, computed as maladie at 100 %);
2. a Taux Exonération is given (manual proof of rights, or the dégradé "Situation ETM" forçage) -> its
   situation (see ``TAUX_EXONERATION``);
3. otherwise the rights must be open on the Acte date (card or ADRi), else error DROITS_FERMES; then
   "Soins en rapport avec l'ALD" = OUI with an ALD period covering the Acte -> ALD (100 %); OUI without
   such a period -> maladie and a message; C2S (service AMO 01-03) -> C2S (100 %); maternité period
   -> maternité; else maladie (60 %);
4. Régime Alsace Moselle on a maladie case -> régime local (90 %, UNVERIFIED in DOMAIN.md).
"""
from __future__ import annotations

from dataclasses import asdict

from core.domain.lpp import LppCatalogue
from core.domain.tarification import (SITUATION_LABELS, BillingLine, RateTable, Situation, TarificationRequest,
                                      compute)
from core.engine.errors import CODE_RIGHTS_CLOSED
from core.engine.types import RateAnswer, RateFinding, RateLineResult, RateQuery, RateTotals
from core.errors import EngineError

__all__ = ["verify_rates", "TAUX_EXONERATION", "EXO_TM_CODES", "MANUAL_PROOFS"]

# "Situation ETM / Taux Exonération" choices. The manual shows only "15 Non exonéré"; the other codes are
# INFERRED (EXO_MTF-like codes, DOMAIN.md 11.3) and map to a rate situation.
TAUX_EXONERATION: dict[str, tuple[str, Situation]] = {
    "15": ("Non exonéré", Situation.MALADIE),
    "42": ("Exonéré : soins en rapport avec une ALD", Situation.ALD_EN_RAPPORT),
    "55": ("Exonéré : maternité", Situation.MATERNITE),
    "41": ("Exonéré : accident du travail / maladie professionnelle", Situation.AT_MP),
    "62": ("Exonéré : complémentaire santé solidaire (C2S)", Situation.C2S),
}
# FSE "Exo. TM" per situation: "0" non exonéré is the manual's; "4" = ALD is confirmed (DOMAIN.md 11.3);
# the others are INFERRED.
EXO_TM_CODES: dict[Situation, str] = {
    Situation.MALADIE: "0", Situation.ALSACE_MOSELLE: "0", Situation.ALD_EN_RAPPORT: "4",
    Situation.MATERNITE: "3", Situation.AT_MP: "5", Situation.C2S: "9",
}
# Pièces justificatives AMO that force a manual choice of the Taux Exonération (manual §III.A).
MANUAL_PROOFS = frozenset({"aucune", "attestation_droits", "carte_assure_social"})


def _situation(q: RateQuery, messages: list[str]) -> tuple[Situation, RateTable, str]:
    table = RateTable()
    if q.nature_assurance == "maternite":
        return Situation.MATERNITE, table, SITUATION_LABELS[Situation.MATERNITE]
    if q.nature_assurance == "at":
        return Situation.AT_MP, table, SITUATION_LABELS[Situation.AT_MP]
    if q.nature_assurance == "smg":
        return Situation.MALADIE, RateTable(maladie=100), "Soins Médicaux Gratuits"
    if q.taux_exoneration:
        if q.taux_exoneration not in TAUX_EXONERATION:
            raise EngineError(f"Taux d'exonération « {q.taux_exoneration} » inconnu.",
                              log=f"unknown taux exoneration {q.taux_exoneration!r}", code="TAUX_EXO")
        situation = TAUX_EXONERATION[q.taux_exoneration][1]
    elif q.piece_justif_amo in MANUAL_PROOFS:
        raise EngineError("Sans carte Vitale ni droits ADRi, choisissez la Situation ETM (Taux Exonération).",
                          log="manual proof without taux exoneration", code="TAUX_EXO")
    else:
        rights = q.rights
        if rights is None or not rights.amo_open_on(q.acte):
            raise EngineError(
                f"Droits AMO non ouverts au {q.acte:%d/%m/%Y} : relancez l'ADRi ou choisissez une autre pièce "
                "justificative AMO.", log=f"AMO rights closed on {q.acte}", code=CODE_RIGHTS_CLOSED)
        situation = Situation.MALADIE
        if q.ald and rights.ald_on(q.acte):
            situation = Situation.ALD_EN_RAPPORT
        else:
            if q.ald:
                messages.append(f"Soins en rapport avec l'ALD : aucune exonération ALD en cours au {q.acte:%d/%m/%Y}"
                                " ; taux maladie appliqué.")
            if rights.c2s_on(q.acte):
                situation = Situation.C2S
            elif rights.maternite_on(q.acte):
                situation = Situation.MATERNITE
    if situation == Situation.MALADIE and q.alsace_moselle:
        situation = Situation.ALSACE_MOSELLE
    return situation, table, SITUATION_LABELS[situation]


def _totals(t) -> RateTotals:
    return RateTotals(**asdict(t))


def verify_rates(q: RateQuery, catalogue: LppCatalogue | None) -> RateAnswer:
    messages: list[str] = []
    situation, table, label = _situation(q, messages)
    request = TarificationRequest(
        lines=tuple(BillingLine(libelle=l.libelle, unit_price_cents=l.unit_price_cents, qty=l.qty,
                                lpp_code=l.lpp_code, prestation=l.prestation, remboursable=l.remboursable,
                                rc1_cents=l.rc1_cents, rc2_cents=l.rc2_cents) for l in q.lines),
        situation=situation, on=q.acte, rates=table, contrat_responsable=q.contrat_responsable,
        tiers_payant_ro=q.tiers_payant_ro, tiers_payant_rc=q.tiers_payant_rc)
    result = compute(request, catalogue)
    exo = EXO_TM_CODES[situation]
    lines = tuple(RateLineResult(
        index=l.index, libelle=l.libelle, prestation=l.prestation, lpp_code=l.lpp_code, classe=l.classe,
        section=l.section, remboursable=l.remboursable, qty=l.qty, net_cents=l.net_cents,
        base_ro_cents=l.base_ro_cents, taux=int(l.taux), rbt_ro_cents=l.rbt_ro_cents, rbt_rc1_cents=l.rbt_rc1_cents,
        rbt_rc2_cents=l.rbt_rc2_cents, rbt_rc_cents=l.rbt_rc_cents, rbt_ro_rc_cents=l.rbt_ro_rc_cents,
        a_charge_cents=l.a_charge_cents, reste_a_charge_cents=l.reste_a_charge_cents, ald=l.ald, exo=l.exo,
        etm=(exo if l.base_ro_cents > 0 or l.taux else "")) for l in result.lines)
    return RateAnswer(
        situation=situation.value, situation_label=label, taux=int(result.taux), exo_tm=exo,
        rate_table={k: int(v) for k, v in asdict(table).items()}, lines=lines,
        prix_libres=_totals(result.prix_libres), cent_pour_cent_sante=_totals(result.cent_pour_cent_sante),
        total=_totals(result.total), panachage=result.panachage,
        findings=tuple(RateFinding(code=f.code, severity=f.severity, message_fr=f.message_fr, fix_fr=f.fix_fr,
                                   line=f.line) for f in result.findings),
        messages=tuple(messages), fingerprint=result.fingerprint)
