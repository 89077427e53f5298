"""80x24 snapshots of Suivi Facturations, Suivi Virements, Op. Ponctuelles and their dialogs on the manual's
demo data (make_app(demo=True), clock frozen on 28/05/2024 11:13, temp database)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "ui"))

from test_suivi_support import open_tab, set_range, settle  # noqa: E402

SIZE = (80, 24)


def _suivi(steps=None):  # noqa: ANN001, ANN202
    async def run(pilot):  # noqa: ANN001
        pane = await open_tab(pilot, "suivi-facturations")
        pane.query_one("#sf-table").focus()
        await settle(pilot)
        if steps:
            await steps(pilot, pane)
        pilot.app.clear_notifications()
        await settle(pilot)

    return run


def _with_range(tab: str, prefix: str, steps=None):  # noqa: ANN001, ANN202
    async def run(pilot):  # noqa: ANN001
        pane = await open_tab(pilot, tab)
        await set_range(pilot, pane, prefix)
        if steps:
            await steps(pilot, pane)
        await settle(pilot)

    return run


def test_suivi_facturations_pane(snap_compare, make_app):
    assert snap_compare(make_app(demo=True), terminal_size=SIZE, run_before=_suivi())


def test_invoice_detail_203(snap_compare, make_app):
    async def select_203(pilot, pane):  # noqa: ANN001
        await pilot.press("pagedown")
        await settle(pilot)
        await pilot.press("pageup")
        await settle(pilot)
        table = pane.query_one("#sf-table")
        table.move_cursor(row=[str(table.get_row_at(i)[3]) for i in range(table.row_count)].index("203"))
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(demo=True), terminal_size=SIZE, run_before=_suivi(select_203))


def test_filters_dialog(snap_compare, make_app):
    async def open_filters(pilot, pane):  # noqa: ANN001
        await pilot.press("f9")
        await pilot.pause()
        pilot.app.screen.query_one("#f-etat").value = "Rejeté"
        await pilot.pause()

    assert snap_compare(make_app(demo=True), terminal_size=SIZE, run_before=_suivi(open_filters))


def test_suivi_virements_pane(snap_compare, make_app):
    async def highlight(pilot, pane):  # noqa: ANN001
        await pilot.press("down", "down")

    assert snap_compare(make_app(demo=True), terminal_size=SIZE,
                        run_before=_with_range("suivi-virements", "sv", highlight))


def test_virement_detail(snap_compare, make_app):
    async def open_7fr2(pilot, pane):  # noqa: ANN001
        await pilot.press("down", "down", "enter")
        await settle(pilot)

    assert snap_compare(make_app(demo=True), terminal_size=SIZE,
                        run_before=_with_range("suivi-virements", "sv", open_7fr2))


def test_op_ponctuelles_pane(snap_compare, make_app):
    assert snap_compare(make_app(demo=True), terminal_size=SIZE,
                        run_before=_with_range("op-ponctuelles", "op"))


def test_op_ponctuelle_detail(snap_compare, make_app):
    async def open_code1(pilot, pane):  # noqa: ANN001
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(demo=True), terminal_size=SIZE,
                        run_before=_with_range("op-ponctuelles", "op", open_code1))
