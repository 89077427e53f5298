"""Télétransmissions actions on the demo dataset: Télétransmettre Auto (F9, CPS code, progress, summary,
"à vérifier"), "Edition après Télétransmission", Renvoyer (Ctrl+R, confirmation), Impression Lot N° (F7)."""
from __future__ import annotations

from core.services.settings import SettingsService
from core.services.teletransmission import TeletransmissionService
from screens.cps_code import CpsCodeDialog
from screens.dialogs import ConfirmDialog, ErrorDialog
from screens.lot_print import LotPrintDialog
from screens.teletransmission_dialog import RunProgress, TeletransmissionReportDialog
from screens.teletransmissions import TELETRANSMIS
from screens.tiers_payant import TiersPayantScreen
from test_teletrans_ui_support import (fake_cps_code, lot_row, no_cps_code,
                                       notifications, open_pane, select_lot, settle, until)


def caisse_answers(app, default: str) -> None:
    """The simulated caisse's scenario (core/caisse/scenario.py): what every lot gets back."""
    (app.settings.data_dir / "caisse.toml").write_text(f'default = "{default}"\n', encoding="utf-8")


def bordereaux(app) -> list:
    folder = app.settings.data_dir / "bordereaux"
    return sorted(folder.iterdir()) if folder.exists() else []


async def test_f9_sends_lot_038_and_shows_the_teletransmis_list(make_app):
    app = make_app(demo=True)
    app.request_cps_code = fake_cps_code
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert pane.mode == TELETRANSMIS and not pane.running
        assert not pane.query_one(RunProgress).display
        lot = lot_row(pane, "038")
        assert lot is not None and lot.org_dest == "10 349" and lot.file_name == "B2-000001-038.b2"
        assert lot.send_count == 1 and lot.etat_lot not in ("Mis en Lot", "Fichier créé", "Erreur")
        assert pane.highlighted_lot() == lot                                   # the cursor is on the new lot
        assert [r.numero_facture for r in pane.a_rows.values()] == [256, 255]   # 250 left the list
        assert any(n.startswith("Télétransmission terminée : 1 lot(s) créé(s), 1 fichier(s), 1 lot(s) envoyé(s)")
                   for n in notifications(app))
        assert isinstance(app.screen, TiersPayantScreen)                       # nothing needs the user
        assert bordereaux(app) == []                                            # "Edition après" is off


async def test_f9_asks_the_cps_code_with_the_code_porteur_dialog(make_app):
    app = make_app(demo=True)
    app.services.reader.insert("cps")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, CpsCodeDialog), "the Code Porteur dialog")
        await pilot.press(*"1234")
        await pilot.press("f10")
        await until(pilot, lambda: lot_row(pane, "038") is not None, "lot 038 sent")
        assert lot_row(pane, "038").send_count == 1


async def test_no_cps_code_no_sending(make_app):
    app = make_app(demo=True)
    app.request_cps_code = no_cps_code
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert any("Code CPS non saisi" in n for n in notifications(app))
        assert len(pane.a_rows) == 3 and TeletransmissionService(app.services.ctx).lot_par_numero("038") is None


async def test_edition_apres_teletransmission_writes_the_bordereau(make_app):
    app = make_app(demo=True)
    app.request_cps_code = fake_cps_code
    settings = SettingsService(app.services.ctx)
    settings.update("sv", settings.get().sv.model_copy(update={"edition_apres_teletransmission": True}))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot)
        await pilot.press("f9")
        await settle(pilot)
        [pdf] = bordereaux(app)
        assert pdf.name == "bordereau-lot-038-20240528-111300.pdf"
        assert any(f"Bordereau : {pdf}" in n for n in notifications(app))
        assert str(settings.get().sv.date_edition_dernier_lot) == "2024-05-28"


async def test_held_back_invoice_is_named_in_the_a_verifier_dialog(make_app):
    app = make_app(demo=True)
    app.request_cps_code = fake_cps_code
    settings = SettingsService(app.services.ctx)
    settings.update("teletransmission", settings.get().teletransmission.model_copy(
        update={"blocage_si_documents_absents": True}))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("f9")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TeletransmissionReportDialog)
        assert dialog.lines == ["Facture 250 (ESSAI ALEXANDRE) retenue : document(s) absent(s) : ordonnance"]
        await pilot.press("enter")
        assert isinstance(app.screen, TiersPayantScreen)
        assert lot_row(pane, "038") is None


async def test_a_rejected_lot_is_named_in_the_a_verifier_dialog(make_app):
    app = make_app(demo=True)
    app.request_cps_code = fake_cps_code
    caisse_answers(app, "rejete")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("f9")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TeletransmissionReportDialog)
        assert len(dialog.lines) == 1 and dialog.lines[0].startswith("Lot 038 : Lot rejeté")
        assert any(n.startswith("Télétransmission terminée") for n in notifications(app))
        await pilot.press("escape")
        assert lot_row(pane, "038").etat_lot == "Lot rejeté"


async def test_resend_a_lot_without_arl_after_confirmation(make_app, clock):
    app = make_app(demo=True)
    app.request_cps_code = fake_cps_code
    caisse_answers(app, "aucun")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("f9")
        await settle(pilot)
        clock.advance(days=4)                                                   # 3 days without ARL is the default
        TeletransmissionService(app.services.ctx).check_arl_timeouts()
        await pilot.press("f5")
        await settle(pilot)
        assert lot_row(pane, "038").etat_lot == "Absence ARL Renvoyer lot"
        await select_lot(pilot, pane, "038")
        assert "Ctrl+R renvoyer" in str(pane.query_one("#tt-detail").render())

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Renvoyer le lot 038 (10 349) ?" in app.screen.question
        assert "envoi n° 2" in app.screen.question
        await pilot.press("escape")                                             # Non: nothing happens
        await settle(pilot)
        assert lot_row(pane, "038").send_count == 1

        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("f10")                                                # Oui
        await settle(pilot)
        lot = lot_row(pane, "038")
        assert lot.etat_lot == "Réexpédié" and lot.send_count == 2
        assert any("Lot 038 (10 349) renvoyé : Réexpédié, envoi n° 2." in n for n in notifications(app))


async def test_resend_is_refused_for_a_lot_that_has_its_answer(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await select_lot(pilot, pane, "028")                                    # RSP
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, TiersPayantScreen)
        assert any("Le lot 028 est à l'état « RSP » : il ne peut pas être renvoyé" in n for n in notifications(app))


async def test_f7_reprints_the_bordereau_of_the_highlighted_lot(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot)
        await select_lot(pilot, pane, "027")
        await pilot.press("f7")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LotPrintDialog)
        assert dialog.query_one("#lot-print-number").value == "027"
        await pilot.press("f10")
        await settle(pilot)
        [pdf] = bordereaux(app)
        assert pdf.name == "bordereau-lot-027-20240528-111300.pdf"
        assert any(f"Bordereau du lot 027 édité : {pdf}" in n for n in notifications(app))


async def test_f7_refuses_what_is_not_a_lot_number_and_reports_an_unknown_lot(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot)                                                  # À Télétransmettre: no default
        await pilot.press("f7")
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#lot-print-number").value == ""
        await pilot.press("a", "1", "f10")
        assert "3 chiffres" in str(dialog.query_one("#lot-print-error").render())
        assert app.screen is dialog
        dialog.query_one("#lot-print-number").value = ""
        await pilot.press("9", "9", "9", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.message == "Lot N° 999 introuvable."
        assert bordereaux(app) == []
