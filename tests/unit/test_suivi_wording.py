"""Small wording rules of the Suivi lists (plural agreement, virement libellé)."""
from __future__ import annotations

from core.services.returns import virement_label
from core.services.suivi_dto import SuiviSummary


def test_summary_line_agrees_in_number():
    assert SuiviSummary(dossiers=1, securises_sv=1).line == "1 dossier dont 1 sécurisé en sesam vitale soit 100%"
    assert SuiviSummary(dossiers=23, securises_sv=19).line == "23 dossiers dont 19 sécurisés en sesam vitale soit 83%"


def test_virement_label_joins_padded_lines():
    assert virement_label("VIR AMO LIGNE 1 - 000001-038   ", "VIR AMO LIGNE 2  ") == \
        "VIR AMO LIGNE 1 - 000001-038 / VIR AMO LIGNE 2"
    assert virement_label("SEUL", "   ") == "SEUL"
