""""Détail remboursements" (manual §III.A, §V): tabs RC1, RC2, PEC, SESAM Vitale.

Amount source per the manual: before any Vérif. taux the RO columns show 0,00 (Base RO is shown);
after a fresh check they are the engine's; when the check is stale they are a local preview with the
check's situation (``ro_source`` = "apercu", and the stale reasons say what changed).
In tab RC1 the "Rbt RC" column is the RC1 part, in tab RC2 the RC2 part; "Rbt RO+RC" and "À Charge" are
the line's totals in both tabs.
"""
from __future__ import annotations

from typing import Any

from core.domain.tarification import SECTION_100_SANTE, Situation, compute
from core.models import Article, Dossier, Mutuelle
from core.services.base import ServiceContext
from core.services.counter_dto import (FindingDTO, RateCheckParams, RcTabDTO, ReimbursementDetailDTO, ReimbursementRowDTO,
                                       ReimbursementTableDTO, ReimbursementTotalsDTO, SesamVitaleTabDTO)
from core.services.counter_lines import CheckState, articles_of, ordonnance_of, tarif_request
from core.services.counter_rows import active_fse, dossier_invoice, fse_status_dto, mutuelle_dto, teletrans_rc_check
from core.services.forcages import forcages_dto
from core.services.pec import pec_tab

__all__ = ["build_detail"]


def _lines(dossier: Dossier, articles: list[Article], state: CheckState, catalogue: Any) -> tuple[str, list[dict]]:
    """Per-article amounts as dicts (keys of tarification.LineResult) and the source label."""
    if state.row is not None and state.fresh and (state.row.results or {}).get("lines"):
        by_article = {l.get("article_id"): l for l in state.row.results["lines"]}
        by_index = {l.get("index", l.get("position", 0) - 1): l for l in state.row.results["lines"]}
        out = []
        for i, a in enumerate(articles):
            line = by_article.get(a.id) or by_index.get(i) or {}
            out.append(line)
        return "moteur", out
    situation, table = (state.situation, state.rate_table) if state.row is not None else (Situation.MALADIE.value, None)
    result = compute(tarif_request(dossier, articles, situation, table, dossier.consultation_date), catalogue)
    lines = [vars(l).copy() for l in result.lines]
    if state.row is None:
        for l in lines:  # "tous les montants de remboursement RO sont à 0" until Vérif. taux
            l.update(rbt_ro_cents=0, taux=0, etm="", ald=False, rbt_ro_rc_cents=l["rbt_rc_cents"],
                     a_charge_cents=l["net_cents"] - (l["rbt_rc_cents"] if dossier.tp_rc else 0))
        return "non_verifie", lines
    return "apercu", lines


def _row(a: Article, i: int, line: dict, part: str) -> ReimbursementRowDTO:
    rc = line.get(f"rbt_{part}_cents", line.get("rbt_rc_cents", 0) if part == "rc1" else 0)
    classe = line.get("classe", a.classe) or a.classe
    return ReimbursementRowDTO(
        article_id=a.id, index=i, rb=a.remboursable, acte=line.get("prestation") or a.prestation,
        t="A" if classe == "A" else "", detail=a.libelle, lpp=a.lpp_code,
        net_cents=line.get("net_cents", a.unit_price_cents * a.quantity), base_ro_cents=line.get("base_ro_cents", 0),
        rbt_ro_cents=line.get("rbt_ro_cents", 0), rbt_rc_cents=rc,
        rbt_ro_rc_cents=line.get("rbt_ro_rc_cents", line.get("rbt_ro_cents", 0) + line.get("rbt_rc_cents", 0)),
        a_charge_cents=line.get("a_charge_cents", a.unit_price_cents * a.quantity), ald="X" if line.get("ald") else "",
        etm=line.get("etm", "") or "", taux=int(line.get("taux", 0) or 0), classe=classe, rc1_cents=a.rc1_cents,
        rc2_cents=a.rc2_cents)


def _table(rows: list[ReimbursementRowDTO]) -> ReimbursementTableDTO:
    totals = ReimbursementTotalsDTO(**{k: sum(getattr(r, k) for r in rows) for k in ReimbursementTotalsDTO.model_fields})
    return ReimbursementTableDTO(rows=tuple(rows), totals=totals)


def _tab(articles: list[Article], lines: list[dict], part: str, mutuelle: Mutuelle | None,
         non_responsable: bool) -> RcTabDTO:
    rows = [_row(a, i, lines[i], part) for i, a in enumerate(articles)]
    sante = [r for r, l in zip(rows, lines) if l.get("section") == SECTION_100_SANTE or r.classe == "A"]
    libres = [r for r in rows if r not in sante]
    return RcTabDTO(mutuelle=mutuelle_dto(mutuelle), prix_libres=_table(libres), cent_pour_cent_sante=_table(sante),
                    contrat_non_responsable=non_responsable)


def build_detail(ctx: ServiceContext, engine: Any, dossier: Dossier) -> ReimbursementDetailDTO:
    articles, ordonnance = articles_of(dossier), ordonnance_of(dossier)
    state = CheckState(dossier, articles, ordonnance)
    source, lines = _lines(dossier, articles, state, getattr(engine, "catalogue", None))
    m1 = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None
    m2 = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc2_id) if dossier.mutuelle_rc2_id else None
    non_resp = bool((dossier.forcages or {}).get("contrat_non_responsable"))
    rc1, rc2 = _tab(articles, lines, "rc1", m1, non_resp), _tab(articles, lines, "rc2", m2, non_resp)
    every = [_row(a, i, lines[i], "rc") for i, a in enumerate(articles)]
    status = state.status()
    taux = status.taux if status.exists else None
    findings = ()
    if state.row is not None:
        findings = tuple(FindingDTO.model_validate(f) for f in (state.row.results or {}).get("findings", ()))
    tp = "+".join(p for p, on in (("RO", dossier.tp_ro), ("RC", dossier.tp_rc)) if on)
    fse = active_fse(dossier_invoice(dossier))
    params = RateCheckParams.model_validate(state.row.params) if state.row is not None else None
    return ReimbursementDetailDTO(
        dossier_id=dossier.id, taux_label=f"{taux} %" if taux is not None else "60 %",
        tiers_payant_label=f"Tiers Payant {tp}" if tp else "", ro_source=source, rate_check=status, rc1=rc1, rc2=rc2,
        pec=pec_tab(engine, dossier),
        sesam_vitale=SesamVitaleTabDTO(flux_label=getattr(engine, "flux_label", ""), rate_check=status, params=params,
                                       forcages=forcages_dto(dossier), fse=fse_status_dto(fse) if fse else None),
        total=_table(every).totals, findings=findings,
        teletrans_rc_possible=teletrans_rc_check(dossier, articles)[0])
