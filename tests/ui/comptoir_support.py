"""Helpers for the Comptoir and card-dialog Pilot tests: wait for a condition (workers run in threads),
drive the F12 flow with the simulated reader, read the text of widgets."""
from __future__ import annotations

from typing import Any, Callable

from textual.widgets import Input, Static

MAX_PAUSES = 10000   # a bound on event-loop turns so that a broken test ends; never reached when green


async def wait_for(pilot: Any, predicate: Callable[[], bool], what: str = "condition") -> None:
    """Let the app run (thread workers, messages) until ``predicate()`` holds."""
    for _ in range(MAX_PAUSES):
        if predicate():
            return
        await pilot.pause(0.005)
    raise AssertionError(f"never reached: {what}")


async def wait_screen(pilot: Any, cls: type) -> Any:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, cls), cls.__name__)
    await pilot.pause()
    return pilot.app.screen


def text_of(widget: Any) -> str:
    """The plain text a Static (or Label) shows."""
    content = widget.content
    return str(getattr(content, "plain", content))


def screen_text(app: Any) -> str:
    """Every Static / Label text of the current screen, joined (for "is this said somewhere")."""
    return "\n".join(text_of(w) for w in app.screen.query(Static))


def no_blink(app: Any) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False


def comptoir(app: Any) -> Any:
    from screens.comptoir import ComptoirScreen

    return next(s for s in app.screen_stack if isinstance(s, ComptoirScreen))


async def insert(pilot: Any, *names: str) -> None:
    """Insert deck cards straight into the simulated reader and let the events arrive."""
    for name in names:
        pilot.app.services.reader.insert(name)
    await pilot.pause()
    await pilot.pause()


async def open_dossier(pilot: Any, card: str = "desmaux", *, code: str = "1234", choice_downs: int = 0) -> Any:
    """CPS + ``card`` inserted, F12, code porteur, bénéficiaire -> the Comptoir with its dossier."""
    from screens.beneficiary_choice import BeneficiaryChoiceDialog
    from screens.comptoir import ComptoirScreen
    from screens.cps_code import CpsCodeDialog

    app = pilot.app
    reader = app.services.reader
    present = {c.reader_name for c in reader.present_cards()}
    if not any(c.info.is_cps for c in reader.present_cards()):
        await insert(pilot, "cps")
    if len(present) < 2:
        await insert(pilot, card)
    await pilot.press("f12")
    await wait_for(pilot, lambda: isinstance(app.screen, (CpsCodeDialog, BeneficiaryChoiceDialog)), "a card dialog")
    if isinstance(app.screen, CpsCodeDialog):
        await pilot.press(*code, "f10")
        await wait_screen(pilot, BeneficiaryChoiceDialog)
    for _ in range(choice_downs):
        await pilot.press("down")
    await pilot.press("f10")
    await wait_for(pilot, lambda: isinstance(app.screen, ComptoirScreen) and app.screen.dossier is not None,
                   "the dossier")
    await pilot.pause()
    return app.screen
