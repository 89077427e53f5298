"""The Comptoir with the simulated reader: F12 -> code -> bénéficiaire -> dossier; faults of the card."""
from __future__ import annotations

from core.card import SLOT_VITALE
from core.models import Assure, Dossier, VitaleRead
from screens.beneficiary_choice import BeneficiaryChoiceDialog
from screens.comptoir import ComptoirScreen
from screens.cps_code import CpsCodeDialog
from tests.ui.comptoir_support import insert, open_dossier, text_of, wait_for, wait_screen

SIZE = (80, 24)


def _message(screen) -> str:
    return text_of(screen.query_one("#comptoir-message"))


async def test_f12_code_and_choice_show_the_desmaux_dossier(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = app.screen
        assert text_of(comptoir.query_one("#dossier-title")) == "Nouveau dossier · Client / Visite"
        assert comptoir.query_one("#comptoir-empty").display
        await insert(pilot, "cps", "desmaux")
        await pilot.press("f12")
        await wait_screen(pilot, CpsCodeDialog)
        await pilot.press(*"1234", "f10")
        choice = await wait_screen(pilot, BeneficiaryChoiceDialog)
        assert "1 - DESMAUX NATHALIE (15/06/1955)" in [str(o.prompt) for o in choice.query_one("#benef-list").options]
        await pilot.press("enter")
        comptoir = await wait_screen(pilot, ComptoirScreen)
        await wait_for(pilot, lambda: comptoir.dossier is not None, "dossier")
        banner = text_of(comptoir.query_one("#vitale-banner"))
        assert "Informations Vitale au 28/05/2024" in banner
        assert "2 55 06 99 999 999 34" in banner
        assert "60 %" in banner and "01 999 9999" in banner
        assert text_of(comptoir.query_one("#dossier-title")) == \
            "Client / Visite · Devis n°1 · DESMAUX NATHALIE (15/06/1955)"
        assert "Vérif. taux : absente" in text_of(comptoir.query_one("#rate-check"))
        assert app.status.reader == "Lecteur simulé : CV DESMAUX insérée"
        assert app.status.cps == "CPS : OPTIQUE DEMO Lunetier"
        assert not comptoir.query_one("#comptoir-empty").display
        assert app.focused is comptoir.query_one("#ordo-date")


async def test_card_pulled_out_mid_read_writes_nothing_and_f12_retries(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "cps", "desmaux")
        await pilot.press("f12")
        await wait_screen(pilot, CpsCodeDialog)
        await pilot.press(*"1234", "f10")
        await wait_screen(pilot, BeneficiaryChoiceDialog)
        await pilot.press("escape")                              # the code is accepted for the day
        comptoir = await wait_screen(pilot, ComptoirScreen)
        reads_before = VitaleRead.select().count()
        app.services.reader.pull_out_after(3, SLOT_VITALE)
        await pilot.press("f12")
        await wait_for(pilot, lambda: "retirée" in _message(comptoir), "card removed message")
        message = _message(comptoir)
        assert "F12 : relancer la lecture" in message
        assert comptoir.query_one("#comptoir-message").has_class("-error")
        assert VitaleRead.select().count() == reads_before and Dossier.select().count() == 0
        assert app.status.reader == "Lecteur simulé : vide"
        await insert(pilot, "desmaux")
        await open_dossier(pilot)
        assert Dossier.select().count() == 1


async def test_pulled_out_at_the_first_read_leaves_no_row(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "cps", "essai")
        app.services.reader.pull_out_after(2, SLOT_VITALE)
        await pilot.press("f12")
        await wait_screen(pilot, CpsCodeDialog)
        await pilot.press(*"1234", "f10")
        comptoir = await wait_screen(pilot, ComptoirScreen)
        await wait_for(pilot, lambda: "retirée" in _message(comptoir), "card removed message")
        assert Assure.select().count() == 0 and VitaleRead.select().count() == 0 and Dossier.select().count() == 0


async def test_unknown_card_is_named_with_the_retry_key(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "cps", "inconnue")
        await pilot.press("f12")
        await wait_screen(pilot, CpsCodeDialog)
        await pilot.press(*"1234", "f10")
        comptoir = await wait_screen(pilot, ComptoirScreen)
        await wait_for(pilot, lambda: "inconnue" in _message(comptoir).lower(), "unknown card message")
        assert "F12" in _message(comptoir)
        assert app.status.reader == "Lecteur simulé : carte inconnue insérée"
        assert Dossier.select().count() == 0


async def test_card_swapped_while_the_dossier_is_open(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        assert comptoir.dossier.card_present
        app.services.reader.remove(SLOT_VITALE)
        await wait_for(pilot, lambda: not comptoir.dossier.card_present, "card absent")
        assert "mode dégradé" in _message(comptoir)
        await insert(pilot, "c2s")                               # somebody else's card
        await wait_for(pilot, lambda: "n'est pas celle du bénéficiaire" in _message(comptoir), "swap message")
        assert "F12" in _message(comptoir)
        assert not comptoir.dossier.card_present
        await insert(pilot, "desmaux")                           # the right card again
        await wait_for(pilot, lambda: comptoir.dossier.card_present, "card back")
        assert "présente" in _message(comptoir)


async def test_f5_starts_a_new_dossier(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        await pilot.press("f5")
        assert comptoir.dossier is None
        assert text_of(comptoir.query_one("#dossier-title")) == "Nouveau dossier · Client / Visite"
        assert comptoir.query_one("#comptoir-empty").display
