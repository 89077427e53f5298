"""SESAM-Vitale forçages (button "SESAM-Vitale" of Détail remboursements, manual §III.B).

Maternité (fin forcée), Service AMO (force / cancel the C2S, "Supprimer le forçage"), Situation ETM
(dégradé only), Siècle naissance, Attestation AMC. Stored in Dossier.forcages / Dossier.attestation_amc;
each change is one transaction with an audit row ``forcage.<name>`` holding the values before and after.
They apply to the next Vérif. taux (the change makes no rate check stale by itself: re-run Vérif. taux).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from core.domain.birthdate import format_birth_date
from core.errors import LunetierError, ValidationError
from core.models import Beneficiaire, Dossier
from core.services.base import ServiceContext
from core.services.counter_choices import SERVICE_AMO_CHOICES
from core.services.counter_dto import (AttestationAmc, ForcagesDTO, MaterniteForcageDTO, ServiceAmoDTO,
                                       ServiceAmoForcageDTO, SiecleNaissanceDTO, SituationEtmDTO)
from core.services.counter_lines import latest_rate_check
from core.services.counter_rights import resolve_rights
from core.services.counter_rows import FORCAGE_LABELS, get_dossier
from core.services.counter_choices import TAUX_EXONERATION_CHOICES

__all__ = ["ForcageService", "current_mode"]

ETM_DEGRADE_ONLY = "Situation ETM : forçage possible en mode dégradé uniquement (Mode Sécurisation DEGRADE)."


def current_mode(dossier: Dossier) -> str:
    """The Mode Sécurisation in force: last Vérif. taux, else from the card's presence."""
    rc = latest_rate_check(dossier)
    if rc is not None:
        return rc.mode_securisation
    return "SESAM_VITALE" if dossier.card_present else "DEGRADE"


class ForcageService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def get(self, dossier_id: int) -> ForcagesDTO:
        dossier = get_dossier(self.ctx, dossier_id)
        return forcages_dto(dossier)

    def force_maternite(self, dossier_id: int, fin_forcee: date | None) -> ForcagesDTO:
        """"Forçage Maternité": Fin Forcée (None = back to the Fin Théorique)."""
        def change(dossier: Dossier, f: dict) -> None:
            if fin_forcee is None:
                f.pop("maternite", None)
                return
            theo = forcages_dto(dossier).maternite
            rights = _rights(dossier)
            debut = rights.maternite.debut if rights is not None and rights.maternite else None
            if debut is not None and fin_forcee < debut:
                raise ValidationError(f"Fin forcée ({fin_forcee:%d/%m/%Y}) antérieure au début de la maternité "
                                      f"({debut:%d/%m/%Y}).", log="maternite fin before debut", code="FORCAGE")
            f["maternite"] = {"fin_forcee": fin_forcee.isoformat(),
                              "fin_theorique": theo.fin_theorique.isoformat() if theo.fin_theorique else None}
        return self._apply(dossier_id, "forcage.maternite", change)

    def force_service_amo(self, dossier_id: int, code: str, debut: date | None = None,
                          fin: date | None = None) -> ForcagesDTO:
        """"Forçage Service AMO": force ("01" C2S...) or cancel ("00") the C2S of the Vitale data."""
        if code not in {c.code for c in SERVICE_AMO_CHOICES}:
            raise ValidationError(f"Code Service AMO « {code} » inconnu.", log=f"service amo {code!r}", code="FORCAGE")
        if debut and fin and fin < debut:
            raise ValidationError("Date Fin antérieure à la Date Début.", log="service amo dates", code="FORCAGE")

        def change(dossier: Dossier, f: dict) -> None:
            f["service_amo"] = {"code": code, "debut": debut.isoformat() if debut else None,
                                "fin": fin.isoformat() if fin else None}
        return self._apply(dossier_id, "forcage.service_amo", change)

    def remove_service_amo(self, dossier_id: int) -> ForcagesDTO:
        """"Supprimer le forçage" of the Service AMO dialog."""
        def change(dossier: Dossier, f: dict) -> None:
            if "service_amo" not in f:
                raise ValidationError("Aucun forçage du Service AMO à supprimer.", log="no service amo forcage",
                                      code="FORCAGE")
            f.pop("service_amo")
        return self._apply(dossier_id, "forcage.service_amo.suppression", change)

    def force_situation_etm(self, dossier_id: int, taux_exoneration: str | None) -> ForcagesDTO:
        """"Situation ETM / Taux Exonération" (dégradé only); None removes the forçage."""
        if taux_exoneration is not None and taux_exoneration not in {c.code for c in TAUX_EXONERATION_CHOICES}:
            raise ValidationError(f"Taux d'exonération « {taux_exoneration} » inconnu.", log="bad taux exo",
                                  code="FORCAGE")

        def change(dossier: Dossier, f: dict) -> None:
            if current_mode(dossier) != "DEGRADE":
                raise ValidationError(ETM_DEGRADE_ONLY, log="ETM forcage in SV mode", code="FORCAGE")
            if taux_exoneration is None:
                f.pop("situation_etm", None)
            else:
                f["situation_etm"] = {"taux_exoneration": taux_exoneration}
        return self._apply(dossier_id, "forcage.situation_etm", change)

    def force_siecle_naissance(self, dossier_id: int, birth_date: str | None) -> ForcagesDTO:
        """"Forçage Siècle Naissance": only the century may change (day, month, 2-digit year kept)."""
        def change(dossier: Dossier, f: dict) -> None:
            if birth_date is None:
                f.pop("siecle_naissance", None)
                return
            benef = _benef(dossier)
            try:
                forced = format_birth_date(birth_date)
            except LunetierError as exc:
                raise ValidationError(exc.message_fr, log=exc.log, code="FORCAGE") from exc
            read = benef.birth_date
            if len(read) not in (8, 10) or forced[:6] != read[:6] or forced[-2:] != read[-2:]:
                raise ValidationError(f"Seul le siècle peut être forcé : la date lue est {read}.",
                                      log="siecle forcage changes more than the century", code="FORCAGE")
            f["siecle_naissance"] = {"birth_date": forced}
        return self._apply(dossier_id, "forcage.siecle_naissance", change)

    def set_attestation_amc(self, dossier_id: int, attestation: AttestationAmc | None) -> ForcagesDTO:
        """"Attestation AMC" dialog (every field); None clears it."""
        with self.ctx.write():
            dossier = _editable(self.ctx, dossier_id)
            before = dossier.attestation_amc
            after = attestation.model_dump(mode="json") if attestation is not None else None
            Dossier.update(attestation_amc=after, updated_at=self.ctx.clock.now()).where(
                Dossier.id == dossier.id).execute()
            self.ctx.audit("forcage.attestation_amc", entity="dossier", entity_id=dossier.id,
                           details={"avant": before, "apres": after})
        return self.get(dossier_id)

    # --- internals ----------------------------------------------------------------------------------------
    def _apply(self, dossier_id: int, action: str, change) -> ForcagesDTO:
        with self.ctx.write():
            dossier = _editable(self.ctx, dossier_id)
            before = dict(dossier.forcages or {})
            after = {k: (dict(v) if isinstance(v, dict) else v) for k, v in before.items()}
            change(dossier, after)
            key = action.split(".")[1]
            Dossier.update(forcages=after, updated_at=self.ctx.clock.now()).where(Dossier.id == dossier.id).execute()
            self.ctx.audit(action, entity="dossier", entity_id=dossier.id,
                           details={"forcage": FORCAGE_LABELS.get(key, key), "avant": before.get(key),
                                    "apres": after.get(key)})
        return self.get(dossier_id)


def _editable(ctx: ServiceContext, dossier_id: int) -> Dossier:
    dossier = get_dossier(ctx, dossier_id)
    if dossier.state == "facture":
        raise ValidationError("Dossier facturé : faites un avoir pour modifier les forçages.",
                              log="forcage on invoiced dossier", code="FACTURE")
    return dossier


def _benef(dossier: Dossier) -> Beneficiaire:
    if dossier.beneficiaire_id is None:
        raise ValidationError("Aucun bénéficiaire sur ce dossier : lisez la carte Vitale.", log="no beneficiary",
                              code="BENEFICIAIRE")
    return Beneficiaire.get_by_id(dossier.beneficiaire_id)


def _rights(dossier: Dossier):
    if dossier.beneficiaire_id is None:
        return None
    return resolve_rights(Beneficiaire.get_by_id(dossier.beneficiaire_id), dossier.consultation_date).rights


def _d(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def forcages_dto(dossier: Dossier) -> ForcagesDTO:
    f = dossier.forcages or {}
    rights = _rights(dossier)
    svc = rights.service_amo if rights is not None else None
    forced_svc = f.get("service_amo")
    mode = current_mode(dossier)
    benef = Beneficiaire.get_or_none(Beneficiaire.id == dossier.beneficiaire_id) if dossier.beneficiaire_id else None
    snap = resolve_rights(benef, dossier.consultation_date).snapshot if benef else None
    actifs = tuple(label for key, label in FORCAGE_LABELS.items() if f.get(key))
    attestation = AttestationAmc.model_validate(dossier.attestation_amc) if dossier.attestation_amc else None
    if attestation is not None:
        actifs += ("Attestation AMC",)
    return ForcagesDTO(
        dossier_id=dossier.id,
        maternite=MaterniteForcageDTO(
            fin_theorique=rights.maternite.fin if rights is not None and rights.maternite else None,
            fin_forcee=_d((f.get("maternite") or {}).get("fin_forcee"))),
        situation_etm=SituationEtmDTO(taux_exoneration=(f.get("situation_etm") or {}).get("taux_exoneration"),
                                      allowed=mode == "DEGRADE", reason_fr="" if mode == "DEGRADE" else ETM_DEGRADE_ONLY),
        service_amo=ServiceAmoForcageDTO(
            carte=ServiceAmoDTO(code=svc.code, debut=svc.debut, fin=svc.fin) if svc else ServiceAmoDTO(code="00"),
            forcage=ServiceAmoDTO(code=forced_svc["code"], debut=_d(forced_svc.get("debut")),
                                  fin=_d(forced_svc.get("fin"))) if forced_svc else None),
        siecle_naissance=SiecleNaissanceDTO(
            date_naissance=benef.birth_date if benef else "",
            forcee=(f.get("siecle_naissance") or {}).get("birth_date"),
            century_missing=bool(snap.century_missing) if snap else False),
        attestation_amc=attestation, actifs=actifs)
