"""Card / ADRi data <-> VitaleRead snapshots <-> the rights used for a rate check (internal helpers).

Which rights count for an Acte date (INFERRED, documented for the screens):
1. the latest ADRi snapshot whose one-year window covers the Acte date (ADRi is the freshest source and
   keeps the garantie de paiement, DOMAIN.md 9);
2. else the latest card read (lecture or appli carte Vitale);
3. else the latest ADRi snapshot of any date.
Forçages (Service AMO = C2S forced or cancelled, Maternité fin forcée) are applied on top.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from core.domain.birthdate import format_birth_date
from core.engine.types import (AdriAnswer, AldPeriod, AmcData, AtData, CardBeneficiary, Identity, Period, Rights,
                               ServiceAmo, VitaleCard)
from core.models import Beneficiaire, VitaleRead
from core.services.counter_dto import AldPeriodDTO, PeriodDTO, ServiceAmoDTO, VitaleSnapshotDTO

__all__ = ["snapshot_from_card", "snapshot_from_adri", "rights_from_snapshot", "load_snapshot", "resolve_rights",
           "apply_forcages", "ResolvedRights", "display_birth", "rights_differences"]


def display_birth(canonical: str) -> str:
    """"JJ/MM/AAAA"; a card birth date without century ("AAMMJJ") becomes "JJ/MM/AA" until the
    "Forçage Siècle Naissance" gives it one (the lint blocks the FSE meanwhile)."""
    if len(canonical) == 6 and canonical.isdigit():
        return f"{canonical[4:6]}/{canonical[2:4]}/{canonical[:2]}"
    try:
        return format_birth_date(canonical)
    except Exception:  # noqa: BLE001 - a card value we cannot format is shown as read
        return canonical


def _periods(periods: tuple[Period, ...]) -> tuple[PeriodDTO, ...]:
    return tuple(PeriodDTO(debut=p.debut, fin=p.fin) for p in periods)


def _rights_fields(r: Rights) -> dict[str, Any]:
    amc = r.amc
    return {
        "amo_periods": _periods(r.amo_periods),
        "ald": tuple(AldPeriodDTO(debut=a.debut, fin=a.fin, code=a.code, situation=a.situation) for a in r.ald),
        "service_amo": ServiceAmoDTO(code=r.service_amo.code, debut=r.service_amo.debut, fin=r.service_amo.fin)
        if r.service_amo else None,
        "statut": r.statut,
        "mutuelle_periods": _periods(r.mutuelle_periods),
        "amc_numero_adherent": amc.numero_adherent if amc else "",
        "amc_numero": amc.numero_amc if amc else "",
        "amc": amc.model_dump(mode="json") if amc else {},
        "maternite": PeriodDTO(debut=r.maternite.debut, fin=r.maternite.fin) if r.maternite else None,
        "at_gest_risque": r.at.gest_risque if r.at else "", "at_gest_at1": r.at.gest_at1 if r.at else "",
        "at_id_at1": r.at.id_at1 if r.at else "", "at_gest_at2": r.at.gest_at2 if r.at else "",
        "at_id_at2": r.at.id_at2 if r.at else "",
        "medecin_traitant": r.medecin_traitant,
    }


def _identity_fields(i: Identity) -> dict[str, Any]:
    return {"nom": i.nom, "prenom": i.prenom, "patronyme": i.patronyme or i.nom, "birth_date": display_birth(i.birth_date),
            "nir": i.nir_certifie, "nir_key": i.nir_certifie_key, "certifie": bool(i.nir_certifie),
            "date_certif": i.date_certif, "qualite": i.qualite, "rang": i.rang, "century_missing": i.century_missing}


def snapshot_from_card(card: VitaleCard, b: CardBeneficiary, read_at: datetime) -> VitaleSnapshotDTO:
    rights = b.rights if b.rights.at or card.at is None else b.rights.model_copy(update={"at": card.at})
    return VitaleSnapshotDTO(
        kind="apcv" if card.apcv else "lecture", read_at=read_at, regime=card.organisme.regime,
        caisse=card.organisme.caisse, centre=card.organisme.centre, libelle=card.organisme.libelle,
        type_carte=card.type_carte, numero_serie=card.numero_serie, validite=card.validite,
        adresse=b.adresse, assure_nom=card.nom_assure, assure_prenom=card.prenom_assure, assure_nir=card.nir,
        assure_nir_key=card.nir_key, id_porteur=card.id_porteur, **_identity_fields(b.identity),
        **_rights_fields(rights))


def snapshot_from_adri(a: AdriAnswer, read_at: datetime) -> VitaleSnapshotDTO:
    return VitaleSnapshotDTO(
        kind="adri", read_at=read_at, window_start=a.window_start, window_end=a.window_end,
        regime=a.organisme.regime, caisse=a.organisme.caisse, centre=a.organisme.centre, libelle=a.organisme.libelle,
        adresse=a.adresse, assure_nom=a.nom_assure, assure_prenom=a.prenom_assure, assure_nir=a.nir,
        assure_nir_key=a.nir_key, messages=a.messages, **_identity_fields(a.identity), **_rights_fields(a.rights))


def rights_from_snapshot(s: VitaleSnapshotDTO) -> Rights:
    amc = None
    if s.amc:
        amc = AmcData.model_validate(s.amc)
    elif s.amc_numero or s.amc_numero_adherent:
        amc = AmcData(numero_amc=s.amc_numero, numero_adherent=s.amc_numero_adherent)
    at = None
    if any((s.at_gest_risque, s.at_gest_at1, s.at_id_at1, s.at_gest_at2, s.at_id_at2)):
        at = AtData(gest_risque=s.at_gest_risque, gest_at1=s.at_gest_at1, id_at1=s.at_id_at1, gest_at2=s.at_gest_at2,
                    id_at2=s.at_id_at2)
    return Rights(
        amo_periods=tuple(Period(debut=p.debut, fin=p.fin) for p in s.amo_periods),
        ald=tuple(AldPeriod(debut=a.debut, fin=a.fin, code=a.code, situation=a.situation) for a in s.ald),
        service_amo=ServiceAmo(code=s.service_amo.code, debut=s.service_amo.debut, fin=s.service_amo.fin)
        if s.service_amo else None,
        statut=s.statut, mutuelle_periods=tuple(Period(debut=p.debut, fin=p.fin) for p in s.mutuelle_periods),
        amc=amc, maternite=Period(debut=s.maternite.debut, fin=s.maternite.fin) if s.maternite else None, at=at,
        medecin_traitant=s.medecin_traitant)


def load_snapshot(row: VitaleRead) -> VitaleSnapshotDTO:
    snap = VitaleSnapshotDTO.model_validate(row.snapshot or {})
    read_at = row.read_at if isinstance(row.read_at, datetime) else datetime.fromisoformat(str(row.read_at))
    return snap.model_copy(update={"kind": row.kind, "read_at": read_at,
                                   "window_start": row.window_start or snap.window_start,
                                   "window_end": row.window_end or snap.window_end})


class ResolvedRights:
    def __init__(self, rights: Rights | None, source: Literal["adri", "lecture", "apcv", "aucune"],
                 snapshot: VitaleSnapshotDTO | None, read_id: int | None) -> None:
        self.rights = rights
        self.source = source
        self.snapshot = snapshot
        self.read_id = read_id


def resolve_rights(benef: Beneficiaire, acte: date) -> ResolvedRights:
    reads = list(VitaleRead.select().where(VitaleRead.beneficiaire == benef.id)
                 .order_by(VitaleRead.read_at.desc(), VitaleRead.id.desc()))
    adri = [r for r in reads if r.kind == "adri"]
    covering = [r for r in adri if r.window_start and r.window_end and r.window_start <= acte <= r.window_end]
    card = [r for r in reads if r.kind in ("lecture", "apcv")]
    for group in (covering, card, adri):
        if group:
            row = group[0]
            snap = load_snapshot(row)
            return ResolvedRights(rights_from_snapshot(snap), row.kind, snap, row.id)
    return ResolvedRights(None, "aucune", None, None)


def apply_forcages(rights: Rights | None, forcages: dict[str, Any]) -> Rights | None:
    """Service AMO and Maternité forçages on top of the card/ADRi rights."""
    if rights is None:
        return None
    update: dict[str, Any] = {}
    svc = forcages.get("service_amo")
    if svc:
        update["service_amo"] = ServiceAmo(code=svc.get("code", "00"), debut=_d(svc.get("debut")), fin=_d(svc.get("fin")))
    mat = forcages.get("maternite")
    if mat and mat.get("fin_forcee"):
        base = rights.maternite or Period()
        update["maternite"] = Period(debut=base.debut, fin=_d(mat["fin_forcee"]))
    return rights.model_copy(update=update) if update else rights


def _d(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def rights_differences(card: Rights | None, server: Rights, on: date) -> tuple[str, ...]:
    """What ADRi says that the card did not (shown after an automatic ADRi)."""
    out: list[str] = []
    if card is None:
        return ()
    if server.ald_on(on) and not card.ald_on(on):
        out.append("ALD présente sur le serveur ADRi, absente de la carte Vitale.")
    if card.ald_on(on) and not server.ald_on(on):
        out.append("ALD de la carte Vitale inconnue du serveur ADRi.")
    if server.c2s_on(on) != card.c2s_on(on):
        out.append("C2S : " + ("ouverte" if server.c2s_on(on) else "fermée") + " selon le serveur ADRi, "
                   + ("ouverte" if card.c2s_on(on) else "absente") + " sur la carte Vitale.")
    if server.amo_open_on(on) and not card.amo_open_on(on):
        out.append("Droits AMO ouverts selon le serveur ADRi (carte Vitale périmée ou non mise à jour).")
    return tuple(out)
