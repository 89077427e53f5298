"""The dossier (Client / Visite): bénéficiaire, ordonnance, articles, devis -> vente, Tiers Payant &
Télétransmission, Générer FSE, Détail remboursements (manual §II-IV).

Every method is one transaction and returns frozen DTOs (core.services.counter_dto). An invoiced dossier
("facture") is read-only except "Générer FSE": changing it needs an avoir (manual §IV).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from stdnum import luhn

from core.domain.lpp import LppCatalogue
from core.errors import ValidationError
from core.models import Article, Beneficiaire, Client, Dossier, Mutuelle, Ordonnance, Prescriber
from core.services.base import ServiceContext
from core.services.counter_dto import (ArticleInput, DossierDTO, GenererFseResultDTO, OrdonnanceInput, PrescriberDTO,
                                       PrescriberInput, ReimbursementDetailDTO, TiersPayantResultDTO)
from core.services.counter_lines import articles_of, ordonnance_of
from core.services.counter_rows import (FSE_SECURISE, FSE_TP_CALCULE, active_fse, dossier_dto, dossier_invoice,
                                        get_beneficiaire, get_dossier, get_mutuelle, get_prescriber, not_found,
                                        prescriber_dto, teletrans_rc_check)
from core.services.vitale_service import VitaleService

__all__ = ["DossierService"]

LOCKED = "Dossier facturé : faites un avoir pour le modifier."


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


class DossierService:
    def __init__(self, ctx: ServiceContext, engine: Any, catalogue: LppCatalogue | None = None) -> None:
        self.ctx = ctx
        self.engine = engine
        self.catalogue = catalogue if catalogue is not None else getattr(engine, "catalogue", None)
        self.vitale = VitaleService(ctx, engine)

    # --- creation and reading -----------------------------------------------------------------------------
    def create(self, beneficiaire_id: int, consultation_date: date | None = None, *,
               card_present: bool = False) -> DossierDTO:
        """New dossier (state "devis") for a bénéficiaire; the consultation date defaults to today and may be
        an earlier day to redo an old dossier at its rate (manual §II). ``card_present``: the Carte Vitale
        was just read (defaults the Mode Sécurisation to SESAM_VITALE)."""
        benef = get_beneficiaire(self.ctx, beneficiaire_id)
        day = consultation_date or self.ctx.clock.today()
        self._check_not_future(day, "de consultation")
        with self.ctx.write():
            client_id = benef.client_id or self.vitale.upsert_client(benef).id
            m1 = self._mutuelle_for(benef)
            dossier = Dossier.create(
                store=self.ctx.store, client=client_id, beneficiaire=benef.id, created_at=self.ctx.clock.now(),
                consultation_date=day, state="devis", devis_number=self.ctx.next_number("devis"),
                card_present=card_present, mutuelle_rc1=m1, updated_at=self.ctx.clock.now())
        return self.get(dossier.id)

    def create_for_client(self, client_id: int, consultation_date: date | None = None) -> DossierDTO:
        """A dossier without bénéficiaire (counter sale, no tiers payant, no FSE)."""
        client = Client.get_or_none((Client.id == client_id) & (Client.store == self.ctx.store))
        if client is None:
            raise not_found("Client", client_id)
        day = consultation_date or self.ctx.clock.today()
        self._check_not_future(day, "de consultation")
        with self.ctx.write():
            dossier = Dossier.create(store=self.ctx.store, client=client.id, created_at=self.ctx.clock.now(),
                                     consultation_date=day, state="devis", devis_number=self.ctx.next_number("devis"),
                                     tp_ro=False, teletrans_ro=False, generer_fse=False,
                                     updated_at=self.ctx.clock.now())
        return self.get(dossier.id)

    def get(self, dossier_id: int) -> DossierDTO:
        return dossier_dto(self.ctx, get_dossier(self.ctx, dossier_id))

    def list_for_client(self, client_id: int) -> tuple[DossierDTO, ...]:
        """"Historique des visites", newest first."""
        rows = (Dossier.select().where((Dossier.client == client_id) & (Dossier.store == self.ctx.store))
                .order_by(Dossier.consultation_date.desc(), Dossier.id.desc()))
        return tuple(dossier_dto(self.ctx, d) for d in rows)

    # --- header -------------------------------------------------------------------------------------------
    def set_consultation_date(self, dossier_id: int, day: date) -> DossierDTO:
        with self.ctx.write():
            dossier = self._editable(dossier_id)
            self._check_not_future(day, "de consultation")
            ordo = ordonnance_of(dossier)
            if ordo is not None and day < ordo.date:
                raise ValidationError(f"Date de consultation ({_fr(day)}) antérieure à la date d'ordonnance "
                                      f"({_fr(ordo.date)}).", log="consultation before ordonnance", code="DATES")
            self._touch(dossier, consultation_date=day)
        return self.get(dossier_id)

    def set_card_present(self, dossier_id: int, present: bool) -> DossierDTO:
        with self.ctx.write():
            dossier = get_dossier(self.ctx, dossier_id)
            self._touch(dossier, card_present=present)
        return self.get(dossier_id)

    def set_beneficiaire(self, dossier_id: int, beneficiaire_id: int) -> DossierDTO:
        with self.ctx.write():
            dossier = self._editable(dossier_id)
            benef = get_beneficiaire(self.ctx, beneficiaire_id)
            self._touch(dossier, beneficiaire=benef.id)
        return self.get(dossier_id)

    # --- ordonnance and prescribers -------------------------------------------------------------------------
    def set_ordonnance(self, dossier_id: int, data: OrdonnanceInput) -> DossierDTO:
        """Date, prescriber (existing id, or typed and matched by RPPS), RI/RA, ALD mention."""
        with self.ctx.write():
            dossier = self._editable(dossier_id)
            self._check_not_future(data.date, "d'ordonnance")
            if data.date > dossier.consultation_date:
                raise ValidationError(
                    f"Date de l'acte ({_fr(dossier.consultation_date)}) antérieure à la date d'ordonnance "
                    f"({_fr(data.date)}) : corrigez l'une des deux dates.", log="acte before ordonnance", code="DATES")
            prescriber_id = data.prescriber_id
            if data.prescriber is not None:
                prescriber_id = self._upsert_prescriber(data.prescriber).id
            elif prescriber_id is not None:
                get_prescriber(prescriber_id)
            values = {"date": data.date, "prescriber": prescriber_id, "ri_ra": data.ri_ra,
                      "ald_mention": data.ald_mention, "first_delivery": data.first_delivery,
                      "adaptation_agreement": data.adaptation_agreement}
            existing = ordonnance_of(dossier)
            if existing is None:
                Ordonnance.create(dossier=dossier.id, **values)
            else:
                Ordonnance.update(**values).where(Ordonnance.id == existing.id).execute()
            self._touch(dossier)
        return self.get(dossier_id)

    def upsert_prescriber(self, data: PrescriberInput) -> PrescriberDTO:
        with self.ctx.write():
            row = self._upsert_prescriber(data)
        return prescriber_dto(row)

    def find_prescribers(self, text: str = "", limit: int = 20) -> tuple[PrescriberDTO, ...]:
        """By name start, RPPS or n° AM."""
        needle = text.strip()
        query = Prescriber.select()
        if needle:
            query = query.where(Prescriber.nom.startswith(needle.upper()) | Prescriber.nom.startswith(needle)
                                | (Prescriber.rpps == needle) | (Prescriber.numero_am == needle))
        return tuple(prescriber_dto(p) for p in query.order_by(Prescriber.nom, Prescriber.id).limit(limit))

    # --- articles -----------------------------------------------------------------------------------------
    def add_article(self, dossier_id: int, data: ArticleInput) -> DossierDTO:
        with self.ctx.write():
            dossier = self._editable(dossier_id)
            values = self._article_values(dossier, data)
            last = Article.select().where(Article.dossier == dossier.id).order_by(Article.position.desc()).first()
            Article.create(dossier=dossier.id, position=(last.position + 1) if last else 1, **values)
            self._touch(dossier)
        return self.get(dossier_id)

    def update_article(self, article_id: int, data: ArticleInput) -> DossierDTO:
        with self.ctx.write():
            article, dossier = self._article(article_id)
            Article.update(**self._article_values(dossier, data)).where(Article.id == article.id).execute()
            self._touch(dossier)
        return self.get(dossier.id)

    def remove_article(self, article_id: int) -> DossierDTO:
        with self.ctx.write():
            article, dossier = self._article(article_id)
            Article.delete().where(Article.id == article.id).execute()
            self._touch(dossier)
            self._drop_rc_teletrans_if_no_amount(dossier)
        return self.get(dossier.id)

    def set_rc_amounts(self, article_id: int, rc1_cents: int, rc2_cents: int = 0) -> DossierDTO:
        """The RC1 / RC2 cells of "Détail remboursements" (mutuelle amounts, integer cents)."""
        with self.ctx.write():
            article, dossier = self._article(article_id)
            net = article.unit_price_cents * article.quantity
            _check_rc(rc1_cents, rc2_cents, net, article.libelle)
            Article.update(rc1_cents=rc1_cents, rc2_cents=rc2_cents).where(Article.id == article.id).execute()
            self._touch(dossier)
            self._drop_rc_teletrans_if_no_amount(dossier)
        return self.get(dossier.id)

    # --- mutuelles, TP, télétransmission --------------------------------------------------------------------
    def set_mutuelles(self, dossier_id: int, rc1_id: int | None, rc2_id: int | None = None) -> DossierDTO:
        with self.ctx.write():
            dossier = self._editable(dossier_id)
            m1 = get_mutuelle(self.ctx, rc1_id).id if rc1_id else None
            m2 = get_mutuelle(self.ctx, rc2_id).id if rc2_id else None
            self._touch(dossier, mutuelle_rc1=m1, mutuelle_rc2=m2)
            if m1 is None:
                self._touch(dossier, teletrans_rc=False, tp_rc=False)
        return self.get(dossier_id)

    def set_contrat_responsable(self, dossier_id: int, responsable: bool) -> DossierDTO:
        """The "Contrat non responsable" box of the 100% SANTÉ table (changes the RC auto-fill)."""
        with self.ctx.write():
            dossier = self._editable(dossier_id)
            forcages = dict(dossier.forcages or {})
            if responsable:
                forcages.pop("contrat_non_responsable", None)
            else:
                forcages["contrat_non_responsable"] = True
            self._touch(dossier, forcages=forcages)
        return self.get(dossier_id)

    def to_vente(self, dossier_id: int) -> DossierDTO:
        """Devis -> vente (n° de vente allocated). A mutuelle with "Activer la télétransmission par défaut"
        turns RC télétransmission on when a mutuelle amount exists."""
        with self.ctx.write():
            dossier = get_dossier(self.ctx, dossier_id)
            if dossier.state != "devis":
                raise ValidationError(f"Le dossier est déjà en {dossier.state}.", log="to_vente on non devis",
                                      code="ETAT")
            if not articles_of(dossier):
                raise ValidationError("Aucun article : saisissez la monture et les verres avant la vente.",
                                      log="to_vente without articles", code="ARTICLES")
            values: dict[str, Any] = {"state": "vente", "vente_number": self.ctx.next_number("vente")}
            m1 = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None
            if m1 is not None and m1.teletransmission_defaut and teletrans_rc_check(dossier, articles_of(dossier))[0]:
                values.update(teletrans_rc=True, tp_rc=True)
            self._touch(dossier, **values)
        return self.get(dossier_id)

    def set_tiers_payant(self, dossier_id: int, *, tp_ro: bool | None = None, tp_rc: bool | None = None,
                         teletrans_ro: bool | None = None, teletrans_rc: bool | None = None) -> TiersPayantResultDTO:
        """"Tiers Payant: RO RC / Télétransmission: RO RC". RC télétransmission is refused until a
        mutuelle amount exists (manual §IV). Entering the tiers payant triggers ADRi in "ciblé" mode."""
        dossier = self._editable(dossier_id)
        values = {k: v for k, v in (("tp_ro", tp_ro), ("tp_rc", tp_rc), ("teletrans_ro", teletrans_ro),
                                     ("teletrans_rc", teletrans_rc)) if v is not None}
        if values.get("teletrans_rc"):
            ok, reason = teletrans_rc_check(dossier, articles_of(dossier))
            if not ok:
                raise ValidationError(reason, log="teletrans RC without mutuelle amount", code="TELETRANS_RC")
        entering_tp = (tp_ro and not dossier.tp_ro) or (tp_rc and not dossier.tp_rc)
        benef = Beneficiaire.get_or_none(Beneficiaire.id == dossier.beneficiaire_id) if dossier.beneficiaire_id else None
        if (values.get("tp_ro") or values.get("tp_rc") or values.get("teletrans_ro")) and benef is None:
            raise ValidationError("Tiers payant impossible sans bénéficiaire : lisez la carte Vitale.",
                                  log="TP without beneficiary", code="BENEFICIAIRE")
        call = self.vitale.adri_if_needed(benef, "tp") if (entering_tp and benef is not None) else None
        with self.ctx.write():
            dossier = self._editable(dossier_id)
            self._touch(dossier, **values)
            if call is not None and benef is not None:
                call = self.vitale.store(benef, call)
        return TiersPayantResultDTO(dossier=self.get(dossier_id), adri=call.outcome if call else None)

    def set_generer_fse(self, dossier_id: int, value: bool) -> GenererFseResultDTO:
        """Unticking on an invoiced dossier deletes its FSE (invoice untouched, audited); re-ticking asks
        for "Génération de la FSE" (InvoicingService.generate_fse)."""
        from core.services.invoicing import delete_fse_rows  # local: invoicing imports this module's helpers

        deleted = False
        message = ""
        with self.ctx.write():
            dossier = get_dossier(self.ctx, dossier_id)
            fse = active_fse(dossier_invoice(dossier))
            if not value and fse is not None and fse.state in (FSE_TP_CALCULE, FSE_SECURISE):
                message = delete_fse_rows(self.ctx, fse, "Générer FSE décoché")
                deleted = True
            self._touch(dossier, generer_fse=value)
        if deleted and fse is not None:
            self.engine.delete_fse(fse.number)
        needs = value and dossier.state == "facture" and (fse is None or fse.state not in (FSE_TP_CALCULE, FSE_SECURISE))
        return GenererFseResultDTO(dossier=self.get(dossier_id), message_fr=message, fse_deleted=deleted,
                                   needs_generation=needs)

    def reimbursement_detail(self, dossier_id: int) -> ReimbursementDetailDTO:
        """"Détail remboursements" (button TP): tabs RC1, RC2, PEC, SESAM Vitale."""
        from core.services.reimbursements import build_detail

        return build_detail(self.ctx, self.engine, get_dossier(self.ctx, dossier_id))

    # --- internals ----------------------------------------------------------------------------------------
    def _touch(self, dossier: Dossier, **values: Any) -> None:
        values["updated_at"] = self.ctx.clock.now()
        Dossier.update(**values).where(Dossier.id == dossier.id).execute()
        for key, value in values.items():
            setattr(dossier, key, value)

    def _editable(self, dossier_id: int) -> Dossier:
        dossier = get_dossier(self.ctx, dossier_id)
        if dossier.state == "facture":
            raise ValidationError(LOCKED, log=f"dossier {dossier_id} is invoiced", code="FACTURE")
        return dossier

    def _article(self, article_id: int) -> tuple[Article, Dossier]:
        article = Article.get_or_none(Article.id == article_id)
        if article is None:
            raise not_found("Article", article_id)
        return article, self._editable(article.dossier_id)

    def _check_not_future(self, day: date, what: str) -> None:
        if day > self.ctx.clock.today():
            raise ValidationError(f"Date {what} ({_fr(day)}) dans le futur.", log=f"future date {day}", code="DATES")

    def _mutuelle_for(self, benef: Beneficiaire) -> int | None:
        amc = benef.amc or {}
        numero = amc.get("numero_amc", "")
        if not numero:
            return None
        row = Mutuelle.get_or_none((Mutuelle.store == self.ctx.store) & (Mutuelle.numero == numero))
        return row.id if row else None

    def _drop_rc_teletrans_if_no_amount(self, dossier: Dossier) -> None:
        if dossier.teletrans_rc and not teletrans_rc_check(dossier, articles_of(dossier))[0]:
            self._touch(dossier, teletrans_rc=False)

    def _upsert_prescriber(self, data: PrescriberInput) -> Prescriber:
        nom = data.nom.strip().upper()
        if not nom:
            raise ValidationError("Nom du prescripteur obligatoire.", log="prescriber without name", code="PRESCRIPTEUR")
        rpps = data.rpps.strip()
        if rpps and (len(rpps) != 11 or not rpps.isdigit() or not luhn.is_valid(rpps)):
            raise ValidationError(f"N° RPPS invalide : « {rpps} » (11 chiffres, clé de contrôle).",
                                  log="bad RPPS", code="RPPS")
        am = data.numero_am.strip()
        if am and (len(am) != 9 or not am.isdigit()):
            raise ValidationError(f"N° AM du prescripteur invalide : « {am} » (9 chiffres).", log="bad AM",
                                  code="PRESCRIPTEUR")
        values = {"nom": nom, "prenom": data.prenom.strip(), "rpps": rpps, "numero_am": am,
                  "specialite": data.specialite.strip()}
        row = Prescriber.get_or_none(Prescriber.rpps == rpps) if rpps else None
        if row is None and am:
            row = Prescriber.get_or_none(Prescriber.numero_am == am)
        if row is None:
            return Prescriber.create(**values)
        Prescriber.update(**values).where(Prescriber.id == row.id).execute()
        return Prescriber.get_by_id(row.id)

    def _article_values(self, dossier: Dossier, data: ArticleInput) -> dict[str, Any]:
        libelle = data.libelle.strip()
        if not libelle:
            raise ValidationError("Libellé de l'article obligatoire.", log="article without label", code="ARTICLE")
        if data.unit_price_cents < 0:
            raise ValidationError(f"{libelle} : prix négatif.", log="negative price", code="ARTICLE")
        if data.quantity < 1:
            raise ValidationError(f"{libelle} : quantité invalide.", log="bad qty", code="ARTICLE")
        lpp = data.lpp_code.strip()
        if lpp and (len(lpp) != 7 or not lpp.isdigit()):
            raise ValidationError(f"{libelle} : code LPP « {lpp} » invalide (7 chiffres).", log="bad LPP",
                                  code="ARTICLE")
        _check_rc(data.rc1_cents, data.rc2_cents, data.unit_price_cents * data.quantity, libelle)
        prestation, classe = data.prestation.strip().upper(), data.classe
        entry = self.catalogue.find(lpp, dossier.consultation_date) if (lpp and self.catalogue) else None
        if entry is not None:
            prestation = prestation or entry.prestation
            classe = classe or entry.classe
        if len(prestation) > 5:
            raise ValidationError(f"{libelle} : code acte « {prestation} » trop long.", log="bad acte", code="ARTICLE")
        return {"kind": data.kind, "side": data.side, "libelle": libelle, "lpp_code": lpp, "prestation": prestation,
                "classe": classe or ("B" if data.remboursable else ""), "remboursable": data.remboursable,
                "quantity": data.quantity, "unit_price_cents": data.unit_price_cents, "rc1_cents": data.rc1_cents,
                "rc2_cents": data.rc2_cents}


def _check_rc(rc1: int, rc2: int, net: int, libelle: str) -> None:
    if rc1 < 0 or rc2 < 0:
        raise ValidationError(f"{libelle} : montant mutuelle négatif.", log="negative RC", code="RC")
    if rc1 + rc2 > net:
        raise ValidationError(f"{libelle} : le montant mutuelle (RC1 + RC2) dépasse le prix de l'article.",
                              log="RC over net", code="RC")
