"""Hand actions of Suivi Facturations: Traitement manuel, state change after payment, lettrage manuel.
Each is one transaction with its audit row; a refused action writes nothing."""
from __future__ import annotations

import json

import pytest

from core.audit import verify_chain
from core.errors import ValidationError
from core.models import AuditLog, Invoice
from core.services.demo import DemoService
from core.services.suivi import SuiviService

FROZEN = "2024-05-28 11:13"


@pytest.fixture
def svc(ctx) -> SuiviService:
    DemoService(ctx).load()
    return SuiviService(ctx)


def audit_rows(action: str) -> list[AuditLog]:
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.seq))


def refused(call) -> str:  # noqa: ANN001 - a callable
    before = AuditLog.select().count()
    with pytest.raises(ValidationError) as info:
        call()
    assert AuditLog.select().count() == before            # nothing written
    return info.value.message_fr


def test_traitement_manuel_is_audited_with_its_reason(svc):
    invoice_id = svc.invoice_id(203)
    detail = svc.traitement_manuel(invoice_id, "  N° de PEC renvoyé à la mutuelle ", actor="ecran-suivi")
    assert detail.manuel and detail.manuel_motif == "N° de PEC renvoyé à la mutuelle"
    assert (detail.etat_amo, detail.etat_facture) == ("Rejeté", "Rejeté")        # the states stay
    row = Invoice.get_by_id(invoice_id)
    assert row.manual_treatment and row.updated_at.strftime("%Y-%m-%d %H:%M") == FROZEN
    [audit] = audit_rows("facture.traitement_manuel")
    assert (audit.entity, audit.entity_id, audit.actor) == ("invoice", str(invoice_id), "ecran-suivi")
    assert json.loads(audit.details) == {"numero": 203, "motif": "N° de PEC renvoyé à la mutuelle",
                                         "etat_amo": "Rejeté", "etat_amc": "N/A"}
    assert verify_chain().ok


def test_traitement_manuel_refusals(svc):
    assert "motif" in refused(lambda: svc.traitement_manuel(svc.invoice_id(203), " a "))
    assert "rien à traiter" in refused(lambda: svc.traitement_manuel(svc.invoice_id(258), "payée pourtant"))
    svc.traitement_manuel(svc.invoice_id(203), "PEC renvoyée")
    assert "déjà traitée" in refused(lambda: svc.traitement_manuel(svc.invoice_id(203), "encore une fois"))
    assert len(audit_rows("facture.traitement_manuel")) == 1


def test_state_change_after_payment_then_lettrage(svc):
    invoice_id = svc.invoice_id(203)
    detail = svc.changer_etat(invoice_id, part="AMO", etat="Payé", reason="virement reçu le 27/05")
    assert (detail.etat_amo, detail.etat_facture) == ("Payé", "Payé")
    [audit] = audit_rows("facture.changement_etat")
    assert json.loads(audit.details) == {"numero": 203, "part": "AMO", "de": "Rejeté", "vers": "Payé",
                                         "motif": "virement reçu le 27/05"}
    lettered = svc.lettrer(invoice_id, actor="ecran-suivi")
    assert lettered.lettree and Invoice.get_by_id(invoice_id).lettree
    [lettrage] = audit_rows("retours.lettrage_manuel")        # ReturnsService.lettrer does the lettrage
    assert json.loads(lettrage.details)["numero"] == 203 and lettrage.actor == "ecran-suivi"
    assert "déjà lettrée" in refused(lambda: svc.lettrer(invoice_id))
    assert verify_chain().ok


def test_state_change_refusals(svc):
    invoice_id = svc.invoice_id(203)
    assert "pas de part AMC" in refused(lambda: svc.changer_etat(invoice_id, part="AMC", etat="Payé",
                                                                 reason="mutuelle"))
    assert "déjà « Rejeté »" in refused(lambda: svc.changer_etat(invoice_id, part="AMO", etat="Rejeté",
                                                                reason="pour voir"))
    assert "État inconnu" in refused(lambda: svc.changer_etat(invoice_id, part="AMO", etat="Perdu",
                                                              reason="pour voir"))
    assert "motif" in refused(lambda: svc.changer_etat(invoice_id, part="AMO", etat="Payé", reason=""))
    assert Invoice.get_by_id(invoice_id).amo_state == "Rejeté"


def test_amc_part_state_change(svc):
    detail = svc.changer_etat(svc.invoice_id(249), part="AMC", etat="Payé", reason="C2S payée hors RSP")
    assert (detail.etat_amo, detail.etat_amc, detail.etat_facture) == ("Rejeté", "Payé", "Rejeté")


def test_actions_on_another_store_invoice_are_refused(svc, ctx):
    from core.services.base import ServiceContext

    other = SuiviService(ServiceContext(ctx.db, ctx.clock, ctx.settings.model_copy(update={"store": "MAG02"})))
    assert "introuvable" in refused(lambda: other.traitement_manuel(svc.invoice_id(203), "autre magasin"))
