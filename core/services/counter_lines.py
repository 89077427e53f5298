"""Dossier lines -> rate requests, fingerprints, stale reasons and lint facts (internal helpers).

The fingerprint is core.domain.tarification.fingerprint of the request built from the dossier (the same
request core.domain.lint rebuilds), so a rate check is stale exactly when the lint says
RATE_CHECK_PERIMEE. Dates (Ordo.) and the beneficiary are not in that hash: they are compared separately.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from core.domain.money import format_euros
from core.domain.prescription import Prescriber as PrescriberKind
from core.domain.tarification import BillingLine, RateTable, Situation, TarificationRequest, fingerprint
from core.engine.types import RateLine
from core.models import Article, Dossier, Ordonnance, RateCheck
from core.services.counter_dto import RateCheckStatusDTO

__all__ = ["articles_of", "ordonnance_of", "billing_lines", "rate_lines", "contrat_responsable", "tarif_request",
           "current_inputs", "rate_check_status", "latest_rate_check", "stored_situation", "CheckState"]


def articles_of(dossier: Dossier) -> list[Article]:
    return list(Article.select().where(Article.dossier == dossier.id).order_by(Article.position, Article.id))


def ordonnance_of(dossier: Dossier) -> Ordonnance | None:
    return Ordonnance.select().where(Ordonnance.dossier == dossier.id).order_by(Ordonnance.id.desc()).first()


def latest_rate_check(dossier: Dossier) -> RateCheck | None:
    return (RateCheck.select().where(RateCheck.dossier == dossier.id)
            .order_by(RateCheck.checked_at.desc(), RateCheck.id.desc()).first())


def _typed(cents: int) -> int | None:
    """Article.rc*_cents: 0 means "not typed" (lets the 100% Santé auto-fill work)."""
    return cents or None


def billing_lines(articles: list[Article]) -> tuple[BillingLine, ...]:
    return tuple(BillingLine(libelle=a.libelle, unit_price_cents=a.unit_price_cents, qty=a.quantity,
                             lpp_code=a.lpp_code, prestation=a.prestation, remboursable=a.remboursable,
                             rc1_cents=_typed(a.rc1_cents), rc2_cents=_typed(a.rc2_cents)) for a in articles)


def rate_lines(articles: list[Article]) -> tuple[RateLine, ...]:
    return tuple(RateLine(libelle=a.libelle, unit_price_cents=a.unit_price_cents, qty=a.quantity,
                          lpp_code=a.lpp_code, prestation=a.prestation, remboursable=a.remboursable,
                          rc1_cents=_typed(a.rc1_cents), rc2_cents=_typed(a.rc2_cents)) for a in articles)


def contrat_responsable(dossier: Dossier) -> bool:
    return not bool((dossier.forcages or {}).get("contrat_non_responsable"))


def tarif_request(dossier: Dossier, articles: list[Article], situation: Situation | str,
                  rate_table: dict[str, int] | None, acte: date) -> TarificationRequest:
    return TarificationRequest(lines=billing_lines(articles), situation=Situation(situation), on=acte,
                               rates=RateTable(**(rate_table or {})), contrat_responsable=contrat_responsable(dossier),
                               tiers_payant_ro=dossier.tp_ro, tiers_payant_rc=dossier.tp_rc)


def current_inputs(dossier: Dossier, articles: list[Article], ordonnance: Ordonnance | None) -> dict[str, Any]:
    """What the stale check compares (stored in RateCheck.results["inputs"])."""
    return {
        "beneficiaire_id": dossier.beneficiaire_id, "acte": dossier.consultation_date.isoformat(),
        "ordo": ordonnance.date.isoformat() if ordonnance else None, "tp_ro": dossier.tp_ro, "tp_rc": dossier.tp_rc,
        "contrat_responsable": contrat_responsable(dossier),
        "lines": [{"article_id": a.id, "libelle": a.libelle, "price": a.unit_price_cents, "qty": a.quantity,
                   "lpp": a.lpp_code, "prestation": a.prestation, "rb": a.remboursable, "rc1": a.rc1_cents,
                   "rc2": a.rc2_cents} for a in articles],
    }


def stored_situation(rc: RateCheck) -> tuple[str, dict[str, int] | None]:
    results = rc.results or {}
    if "situation" in results:
        return results["situation"], results.get("rate_table")
    # Rows written without a situation (older demo rows): 100 % with the ALD flag = ALD, else maladie.
    params = rc.params or {}
    return (Situation.ALD_EN_RAPPORT.value if rc.taux == 100 and params.get("ald") else Situation.MALADIE.value), None


def _fr(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else "(vide)"


def _line_reasons(old: list[dict], new: list[dict]) -> list[str]:
    out: list[str] = []
    old_by_id = {l["article_id"]: l for l in old}
    new_by_id = {l["article_id"]: l for l in new}
    for aid, l in new_by_id.items():
        if aid not in old_by_id:
            out.append(f"Article ajouté : {l['libelle']}.")
    for aid, l in old_by_id.items():
        if aid not in new_by_id:
            out.append(f"Article supprimé : {l['libelle']}.")
    for aid, l in new_by_id.items():
        o = old_by_id.get(aid)
        if o is None:
            continue
        name = l["libelle"]
        if o["price"] != l["price"] or o["qty"] != l["qty"]:
            out.append(f"Prix modifié : {name} ({format_euros(o['price'] * o['qty'])} → "
                       f"{format_euros(l['price'] * l['qty'])}).")
        if (o["rc1"], o["rc2"]) != (l["rc1"], l["rc2"]):
            out.append(f"Montant mutuelle (RC) modifié : {name} ({format_euros(o['rc1'] + o['rc2'])} → "
                       f"{format_euros(l['rc1'] + l['rc2'])}).")
        if o["lpp"] != l["lpp"] or o["prestation"] != l["prestation"]:
            out.append(f"Code LPP ou acte modifié : {name}.")
        if o["rb"] != l["rb"]:
            out.append(f"Case « Rb » modifiée : {name}.")
        if o["libelle"] != l["libelle"]:
            out.append(f"Libellé modifié : {o['libelle']} → {name}.")
    return out


def _reasons(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if old.get("beneficiaire_id") != new["beneficiaire_id"]:
        out.append("Bénéficiaire modifié.")
    if old.get("acte") != new["acte"]:
        out.append(f"Date de l'acte modifiée ({_fr(old.get('acte'))} → {_fr(new['acte'])}).")
    if old.get("ordo") != new["ordo"]:
        out.append(f"Date d'ordonnance modifiée ({_fr(old.get('ordo'))} → {_fr(new['ordo'])}).")
    out += _line_reasons(old.get("lines", []), new["lines"])
    if (old.get("tp_ro"), old.get("tp_rc")) != (new["tp_ro"], new["tp_rc"]):
        out.append("Tiers payant RO/RC modifié.")
    if old.get("contrat_responsable", True) != new["contrat_responsable"]:
        out.append("Contrat responsable / non responsable modifié.")
    return out


class CheckState:
    """The last rate check of a dossier and whether it still matches the dossier."""

    def __init__(self, dossier: Dossier, articles: list[Article], ordonnance: Ordonnance | None) -> None:
        self.row = latest_rate_check(dossier)
        self.reasons: tuple[str, ...] = ()
        self.fresh = False
        if self.row is None:
            return
        situation, table = stored_situation(self.row)
        self.situation, self.rate_table = situation, table
        now = current_inputs(dossier, articles, ordonnance)
        current_fp = fingerprint(tarif_request(dossier, articles, situation, table, dossier.consultation_date))
        stored = (self.row.results or {}).get("inputs")
        reasons = _reasons(stored, now) if stored else []
        if current_fp != self.row.fingerprint and not reasons:
            reasons = ["Le dossier a changé depuis la dernière vérification du taux (prix, articles ou RC)."]
        self.reasons = tuple(reasons)
        self.fresh = not reasons

    def status(self) -> RateCheckStatusDTO:
        if self.row is None:
            return RateCheckStatusDTO(exists=False)
        results = self.row.results or {}
        return RateCheckStatusDTO(exists=True, checked_at=self.row.checked_at, is_stale=not self.fresh,
                                  stale_reasons=self.reasons, taux=self.row.taux,
                                  situation_label=results.get("situation_label", ""),
                                  mode_securisation=self.row.mode_securisation)


def rate_check_status(dossier: Dossier) -> RateCheckStatusDTO:
    return CheckState(dossier, articles_of(dossier), ordonnance_of(dossier)).status()


def prescriber_kind(specialite: str) -> PrescriberKind:
    """Orthoptists' prescriptions have their own validity (prescription.py)."""
    return PrescriberKind.ORTHOPTISTE if specialite.strip().lower() in ("orthoptiste", "or", "orth") \
        else PrescriberKind.OPHTALMOLOGISTE
