"""Reader events -> app messages and the status line (CPS and reader parts)."""
from __future__ import annotations

import threading
from datetime import date

from app.card_events import (CardInserted, CardRemoved, ReaderServiceBack, ReaderServiceLost, ReaderState, SlotState,
                             card_watch, cps_status_text, reader_status_text)
from app.status import StatusLine
from core.card import SLOT_CPS, SLOT_VITALE, CardEvent, CardEventKind, CardKind, classify_atr, make_card
from tests.ui.comptoir_support import insert, wait_for, wait_screen

SIZE = (80, 24)
VITALE_ATR = make_card("desmaux").atr
CPS_ATR = make_card("cps").atr


class PcscReader:
    """Stands in for core.card.PcscReader (same class name): events come from a monitor thread."""

    def __init__(self, events: list[CardEvent]) -> None:
        self.events = events
        self.cancelled = False

    def subscribe(self, callback):
        reader = self

        class Subscription:
            def cancel(self) -> None:
                reader.cancelled = True

        thread = threading.Thread(target=lambda: [callback(e) for e in self.events])
        thread.start()
        thread.join()
        return Subscription()

    def present_cards(self):
        return []


def test_reader_text_names_the_card_and_leaves_the_cps_to_its_own_part():
    state = ReaderState()
    assert reader_status_text("Lecteur PC/SC", state) == ("Lecteur PC/SC : vide", True)
    state.slots[SLOT_CPS] = SlotState(classify_atr(CPS_ATR))
    assert reader_status_text("Lecteur simulé", state) == ("Lecteur simulé : vide", True)
    state.slots[SLOT_VITALE] = SlotState(classify_atr(VITALE_ATR), "DESMAUX")
    assert reader_status_text("Lecteur simulé", state) == ("Lecteur simulé : CV DESMAUX insérée", True)
    state.service_down = "Le service PC/SC (pcscd) ne répond pas"
    assert reader_status_text("Lecteur PC/SC", state) == ("Lecteur PC/SC : pcscd arrêté", False)


def test_cps_text_follows_the_day_of_the_unlock():
    today = date(2024, 5, 28)
    state = ReaderState()
    assert cps_status_text(state, today) == ("CPS : absente", False)
    state.slots[SLOT_CPS] = SlotState(classify_atr(CPS_ATR))
    assert cps_status_text(state, today) == ("CPS : code à saisir", False)
    state.cps_holder, state.cps_unlocked_on = "OPTIQUE DEMO Lunetier", today
    assert cps_status_text(state, today) == ("CPS : OPTIQUE DEMO Lunetier", True)
    assert cps_status_text(state, date(2024, 5, 29)) == ("CPS : code à saisir", False)   # a new day
    state.cps_blocked = True
    assert cps_status_text(state, today) == ("CPS : bloquée", False)


async def test_insertions_become_app_messages_and_status_texts(make_app):
    seen: list = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await pilot.pause()
        assert app.status.reader == "Lecteur simulé : vide"
        assert app.status.cps == "CPS : absente"
        await insert(pilot, "cps")
        assert app.status.cps == "CPS : code à saisir"
        await insert(pilot, "desmaux")
        assert app.status.reader == "Lecteur simulé : Carte Vitale 2 insérée"
        app.services.reader.remove(SLOT_VITALE)
        await pilot.pause()
        assert app.status.reader == "Lecteur simulé : vide"
    inserted = [m for m in seen if isinstance(m, CardInserted)]
    assert [(m.slot, m.kind) for m in inserted] == [(SLOT_CPS, CardKind.CPS), (SLOT_VITALE, CardKind.VITALE_2)]
    removed = [m for m in seen if isinstance(m, CardRemoved)]
    assert [(m.slot, m.kind) for m in removed] == [(SLOT_VITALE, CardKind.VITALE_2)]


async def test_events_from_another_thread_reach_the_status_line(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        thread = threading.Thread(target=app.services.reader.insert, args=("essai",))
        thread.start()
        thread.join()
        await wait_for(pilot, lambda: "Carte Vitale 2 insérée" in app.status.reader, "status from a thread")


async def test_deck_insertion_names_the_card_and_ctrl_e_removes_it(make_app):
    from screens.card_deck_dialog import CardDeckDialog

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        dialog = await wait_screen(pilot, CardDeckDialog)
        names = [o.id for o in dialog.query_one("#deck-list").options]
        assert names[:3] == ["cps", "desmaux", "essai"]
        await pilot.press("down", "enter")                      # desmaux
        await wait_for(pilot, lambda: app.status.reader == "Lecteur simulé : CV DESMAUX insérée", "named card")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: app.status.reader == "Lecteur simulé : vide", "card removed")


async def test_cps_unlock_and_block_show_in_the_status_line(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        watch = card_watch(app)
        watch.cps_unlocked("OPTIQUE DEMO", "LUNETIER")
        assert (app.status.cps, app.status.cps_ok) == ("CPS : OPTIQUE DEMO Lunetier", True)
        assert not watch.needs_cps_code()
        watch.cps_blocked()
        assert (app.status.cps, app.status.cps_ok) == ("CPS : bloquée", False)
        assert watch.needs_cps_code()
        await pilot.pause()


async def test_pcscd_stopped_is_said_in_error_style_then_recovers(make_app):
    lost = CardEvent(CardEventKind.SERVICE_LOST, message_fr="Le service PC/SC (pcscd) ne répond pas.")
    reader = PcscReader([CardEvent(CardEventKind.INSERTED, "Virtual PCD 00 00", VITALE_ATR), lost])
    seen: list = []
    app = make_app(reader=reader)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await wait_for(pilot, lambda: app.status.reader == "Lecteur PC/SC : pcscd arrêté", "pcscd down")
        assert app.status.reader_ok is False
        await pilot.pause()
        assert app.screen.query_one(StatusLine).has_class("-bad")
        assert "pcscd" in app.screen.query_one("#comptoir-message").content
        card_watch(app)._on_reader_event(CardEvent(CardEventKind.SERVICE_BACK))
        await wait_for(pilot, lambda: app.status.reader == "Lecteur PC/SC : vide", "pcscd back")
        assert app.status.reader_ok is True
    assert any(isinstance(m, ReaderServiceLost) for m in seen)
    assert any(isinstance(m, ReaderServiceBack) for m in seen)
