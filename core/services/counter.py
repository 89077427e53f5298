"""The counter flow's services in one container (card -> dossier -> Vérif. taux -> FSE -> signature).

``build_counter_services(ctx, engine)`` is what the app factory (or a CLI command) calls once; the engine
defaults to the demo engine ("Flux de Démonstration"). Each service method is one transaction and returns
frozen DTOs from core.services.counter_dto; failures are LunetierError subclasses with ``message_fr``
(ValidationError / EngineError / CardError; ``code`` is stable: PARAMS, RATE_CHECK_ABSENTE,
RATE_CHECK_PERIMEE, LINT_BLOQUANT, TELETRANS_RC, CONVENTION, CARTE_DIFFERENTE, CARTE_ABSENTE, FACTURE...).

API (ids are ints; dates ``datetime.date``; money integer cents):
  vitale.unlock_cps(reader, pin) -> CpsDTO                 vitale.cps_session() -> CpsDTO | None
  vitale.read_card(reader) -> CardReadDTO                  vitale.read_apcv(payload) -> CardReadDTO
  vitale.select_beneficiary(beneficiaire_id, consultation_date=None) -> BeneficiarySelectionDTO
  vitale.adri(beneficiaire_id) -> AdriOutcomeDTO           vitale.detail(beneficiaire_id) -> VitaleDetailDTO
  vitale.check_card(dossier_id, reader) -> None
  dossiers.create(beneficiaire_id, consultation_date=None, *, card_present=False) -> DossierDTO
  dossiers.create_for_client(client_id, consultation_date=None) / get(id) / list_for_client(client_id)
  dossiers.set_consultation_date(id, day) / set_card_present(id, bool) / set_beneficiaire(id, beneficiaire_id)
  dossiers.set_ordonnance(id, OrdonnanceInput) / upsert_prescriber(PrescriberInput) -> PrescriberDTO
  dossiers.find_prescribers(text="", limit=20) -> tuple[PrescriberDTO, ...]
  dossiers.add_article(id, ArticleInput) / update_article(article_id, ArticleInput) / remove_article(article_id)
  dossiers.set_rc_amounts(article_id, rc1_cents, rc2_cents=0) / set_mutuelles(id, rc1_id, rc2_id=None)
  dossiers.set_contrat_responsable(id, bool) / to_vente(id)                 (all -> DossierDTO)
  dossiers.set_tiers_payant(id, *, tp_ro=None, tp_rc=None, teletrans_ro=None, teletrans_rc=None)
      -> TiersPayantResultDTO
  dossiers.set_generer_fse(id, bool) -> GenererFseResultDTO
  dossiers.reimbursement_detail(id) -> ReimbursementDetailDTO
  rates.default_params(id) -> RateCheckParams    rates.verify_rates(id, RateCheckParams) -> RateCheckDTO
  rates.status(id) -> RateCheckStatusDTO         rates.last(id) -> RateCheckDTO | None
  forcages.get(id) -> ForcagesDTO; force_maternite(id, fin_forcee | None);
      force_service_amo(id, code, debut=None, fin=None); remove_service_amo(id);
      force_situation_etm(id, taux_exoneration | None); force_siecle_naissance(id, "JJ/MM/AAAA" | None);
      set_attestation_amc(id, AttestationAmc | None)                        (all -> ForcagesDTO, audited)
  amc.search_conventions(text="", *, numero_prefectoral="", type_conv="", crit_secondaire="",
      include_disabled=True, page=1, page_size=20) -> ConventionSearchDTO (too_many / error_code "-1300")
  amc.search_for_dossier(id, page=1) -> ConventionSearchDTO
  amc.choose_convention(id, ConventionDTO) -> AttestationAmc
  pec.tab(id) -> PecTabDTO; pec.request(id, *, consentement_imprime, numero_adherent="", numero_contrat="",
      mutuelle_id=None, cotation=False) -> PecDTO; pec.refresh(pec_id) -> PecDTO;
      pec.use_code(pec_id, code=None) -> AttestationAmc
  invoicing.fse_params(id) -> RateCheckParams     invoicing.fse_form(id) -> FseFormDTO
  invoicing.preflight(id, params=None) -> tuple[FindingDTO, ...]
  invoicing.invoice(id, fse_params=None) -> InvoiceResultDTO
  invoicing.generate_fse(invoice_id, fse_params=None) -> InvoiceResultDTO
  invoicing.recap(fse_id) -> FseRecapDTO
  invoicing.sign_fse(fse_id, pin, card_reader) -> SignResultDTO
  invoicing.delete_fse(fse_id, reason="") -> DeleteFseResultDTO
  invoicing.create_avoir(invoice_id, reason) -> AvoirResultDTO
Choice lists for the selects: counter_dto.*_CHOICES (code, label), labels verbatim from the manual.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.services.amc import AmcService
from core.services.base import ServiceContext
from core.services.dossiers import DossierService
from core.services.forcages import ForcageService
from core.services.invoicing import InvoicingService
from core.services.pec import PecService
from core.services.rate_check import RateCheckService
from core.services.vitale_service import VitaleService

__all__ = ["CounterServices", "build_counter_services"]


@dataclass(frozen=True)
class CounterServices:
    engine: Any
    vitale: VitaleService          # CPS code, Carte Vitale / ApCV reads, bénéficiaire choice, ADRi, Détail Vitale
    dossiers: DossierService       # dossier, ordonnance, articles, TP & télétransmission, Détail remboursements
    rates: RateCheckService        # Vérification taux
    forcages: ForcageService       # SESAM-Vitale forçages and Attestation AMC
    amc: AmcService                # conventions AMC (-1300)
    pec: PecService                # prises en charge
    invoicing: InvoicingService    # facture, FSE, signature, suppression, avoir


def build_counter_services(ctx: ServiceContext, engine: Any = None) -> CounterServices:
    if engine is None:
        from core.engine.demo import build_demo_engine

        engine = build_demo_engine(ctx.clock)
    return CounterServices(engine=engine, vitale=VitaleService(ctx, engine), dossiers=DossierService(ctx, engine),
                           rates=RateCheckService(ctx, engine), forcages=ForcageService(ctx), amc=AmcService(ctx, engine),
                           pec=PecService(ctx, engine), invoicing=InvoicingService(ctx, engine))
