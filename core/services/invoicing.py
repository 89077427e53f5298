"""Invoicing, FSE creation, signature, deletion and avoirs (manual §IV).

- ``invoice`` refuses while the Vérif. taux is missing or stale, or while blocking lint findings remain;
  it allocates the invoice number (Counter "invoice") inside the transaction and, with "Générer FSE",
  has the engine format the FSE: state "TP Calculé", lines and recap. Any error rolls everything back.
- ``sign_fse`` re-runs the lint (blocking findings refuse), checks the CPS code through the card layer
  (never stored or logged), needs the bénéficiaire's Carte Vitale in SESAM_VITALE mode, and secures the
  FSE: state "Sécurisé", mode SV or DEG.
- ``delete_fse`` ("Générer FSE" unticked): state "FSE supprimée", invoice untouched, audited.
- ``create_avoir``: an avoir invoice (audited); an FSE not yet put in a lot is deleted with it.
- DRE: RC télétransmitted to a mutuelle in gestion séparée -> Fse.has_dre + dre_mutuelle ("FSE + DRE").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core.domain.birthdate import parse_birth_date
from core.engine.types import (MODE_SV, CardBeneficiary, FseAmc, FseBeneficiary, FseDraft, FseLineInput, FsePrescription, FseRequest,
                               Identity, Organisme, VitaleCard)
from core.errors import LunetierError, ValidationError
from core.models import (Article, Beneficiaire, Counter, Dossier, Fse, FseLine, Invoice, Mutuelle, Ordonnance,
                         Organism, Prescriber, RateCheck, VitaleRead)
from core.services.base import ServiceContext
from core.services.counter_dto import (AvoirResultDTO, DeleteFseResultDTO, FindingDTO, FseFormDTO, FseRecapDTO,
                                       InvoiceResultDTO, RateCheckParams, SignResultDTO)
from core.services.counter_lines import CheckState, articles_of, ordonnance_of
from core.services.counter_rights import load_snapshot, resolve_rights, rights_from_snapshot
from core.services.counter_rows import (FSE_SECURISE, FSE_SUPPRIMEE, FSE_TP_CALCULE, active_fse, effective_birth_date,
                                        fse_status_dto, get_dossier, get_fse, get_invoice, invoice_dto,
                                        teletrans_rc_check)
from core.services.fse_recap import blocking, lint_findings, recap_dto
from core.services.rate_check import RATE_FIELDS, default_params, validate_params
from core.services.vitale_service import VitaleService

__all__ = ["InvoicingService", "delete_fse_rows"]

RATE_CHECK_MISSING = ("La vérification du taux n'a jamais été demandée sur ce dossier : cliquez sur « Vérif. taux » "
                      "pour que le moteur SESAM-Vitale calcule le taux et le montant RO.")


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def delete_fse_rows(ctx: ServiceContext, fse: Fse, reason: str) -> str:
    """Inside a write transaction: FSE -> "FSE supprimée" (audited). Returns the information message."""
    if fse.state not in (FSE_TP_CALCULE, FSE_SECURISE):
        raise ValidationError(f"La FSE n° {fse.number} est déjà supprimée.", log="FSE already deleted", code="FSE")
    if fse.lot_id is not None:
        raise ValidationError(f"La FSE n° {fse.number} est déjà mise en lot : elle ne peut plus être supprimée ; "
                              "faites un avoir du dossier.", log="delete FSE in a lot", code="FSE")
    before = fse.state
    Fse.update(state=FSE_SUPPRIMEE, deleted_at=ctx.clock.now()).where(Fse.id == fse.id).execute()
    ctx.audit("fse.suppression", entity="fse", entity_id=fse.id,
              details={"numero": fse.number, "facture_id": fse.invoice_id, "avant": before, "apres": FSE_SUPPRIMEE,
                       "mode": fse.mode, "motif": reason})
    return (f"La FSE n° {fse.number} a été supprimée ; la facture n'est pas modifiée. Recochez « Générer FSE » "
            "pour créer une nouvelle FSE.")


@dataclass
class _Prepared:
    dossier: Dossier
    benef: Beneficiaire | None
    articles: list[Article]
    ordonnance: Ordonnance | None
    params: RateCheckParams
    check: RateCheck | None
    findings: tuple[FindingDTO, ...]
    with_fse: bool


class InvoicingService:
    def __init__(self, ctx: ServiceContext, engine: Any) -> None:
        self.ctx = ctx
        self.engine = engine
        self.vitale = VitaleService(ctx, engine)

    # --- before invoicing ---------------------------------------------------------------------------------
    def fse_params(self, dossier_id: int) -> RateCheckParams:
        """The "Génération de la FSE" form values: the last Vérif. taux with Facture = today."""
        dossier = get_dossier(self.ctx, dossier_id)
        check = CheckState(dossier, articles_of(dossier), ordonnance_of(dossier)).row
        base = RateCheckParams.model_validate(check.params) if check is not None else default_params(dossier)
        return base.model_copy(update={"facture": self.ctx.clock.today()})

    def fse_form(self, dossier_id: int) -> FseFormDTO:
        params = self.fse_params(dossier_id)
        counter = Counter.get_or_none((Counter.store == self.ctx.store) & (Counter.name == "invoice"))
        preview = (counter.value if counter else 0) + 1
        return FseFormDTO(dossier_id=dossier_id, invoice_number_preview=preview,
                          title=f"Génération de la FSE - Facture n°{preview} du {_fr(self.ctx.clock.today())}",
                          params=params, locked_fields=("ordo", "acte", "prescription"),
                          findings=self.preflight(dossier_id, params))

    def preflight(self, dossier_id: int, params: RateCheckParams | None = None) -> tuple[FindingDTO, ...]:
        """Pre-flight lint findings (blocking first), without raising."""
        dossier = get_dossier(self.ctx, dossier_id)
        if dossier.beneficiaire_id is None:
            return ()
        params = params or self.fse_params(dossier_id)
        articles, ordonnance = articles_of(dossier), ordonnance_of(dossier)
        check = CheckState(dossier, articles, ordonnance).row
        return lint_findings(self.ctx.clock.today(), dossier, articles, ordonnance, params, check,
                             getattr(self.engine, "catalogue", None))

    # --- invoicing ----------------------------------------------------------------------------------------
    def invoice(self, dossier_id: int, fse_params: RateCheckParams | None = None) -> InvoiceResultDTO:
        """Invoice the dossier (state vente -> facture) and, with "Générer FSE", create the FSE."""
        prep = self._prepare(dossier_id, fse_params, expected_state="vente")
        call = self.vitale.adri_if_needed(prep.benef, "facturation") if prep.benef is not None and prep.with_fse else None
        totals = self._totals(prep)
        with self.ctx.write():
            number = self.ctx.next_number("invoice")
            invoice = Invoice.create(
                store=self.ctx.store, number=number, kind="facture", dossier=prep.dossier.id, date=prep.params.facture,
                total_cents=totals["net"], ro_expected_cents=totals["ro"] if prep.dossier.tp_ro else 0,
                rc_expected_cents=totals["rc"] if prep.dossier.tp_rc else 0, amo_state="",
                amc_state="N/A" if not (prep.dossier.tp_rc and totals["rc"]) else "", type_facture="",
                updated_at=self.ctx.clock.now())
            fse = self._create_fse(prep, invoice) if prep.with_fse else None
            Dossier.update(state="facture", updated_at=self.ctx.clock.now()).where(
                Dossier.id == prep.dossier.id).execute()
            if call is not None and prep.benef is not None:
                call = self.vitale.store(prep.benef, call)
        message = f"Facture n° {number} du {_fr(prep.params.facture)} créée."
        if fse is not None:
            message += f" FSE n° {fse.number:09d} calculée (TP Calculé) : vérifiez le récapitulatif puis signez."
        elif prep.dossier.generer_fse and prep.benef is not None:
            message += " Aucune ligne remboursable : pas de FSE."
        return InvoiceResultDTO(invoice=invoice_dto(Invoice.get_by_id(invoice.id)),
                                fse=self.recap(fse.id) if fse else None, findings=prep.findings,
                                adri=call.outcome if call else None, message_fr=message)

    def generate_fse(self, invoice_id: int, fse_params: RateCheckParams | None = None) -> InvoiceResultDTO:
        """Re-create the FSE of an invoiced dossier ("Générer FSE" re-ticked), same number, invoice untouched."""
        invoice = get_invoice(self.ctx, invoice_id)
        current = active_fse(invoice)
        if current is not None and current.state in (FSE_TP_CALCULE, FSE_SECURISE):
            raise ValidationError(f"La facture n° {invoice.number} a déjà une FSE ({current.state}).",
                                  log="generate_fse with an active FSE", code="FSE")
        if invoice.kind != "facture" or Invoice.select().where(Invoice.avoir_of == invoice.id).exists():
            raise ValidationError("Facture annulée par un avoir : pas de FSE.", log="generate on avoir'd", code="FSE")
        params = (fse_params or self.fse_params(invoice.dossier_id)).model_copy(update={"facture": invoice.date})
        prep = self._prepare(invoice.dossier_id, params, expected_state="facture", force_fse=True)
        with self.ctx.write():
            fse = self._create_fse(prep, invoice)
            Dossier.update(generer_fse=True, updated_at=self.ctx.clock.now()).where(
                Dossier.id == prep.dossier.id).execute()
        return InvoiceResultDTO(invoice=invoice_dto(Invoice.get_by_id(invoice.id)), fse=self.recap(fse.id),
                                findings=prep.findings, message_fr=f"FSE n° {fse.number:09d} recréée (TP Calculé).")

    def recap(self, fse_id: int) -> FseRecapDTO:
        return recap_dto(get_fse(self.ctx, fse_id), getattr(self.engine, "flux_label", ""))

    # --- signature ----------------------------------------------------------------------------------------
    def sign_fse(self, fse_id: int, pin: str, card_reader: Any) -> SignResultDTO:
        """"Signer": CPS code checked by the card, Carte Vitale required in SESAM_VITALE mode."""
        fse = get_fse(self.ctx, fse_id)
        self._check_signable(fse)
        invoice = Invoice.get_by_id(fse.invoice_id)
        dossier = Dossier.get_by_id(invoice.dossier_id)
        findings = self._sign_findings(fse, dossier)
        stop = blocking(findings)
        if stop:
            raise _lint_error(stop)
        draft = FseDraft.model_validate((fse.payload or {}).get("draft"))
        cps = self.engine.open_session(card_reader, pin, self.ctx.clock.today())
        vitale = self._vitale_for_signature(card_reader, dossier) if draft.request.mode == MODE_SV else None
        signature = self.engine.sign_fse(draft, cps, vitale, draft.request.mode)
        with self.ctx.write():
            fse = get_fse(self.ctx, fse_id)
            self._check_signable(fse)
            payload = dict(fse.payload or {})
            payload["signature"] = signature.model_dump(mode="json")
            mode = "SV" if signature.mode == MODE_SV else "DEG"
            Fse.update(state=FSE_SECURISE, mode=mode, signed_at=signature.signed_at, signature=signature.signature,
                       payload=payload).where(Fse.id == fse.id).execute()
            self.ctx.audit("fse.securisation", entity="fse", entity_id=fse.id,
                           details={"numero": fse.number, "mode": mode, "cps": cps.numero_am})
        label = "SESAM-Vitale" if mode == "SV" else "dégradé (ajoutez la feuille de soins aux documents SCOR)"
        return SignResultDTO(fse=self.recap(fse_id), findings=findings,
                             message_fr=f"FSE n° {fse.number:09d} sécurisée en mode {label}.")

    # --- deletion and avoir -------------------------------------------------------------------------------
    def delete_fse(self, fse_id: int, reason: str = "") -> DeleteFseResultDTO:
        with self.ctx.write():
            fse = get_fse(self.ctx, fse_id)
            message = delete_fse_rows(self.ctx, fse, reason or "Générer FSE décoché")
            invoice = Invoice.get_by_id(fse.invoice_id)
            Dossier.update(generer_fse=False, updated_at=self.ctx.clock.now()).where(
                Dossier.id == invoice.dossier_id).execute()
        self.engine.delete_fse(fse.number)
        return DeleteFseResultDTO(fse=fse_status_dto(Fse.get_by_id(fse.id)), invoice=invoice_dto(invoice),
                                  message_fr=message)

    def create_avoir(self, invoice_id: int, reason: str) -> AvoirResultDTO:
        """Cancel an invoice with an avoir (negative amount, own number). The dossier goes back to "vente"."""
        if not reason or not reason.strip():
            raise ValidationError("Motif de l'avoir obligatoire.", log="avoir without reason", code="AVOIR")
        deleted = False
        message = ""
        with self.ctx.write():
            original = get_invoice(self.ctx, invoice_id)
            if original.kind != "facture":
                raise ValidationError("Un avoir ne peut pas être annulé par un autre avoir.", log="avoir of avoir",
                                      code="AVOIR")
            existing = Invoice.select().where(Invoice.avoir_of == original.id).first()
            if existing is not None:
                raise ValidationError(f"La facture n° {original.number} a déjà un avoir (n° {existing.number}).",
                                      log="second avoir", code="AVOIR")
            number = self.ctx.next_number("invoice")
            avoir = Invoice.create(store=self.ctx.store, number=number, kind="avoir", dossier=original.dossier_id,
                                   avoir_of=original.id, date=self.ctx.clock.today(), total_cents=-original.total_cents,
                                   type_facture="", amo_state="N/A", amc_state="N/A", updated_at=self.ctx.clock.now())
            fse = active_fse(original)
            if fse is not None and fse.state in (FSE_TP_CALCULE, FSE_SECURISE):
                if fse.lot_id is None:
                    delete_fse_rows(self.ctx, fse, f"Avoir n° {number}")
                    deleted = True
                else:
                    message = " La FSE est déjà transmise : l'avoir ne l'annule pas auprès de la caisse."
            Dossier.update(state="vente", updated_at=self.ctx.clock.now()).where(
                Dossier.id == original.dossier_id).execute()
            self.ctx.audit("facture.avoir", entity="invoice", entity_id=original.id,
                           details={"facture": original.number, "avoir": number, "montant": original.total_cents,
                                    "motif": reason.strip(), "fse_supprimee": deleted})
        if deleted and fse is not None:
            self.engine.delete_fse(fse.number)
        return AvoirResultDTO(avoir=invoice_dto(Invoice.get_by_id(avoir.id)),
                              original=invoice_dto(Invoice.get_by_id(original.id)), fse_deleted=deleted,
                              message_fr=f"Avoir n° {number} créé pour la facture n° {original.number}." + message)

    # --- internals ----------------------------------------------------------------------------------------
    def _prepare(self, dossier_id: int, params: RateCheckParams | None, *, expected_state: str,
                 force_fse: bool = False) -> _Prepared:
        dossier = get_dossier(self.ctx, dossier_id)
        if dossier.state != expected_state:
            raise ValidationError({"devis": "Transformez le devis en vente avant de facturer.",
                                   "facture": "Dossier déjà facturé."}.get(dossier.state, "État du dossier invalide."),
                                  log=f"invoice in state {dossier.state}", code="ETAT")
        articles, ordonnance = articles_of(dossier), ordonnance_of(dossier)
        benef = Beneficiaire.get_or_none(Beneficiaire.id == dossier.beneficiaire_id) if dossier.beneficiaire_id else None
        if params is None:
            params = self.fse_params(dossier_id)
        if params.facture is None:
            params = params.model_copy(update={"facture": self.ctx.clock.today()})
        tp_dossier = benef is not None and (dossier.generer_fse or force_fse or dossier.tp_ro or dossier.tp_rc
                                            or dossier.teletrans_ro or dossier.teletrans_rc)
        if not tp_dossier:
            if not articles:
                raise ValidationError("Aucun article à facturer.", log="invoice without articles", code="ARTICLES")
            return _Prepared(dossier, benef, articles, ordonnance, params, None, (), False)
        validate_params(self.ctx.clock.today(), dossier, ordonnance, articles, params, invoicing=True)
        state = CheckState(dossier, articles, ordonnance)
        if state.row is None:
            raise ValidationError(RATE_CHECK_MISSING, log="invoice without rate check", code="RATE_CHECK_ABSENTE")
        if not state.fresh:
            raise ValidationError("Le dossier a changé depuis la dernière vérification du taux : relancez « Vérif. "
                                  "taux » avant de facturer.\n" + "\n".join(state.reasons),
                                  log="invoice with stale rate check", code="RATE_CHECK_PERIMEE")
        checked = RateCheckParams.model_validate(state.row.params)
        changed = [f for f in RATE_FIELDS if getattr(checked, f) != getattr(params, f)]
        if checked.requires_taux_exoneration != params.requires_taux_exoneration:
            changed.append("piece_justif_amo")
        if changed:
            raise ValidationError("Les valeurs de la FSE diffèrent de la vérification du taux (" + ", ".join(changed)
                                  + ") : relancez « Vérif. taux ».", log=f"fse params differ: {changed}",
                                  code="RATE_CHECK_PERIMEE")
        if dossier.teletrans_rc:
            ok, reason = teletrans_rc_check(dossier, articles)
            if not ok:
                raise ValidationError(reason, log="teletrans RC without amount", code="TELETRANS_RC")
            m1 = Mutuelle.get_by_id(dossier.mutuelle_rc1_id)
            if m1.mode_gestion_sv == "separee" and not (dossier.attestation_amc or {}).get("numero_prefectoral"):
                raise ValidationError("Télétransmission RC vers une mutuelle en gestion séparée : choisissez la "
                                      "convention AMC ou renseignez l'Attestation AMC (N° Préfectoral).",
                                      log="DRE without attestation", code="CONVENTION")
        findings = lint_findings(self.ctx.clock.today(), dossier, articles, ordonnance, params, state.row,
                                 getattr(self.engine, "catalogue", None))
        stop = blocking(findings)
        if stop:
            raise _lint_error(stop)
        remboursable = any(a.remboursable for a in articles)
        return _Prepared(dossier, benef, articles, ordonnance, params, state.row, findings,
                         (dossier.generer_fse or force_fse) and remboursable)

    def _result_lines(self, prep: _Prepared) -> list[dict]:
        results = (prep.check.results or {}).get("lines", []) if prep.check is not None else []
        by_article = {l.get("article_id"): l for l in results}
        out = []
        for i, a in enumerate(prep.articles):
            line = by_article.get(a.id) or (results[i] if i < len(results) else {})
            out.append({"article": a, **line})
        return out

    def _totals(self, prep: _Prepared) -> dict[str, int]:
        lines = self._result_lines(prep)
        return {"net": sum(a.unit_price_cents * a.quantity for a in prep.articles),
                "ro": sum(l.get("rbt_ro_cents", 0) for l in lines), "rc": sum(l.get("rbt_rc_cents", 0) for l in lines)}

    def _create_fse(self, prep: _Prepared, invoice: Invoice) -> Fse:
        """Inside the invoicing transaction: the engine formats, Lunetier stores (state "TP Calculé")."""
        dossier, benef = prep.dossier, prep.benef
        assert benef is not None
        m1 = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None
        facturation_amc = bool(dossier.teletrans_rc and m1 is not None)
        dre = facturation_amc and m1 is not None and m1.mode_gestion_sv == "separee"
        lines = []
        for l in self._result_lines(prep):
            a: Article = l["article"]
            if not a.remboursable:
                continue
            lines.append(FseLineInput(
                code_presta=l.get("prestation") or a.prestation, libelle=a.libelle, lpp_code=a.lpp_code,
                date_exec=prep.params.acte, qty=a.quantity, honoraires_cents=a.unit_price_cents * a.quantity,
                base_cents=l.get("base_ro_cents", 0), taux=int(l.get("taux", 0) or 0), exo_tm=l.get("etm") or "0",
                remb_amo_cents=l.get("rbt_ro_cents", 0),
                remb_amc_cents=l.get("rbt_rc_cents", 0) if facturation_amc else 0))
        organisme, org_row = self._organisme(benef, prep.params.acte)
        presc = Prescriber.get_or_none(Prescriber.id == prep.ordonnance.prescriber_id) if (
            prep.ordonnance and prep.ordonnance.prescriber_id) else None
        birth = effective_birth_date(benef, dossier.forcages)
        try:
            birth = parse_birth_date(birth)
        except LunetierError:
            pass
        request = FseRequest(
            numero_facture=invoice.number, date_facture=invoice.date, mode=prep.params.mode_securisation,
            beneficiary=FseBeneficiary(nom=benef.nom, prenom=benef.prenom, birth_date=birth, rang=benef.rang,
                                       qualite=benef.qualite, nir=benef.assure.nir, nir_key=benef.assure.nir_key,
                                       organisme=organisme),
            prescription=FsePrescription(numero_am=presc.numero_am, rpps=presc.rpps, nom=presc.nom,
                                         date_prescription=prep.params.ordo, ri_ra=prep.params.prescription)
            if presc else None,
            date_droits=prep.params.ordo, params=prep.params.model_dump(mode="json"), lines=tuple(lines),
            tiers_payant_amo=dossier.tp_ro, facturation_amc=facturation_amc,
            tiers_payant_amc=bool(dossier.tp_rc and facturation_amc),
            amc=FseAmc(numero_amc=m1.numero, nom=m1.nom, gestion=m1.mode_gestion_sv, dre=dre,
                       attestation=dossier.attestation_amc or {}) if facturation_amc and m1 else None)
        draft = self.engine.create_fse(request)
        fse = Fse.create(invoice=invoice.id, number=invoice.number, state=FSE_TP_CALCULE,
                         mode="SV" if request.mode == MODE_SV else "DEG", created_at=self.ctx.clock.now(),
                         ro_cents=draft.totals.remb_amo_cents, rc_cents=draft.totals.remb_amc_cents, has_dre=dre,
                         dre_mutuelle=m1.id if dre and m1 else None, organism=org_row.id if org_row else None,
                         payload={"draft": draft.model_dump(mode="json"), "flux": draft.flux_label,
                                  "facture": f"{invoice.number:09d}", "mode_securisation": request.mode})
        FseLine.insert_many([
            {"fse": fse.id, "position": i, "code_presta": l.code_presta, "lpp_code": l.lpp_code, "date_exec": l.date_exec,
             "quantity": l.qty, "honoraires_cents": l.honoraires_cents, "base_cents": l.base_cents, "taux": l.taux,
             "exo_tm": l.exo_tm, "remb_amo_cents": l.remb_amo_cents, "remb_amc_cents": l.remb_amc_cents}
            for i, l in enumerate(request.lines, start=1)]).execute()
        Invoice.update(type_facture="FSE + DRE" if dre else "FSE Seule").where(Invoice.id == invoice.id).execute()
        return fse

    def _organisme(self, benef: Beneficiaire, acte: date) -> tuple[Organisme, Organism | None]:
        snap = resolve_rights(benef, acte).snapshot
        org_row = Organism.get_or_none(Organism.id == benef.assure.organism_id) if benef.assure.organism_id else None
        if snap is not None and snap.regime:
            org_row = Organism.get_or_none((Organism.regime == snap.regime) & (Organism.caisse == snap.caisse)
                                           & (Organism.centre == snap.centre)) or org_row
            return Organisme(regime=snap.regime, caisse=snap.caisse, centre=snap.centre, libelle=snap.libelle), org_row
        if org_row is None:
            raise ValidationError("Organisme AMO inconnu pour ce bénéficiaire : lisez la carte Vitale.",
                                  log="no AMO organism", code="ORGANISME")
        return Organisme(regime=org_row.regime, caisse=org_row.caisse, centre=org_row.centre,
                         libelle=org_row.libelle), org_row

    def _check_signable(self, fse: Fse) -> None:
        if fse.state == FSE_SECURISE:
            raise ValidationError(f"La FSE n° {fse.number} est déjà sécurisée.", log="already signed", code="FSE")
        if fse.state != FSE_TP_CALCULE:
            raise ValidationError(f"La FSE n° {fse.number} est supprimée : recochez « Générer FSE » pour en créer une "
                                  "nouvelle.", log=f"sign FSE in state {fse.state}", code="FSE")
        if Invoice.select().where(Invoice.avoir_of == fse.invoice_id).exists():
            raise ValidationError("Facture annulée par un avoir : la FSE ne peut pas être signée.",
                                  log="sign FSE of avoir'd invoice", code="FSE")

    def _sign_findings(self, fse: Fse, dossier: Dossier) -> tuple[FindingDTO, ...]:
        request = ((fse.payload or {}).get("draft") or {}).get("request") or {}
        params = RateCheckParams.model_validate(request.get("params") or {"acte": dossier.consultation_date})
        articles, ordonnance = articles_of(dossier), ordonnance_of(dossier)
        check = CheckState(dossier, articles, ordonnance).row
        return lint_findings(self.ctx.clock.today(), dossier, articles, ordonnance, params, check,
                             getattr(self.engine, "catalogue", None))

    def _vitale_for_signature(self, reader: Any, dossier: Dossier) -> VitaleCard | None:
        """The card in the reader; else an appli carte Vitale read of the bénéficiaire made today."""
        if self.engine.vitale_present(reader):
            return self.engine.read_vitale(reader)
        benef = Beneficiaire.get_by_id(dossier.beneficiaire_id)
        today = self.ctx.clock.today()
        row = (VitaleRead.select().where((VitaleRead.beneficiaire == benef.id) & (VitaleRead.kind == "apcv"))
               .order_by(VitaleRead.read_at.desc()).first())
        if row is None or row.read_at.date() != today:
            return None
        snap = load_snapshot(row)
        return VitaleCard(type_carte=snap.type_carte, numero_serie=snap.numero_serie,
                          organisme=Organisme(regime=snap.regime, caisse=snap.caisse, centre=snap.centre),
                          nir=snap.assure_nir, nir_key=snap.assure_nir_key, apcv=True,
                          beneficiaries=(CardBeneficiary(identity=Identity(
                              nom=snap.nom, prenom=snap.prenom, birth_date=parse_birth_date(snap.birth_date),
                              rang=snap.rang, qualite=snap.qualite), rights=rights_from_snapshot(snap)),))


def _lint_error(stop: tuple[FindingDTO, ...]) -> ValidationError:
    lines = "\n".join(f"- {f.message_fr} {f.fix_fr}" for f in stop)
    return ValidationError(f"FSE impossible tant que ces points ne sont pas corrigés :\n{lines}",
                           log=f"blocking findings: {[f.code for f in stop]}", code="LINT_BLOQUANT")
