"""The "Code Porteur" dialog: first card read of the day, wrong code, blocked CPS, CPS absent, secrecy."""
from __future__ import annotations

import logging
from datetime import datetime

from textual.widgets import Input

from core.models import Dossier
from screens.beneficiary_choice import BeneficiaryChoiceDialog
from screens.comptoir import ComptoirScreen
from screens.cps_code import CpsCodeDialog, ask_cps_code
from tests.ui.comptoir_support import insert, open_dossier, screen_text, text_of, wait_for, wait_screen

SIZE = (80, 24)


async def _wrong(pilot, code: str) -> CpsCodeDialog:
    dialog = pilot.app.screen
    await pilot.press(*code, "f10")
    await wait_for(pilot, lambda: not dialog.checking and dialog.query_one("#cps-code", Input).value == "",
                   "the code checked")
    return dialog


async def test_first_read_of_the_day_asks_the_code_once(make_app, clock):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dossier(pilot)
        assert app.status.cps == "CPS : OPTIQUE DEMO Lunetier"
        await pilot.press("f12")                              # same day: straight to the bénéficiaire
        await wait_screen(pilot, BeneficiaryChoiceDialog)
        await pilot.press("escape")
        await wait_screen(pilot, ComptoirScreen)
        clock.set(datetime(2024, 5, 29, 9, 0))                # a new day asks again
        await pilot.press("f12")
        dialog = await wait_screen(pilot, CpsCodeDialog)
        assert "première lecture du jour" in text_of(dialog.query_one("#cps-reason"))


async def test_wrong_code_shows_tries_left_and_the_third_blocks(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "cps", "desmaux")
        await pilot.press("f12")
        dialog = await wait_screen(pilot, CpsCodeDialog)
        await _wrong(pilot, "0000")
        assert "il reste 2 essais" in text_of(dialog.query_one("#cps-message"))
        assert isinstance(app.screen, CpsCodeDialog)          # no automatic retry: the user types again
        await _wrong(pilot, "1111")
        assert "il reste 1 essai " in text_of(dialog.query_one("#cps-message"))
        await _wrong(pilot, "2222")
        await wait_for(pilot, lambda: dialog.blocked, "blocked")
        assert dialog.query_one("#cps-code", Input).disabled
        assert dialog.query_one("#cps-blocked-help").display
        help_text = text_of(dialog.query_one("#cps-blocked-help"))
        assert "code de déblocage" in help_text and "CPS Info Service" in help_text
        assert app.status.cps == "CPS : bloquée"
        await pilot.press("f10")                              # nothing happens on a blocked card
        assert isinstance(app.screen, CpsCodeDialog)
        await pilot.press("escape")
        comptoir = await wait_screen(pilot, ComptoirScreen)
        assert "aucun dossier créé" in text_of(comptoir.query_one("#comptoir-message"))
        assert Dossier.select().count() == 0
        await pilot.press("f12")                              # asked again: the dialog opens blocked
        dialog = await wait_screen(pilot, CpsCodeDialog)
        assert dialog.blocked


async def test_short_code_is_refused_before_reaching_the_card(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "cps", "desmaux")
        await pilot.press("f12")
        dialog = await wait_screen(pilot, CpsCodeDialog)
        await pilot.press("1", "2", "f10")
        await pilot.pause()
        assert "4 chiffres" in text_of(dialog.query_one("#cps-message"))
        await pilot.press("3", "4", "enter")                  # Entrée validates too
        await wait_screen(pilot, BeneficiaryChoiceDialog)   # no try was used: the right code still works


async def test_cps_absent_tells_to_insert_it_with_ctrl_o(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "desmaux")
        await pilot.press("f12")
        comptoir = app.screen
        await wait_for(pilot, lambda: "CPS absente" in text_of(comptoir.query_one("#comptoir-message")), "message")
        message = text_of(comptoir.query_one("#comptoir-message"))
        assert "Ctrl+O" in message and "F12" in message
        assert isinstance(app.screen, ComptoirScreen)


async def test_ask_cps_code_returns_the_code_and_never_logs_it(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    app = make_app()
    answers: list = []
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "cps")

        async def ask() -> None:
            answers.append(await ask_cps_code(app, reason="Télétransmission des lots"))

        app.run_worker(ask(), exit_on_error=False)
        await wait_screen(pilot, CpsCodeDialog)
        assert "Télétransmission des lots" in screen_text(app)
        await _wrong(pilot, "9876")
        await pilot.press(*"1234", "f10")
        await wait_for(pilot, lambda: answers, "the answer")
    assert answers == ["1234"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "1234" not in logged and "9876" not in logged


async def test_app_request_cps_code_is_wired_to_the_dialog(make_app):
    app = make_app()
    answers: list = []
    async with app.run_test(size=SIZE) as pilot:
        await insert(pilot, "cps")

        async def ask() -> None:
            answers.append(await app.request_cps_code("Signature de la FSE"))

        app.run_worker(ask(), exit_on_error=False)
        await wait_screen(pilot, CpsCodeDialog)
        await pilot.press("escape")
        await wait_for(pilot, lambda: answers, "the answer")
    assert answers == [None]
