"""Choix du bénéficiaire (twins, date de consultation), Détail Informations Vitale (tabs, ADRi, outage),
Lire l'appli Carte Vitale."""
from __future__ import annotations

from datetime import date

from textual.widgets import Input, OptionList, TabbedContent

from screens.apcv_dialog import ApcvDialog
from screens.beneficiary_choice import BeneficiaryChoiceDialog
from screens.comptoir import ComptoirScreen
from screens.cps_code import CpsCodeDialog
from screens.vitale_detail import TAB_ADRI, TAB_LECTURE, VitaleDetailDialog
from tests.ui.comptoir_support import insert, open_dossier, screen_text, text_of, wait_for, wait_screen

SIZE = (80, 24)


async def _choice(pilot, card: str) -> BeneficiaryChoiceDialog:
    await insert(pilot, "cps", card)
    await pilot.press("f12")
    await wait_screen(pilot, CpsCodeDialog)
    await pilot.press(*"1234", "f10")
    return await wait_screen(pilot, BeneficiaryChoiceDialog)


async def test_family_card_lists_the_twins_separately(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _choice(pilot, "essai")
        labels = [str(o.prompt) for o in dialog.query_one(OptionList).options]
        assert labels == ["1 - ESSAI ALAIN (01/19/1942)", "2 - ESSAI ALAINTER (07/02/1944)",
                          "3 - ESSAI ALEXIS (12/02/2010) — rang 1", "4 - ESSAI ARTHUR (12/02/2010) — rang 2",
                          "5 - ESSAI ALEXANDRE (03/07/2004)"]
        assert "(date du jour : 28/05/2024)" in screen_text(app)
        await pilot.press("down", "down", "down", "f10")
        comptoir = await wait_screen(pilot, ComptoirScreen)
        await wait_for(pilot, lambda: comptoir.dossier is not None, "dossier")
        benef = comptoir.dossier.beneficiaire
        assert (benef.prenom, benef.rang, benef.birth_date) == ("ARTHUR", 2, "12/02/2010")


async def test_consultation_date_is_checked_then_used(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _choice(pilot, "desmaux")
        field = dialog.query_one("#benef-date", Input)
        for bad, expected in (("32/13/2024", "invalide"), ("29/05/2024", "futur")):
            field.value = bad
            await pilot.press("f10")
            assert expected in text_of(dialog.query_one("#benef-error"))
            assert isinstance(app.screen, BeneficiaryChoiceDialog)
        field.value = "15/04/2024"
        await pilot.press("f10")
        comptoir = await wait_screen(pilot, ComptoirScreen)
        await wait_for(pilot, lambda: comptoir.dossier is not None, "dossier")
        assert comptoir.dossier.consultation_date == date(2024, 4, 15)


async def test_escape_on_the_choice_creates_nothing(make_app):
    from core.models import Dossier

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _choice(pilot, "desmaux")
        await pilot.press("escape")
        comptoir = await wait_screen(pilot, ComptoirScreen)
        await wait_for(pilot, lambda: "aucun dossier" in text_of(comptoir.query_one("#comptoir-message")), "msg")
        assert comptoir.dossier is None and Dossier.select().count() == 0


async def test_vitale_detail_has_both_tabs_and_runs_adri_on_f9(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dossier(pilot)
        await pilot.press("f7")
        dialog = await wait_screen(pilot, VitaleDetailDialog)
        tabs = dialog.query_one(TabbedContent)
        assert tabs.active == TAB_LECTURE
        lecture = screen_text(app)
        for expected in ("Rattachement", "Caisse de TEST", "Informations lues le 28/05/24 à 11:13", "Vitale 2",
                         "105500000001", "31/12/2031", "Patronyme", "Né(e) le", "2550699999999", "Date Certif.",
                         "15/03/2007", "Assuré", "Qualité", "Rang", "5, BD MARIE ET ALEXANDRE OYON",
                         "72019 LE MANS CEDEX 2", "Num SS", "Id Porteur", "DR MEDECIN TEST", "Période droits AMO",
                         "du 29/05/2023", "Période couverture ALD", "Service AMO Bénéf.", "00 - Pas de service AMO",
                         "Période AMO Bénéf. au", "Statut du Bénéf.", "Période droits Mutuelle", "N° Adhérent",
                         "000123456", "N° AMC", "1100000000", "Gest. Risque", "Gest. AT1", "Id AT1", "Gest. AT2",
                         "Id AT2"):
            assert expected in lecture, expected
        await pilot.press("ctrl+right")
        assert tabs.active == TAB_ADRI
        assert "Pas de consultation ADRi" in screen_text(app)
        await pilot.press("f9")
        await wait_for(pilot, lambda: "Droits récupérés sur ADR" in screen_text(app), "ADRi answer")
        adri = screen_text(app)
        assert "Pas de consultation ADRi" not in adri
        assert "Droits ADRi du 29/05/2023 au 28/05/2024" in adri
        await pilot.press("f10")
        await wait_screen(pilot, ComptoirScreen)


async def test_adri_outage_says_to_go_on_with_the_card(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dossier(pilot)
        app.services.engine.rights_server.set_outage(True)
        await pilot.press("f7")
        dialog = await wait_screen(pilot, VitaleDetailDialog)
        await pilot.press("f9")
        await wait_for(pilot, lambda: "Consultation ADRi impossible" in screen_text(app), "outage message")
        assert "L'assuré a présenté sa carte Vitale" in screen_text(app)
        assert dialog.query_one("#adri-outcome").has_class("error-text")
        assert "Pas de consultation ADRi" in screen_text(app)


async def test_apcv_payload_is_checked_then_gives_a_dossier(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "cps")
        await pilot.press("f11")
        await wait_screen(pilot, CpsCodeDialog)
        await pilot.press(*"1234", "f10")
        dialog = await wait_screen(pilot, ApcvDialog)
        await pilot.press(*"n'importe quoi", "f10")
        assert "APCV1" in text_of(dialog.query_one("#apcv-error"))
        dialog.query_one(Input).value = "APCV1|255069999999934|15/06/1955|1"
        await pilot.press("f10")
        choice = await wait_screen(pilot, BeneficiaryChoiceDialog)
        assert [str(o.prompt) for o in choice.query_one(OptionList).options] == ["1 - DESMAUX NATHALIE (15/06/1955)"]
        await pilot.press("f10")
        comptoir = await wait_screen(pilot, ComptoirScreen)
        await wait_for(pilot, lambda: comptoir.dossier is not None, "dossier")
        assert comptoir.dossier.info_vitale.source in ("apcv", "adri")
        assert comptoir.dossier.card_present is False
