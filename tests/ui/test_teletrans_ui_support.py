"""Helpers of the Télétransmissions UI tests and snapshots (no test here): open the pane on the demo
dataset, wait for this area's workers, read tables and notifications, stand in for the CPS code."""
from __future__ import annotations

from typing import Any, Callable

from screens.teletransmissions import TeletransmissionsPane
from screens.tiers_payant import TiersPayantScreen

MAX_TURNS = 400   # a guard against a hung test, not a timing limit: each turn waits for workers to finish
OUR_GROUPS = ("tt-", "lot-")
# Workers that wait on the "Code Porteur" dialog: waiting for them would wait for the test's own answer.
ASKING_GROUPS = ("tt-cps", "tt-dialog-cps")


async def fake_cps_code(reason: str = "") -> str:
    """Stands for the "Code Porteur" dialog (screens/cps_code.py): the demo CPS code."""
    return "1234"


async def no_cps_code(reason: str = "") -> None:
    return None


async def settle(pilot: Any) -> None:
    """Let this area's workers finish (lists, runs, dialogs' loads), then repaint."""
    app = pilot.app
    for _ in range(MAX_TURNS):
        await pilot.pause()
        pending = [w for w in app.workers if not w.is_finished and w.group.startswith(OUR_GROUPS)
                   and w.group not in ASKING_GROUPS]
        if not pending:
            break
        for worker in pending:
            await worker.wait()
    await pilot.pause()


async def until(pilot: Any, predicate: Callable[[], bool], what: str) -> None:
    for _ in range(MAX_TURNS):
        await settle(pilot)
        if predicate():
            return
    raise AssertionError(f"never reached: {what}; screen is {type(pilot.app.screen).__name__}")


async def open_pane(pilot: Any) -> TeletransmissionsPane:
    """Tiers Payant (F3): Télétransmissions is the first tab and its table has the focus."""
    await pilot.press("f3")
    assert isinstance(pilot.app.screen, TiersPayantScreen)
    await settle(pilot)
    pane = pilot.app.screen.query_one(TeletransmissionsPane)
    assert pane.current_table().has_focus
    return pane


def rows(table: Any) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def headers(table: Any) -> list[str]:
    return [str(c.label).replace("\n", " ") for c in table.columns.values()]


async def select_lot(pilot: Any, pane: TeletransmissionsPane, number: str) -> None:
    """Télétransmis list, cursor on the most recent lot with this number."""
    if pane.mode != "t":
        await pilot.press("f6")
    lot_id = next(r.lot_id for r in pane.t_rows.values() if r.lot == number and not r.superseded)
    table = pane.current_table()
    table.move_cursor(row=table.get_row_index(str(lot_id)))
    await pilot.pause()


def notifications(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


def lot_row(pane: TeletransmissionsPane, number: str) -> Any:
    return next((r for r in pane.t_rows.values() if r.lot == number and not r.superseded), None)
