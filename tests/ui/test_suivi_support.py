"""Helpers for the Pilot and snapshot tests of Suivi Facturations, Suivi Virements and Op. Ponctuelles
(no tests here). The app is make_app(demo=True): the manual's data, clock frozen on 28/05/2024 11:13."""
from __future__ import annotations

# The manual's searches of §IX and §X (the demo's virements are dated 28-29/05/2024).
MANUAL_FROM, MANUAL_TO = "29/04/2024", "29/05/2024"


async def settle(pilot) -> None:  # noqa: ANN001 - a Pilot
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def dismiss_other_panes_errors(pilot) -> list[str]:  # noqa: ANN001
    """The Tiers Payant screen mounts its five panes at once; a sibling pane (not under test here) failing in a
    partial build must not hide the pane under test. Each test then checks its own pane's content."""
    from screens.dialogs import ErrorDialog

    seen = []
    while isinstance(pilot.app.screen, ErrorDialog):
        seen.append(pilot.app.screen.message)
        await pilot.press("escape")
        await settle(pilot)
    return seen


async def open_tab(pilot, tab: str):  # noqa: ANN001, ANN201
    """F3 (Tiers Payant), then the tab; returns the tab's pane."""
    from screens.tiers_payant import TiersPayantScreen

    await pilot.press("f3")
    await settle(pilot)
    await dismiss_other_panes_errors(pilot)
    assert isinstance(pilot.app.screen, TiersPayantScreen)
    pilot.app.screen.query_one("#tp-tabs").active = tab
    await settle(pilot)
    await dismiss_other_panes_errors(pilot)
    pane = pilot.app.screen.query_one(f"#{tab}").children[0]
    return pane


async def set_range(pilot, pane, prefix: str, start: str = MANUAL_FROM, end: str = MANUAL_TO) -> None:  # noqa: ANN001
    """Type the period like a user: from field, to field, Entrée."""
    from textual.widgets import Input

    pane.query_one(f"#{prefix}-from", Input).value = start
    field = pane.query_one(f"#{prefix}-to", Input)
    field.value = end
    field.focus()
    await pilot.press("enter")
    await settle(pilot)


def table_rows(widget, table_id: str) -> list[list[str]]:  # noqa: ANN001
    table = widget.query_one(table_id)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(widget, selector: str) -> str:  # noqa: ANN001
    return str(widget.query_one(selector).render())
