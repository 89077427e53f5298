"""Pilot tests of Tiers Payant > Suivi Virements and Op. Ponctuelles at 80x24, keyboard only."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from test_suivi_support import open_tab, set_range, settle, table_rows, text_of  # noqa: E402
from screens.op_ponctuelle_detail import OperationDetailDialog  # noqa: E402
from screens.op_ponctuelles import OpPonctuellesPane  # noqa: E402
from screens.suivi_virements import SuiviVirementsPane  # noqa: E402
from screens.virement_detail import VirementDetailDialog  # noqa: E402

SIZE = (80, 24)


async def test_virements_list_and_detail_tabs(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_tab(pilot, "suivi-virements")
        assert isinstance(pane, SuiviVirementsPane)
        assert pane.query_one("#sv-from").value == "28/04/2024"          # one month back from the frozen today
        assert [r[1] for r in table_rows(pane, "#sv-table")] == ["VIR AMO LIGNE 1 - 1FR / VIR AMO LIGNE 2 - 1FR"]
        await set_range(pilot, pane, "sv")
        assert [(r[0], r[2], r[3]) for r in table_rows(pane, "#sv-table")] == [
            ("28/05/2024", "01349000", "5,52"), ("29/05/2024", "10349000", "5,52"),
            ("29/05/2024", "10349000", "94,48"), ("29/05/2024", "01349000", "3,22")]
        await pilot.press("down", "down", "enter")                       # 7FR-2
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, VirementDetailDialog)
        [payment] = table_rows(dialog, "#vd-paiements-table")
        assert payment == ["259", "29/05/24", "ESSAI ALEXA", "10349000", "4,69", "-4,69", "0062013354", "0,83",
                           "-0,83"]
        assert text_of(dialog, "#vd-paiements-title") == "Paiement(s)/Régularisation(s) 1/1"
        assert [r[3] for r in table_rows(dialog, "#vd-mouvements-table")] == ["Constat Initial",
                                                                              "Retenue Sur Prestation"]
        await pilot.press("ctrl+right")
        await pilot.pause()
        assert dialog.query_one("#vd-tabs").active == "vd-ponctuels"
        assert [r[1] for r in table_rows(dialog, "#vd-ponctuels-table")] == ["CODE1", "CODE2"]
        await pilot.press("ctrl+right")
        await pilot.pause()
        assert dialog.query_one("#vd-tabs").active == "vd-retenues"
        assert table_rows(dialog, "#vd-retenues-table") == []
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is pane.screen


async def test_op_ponctuelles_paiements_retenues_and_detail(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_tab(pilot, "op-ponctuelles")
        assert isinstance(pane, OpPonctuellesPane)
        await set_range(pilot, pane, "op")
        rows = table_rows(pane, "#op-table")
        assert [(r[2], r[3], r[4], r[5], r[8], r[10]) for r in rows] == [
            ("CODE1", "LIBELLE1", "40,00", "PONCTUEL", "PAT01 00", "94,48"),
            ("CODE2", "LIBELLE2", "60,00", "PONCTUEL", "PAT02 00", "94,48")]
        pane.query_one("#op-table").focus()
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, OperationDetailDialog)
        fields = dict((r[0], r[1]) for r in table_rows(dialog, "#opd-table"))
        assert fields["NIR:"] == "PAT01 00" and fields["Total paiement:"] == "40,00"
        assert fields["Type Retour:"] == "Paiements Ponctuels Ou Forfaitaires"
        assert text_of(dialog, "#opd-position") == "1/2"
        await pilot.press("right")
        await settle(pilot)
        assert dict((r[0], r[1]) for r in table_rows(dialog, "#opd-table"))["NIR:"] == "PAT02 00"
        await pilot.press("escape", "f6")
        await settle(pilot)
        headers = [str(c.label).replace("\n", " ").strip() for c in pane.query_one("#op-table").columns.values()]
        assert headers == ["Date comptable", "Organisme", "Ref. Dette", "Nature des Opérations.", "Mt Retenue",
                           "Libellé Vir.", "Montant virement"]
        assert [(r[2], r[3], r[4], r[6]) for r in table_rows(pane, "#op-table")] == [
            ("DETTE9FR", "Retenue Sur Prestation", "-2,30", "3,22")]
        await pilot.press("f6")
        await settle(pilot)
        assert len(table_rows(pane, "#op-table")) == 2
