"""80x24 snapshots of the card dialogs: Code Porteur (empty, wrong code, blocked), Choix du bénéficiaire
(family card), Détail Informations Vitale (both tabs), Lire l'appli Carte Vitale, the simulated deck."""
from __future__ import annotations

from textual.widgets import Input

from screens.apcv_dialog import ApcvDialog
from screens.beneficiary_choice import BeneficiaryChoiceDialog
from screens.card_deck_dialog import CardDeckDialog
from screens.cps_code import CpsCodeDialog
from screens.vitale_detail import VitaleDetailDialog
from tests.ui.comptoir_support import insert, no_blink, open_dossier, wait_for, wait_screen

SIZE = (80, 24)


async def _code_dialog(pilot, card: str = "desmaux") -> CpsCodeDialog:
    await insert(pilot, "cps", card)
    await pilot.press("f12")
    return await wait_screen(pilot, CpsCodeDialog)


async def _wrong(pilot, dialog: CpsCodeDialog, code: str) -> None:
    await pilot.press(*code, "f10")
    await wait_for(pilot, lambda: not dialog.checking and dialog.query_one("#cps-code", Input).value == "",
                   "code checked")


def test_cps_code_empty(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _code_dialog(pilot)
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_cps_code_wrong_code(snap_compare, make_app):
    async def run_before(pilot) -> None:
        dialog = await _code_dialog(pilot)
        await _wrong(pilot, dialog, "0000")
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_cps_code_blocked(snap_compare, make_app):
    async def run_before(pilot) -> None:
        dialog = await _code_dialog(pilot)
        for code in ("0000", "1111", "2222"):
            await _wrong(pilot, dialog, code)
        await wait_for(pilot, lambda: dialog.blocked, "blocked")
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_beneficiary_choice_family_card(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _code_dialog(pilot, "essai")
        await pilot.press(*"1234", "f10")
        await wait_screen(pilot, BeneficiaryChoiceDialog)
        await pilot.press("down", "down", "down")
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


async def _detail(pilot) -> VitaleDetailDialog:
    await open_dossier(pilot)
    await pilot.press("f7")
    return await wait_screen(pilot, VitaleDetailDialog)


def test_vitale_detail_lecture(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _detail(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_vitale_detail_adri(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await _detail(pilot)
        await pilot.press("ctrl+right")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_apcv_dialog(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await insert(pilot, "cps")
        await pilot.press("f11")
        await wait_screen(pilot, CpsCodeDialog)
        await pilot.press(*"1234", "f10")
        await wait_screen(pilot, ApcvDialog)
        await pilot.press(*"APCV1|2550", "f10")
        await pilot.pause()
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_deck_dialog(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await insert(pilot, "cps")
        await pilot.press("ctrl+o")
        await wait_screen(pilot, CardDeckDialog)
        await pilot.press("down")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
