"""PEC tab of "Détail remboursements" (manual §V): prise en charge and cotation requests to the AMC platform.

Stored in PecRequest (one row per request). "Réf. Dossier" is the shop's unique reference
``<store>-<dossier id>-<n>``; the platform answers on it. "Choix code à utiliser" puts the n° PEC and the
amount in the Attestation AMC (audited, ``amc.pec``).

Persistence note: PecRequest has no column for "Consentement imprimé", the code list or "Que faire ?";
the consent is an input of the request, the code is the n° PEC, and "Que faire ?" of stored rows comes from
``QUE_FAIRE`` (the platform's own text is returned by request/refresh).
"""
from __future__ import annotations

from typing import Any

from core.engine.types import PecAnswer, PecQuery
from core.errors import ValidationError
from core.models import Beneficiaire, Dossier, Mutuelle, PecRequest
from core.services.base import ServiceContext
from core.services.counter_dto import AttestationAmc, PecDTO, PecTabDTO
from core.services.counter_lines import articles_of, rate_lines
from core.services.counter_rows import get_dossier, get_mutuelle, mutuelle_dto, not_found

__all__ = ["PecService", "QUE_FAIRE"]

QUE_FAIRE = {
    "accord": "Utilisez le n° de PEC (Choix code à utiliser) puis facturez la part RC en télétransmission.",
    "refus": "Lisez le message de la plateforme et de la mutuelle, corrigez puis relancez « Nouvelle prise en "
             "charge », ou facturez la part RC hors tiers payant.",
    "en attente": "Attendez la réponse de la mutuelle puis actualisez la demande.",
    "cotation": "Vérifiez le montant proposé puis faites une « Nouvelle prise en charge ».",
}


class PecService:
    def __init__(self, ctx: ServiceContext, engine: Any) -> None:
        self.ctx = ctx
        self.engine = engine

    def tab(self, dossier_id: int) -> PecTabDTO:
        dossier = get_dossier(self.ctx, dossier_id)
        return pec_tab(self.engine, dossier)

    def request(self, dossier_id: int, *, consentement_imprime: bool, numero_adherent: str = "",
                numero_contrat: str = "", mutuelle_id: int | None = None, cotation: bool = False) -> PecDTO:
        """"Nouvelle prise en charge" (or "Nouvelle cotation" with ``cotation=True``)."""
        dossier = get_dossier(self.ctx, dossier_id)
        mutuelle = get_mutuelle(self.ctx, mutuelle_id) if mutuelle_id else (
            Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None)
        if mutuelle is None:
            raise ValidationError("Sélectionnez la mutuelle de la demande de PEC (RC1 du dossier).",
                                  log="PEC without mutuelle", code="PEC")
        articles = articles_of(dossier)
        if not articles:
            raise ValidationError("Aucun article : saisissez l'équipement avant la demande de PEC.",
                                  log="PEC without articles", code="PEC")
        count = PecRequest.select().where(PecRequest.dossier == dossier.id).count()
        reference = f"{self.ctx.store}-{dossier.id}-{count + 1}"
        benef = Beneficiaire.get_or_none(Beneficiaire.id == dossier.beneficiaire_id) if dossier.beneficiaire_id else None
        adherent = numero_adherent.strip() or ((benef.amc or {}).get("numero_adherent", "") if benef else "")
        query = PecQuery(
            kind="cotation" if cotation else "prise_en_charge", reference_dossier=reference,
            numero_amc=mutuelle.numero, numero_adherent=adherent, numero_contrat=numero_contrat.strip(),
            consentement_imprime=consentement_imprime, nir=benef.assure.nir if benef else "",
            birth_date=benef.birth_date if benef else "",
            total_cents=sum(a.unit_price_cents * a.quantity for a in articles),
            rc_requested_cents=sum(a.rc1_cents + a.rc2_cents for a in articles),
            lines=rate_lines(articles), on=self.ctx.clock.today())
        answer = self.engine.request_pec(query)
        with self.ctx.write():
            row = PecRequest.create(dossier=dossier.id, mutuelle=mutuelle.id, requested_at=self.ctx.clock.now(),
                                    state=answer.state, numero_pec=answer.numero_pec, reference_dossier=reference,
                                    numero_contrat=query.numero_contrat, numero_adherent=adherent,
                                    amount_cents=answer.montant_cents, message_plateforme=answer.message_plateforme,
                                    message_mutuelle=answer.message_mutuelle)
        return _dto(row, dossier, answer)

    def refresh(self, pec_id: int) -> PecDTO:
        """Ask the platform again (a request "en attente" may have an answer now)."""
        row, dossier = self._row(pec_id)
        answer = self.engine.poll_pec(row.reference_dossier)
        with self.ctx.write():
            PecRequest.update(state=answer.state, numero_pec=answer.numero_pec, amount_cents=answer.montant_cents,
                              message_plateforme=answer.message_plateforme,
                              message_mutuelle=answer.message_mutuelle).where(PecRequest.id == row.id).execute()
        return _dto(PecRequest.get_by_id(row.id), dossier, answer)

    def use_code(self, pec_id: int, code: str | None = None) -> AttestationAmc:
        """"Choix code à utiliser": the n° PEC and its amount go into the Attestation AMC."""
        row, dossier = self._row(pec_id)
        if row.state != "accord" or not row.numero_pec:
            raise ValidationError("Seule une prise en charge acceptée fournit un n° de PEC à utiliser.",
                                  log="use_code on non accord", code="PEC")
        chosen = code or row.numero_pec
        if chosen != row.numero_pec:
            raise ValidationError(f"Code « {chosen} » inconnu pour cette prise en charge.", log="unknown PEC code",
                                  code="PEC")
        with self.ctx.write():
            dossier = get_dossier(self.ctx, dossier.id)
            before = dossier.attestation_amc
            base = AttestationAmc.model_validate(before) if before else AttestationAmc()
            after = base.model_copy(update={"numero_pec": chosen, "montant_pec_cents": row.amount_cents,
                                            "piece_justif_amc": "reponse_pec"}).model_dump(mode="json")
            if not before:
                after["source"] = "pec"
            Dossier.update(attestation_amc=after, updated_at=self.ctx.clock.now()).where(
                Dossier.id == dossier.id).execute()
            self.ctx.audit("amc.pec", entity="dossier", entity_id=dossier.id,
                           details={"avant": before, "apres": after, "pec_id": row.id})
        return AttestationAmc.model_validate(after)

    def _row(self, pec_id: int) -> tuple[PecRequest, Dossier]:
        row = PecRequest.get_or_none(PecRequest.id == pec_id)
        if row is None:
            raise not_found("Demande de PEC", pec_id)
        return row, get_dossier(self.ctx, row.dossier_id)


def _dto(row: PecRequest, dossier: Dossier, answer: PecAnswer | None = None) -> PecDTO:
    m = Mutuelle.get_or_none(Mutuelle.id == row.mutuelle_id) if row.mutuelle_id else None
    used = (dossier.attestation_amc or {}).get("numero_pec", "")
    kind = "cotation" if row.state == "cotation" else "prise_en_charge"
    return PecDTO(id=row.id, kind=kind, requested_at=row.requested_at, state=row.state,
                  reference_dossier=row.reference_dossier, numero_pec=row.numero_pec, numero_contrat=row.numero_contrat,
                  numero_adherent=row.numero_adherent, montant_cents=row.amount_cents,
                  codes=(row.numero_pec,) if row.numero_pec else (),
                  code_utilise=used if used and used == row.numero_pec else "",
                  message_plateforme=row.message_plateforme, message_mutuelle=row.message_mutuelle,
                  que_faire=(answer.que_faire if answer is not None and answer.que_faire else QUE_FAIRE.get(row.state, "")),
                  mutuelle=mutuelle_dto(m))


def pec_tab(engine: Any, dossier: Dossier) -> PecTabDTO:
    rows = list(PecRequest.select().where(PecRequest.dossier == dossier.id)
                .order_by(PecRequest.requested_at.desc(), PecRequest.id.desc()))
    requests = tuple(_dto(r, dossier) for r in rows)
    m = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None
    return PecTabDTO(credit=engine.pec_credit(), mutuelle=mutuelle_dto(m), requests=requests,
                     current=requests[0] if requests else None, pec_obligatoire=bool(m and m.pec_obligatoire))
