"""Tiers Payant > Télétransmissions on the manual's demo dataset: the two lists, their columns, the
switch (F6 and the radio buttons), ←/→ scrolling, the lot detail (Entrée)."""
from __future__ import annotations

from screens.lot_detail import LotDetailDialog
from screens.teletransmissions import A_TELETRANSMETTRE, TELETRANSMIS
from screens.tiers_payant import TiersPayantScreen
from test_teletrans_ui_support import (headers, open_pane, rows,
                                       select_lot, settle)


async def test_a_teletransmettre_lists_the_invoices_not_yet_in_a_lot(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        table = pane.query_one("#tt-a-table")
        assert headers(table) == ["Nom", "Prénom", "N° Fact", "Facture", "Mt RO", "RO", "Mt RC", "RC", "État FSE",
                                  "SV", "PJ", "Mt Fact", "Caisse RO", "Mutuelle"]
        assert [r[:10] for r in rows(table)] == [
            ["ISSNER", "NATACHA", "256", "28/05/24", "5,40", "TP", "24,60", "TP", "FSE supprimée", ""],
            ["ESSAI", "ALAIN", "255", "28/05/24", "0,05", "TP", "0,00", "", "TP Calculé", ""],
            ["ESSAI", "ALEXANDRE", "250", "27/05/24", "4,69", "TP", "0,00", "", "Sécurisé", "SV"],
        ]
        assert rows(table)[0][11] == "30,00"                                    # Mt Fact
        note = str(pane.query_one("#tt-note").render())
        assert "Seules les FSE « Sécurisé » (1 sur 3) sont télétransmises" in note
        assert str(pane.query_one("#tt-count").render()) == "3 FSE"
        assert str(pane.query_one("#tt-today").render()) == "(date du jour : 28/05/24)"
        assert str(pane.query_one("#tt-detail").render()).startswith("Facture N° 256 du 28/05/2024 · ISSNER NATACHA")


async def test_f6_and_the_radio_buttons_switch_lists(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("f6")
        assert pane.mode == TELETRANSMIS and pane.query_one("#tt-t-table").has_focus
        assert pane.query_one("#tt-mode-t").value and not pane.query_one("#tt-mode-a").value
        assert not pane.query_one("#tt-note").display
        table = pane.query_one("#tt-t-table")
        assert headers(table) == ["Date réception", "Date lot", "Lot", "Org.Dest.", "Etat lot", "Libellé ARL/RSP",
                                  "Trait. Erreur", "Manuel", "Traitement RSP", "id PS"]
        listed = {r[2]: r for r in rows(table)}
        assert len(listed) == 24
        assert listed["027"][:5] == ["28/05/24", "28/05/24", "027", "01 999", "Lot expédié"]
        assert listed["AAE"][3:5] == ["1100000000", "Lot expédié"]
        assert listed["007"][4:7] == ["Lot rejeté", "Code: 4025 - Lot rejeté par le serveur de réception",
                                      "TRAITEMENT EFFECTUE"]
        assert str(pane.query_one("#tt-count").render()) == "24 lot(s)"
        pane.query_one("#tt-switch").focus()
        await pilot.press("up", "enter")                                        # the radio buttons too
        await settle(pilot)
        assert pane.mode == A_TELETRANSMETTRE


async def test_left_right_scroll_the_columns_at_80_columns(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        table = pane.current_table()
        assert table.scroll_x == 0 and table.max_scroll_x > 0                 # the columns do not all fit
        await pilot.press("right", "right", "right")
        await settle(pilot)
        assert table.scroll_x > 0
        await pilot.press("left", "left", "left")
        await settle(pilot)
        assert table.scroll_x == 0


async def test_enter_opens_the_lot_detail_with_the_manual_columns(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await select_lot(pilot, pane, "027")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, LotDetailDialog)
        assert str(dialog.query_one("#lot-detail-title").render()) == "Détail lot n°027 / Régime : 01 999"
        table = dialog.query_one("#lot-detail-table")
        assert headers(table) == ["Nom", "Prénom", "Date fact.", "N° facture", "Org.Dest.", "RO", "RC", "Etat lot",
                                  "Rejet", "N° SS", "Date naiss."]
        assert rows(table) == [
            ["DESMAUX", "NATHALIE", "28/05/24", "253", "01 999 9999", "0,09", "0,00", "Lot expédié", "N",
             "2550699999999 34", "15/06/1955"],
            ["DESMAUX", "NATHALIE", "28/05/24", "254", "01 999 9999", "0,09", "100,00", "Lot expédié", "N",
             "2550699999999 34", "15/06/1955"],
        ]
        summary = str(dialog.query_one("#lot-detail-summary").render())
        assert summary.startswith("2 facture(s) · RO 0,18 · RC 100,00 · Lot expédié")
        assert "Fichier créé → Lot expédié" in str(dialog.query_one("#lot-detail-history").render())
        await pilot.press("escape")
        assert isinstance(app.screen, TiersPayantScreen)


async def test_enter_on_the_a_teletransmettre_list_explains_the_detail_is_per_lot(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        pane.action_detail()
        await pilot.pause()
        assert isinstance(app.screen, TiersPayantScreen)
        assert any("F6" in n.message for n in app._notifications)
