"""Carte Vitale, appli carte Vitale (ApCV), CPS code and ADRi (manual §I-II).

ADRi modes (Paramètres > Sesam Vitale > Paramétrage du PS, ``PsSettings.adri_mode``):
- ``cible`` (default): automatic calls when needed - card expired or without open AMO rights at the read,
  Tiers Payant entry, Vérif. taux, invoicing, and whenever the last ADRi of the beneficiary was not made
  today ("new day": the window always ends on the query date, manual §II);
- ``systematique``: at every card read, Vérif. taux, invoicing and Tiers Payant entry;
- ``manuel``: only on the ADRi button (and for ApCV, which has no card data).
An ADRi failure never stops the counter: the outcome DTO says why and suggests "L'assuré a présenté sa
carte Vitale" (manual §III.A).

ApCV payload (demo QR code), either text ``APCV1|<NIR 13 or 15 chars>|<birth JJ/MM/AAAA or AAAAMMJJ>|<rang>``
e.g. ``APCV1|255069999999934|15/06/1955|1``, or JSON
``{"format": "APCV1", "nir": "2550699999999", "birth_date": "19550615", "rang": 1}``.
The rights always come from ADRi (DOMAIN.md 2.3: ApCV flows use ADRi).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from stdnum.fr import nir as stdnum_nir

from core.domain.birthdate import parse_birth_date
from core.domain.nir import normalize_rang, parse_nir
from core.engine.errors import CODE_ADRI_UNKNOWN, AdriUnavailable, CpsRequired
from core.engine.types import AdriAnswer, AdriQuery, CardBeneficiary, Identity, Organisme, Rights, VitaleCard
from core.errors import EngineError, LunetierError, ValidationError
from core.models import Assure, Beneficiaire, Client, Organism, VitaleRead
from core.services.base import ServiceContext
from core.services.counter_dto import (AdriOutcomeDTO, BeneficiaryChoiceDTO, BeneficiarySelectionDTO, CardReadDTO,
                                       CpsDTO, OrganismeDTO, VitaleDetailDTO)
from core.services.counter_rights import (display_birth, load_snapshot, rights_differences,
                                          rights_from_snapshot, snapshot_from_adri, snapshot_from_card)
from core.services.counter_rows import beneficiary_dto, get_beneficiaire, get_dossier, vitale_info
from core.services.settings import SettingsService

__all__ = ["VitaleService", "AdriCall", "parse_apcv_payload", "card_matches", "TRIGGERS"]

TRIGGERS = ("lecture", "tp", "verif_taux", "facturation", "manuel", "apcv")
_SNAPSHOT_EXCLUDE = {"kind", "read_at", "window_start", "window_end"}


@dataclass(frozen=True)
class AdriCall:
    """An ADRi made before a write transaction; ``store`` it inside the caller's transaction."""
    outcome: AdriOutcomeDTO
    answer: AdriAnswer | None


def parse_apcv_payload(payload: str) -> tuple[str, str, str, int]:
    """-> (nir13, key, canonical birth date, rang). ValidationError in French on a bad payload."""
    text = (payload or "").strip()
    try:
        if text.startswith("{"):
            data = json.loads(text)
            if data.get("format") != "APCV1":
                raise ValueError("format")
            nir, birth, rang = str(data["nir"]), str(data["birth_date"]), data.get("rang", 1)
        else:
            parts = text.split("|")
            if len(parts) != 4 or parts[0] != "APCV1":
                raise ValueError("parts")
            nir, birth, rang = parts[1], parts[2], parts[3]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValidationError("Code de l'appli carte Vitale illisible (format APCV1 attendu).",
                              log="unreadable ApCV payload", code="APCV") from None
    nir = nir.replace(" ", "")
    if len(nir) == 13:
        nir = nir + stdnum_nir.calc_check_digits(nir)
    parsed = parse_nir(nir)
    return parsed.digits13, parsed.key, parse_birth_date(birth), normalize_rang(rang)


def _canonical_birth(text: str) -> str:
    try:
        return parse_birth_date(text)
    except LunetierError:
        return text


class VitaleService:
    def __init__(self, ctx: ServiceContext, engine: Any) -> None:
        self.ctx = ctx
        self.engine = engine

    # --- CPS ----------------------------------------------------------------------------------------------
    def unlock_cps(self, reader: Any, pin: str) -> CpsDTO:
        """"Demande du code CPS" (manual §I): verify the 4-digit code and open the day's CPS session.
        CardError (wrong code with tries left, blocked card) is raised with a French message."""
        cps = self.engine.open_session(reader, pin, self.ctx.clock.today())
        return CpsDTO(nom=cps.nom, prenom=cps.prenom, numero_am=cps.numero_am, rpps=cps.rpps, specialite=cps.specialite)

    def cps_session(self) -> CpsDTO | None:
        """The CPS session of today, or None: the screen then asks the CPS code."""
        cps = self.engine.session(self.ctx.clock.today())
        if cps is None:
            return None
        return CpsDTO(nom=cps.nom, prenom=cps.prenom, numero_am=cps.numero_am, rpps=cps.rpps, specialite=cps.specialite)

    # --- card reads ---------------------------------------------------------------------------------------
    def read_card(self, reader: Any) -> CardReadDTO:
        """"Lire la Carte Vitale": store the read (one VitaleRead "lecture" per bénéficiaire, Assuré and
        Bénéficiaire rows upserted) and list the bénéficiaires for "Choix du bénéficiaire"."""
        card = self.engine.read_vitale(reader)
        now = self.ctx.clock.now()
        with self.ctx.write():
            pairs = self._upsert_card(card, now)
        return self._card_dto(card, pairs, now, None)

    def read_apcv(self, payload: str) -> CardReadDTO:
        """"Lire l'appli Carte Vitale": identity from the app, rights from ADRi (required)."""
        nir, key, birth, rang = parse_apcv_payload(payload)
        today = self.ctx.clock.today()
        try:
            answer = self.engine.query_rights(AdriQuery(nir=nir, nir_key=key, birth_date=birth, rang=rang, on=today))
        except AdriUnavailable as exc:
            raise EngineError(f"Lecture de l'appli carte Vitale impossible : {exc.reason_fr}. Utilisez la carte "
                              "Vitale physique ou une autre pièce justificative.", log=exc.log, code=exc.code) from exc
        card = VitaleCard(
            type_carte="Appli carte Vitale", numero_serie="APCV-" + hashlib.sha256(payload.encode()).hexdigest()[:10],
            organisme=answer.organisme, nir=answer.nir, nir_key=answer.nir_key, nom_assure=answer.nom_assure,
            prenom_assure=answer.prenom_assure,
            beneficiaries=(CardBeneficiary(identity=answer.identity, adresse=answer.adresse, rights=answer.rights),),
            apcv=True)
        now = self.ctx.clock.now()
        with self.ctx.write():
            pairs = self._upsert_card(card, now)
            read_id = self._store_answer(pairs[0][1], answer, now)
        outcome = AdriOutcomeDTO(status="ok", trigger="apcv", queried_on=today, window_start=answer.window_start,
                                 window_end=answer.window_end, vitale_read_id=read_id,
                                 message_fr=_ok_message(answer), suggested_piece_justif_amo="adr")
        return self._card_dto(card, pairs, now, outcome)

    def select_beneficiary(self, beneficiaire_id: int, consultation_date: date | None = None) -> BeneficiarySelectionDTO:
        """"Choix du bénéficiaire" -> Valider: link/create the Client, run ADRi if the mode asks for it."""
        benef = get_beneficiaire(self.ctx, beneficiaire_id)
        on = consultation_date or self.ctx.clock.today()
        call = self.adri_if_needed(benef, "lecture")
        with self.ctx.write():
            client = self.upsert_client(benef)
            if call is not None:
                call = self.store(benef, call)
        benef = Beneficiaire.get_by_id(benef.id)
        return BeneficiarySelectionDTO(beneficiaire=beneficiary_dto(benef, None, self.ctx.clock.today()),
                                       client_id=client.id, info=vitale_info(benef, on, True),
                                       adri=call.outcome if call else None)

    def adri(self, beneficiaire_id: int) -> AdriOutcomeDTO:
        """The ADRi button of "Détail Informations Vitale" (any mode)."""
        benef = get_beneficiaire(self.ctx, beneficiaire_id)
        call = self.adri_if_needed(benef, "manuel")
        assert call is not None
        if call.answer is not None:
            with self.ctx.write():
                call = self.store(benef, call)
        return call.outcome

    def detail(self, beneficiaire_id: int) -> VitaleDetailDTO:
        """"Détail Informations Vitale": tab lecture (card or ApCV) and tab ADRi."""
        benef = get_beneficiaire(self.ctx, beneficiaire_id)
        reads = list(VitaleRead.select().where(VitaleRead.beneficiaire == benef.id)
                     .order_by(VitaleRead.read_at.desc(), VitaleRead.id.desc()))
        lecture = next((r for r in reads if r.kind in ("lecture", "apcv")), None)
        adri = next((r for r in reads if r.kind == "adri"), None)
        return VitaleDetailDTO(beneficiaire_id=benef.id, lecture=load_snapshot(lecture) if lecture else None,
                               adri=load_snapshot(adri) if adri else None)

    def check_card(self, dossier_id: int, reader: Any) -> None:
        """Refuse a card that is not the dossier's bénéficiaire's (card swapped during the flow)."""
        dossier = get_dossier(self.ctx, dossier_id)
        if dossier.beneficiaire_id is None:
            return
        card = self.engine.read_vitale(reader)
        benef = Beneficiaire.get_by_id(dossier.beneficiaire_id)
        if not card_matches(card, benef):
            raise EngineError("La carte Vitale présente n'est pas celle du bénéficiaire du dossier : réinsérez la "
                              "bonne carte ou passez en mode dégradé.", log="card swapped", code="CARTE_DIFFERENTE")

    # --- ADRi for the other services -----------------------------------------------------------------------
    def adri_mode(self) -> str:
        return SettingsService(self.ctx).get().ps.adri_mode

    def adri_needed(self, benef: Beneficiaire, trigger: str) -> bool:
        mode = self.adri_mode()
        if trigger in ("manuel", "apcv"):
            return True
        if mode == "manuel":
            return False
        if mode == "systematique":
            return True
        today = self.ctx.clock.today()
        if trigger == "lecture":
            last = (VitaleRead.select().where((VitaleRead.beneficiaire == benef.id) & (VitaleRead.kind == "lecture"))
                    .order_by(VitaleRead.read_at.desc(), VitaleRead.id.desc()).first())
            if last is None:
                return False
            snap = load_snapshot(last)
            expired = snap.validite is not None and snap.validite < today
            return expired or not rights_from_snapshot(snap).amo_open_on(today)
        return not (VitaleRead.select().where((VitaleRead.beneficiaire == benef.id) & (VitaleRead.kind == "adri")
                                              & (VitaleRead.window_end == today)).exists())

    def adri_if_needed(self, benef: Beneficiaire, trigger: str) -> AdriCall | None:
        """Ask the engine (no database write): None when the mode says no call is needed."""
        if not self.adri_needed(benef, trigger):
            return None
        today = self.ctx.clock.today()
        query = self._query(benef, today)
        try:
            answer = self.engine.query_rights(query)
        except AdriUnavailable as exc:
            return AdriCall(AdriOutcomeDTO(
                status="indisponible", trigger=trigger, queried_on=today, suggested_piece_justif_amo="carte_vitale",
                message_fr=f"{exc.message_fr}. Poursuivez avec « L'assuré a présenté sa carte Vitale »."), None)
        except CpsRequired as exc:
            return AdriCall(AdriOutcomeDTO(status="cps_requise", trigger=trigger, queried_on=today,
                                           message_fr=exc.message_fr, suggested_piece_justif_amo="carte_vitale"), None)
        except EngineError as exc:
            status = "inconnu" if exc.code == CODE_ADRI_UNKNOWN else "indisponible"
            return AdriCall(AdriOutcomeDTO(status=status, trigger=trigger, queried_on=today,
                                           message_fr=exc.message_fr, suggested_piece_justif_amo="carte_vitale"), None)
        card_rights = query.card.rights if query.card else None
        return AdriCall(AdriOutcomeDTO(status="ok", trigger=trigger, queried_on=today, window_start=answer.window_start,
                                       window_end=answer.window_end, message_fr=_ok_message(answer),
                                       differences=rights_differences(card_rights, answer.rights, today)), answer)

    def store(self, benef: Beneficiaire, call: AdriCall) -> AdriCall:
        """Inside the caller's write transaction: VitaleRead "adri" + bénéficiaire rights columns."""
        if call.answer is None:
            return call
        read_id = self._store_answer(benef, call.answer, self.ctx.clock.now())
        return AdriCall(call.outcome.model_copy(update={"vitale_read_id": read_id}), call.answer)

    # --- internals ----------------------------------------------------------------------------------------
    def _query(self, benef: Beneficiaire, on: date) -> AdriQuery:
        assure: Assure = benef.assure
        org = Organism.get_or_none(Organism.id == assure.organism_id) if assure.organism_id else None
        organisme = Organisme(regime=org.regime, caisse=org.caisse, centre=org.centre, libelle=org.libelle) if org else None
        card = None
        last = (VitaleRead.select().where((VitaleRead.beneficiaire == benef.id)
                                          & (VitaleRead.kind.in_(("lecture", "apcv"))))
                .order_by(VitaleRead.read_at.desc(), VitaleRead.id.desc()).first())
        if last is not None:
            snap = load_snapshot(last)
            card = CardBeneficiary(identity=Identity(nom=snap.nom or benef.nom, prenom=snap.prenom, patronyme=snap.patronyme,
                                                     birth_date=_canonical_birth(benef.birth_date), rang=benef.rang,
                                                     qualite=benef.qualite), adresse=snap.adresse,
                                   rights=rights_from_snapshot(snap))
        return AdriQuery(nir=assure.nir, nir_key=assure.nir_key, birth_date=_canonical_birth(benef.birth_date),
                         rang=benef.rang, qualite=benef.qualite, on=on, organisme=organisme, card=card,
                         nom=assure.nom, prenom=assure.prenom)

    def _store_answer(self, benef: Beneficiaire, answer: AdriAnswer, now: datetime) -> int:
        snap = snapshot_from_adri(answer, now)
        row = VitaleRead.create(beneficiaire=benef.id, kind="adri", read_at=now, window_start=answer.window_start,
                                window_end=answer.window_end,
                                snapshot=snap.model_dump(mode="json", exclude=_SNAPSHOT_EXCLUDE))
        _update_rights_columns(benef.id, answer.rights, answer.queried_on)
        if answer.organisme:
            org, _ = Organism.get_or_create(regime=answer.organisme.regime, caisse=answer.organisme.caisse,
                                            centre=answer.organisme.centre,
                                            defaults={"libelle": answer.organisme.libelle})
            Assure.update(organism=org.id).where(Assure.id == benef.assure_id).execute()
        return row.id

    def _upsert_card(self, card: VitaleCard, now: datetime) -> list[tuple[int, Beneficiaire]]:
        org, _ = Organism.get_or_create(regime=card.organisme.regime, caisse=card.organisme.caisse,
                                        centre=card.organisme.centre, defaults={"libelle": card.organisme.libelle})
        holder = next((b for b in card.beneficiaries if b.identity.qualite == 0), card.beneficiaries[0])
        nom = card.nom_assure or holder.identity.nom
        prenom = card.prenom_assure or holder.identity.prenom
        assure = Assure.get_or_none((Assure.store == self.ctx.store) & (Assure.nir == card.nir))
        if assure is None:
            assure = Assure.create(store=self.ctx.store, nir=card.nir, nir_key=card.nir_key, nom=nom, prenom=prenom,
                                   organism=org.id, medecin_traitant=holder.rights.medecin_traitant)
        else:
            Assure.update(nir_key=card.nir_key, nom=nom, prenom=prenom, organism=org.id).where(
                Assure.id == assure.id).execute()
        pairs = []
        for index, cb in enumerate(card.beneficiaries, start=1):
            ident = cb.identity
            birth = display_birth(ident.birth_date)
            benef = Beneficiaire.get_or_none((Beneficiaire.assure == assure.id) & (Beneficiaire.birth_date == birth)
                                             & (Beneficiaire.rang == ident.rang))
            nir_ind = (ident.nir_certifie + ident.nir_certifie_key) if ident.nir_certifie else \
                ((card.nir + card.nir_key) if ident.qualite == 0 else "")
            if benef is None:
                benef = Beneficiaire.create(assure=assure.id, nom=ident.nom, prenom=ident.prenom, birth_date=birth,
                                            rang=ident.rang, qualite=ident.qualite, nir_individuel=nir_ind)
            else:
                Beneficiaire.update(nom=ident.nom, prenom=ident.prenom, qualite=ident.qualite,
                                    nir_individuel=nir_ind).where(Beneficiaire.id == benef.id).execute()
            _update_rights_columns(benef.id, cb.rights, now.date())
            snap = snapshot_from_card(card, cb, now)
            VitaleRead.create(beneficiaire=benef.id, kind=snap.kind, read_at=now,
                              snapshot=snap.model_dump(mode="json", exclude=_SNAPSHOT_EXCLUDE))
            pairs.append((index, Beneficiaire.get_by_id(benef.id)))
        return pairs

    def upsert_client(self, benef: Beneficiaire) -> Client:
        """Inside a write transaction: the bénéficiaire's Client (linked, matched by name + birth, or new)."""
        if benef.client_id:
            client = Client.get_or_none(Client.id == benef.client_id)
            if client is not None:
                return client
        client = Client.get_or_none((Client.store == self.ctx.store) & (Client.nom == benef.nom)
                                    & (Client.prenom == benef.prenom) & (Client.birth_date == benef.birth_date))
        if client is None:
            last = (VitaleRead.select().where(VitaleRead.beneficiaire == benef.id)
                    .order_by(VitaleRead.read_at.desc(), VitaleRead.id.desc()).first())
            adresse = list(load_snapshot(last).adresse) if last else []
            cp_ville = adresse.pop() if len(adresse) > 1 else ""
            cp, _, ville = cp_ville.partition(" ")
            client = Client.create(store=self.ctx.store, nom=benef.nom, prenom=benef.prenom, patronyme=benef.nom,
                                   birth_date=benef.birth_date, adresse=", ".join(adresse), code_postal=cp, ville=ville)
        Beneficiaire.update(client=client.id).where(Beneficiaire.id == benef.id).execute()
        return client

    def _card_dto(self, card: VitaleCard, pairs: list[tuple[int, Beneficiaire]], now: datetime,
                  adri: AdriOutcomeDTO | None) -> CardReadDTO:
        choices = tuple(BeneficiaryChoiceDTO(
            index=i, beneficiaire_id=b.id, label=f"{i} - {b.nom} {b.prenom} ({b.birth_date})".replace("  ", " "),
            nom=b.nom, prenom=b.prenom, birth_date=b.birth_date, rang=b.rang, qualite=b.qualite) for i, b in pairs)
        return CardReadDTO(
            read_at=now, date_du_jour=now.date(), kind="apcv" if card.apcv else "lecture", type_carte=card.type_carte,
            numero_serie=card.numero_serie, validite=card.validite, expired=card.expired_on(now.date()),
            assure_nir_formatted=stdnum_nir.format(card.nir + card.nir_key),
            organisme=OrganismeDTO(regime=card.organisme.regime, caisse=card.organisme.caisse,
                                   centre=card.organisme.centre, libelle=card.organisme.libelle),
            beneficiaires=choices, adri=adri)


def card_matches(card: VitaleCard, benef: Beneficiaire) -> bool:
    assure: Assure = benef.assure
    if card.nir != assure.nir:
        return False
    return any(display_birth(b.identity.birth_date) == benef.birth_date and b.identity.rang == benef.rang
               for b in card.beneficiaries)


def _ok_message(answer: AdriAnswer) -> str:
    return (f"Droits récupérés sur ADR du {answer.window_start:%d/%m/%Y} au {answer.window_end:%d/%m/%Y} "
            f"({answer.organisme.code}).")


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _update_rights_columns(benef_id: int, rights: Rights, on: date) -> None:
    """Keep the Beneficiaire columns in line with the latest read (lists and badges read them)."""
    covering = next((p for p in rights.amo_periods if p.covers(on)), rights.amo_periods[-1] if rights.amo_periods else None)
    svc = rights.service_amo
    Beneficiaire.update(
        amo_debut=covering.debut if covering else None, amo_fin=covering.fin if covering else None,
        service_amo=svc.code if svc else "", service_amo_debut=svc.debut if svc else None,
        service_amo_fin=svc.fin if svc else None,
        ald=[{"debut": _iso(a.debut), "fin": _iso(a.fin), "code": a.code, "situation": a.situation} for a in rights.ald],
        amc=rights.amc.model_dump(mode="json") if rights.amc else None,
        at=rights.at.model_dump(mode="json") if rights.at else None,
    ).where(Beneficiaire.id == benef_id).execute()
