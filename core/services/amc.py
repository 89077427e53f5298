"""AMC conventions: "AreaFSE - Choix de la convention AMC/Mutuelle" (manual §V).

The conventions are the engine's (AreaFSE's "Convention Aréa" base; the demo engine's table). A search
matching too many rows gives the manual's code -1300: the DTO carries the message and the guidance
("Cliquer sur attestation AMC puis renseigner 'Type Conv.' et 'Crit. Secondaire'...") instead of raising,
so the screen can open Attestation AMC.
"""
from __future__ import annotations

from typing import Any

from core.engine.errors import TooManyResults
from core.engine.types import ConventionQuery, ConventionRow
from core.errors import ValidationError
from core.models import Dossier, Mutuelle
from core.services.base import ServiceContext
from core.services.counter_dto import AttestationAmc, ConventionDTO, ConventionNeedDTO, ConventionSearchDTO
from core.services.counter_rows import get_dossier

__all__ = ["AmcService", "attestation_from_convention", "convention_need"]

PAGE_SIZE = 20


def _dto(row: ConventionRow) -> ConventionDTO:
    return ConventionDTO(**{k: getattr(row, k) for k in ConventionDTO.model_fields})


def _search(engine: Any, query: ConventionQuery, page: int, page_size: int) -> ConventionSearchDTO:
    try:
        rows = engine.search_conventions(query)
    except TooManyResults as exc:
        return ConventionSearchDTO(rows=(), total=exc.count, too_many=True, error_code=exc.code,
                                   message_fr=exc.message_fr, guidance_fr=exc.guidance_fr)
    pages = max(1, -(-len(rows) // page_size))
    page = min(max(page, 1), pages)
    chunk = rows[(page - 1) * page_size: page * page_size]
    return ConventionSearchDTO(rows=tuple(_dto(r) for r in chunk), page=page, pages=pages, total=len(rows))


def attestation_from_convention(conv: ConventionDTO, base: AttestationAmc | None, gestion_separee: bool) -> AttestationAmc:
    values = (base or AttestationAmc()).model_dump()
    values.update(numero_prefectoral=conv.numero_amc or conv.id_signataire, numero_edi=conv.numero_edi,
                  type_conv=conv.type_convention, crit_secondaire=conv.crit_secondaire,
                  aiguillage_sts=conv.aiguillage_sts, id_hote=conv.id_hote, code_routage=conv.code_routage,
                  domaine=conv.domaine, gestion_separee=gestion_separee, source="convention")
    return AttestationAmc.model_validate(values)


def _mutuelle_query(dossier: Dossier) -> tuple[Mutuelle | None, ConventionQuery]:
    m = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None
    att = dossier.attestation_amc or {}
    numero = (att.get("numero_prefectoral") or (m.numero_prefectoral or m.numero if m else "")).strip()
    return m, ConventionQuery(numero_prefectoral=numero, type_conv=att.get("type_conv", ""),
                              crit_secondaire=att.get("crit_secondaire", ""), include_disabled=False)


def convention_need(engine: Any, dossier: Dossier) -> tuple[ConventionNeedDTO | None, AttestationAmc | None]:
    """For Vérif. taux: RC télétransmitted in gestion séparée without an attestation -> search the
    conventions of the mutuelle RC1. One active row -> attestation filled automatically ("auto")."""
    m, query = _mutuelle_query(dossier)
    if not dossier.teletrans_rc or m is None or m.mode_gestion_sv != "separee":
        return None, None
    att = dossier.attestation_amc or {}
    if att.get("numero_prefectoral") and att.get("source") in ("convention", "saisie", "pec"):
        return None, None
    found = _search(engine, query, 1, PAGE_SIZE)
    if found.too_many:
        return ConventionNeedDTO(status="trop_de_resultats", search=found,
                                 message_fr=f"{found.guidance_fr}\n{found.message_fr} (Code : {found.error_code})"), None
    if found.total == 1:
        auto = attestation_from_convention(found.rows[0], None, True)
        return ConventionNeedDTO(status="auto", search=found,
                                 message_fr=f"Convention {found.rows[0].lib_signataire} retenue automatiquement."), auto
    if found.total == 0:
        return ConventionNeedDTO(status="aucune", search=found,
                                 message_fr="Aucune convention trouvée pour cette mutuelle : renseignez l'Attestation "
                                            "AMC."), None
    return ConventionNeedDTO(status="choix", search=found, message_fr="Veuillez choisir une convention :"), None


class AmcService:
    def __init__(self, ctx: ServiceContext, engine: Any) -> None:
        self.ctx = ctx
        self.engine = engine

    def search_conventions(self, text: str = "", *, numero_prefectoral: str = "", type_conv: str = "",
                           crit_secondaire: str = "", include_disabled: bool = True, page: int = 1,
                           page_size: int = PAGE_SIZE) -> ConventionSearchDTO:
        """Fuzzy by name or number (``text``), or by N° Préfectoral + Type Conv. + Crit. Secondaire."""
        query = ConventionQuery(text=text, numero_prefectoral=numero_prefectoral, type_conv=type_conv,
                                crit_secondaire=crit_secondaire, include_disabled=include_disabled)
        return _search(self.engine, query, page, page_size)

    def search_for_dossier(self, dossier_id: int, page: int = 1) -> ConventionSearchDTO:
        """The convention choice window of Vérif. taux / FSE: mutuelle RC1's n° préfectoral, narrowed by
        the Attestation AMC's Type Conv. and Crit. Secondaire when typed."""
        dossier = get_dossier(self.ctx, dossier_id)
        m, query = _mutuelle_query(dossier)
        if not query.numero_prefectoral:
            raise ValidationError("Choisissez d'abord la mutuelle RC1 du dossier (ou le N° Préfectoral dans "
                                  "l'Attestation AMC).", log="convention search without mutuelle", code="MUTUELLE")
        return _search(self.engine, query, page, PAGE_SIZE)

    def choose_convention(self, dossier_id: int, convention: ConventionDTO) -> AttestationAmc:
        """"Valider" in the choice window: the convention's identifiers go into the Attestation AMC (audited)."""
        if convention.desactive:
            raise ValidationError("Convention désactivée : choisissez-en une autre.", log="disabled convention",
                                  code="CONVENTION")
        with self.ctx.write():
            dossier = get_dossier(self.ctx, dossier_id)
            if dossier.state == "facture":
                raise ValidationError("Dossier facturé : faites un avoir pour le modifier.", log="invoiced",
                                      code="FACTURE")
            m = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None
            before = dossier.attestation_amc
            base = AttestationAmc.model_validate(before) if before else None
            att = attestation_from_convention(convention, base, m is None or m.mode_gestion_sv == "separee")
            after = att.model_dump(mode="json")
            Dossier.update(attestation_amc=after, updated_at=self.ctx.clock.now()).where(
                Dossier.id == dossier.id).execute()
            self.ctx.audit("amc.convention", entity="dossier", entity_id=dossier.id,
                           details={"avant": before, "apres": after, "id_signataire": convention.id_signataire})
        return att
