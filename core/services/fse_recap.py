"""FSE recap ("AreaFSE - Facture (Flux de Démonstration)") and lint facts (internal helpers of invoicing)."""
from __future__ import annotations

from datetime import date
from typing import Any

from core.domain.birthdate import parse_birth_date
from core.domain.findings import Finding
from core.domain.lint import DossierFacts, lint
from core.domain.tarification import RateTable, Situation
from core.models import (Article, Assure, Beneficiaire, Dossier, Fse, FseLine, Invoice, Mutuelle, Ordonnance,
                         Prescriber, RateCheck)
from core.services.counter_dto import (FindingDTO, FseRecapBeneficiaryDTO, FseRecapDTO, FseRecapLineDTO,
                                       FseRecapPrescriptionDTO, RateCheckParams)
from core.services.counter_lines import billing_lines, contrat_responsable, prescriber_kind, stored_situation
from core.services.counter_rows import effective_birth_date

__all__ = ["recap_dto", "lint_findings", "finding_dto", "blocking", "MODE_LABELS"]

MODE_LABELS = {"SV": "SESAM Vitale", "DEG": "Dégradé"}


def finding_dto(f: Finding) -> FindingDTO:
    return FindingDTO(code=f.code, severity=f.severity, message_fr=f.message_fr, fix_fr=f.fix_fr, line=f.line)


def blocking(findings: tuple[FindingDTO, ...]) -> tuple[FindingDTO, ...]:
    return tuple(f for f in findings if f.severity == "bloquant")


def _canonical_birth(text: str) -> str:
    try:
        return parse_birth_date(text)
    except Exception:  # noqa: BLE001 - the lint reports unreadable birth dates itself
        return text


def lint_findings(today: date, dossier: Dossier, articles: list[Article], ordonnance: Ordonnance | None,
                  params: RateCheckParams, check: RateCheck | None, catalogue: Any) -> tuple[FindingDTO, ...]:
    """core.domain.lint on the dossier as it would be invoiced (dates of ``params``)."""
    benef = Beneficiaire.get_by_id(dossier.beneficiaire_id)
    situation, table = stored_situation(check) if check is not None else (Situation.MALADIE.value, None)
    prescriber = Prescriber.get_or_none(Prescriber.id == ordonnance.prescriber_id) if (
        ordonnance and ordonnance.prescriber_id) else None
    m1 = Mutuelle.get_or_none(Mutuelle.id == dossier.mutuelle_rc1_id) if dossier.mutuelle_rc1_id else None
    facts = DossierFacts(
        today=today, birth_date=_canonical_birth(effective_birth_date(benef, dossier.forcages)),
        lines=billing_lines(articles), situation=Situation(situation), prescription_date=params.ordo,
        delivery_date=params.acte, invoice_date=params.facture,
        prescriber=prescriber_kind(prescriber.specialite if prescriber else ""),
        first_delivery=ordonnance.first_delivery if ordonnance else True,
        adapted=(params.prescription or (ordonnance.ri_ra if ordonnance else "")) == "RA",
        prescriber_agreement=ordonnance.adaptation_agreement if ordonnance else False,
        ordonnance_mentions_ald=ordonnance.ald_mention if ordonnance else False,
        rate_check_fingerprint=check.fingerprint if check is not None else None,
        pec_required=bool(m1 and m1.pec_obligatoire and dossier.teletrans_rc),
        pec_number=(dossier.attestation_amc or {}).get("numero_pec", ""),
        contrat_responsable=contrat_responsable(dossier), tiers_payant_ro=dossier.tp_ro,
        tiers_payant_rc=dossier.tp_rc, rates=RateTable(**(table or {})))
    return tuple(finding_dto(f) for f in lint(facts, catalogue))


def recap_dto(fse: Fse, flux_label: str) -> FseRecapDTO:
    """Built from the stored rows (works for FSEs of any origin), flags from the engine's draft if any."""
    invoice = Invoice.get_by_id(fse.invoice_id)
    dossier = Dossier.get_by_id(invoice.dossier_id)
    benef = Beneficiaire.get_or_none(Beneficiaire.id == dossier.beneficiaire_id) if dossier.beneficiaire_id else None
    assure = Assure.get_by_id(benef.assure_id) if benef else None
    payload = fse.payload or {}
    draft = payload.get("draft") or {}
    request = draft.get("request") or {}
    lines = list(FseLine.select().where(FseLine.fse == fse.id).order_by(FseLine.position))
    labels = [l.get("libelle", "") for l in request.get("lines", [])]
    tp_amo = request.get("tiers_payant_amo", dossier.tp_ro)
    fact_amc = request.get("facturation_amc", dossier.teletrans_rc)
    tp_amc = request.get("tiers_payant_amc", dossier.tp_rc and dossier.teletrans_rc)
    honoraires = sum(l.honoraires_cents for l in lines)
    amo = sum(l.remb_amo_cents for l in lines)
    amc = sum(l.remb_amc_cents for l in lines)
    av_amo, av_amc = (amo if tp_amo else 0), (amc if tp_amc else 0)
    org = fse.organism
    amo_code = "-".join(p for p in (org.regime, org.caisse, org.centre) if p) if org else ""
    presc = request.get("prescription")
    if presc:
        prescription = FseRecapPrescriptionDTO(numero_am=presc.get("numero_am", ""), rpps=presc.get("rpps", ""),
                                               date=presc.get("date_prescription"))
    else:
        legacy = payload.get("prescripteur") or {}
        prescription = FseRecapPrescriptionDTO(numero_am=legacy.get("numero_am", ""), rpps=legacy.get("rpps", ""),
                                               date=payload.get("date_droits") or None) if legacy else None
    date_droits = request.get("date_droits") or payload.get("date_droits") or None
    dre = Mutuelle.get_or_none(Mutuelle.id == fse.dre_mutuelle_id) if fse.dre_mutuelle_id else None
    mode = fse.mode if fse.mode in ("SV", "DEG") else "SV"
    sig = payload.get("signature") or {}
    return FseRecapDTO(
        fse_id=fse.id, invoice_id=invoice.id, title=f"AreaFSE - Facture ({flux_label or payload.get('flux', '')})",
        numero=fse.number, numero_9=f"{fse.number:09d}", date_facture=invoice.date, mode=mode,
        mode_label=MODE_LABELS[mode], state=fse.state,
        beneficiaire=FseRecapBeneficiaryDTO(
            nom_prenom=f"{benef.nom} {benef.prenom}".strip() if benef else "",
            birth_date=effective_birth_date(benef, dossier.forcages) if benef else "", rang=benef.rang if benef else 1,
            nir=assure.nir if assure else "", nir_key=assure.nir_key if assure else "", amo=amo_code,
            date_droits=date_droits),
        prescription=prescription,
        lines=tuple(FseRecapLineDTO(code_presta=l.code_presta, date_exec=l.date_exec, honoraires_cents=l.honoraires_cents,
                                    base_cents=l.base_cents, taux=l.taux, exo_tm=l.exo_tm,
                                    remb_amo_cents=l.remb_amo_cents, remb_amc_cents=l.remb_amc_cents,
                                    lpp_code=l.lpp_code, libelle=labels[i] if i < len(labels) else "")
                    for i, l in enumerate(lines)),
        honoraires_cents=honoraires, avance_amo_cents=av_amo, avance_amc_cents=av_amc,
        restant_du_cents=honoraires - av_amo - av_amc, tiers_payant_amo=bool(tp_amo), facturation_amc=bool(fact_amc),
        tiers_payant_amc=bool(tp_amc), has_dre=fse.has_dre, dre_mutuelle=f"{dre.numero} {dre.nom}" if dre else "",
        signature=fse.signature or sig.get("signature", ""), signed_at=fse.signed_at,
        scor_documents=("ORDN", "FSOI") if mode == "DEG" else ("ORDN",))
