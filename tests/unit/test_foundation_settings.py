import pytest
from pydantic import ValidationError

from core.models import AuditLog
from core.services.settings import SettingsService, TeletransmissionSettings


def test_defaults_follow_the_manual(ctx):
    s = SettingsService(ctx).get()
    assert s.teletransmission.lettrage_auto is True
    assert s.teletransmission.integrer_rsp_apres_teletransmission is True
    assert s.teletransmission.top_m is True
    assert s.teletransmission.blocage_si_documents_absents is False
    assert s.teletransmission.norme_b2_defaut == "062007 - Juin 2007"
    assert s.ps.adri_mode == "cible"
    assert s.sv.edition_apres_teletransmission is False


def test_update_is_persisted_and_audited(ctx):
    svc = SettingsService(ctx)
    new = svc.get().teletransmission.model_copy(update={"blocage_si_documents_absents": True})
    after = svc.update("teletransmission", new, actor="test")
    assert after.teletransmission.blocage_si_documents_absents is True
    row = AuditLog.get(AuditLog.action == "parametres.modification")
    assert "blocage_si_documents_absents" in row.details


def test_invalid_delays_refused():
    with pytest.raises(ValidationError):
        TeletransmissionSettings(absence_arl_renvoyer_jours=10, absence_arl_manuel_jours=5)
