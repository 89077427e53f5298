""""Vérification taux" (manual §III.A): the engine computes the RO rate and amounts; mandatory before invoicing.

``default_params`` pre-fills every field from the dossier (dates, Pièce Justif. AMO from ADRi / card,
ALD and RI/RA from the ordonnance, Alsace-Moselle from the caisse, Nature Assurance from the rights, Mode
Sécurisation from the card's presence). ``verify_rates`` validates, runs ADRi when the mode asks for it,
calls the engine and stores a RateCheck (params, per-line results, inputs and fingerprint for the stale
check) in one transaction.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from core.engine.types import RateAnswer, RateQuery, Rights
from core.errors import ValidationError
from core.models import Article, Beneficiaire, Dossier, Ordonnance, Organism, Prescriber, RateCheck
from core.domain.tarification import fingerprint
from core.services.amc import convention_need
from core.services.base import ServiceContext
from core.services.counter_dto import (AdriOutcomeDTO, ConventionNeedDTO, FindingDTO, RateCheckDTO, RateCheckParams,
                                       RateCheckStatusDTO, RateLineDTO)
from core.services.counter_lines import (articles_of, current_inputs, latest_rate_check, ordonnance_of, rate_lines,
                                         rate_check_status, tarif_request)
from core.services.counter_rights import apply_forcages, resolve_rights
from core.services.counter_rows import get_dossier
from core.services.vitale_service import AdriCall, VitaleService

__all__ = ["RateCheckService", "validate_params", "rate_check_dto", "ALSACE_MOSELLE_CAISSES"]

# INFERRED: the régime local covers the CPAM of Moselle (57), Bas-Rhin (67) and Haut-Rhin (68).
ALSACE_MOSELLE_CAISSES = ("57", "67", "68")
RATE_FIELDS = ("ordo", "acte", "nature_assurance", "ald", "alsace_moselle", "taux_exoneration")


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def validate_params(today: date, dossier: Dossier, ordonnance: Ordonnance | None, articles: list[Article],
                    params: RateCheckParams, *, invoicing: bool = False) -> None:
    """Every problem of the form at once, one per line (ValidationError code "PARAMS")."""
    errors: list[str] = []
    if dossier.beneficiaire_id is None:
        errors.append("Aucun bénéficiaire : lisez la carte Vitale ou choisissez le bénéficiaire.")
    if not articles:
        errors.append("Aucun article : saisissez la monture et les verres.")
    if any(a.remboursable for a in articles):
        if ordonnance is None:
            errors.append("Ordonnance non saisie : saisissez la date d'ordonnance et le prescripteur.")
        elif ordonnance.prescriber_id is None or Prescriber.get_or_none(Prescriber.id == ordonnance.prescriber_id) is None:
            errors.append("Prescripteur non saisi : renseignez le prescripteur de l'ordonnance (nom et n° RPPS).")
        if params.ordo is None:
            errors.append("Date d'ordonnance (Ordo.) non saisie.")
    for label, value in (("Ordo.", params.ordo), ("Acte", params.acte), ("Facture", params.facture)):
        if value is not None and value > today:
            errors.append(f"Date {label} ({_fr(value)}) dans le futur.")
    if params.ordo is not None and params.acte < params.ordo:
        errors.append(f"Date Acte ({_fr(params.acte)}) antérieure à la date Ordo. ({_fr(params.ordo)}).")
    if params.facture is not None and params.facture < params.acte:
        errors.append(f"Date Facture ({_fr(params.facture)}) antérieure à la date Acte ({_fr(params.acte)}).")
    if invoicing and params.facture is None:
        errors.append("Date Facture non saisie.")
    if params.requires_taux_exoneration and not params.taux_exoneration:
        errors.append("Choisissez le Taux Exonération (Situation ETM) : la pièce justificative AMO n'est ni la carte "
                      "Vitale ni l'ADR.")
    if params.nature_assurance == "maternite" and params.maternite_date is None:
        errors.append("Nature Assurance Maternité : saisissez la date de début de grossesse.")
    if params.nature_assurance == "at":
        if params.at_date is None:
            errors.append("Accident du travail : saisissez la date de l'accident.")
        elif params.at_date > params.acte:
            errors.append(f"Date de l'accident du travail ({_fr(params.at_date)}) postérieure à l'acte.")
    if errors:
        raise ValidationError("\n".join(errors), log=f"rate check params refused: {len(errors)} error(s)", code="PARAMS")


def _line_dto(line: dict, articles: list[Article]) -> RateLineDTO:
    index = line.get("index", line.get("position", 1) - 1)
    article = articles[index] if 0 <= index < len(articles) else None
    return RateLineDTO(index=index, article_id=line.get("article_id", article.id if article else None),
                       acte=line.get("prestation", article.prestation if article else ""),
                       lpp=line.get("lpp_code", article.lpp_code if article else ""),
                       detail=line.get("libelle", article.libelle if article else ""),
                       net_cents=line.get("net_cents", article.unit_price_cents * article.quantity if article else 0),
                       base_ro_cents=line.get("base_ro_cents", 0), taux=line.get("taux", 0),
                       rbt_ro_cents=line.get("rbt_ro_cents", 0), rbt_rc_cents=line.get("rbt_rc_cents", 0),
                       rbt_ro_rc_cents=line.get("rbt_ro_rc_cents", line.get("rbt_ro_cents", 0) + line.get("rbt_rc_cents", 0)),
                       a_charge_cents=line.get("a_charge_cents", 0), ald=bool(line.get("ald")), etm=line.get("etm", ""))


def rate_check_dto(row: RateCheck, articles: list[Article], *, adri: AdriOutcomeDTO | None = None,
                   convention: ConventionNeedDTO | None = None) -> RateCheckDTO:
    results = row.results or {}
    lines = tuple(_line_dto(l, articles) for l in results.get("lines", []))
    return RateCheckDTO(
        id=row.id, dossier_id=row.dossier_id, checked_at=row.checked_at, params=RateCheckParams.model_validate(row.params),
        situation=results.get("situation", ""), situation_label=results.get("situation_label", ""), taux=row.taux,
        mode_securisation=row.mode_securisation, lines=lines,
        total_ro_cents=results.get("total_ro_cents", sum(l.rbt_ro_cents for l in lines)),
        total_rc_cents=results.get("total_rc_cents", sum(l.rbt_rc_cents for l in lines)),
        total_net_cents=results.get("total_net_cents", sum(l.net_cents for l in lines)),
        messages=tuple(results.get("messages", ())),
        findings=tuple(FindingDTO.model_validate(f) for f in results.get("findings", ())), adri=adri,
        convention=convention)


def _alsace_moselle(benef: Beneficiaire) -> bool:
    org = Organism.get_or_none(Organism.id == benef.assure.organism_id) if benef.assure.organism_id else None
    return org is not None and org.regime == "01" and org.caisse[:2] in ALSACE_MOSELLE_CAISSES


class RateCheckService:
    def __init__(self, ctx: ServiceContext, engine: Any) -> None:
        self.ctx = ctx
        self.engine = engine
        self.vitale = VitaleService(ctx, engine)

    def default_params(self, dossier_id: int) -> RateCheckParams:
        dossier = get_dossier(self.ctx, dossier_id)
        return default_params(dossier)

    def status(self, dossier_id: int) -> RateCheckStatusDTO:
        return rate_check_status(get_dossier(self.ctx, dossier_id))

    def last(self, dossier_id: int) -> RateCheckDTO | None:
        dossier = get_dossier(self.ctx, dossier_id)
        row = latest_rate_check(dossier)
        return rate_check_dto(row, articles_of(dossier)) if row else None

    def verify_rates(self, dossier_id: int, params: RateCheckParams) -> RateCheckDTO:
        """"Vérif. taux" / "Valider": one RateCheck stored; EngineError / ValidationError in French."""
        dossier = get_dossier(self.ctx, dossier_id)
        if dossier.state == "facture":
            raise ValidationError("Dossier facturé : la vérification du taux n'est plus modifiable.",
                                  log="verify on invoiced dossier", code="FACTURE")
        articles, ordonnance = articles_of(dossier), ordonnance_of(dossier)
        validate_params(self.ctx.clock.today(), dossier, ordonnance, articles, params)
        benef = Beneficiaire.get_by_id(dossier.beneficiaire_id)
        call = self.vitale.adri_if_needed(benef, "verif_taux")
        params, rights, messages = self._rights(dossier, benef, params, call)
        answer = self.engine.verify_rates(self._query(dossier, articles, params, rights))
        need, auto = convention_need(self.engine, dossier)
        with self.ctx.write():
            if call is not None:
                call = self.vitale.store(benef, call)
            dossier = get_dossier(self.ctx, dossier_id)
            if dossier.consultation_date != params.acte:
                Dossier.update(consultation_date=params.acte).where(Dossier.id == dossier.id).execute()
                dossier.consultation_date = params.acte
            if ordonnance is not None and params.ordo is not None and ordonnance.date != params.ordo:
                Ordonnance.update(date=params.ordo).where(Ordonnance.id == ordonnance.id).execute()
                ordonnance.date = params.ordo
            if auto is not None:
                after = auto.model_dump(mode="json")
                Dossier.update(attestation_amc=after).where(Dossier.id == dossier.id).execute()
                self.ctx.audit("amc.convention", entity="dossier", entity_id=dossier.id,
                               details={"avant": dossier.attestation_amc, "apres": after, "automatique": True})
            Dossier.update(updated_at=self.ctx.clock.now()).where(Dossier.id == dossier.id).execute()
            row = RateCheck.create(
                dossier=dossier.id, checked_at=self.ctx.clock.now(), params=params.model_dump(mode="json"),
                results=_results(answer, articles, dossier, ordonnance, messages),
                fingerprint=fingerprint(tarif_request(dossier, articles, answer.situation, answer.rate_table,
                                                      params.acte)),
                mode_securisation=params.mode_securisation, taux=answer.taux)
        return rate_check_dto(row, articles, adri=call.outcome if call else None, convention=need)

    # --- internals ----------------------------------------------------------------------------------------
    def _rights(self, dossier: Dossier, benef: Beneficiaire, params: RateCheckParams,
                call: AdriCall | None) -> tuple[RateCheckParams, Rights | None, list[str]]:
        messages: list[str] = []
        answer = call.answer if call else None
        if answer is not None and answer.window_start <= params.acte <= answer.window_end:
            rights, source = answer.rights, "adri"
        else:
            resolved = resolve_rights(benef, params.acte)
            rights, source = resolved.rights, resolved.source
        if params.piece_justif_amo == "carte_vitale" and source == "adri":
            params = params.model_copy(update={"piece_justif_amo": "adr"})
            messages.append("Pièce Justif. AMO : les droits ont été récupérés sur ADR.")
        elif params.piece_justif_amo == "adr" and source != "adri":
            why = f" ({call.outcome.message_fr})" if call is not None and call.answer is None else ""
            raise ValidationError("Aucun droit ADRi pour la date de l'acte" + why + " : choisissez « L'assuré a présenté "
                                  "sa carte Vitale » ou une autre pièce justificative AMO.", log="ADR proof without ADRi",
                                  code="PIECE_AMO")
        return params, apply_forcages(rights, dossier.forcages or {}), messages

    def _query(self, dossier: Dossier, articles: list[Article], params: RateCheckParams,
               rights: Rights | None) -> RateQuery:
        forced_etm = ((dossier.forcages or {}).get("situation_etm") or {}).get("taux_exoneration")
        taux_exo = params.taux_exoneration if params.requires_taux_exoneration else (
            forced_etm if params.mode_securisation == "DEGRADE" else None)
        return RateQuery(lines=rate_lines(articles), acte=params.acte, ordo=params.ordo,
                         nature_assurance=params.nature_assurance, ald=params.ald, alsace_moselle=params.alsace_moselle,
                         piece_justif_amo=params.piece_justif_amo, taux_exoneration=taux_exo, rights=rights,
                         contrat_responsable=not (dossier.forcages or {}).get("contrat_non_responsable", False),
                         tiers_payant_ro=dossier.tp_ro, tiers_payant_rc=dossier.tp_rc)


def _results(answer: RateAnswer, articles: list[Article], dossier: Dossier, ordonnance: Ordonnance | None,
             messages: list[str]) -> dict[str, Any]:
    lines = []
    for line in answer.lines:
        data = line.model_dump(mode="json")
        data["article_id"] = articles[line.index].id
        lines.append(data)
    return {
        "situation": answer.situation, "situation_label": answer.situation_label, "rate_table": answer.rate_table,
        "exo_tm": answer.exo_tm, "lines": lines, "total_ro_cents": answer.total.rbt_ro_cents,
        "total_rc_cents": answer.total.rbt_rc_cents, "total_net_cents": answer.total.net_cents,
        "messages": [*messages, *answer.messages], "findings": [f.model_dump(mode="json") for f in answer.findings],
        "inputs": current_inputs(dossier, articles, ordonnance),
    }


def default_params(dossier: Dossier) -> RateCheckParams:
    ordonnance = ordonnance_of(dossier)
    acte = dossier.consultation_date
    benef = Beneficiaire.get_or_none(Beneficiaire.id == dossier.beneficiaire_id) if dossier.beneficiaire_id else None
    resolved = resolve_rights(benef, acte) if benef else None
    rights = apply_forcages(resolved.rights, dossier.forcages or {}) if resolved else None
    if resolved is not None and resolved.source == "adri" and rights is not None and rights.amo_open_on(acte):
        piece = "adr"
    elif resolved is not None and resolved.source in ("lecture", "apcv", "adri"):
        piece = "carte_vitale"
    else:
        piece = "aucune"
    forced_etm = ((dossier.forcages or {}).get("situation_etm") or {}).get("taux_exoneration")
    manual = piece == "aucune"
    att = dossier.attestation_amc or {}
    return RateCheckParams(
        ordo=ordonnance.date if ordonnance else None, acte=acte, facture=None, piece_justif_amo=piece,
        piece_justif_amc=att.get("piece_justif_amc") or "aucun", ald=bool(ordonnance and ordonnance.ald_mention),
        prescription=(ordonnance.ri_ra or "") if ordonnance else "",
        alsace_moselle=_alsace_moselle(benef) if benef else False,
        nature_assurance="maternite" if rights is not None and rights.maternite_on(acte) else "maladie",
        maternite_date=rights.maternite.debut if rights is not None and rights.maternite_on(acte) else None,
        taux_exoneration=forced_etm or ("15" if manual else None),
        mode_securisation="SESAM_VITALE" if dossier.card_present else "DEGRADE")
