"""Loading rows of the current store and turning them into counter DTOs (internal helpers)."""
from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.fr import nir as stdnum_nir

from core.errors import ValidationError
from core.models import (Article, Assure, Beneficiaire, Client, Dossier, Fse, Invoice, Mutuelle, Ordonnance, Organism,
                         Prescriber)
from core.services.base import ServiceContext
from core.services.counter_dto import (AldPeriodDTO, ArticleDTO, BeneficiaryDTO, ClientDTO, DossierDTO, FseStatusDTO,
                                       InvoiceDTO, MutuelleRefDTO, OrdonnanceDTO, OrganismeDTO, PrescriberDTO,
                                       TiersPayantDTO, VitaleInfoDTO)
from core.services.counter_lines import articles_of, ordonnance_of, rate_check_status
from core.services.counter_rights import resolve_rights

__all__ = ["get_dossier", "get_beneficiaire", "get_invoice", "get_fse", "get_mutuelle", "get_prescriber",
           "beneficiary_dto", "dossier_dto", "invoice_dto", "fse_status_dto", "mutuelle_dto", "prescriber_dto",
           "organisme_dto", "vitale_info", "effective_birth_date", "dossier_invoice", "active_fse",
           "teletrans_rc_check", "FSE_SUPPRIMEE", "FSE_TP_CALCULE", "FSE_SECURISE", "FORCAGE_LABELS", "not_found"]

FSE_TP_CALCULE, FSE_SECURISE, FSE_SUPPRIMEE = "TP Calculé", "Sécurisé", "FSE supprimée"
FORCAGE_LABELS = {"maternite": "Maternité", "situation_etm": "Situation ETM", "service_amo": "Service AMO",
                  "siecle_naissance": "Siècle naissance"}
RC_TELETRANS_REFUSAL = ("L'accès à la Télétransmission RC ne sera possible qu'après ajout d'un montant mutuelle dans "
                        "le « Détail remboursements » lors du clic sur le bouton TP.")


def not_found(what: str, ident: Any) -> ValidationError:
    return ValidationError(f"{what} n° {ident} introuvable.", log=f"{what} {ident} not found", code="INTROUVABLE")


def get_dossier(ctx: ServiceContext, dossier_id: int) -> Dossier:
    row = Dossier.get_or_none((Dossier.id == dossier_id) & (Dossier.store == ctx.store))
    if row is None:
        raise not_found("Dossier", dossier_id)
    return row


def get_beneficiaire(ctx: ServiceContext, beneficiaire_id: int) -> Beneficiaire:
    row = (Beneficiaire.select().join(Assure).where((Beneficiaire.id == beneficiaire_id) & (Assure.store == ctx.store))
           .first())
    if row is None:
        raise not_found("Bénéficiaire", beneficiaire_id)
    return row


def get_invoice(ctx: ServiceContext, invoice_id: int) -> Invoice:
    row = Invoice.get_or_none((Invoice.id == invoice_id) & (Invoice.store == ctx.store))
    if row is None:
        raise not_found("Facture", invoice_id)
    return row


def get_fse(ctx: ServiceContext, fse_id: int) -> Fse:
    row = Fse.select().join(Invoice).where((Fse.id == fse_id) & (Invoice.store == ctx.store)).first()
    if row is None:
        raise not_found("FSE", fse_id)
    return row


def get_mutuelle(ctx: ServiceContext, mutuelle_id: int) -> Mutuelle:
    row = Mutuelle.get_or_none((Mutuelle.id == mutuelle_id) & (Mutuelle.store == ctx.store))
    if row is None:
        raise not_found("Mutuelle", mutuelle_id)
    return row


def get_prescriber(prescriber_id: int) -> Prescriber:
    row = Prescriber.get_or_none(Prescriber.id == prescriber_id)
    if row is None:
        raise not_found("Prescripteur", prescriber_id)
    return row


def organisme_dto(org: Organism | None) -> OrganismeDTO | None:
    if org is None:
        return None
    return OrganismeDTO(regime=org.regime, caisse=org.caisse, centre=org.centre, libelle=org.libelle)


def effective_birth_date(benef: Beneficiaire, forcages: dict | None) -> str:
    forced = ((forcages or {}).get("siecle_naissance") or {}).get("birth_date")
    return forced or benef.birth_date


def beneficiary_dto(benef: Beneficiaire, forcages: dict | None, on: date) -> BeneficiaryDTO:
    assure: Assure = benef.assure
    org = Organism.get_or_none(Organism.id == assure.organism_id) if assure.organism_id else None
    return BeneficiaryDTO(
        id=benef.id, assure_id=assure.id, client_id=benef.client_id, nom=benef.nom, prenom=benef.prenom,
        birth_date=effective_birth_date(benef, forcages), rang=benef.rang, qualite=benef.qualite, nir=assure.nir,
        nir_key=assure.nir_key, nir_formatted=stdnum_nir.format(assure.nir + assure.nir_key)[:-3],
        organisme=organisme_dto(org), service_amo=benef.service_amo or "",
        c2s=(benef.service_amo or "") in ("01", "02", "03") and (benef.service_amo_fin is None
                                                                 or benef.service_amo_fin >= on),
        ald=tuple(AldPeriodDTO.model_validate({**a, "debut": a.get("debut") or None, "fin": a.get("fin") or None})
                  for a in (benef.ald or [])))


def vitale_info(benef: Beneficiaire, on: date, card_present: bool) -> VitaleInfoDTO | None:
    resolved = resolve_rights(benef, on)
    snap = resolved.snapshot
    if snap is None:
        return None
    rights = resolved.rights
    hundred = rights is not None and (rights.ald_on(on) is not None or rights.c2s_on(on))
    assure: Assure = benef.assure
    return VitaleInfoDTO(as_of=on, nir_formatted=stdnum_nir.format(assure.nir + assure.nir_key)[:-3],
                         nir_key=assure.nir_key, taux_label="100 %" if hundred else "60 %", regime=snap.regime,
                         caisse=snap.caisse, centre=snap.centre, source=resolved.source, card_present=card_present)


def client_dto(c: Client) -> ClientDTO:
    return ClientDTO(id=c.id, nom=c.nom, prenom=c.prenom, birth_date=c.birth_date, adresse=c.adresse,
                     code_postal=c.code_postal, ville=c.ville)


def prescriber_dto(p: Prescriber | None) -> PrescriberDTO | None:
    if p is None:
        return None
    return PrescriberDTO(id=p.id, nom=p.nom, prenom=p.prenom, rpps=p.rpps, numero_am=p.numero_am,
                         specialite=p.specialite)


def ordonnance_dto(o: Ordonnance | None) -> OrdonnanceDTO | None:
    if o is None:
        return None
    presc = Prescriber.get_or_none(Prescriber.id == o.prescriber_id) if o.prescriber_id else None
    return OrdonnanceDTO(id=o.id, date=o.date, prescriber=prescriber_dto(presc), ri_ra=o.ri_ra or "",
                         ald_mention=o.ald_mention, first_delivery=o.first_delivery,
                         adaptation_agreement=o.adaptation_agreement)


def article_dto(a: Article) -> ArticleDTO:
    return ArticleDTO(id=a.id, position=a.position, kind=a.kind, side=a.side, libelle=a.libelle, lpp_code=a.lpp_code,
                      prestation=a.prestation, classe=a.classe, remboursable=a.remboursable, quantity=a.quantity,
                      unit_price_cents=a.unit_price_cents, net_cents=a.unit_price_cents * a.quantity,
                      rc1_cents=a.rc1_cents, rc2_cents=a.rc2_cents)


def mutuelle_dto(m: Mutuelle | None) -> MutuelleRefDTO | None:
    if m is None:
        return None
    return MutuelleRefDTO(id=m.id, numero=m.numero, nom=m.nom, numero_prefectoral=m.numero_prefectoral,
                          mode_gestion_sv=m.mode_gestion_sv, pec_obligatoire=m.pec_obligatoire,
                          teletransmission_defaut=m.teletransmission_defaut)


def _avoir_of(inv: Invoice) -> Invoice | None:
    return Invoice.select().where((Invoice.avoir_of == inv.id) & (Invoice.kind == "avoir")).first()


def invoice_dto(inv: Invoice) -> InvoiceDTO:
    avoir = _avoir_of(inv) if inv.kind == "facture" else None
    return InvoiceDTO(id=inv.id, number=inv.number, kind=inv.kind, date=inv.date, dossier_id=inv.dossier_id,
                      total_cents=inv.total_cents, ro_expected_cents=inv.ro_expected_cents,
                      rc_expected_cents=inv.rc_expected_cents, type_facture=inv.type_facture, amo_state=inv.amo_state,
                      amc_state=inv.amc_state, avoir_of_id=inv.avoir_of_id, avoir_id=avoir.id if avoir else None)


def fse_status_dto(f: Fse) -> FseStatusDTO:
    return FseStatusDTO(id=f.id, number=f.number, state=f.state, mode=f.mode if f.mode in ("SV", "DEG") else "SV",
                        has_dre=f.has_dre, signed_at=f.signed_at, in_lot=f.lot_id is not None)


def dossier_invoice(dossier: Dossier) -> Invoice | None:
    """The dossier's latest facture (an avoir'd one included: its DTO says so)."""
    return (Invoice.select().where((Invoice.dossier == dossier.id) & (Invoice.kind == "facture"))
            .order_by(Invoice.id.desc()).first())


def active_fse(invoice: Invoice | None) -> Fse | None:
    if invoice is None:
        return None
    return Fse.select().where(Fse.invoice == invoice.id).order_by(Fse.id.desc()).first()


def teletrans_rc_check(dossier: Dossier, articles: list[Article]) -> tuple[bool, str]:
    """RC télétransmission needs a mutuelle RC1 and a mutuelle amount typed (manual §IV)."""
    if not any(a.rc1_cents or a.rc2_cents for a in articles):
        return False, RC_TELETRANS_REFUSAL
    if dossier.mutuelle_rc1_id is None:
        return False, "Choisissez la mutuelle RC1 du dossier avant d'activer la Télétransmission RC."
    return True, ""


def dossier_dto(ctx: ServiceContext, dossier: Dossier) -> DossierDTO:
    articles = articles_of(dossier)
    ordonnance = ordonnance_of(dossier)
    benef = Beneficiaire.get_or_none(Beneficiaire.id == dossier.beneficiaire_id) if dossier.beneficiaire_id else None
    forcages = dossier.forcages or {}
    possible, reason = teletrans_rc_check(dossier, articles)
    invoice = dossier_invoice(dossier)
    fse = active_fse(invoice)
    m1 = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None
    m2 = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc2_id) if dossier.mutuelle_rc2_id else None
    actifs = tuple(label for key, label in FORCAGE_LABELS.items() if forcages.get(key))
    if dossier.attestation_amc:
        actifs += ("Attestation AMC",)
    return DossierDTO(
        id=dossier.id, state=dossier.state, devis_number=dossier.devis_number, vente_number=dossier.vente_number,
        created_at=dossier.created_at, updated_at=dossier.updated_at, consultation_date=dossier.consultation_date,
        client=client_dto(Client.get_by_id(dossier.client_id)),
        beneficiaire=beneficiary_dto(benef, forcages, ctx.clock.today()) if benef else None,
        info_vitale=vitale_info(benef, dossier.consultation_date, dossier.card_present) if benef else None,
        ordonnance=ordonnance_dto(ordonnance), articles=tuple(article_dto(a) for a in articles),
        tiers_payant=TiersPayantDTO(tp_ro=dossier.tp_ro, tp_rc=dossier.tp_rc, teletrans_ro=dossier.teletrans_ro,
                                    teletrans_rc=dossier.teletrans_rc, generer_fse=dossier.generer_fse,
                                    teletrans_rc_possible=possible, teletrans_rc_reason=reason),
        mutuelle_rc1=mutuelle_dto(m1), mutuelle_rc2=mutuelle_dto(m2), card_present=dossier.card_present,
        rate_check=rate_check_status(dossier), invoice=invoice_dto(invoice) if invoice else None,
        fse=fse_status_dto(fse) if fse else None,
        total_cents=sum(a.unit_price_cents * a.quantity for a in articles), forcages_actifs=actifs,
        contrat_responsable=not forcages.get("contrat_non_responsable", False),
        editable=dossier.state != "facture")
