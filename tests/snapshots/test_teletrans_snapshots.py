"""80x24 snapshots of Tiers Payant > Télétransmissions on the manual's demo dataset: both lists, the
"Télétransmission" step dialog, "Détail lot n°027" and "Impression Lot N°" (deterministic: frozen clock,
demo data, workers awaited, input cursor blink off)."""
from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import Input

sys.path.insert(0, str(Path(__file__).parents[1] / "ui"))  # Pilot helpers live with the UI tests

from test_teletrans_ui_support import open_pane, select_lot, settle  # noqa: E402

SIZE = (80, 24)


async def _no_blink(pilot) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_a_teletransmettre(snap_compare, make_app):
    async def run_before(pilot):
        await open_pane(pilot)

    assert snap_compare(make_app(demo=True), terminal_size=SIZE, run_before=run_before)


def test_teletransmis(snap_compare, make_app):
    async def run_before(pilot):
        pane = await open_pane(pilot)
        await select_lot(pilot, pane, "027")
        await settle(pilot)

    assert snap_compare(make_app(demo=True), terminal_size=SIZE, run_before=run_before)


def test_step_dialog(snap_compare, make_app):
    async def run_before(pilot):
        await open_pane(pilot)
        await pilot.press("f8")
        await settle(pilot)

    assert snap_compare(make_app(demo=True), terminal_size=SIZE, run_before=run_before)


def test_lot_detail(snap_compare, make_app):
    async def run_before(pilot):
        pane = await open_pane(pilot)
        await select_lot(pilot, pane, "027")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(demo=True), terminal_size=SIZE, run_before=run_before)


def test_reprint_dialog(snap_compare, make_app):
    async def run_before(pilot):
        pane = await open_pane(pilot)
        await select_lot(pilot, pane, "027")
        await pilot.press("f7")
        await settle(pilot)
        await _no_blink(pilot)

    assert snap_compare(make_app(demo=True), terminal_size=SIZE, run_before=run_before)
