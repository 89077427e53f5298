"""Helpers of the counter-flow UI tests (no test here): an app with the simulated reader (CPS + a deck card
inserted, code 1234 given), dossiers built through the services (tests/unit/counter_support.py), and
Pilot helpers that wait for the dialog workers without waiting for the flow worker itself (it is
blocked in push_screen_wait until the test answers the dialog)."""
from __future__ import annotations

from typing import Any, Callable

from screens import counter_flow as cf
from tests.unit import counter_support as S

FLOW_GROUP = "test-counter-flow"
# Workers that wait in push_screen_wait for the user: never awaited by settle().
WAITING_GROUPS = {FLOW_GROUP, "counter-flow"}
MAX_TURNS = 400   # a guard against a hung test, not a timing limit: each turn waits for the workers to finish


def counter_app(make_app: Callable[..., Any], card: str = "desmaux") -> tuple[Any, Any, Any]:
    """(app, counter services, reader) with the CPS and ``card`` in the simulated reader, CPS unlocked."""
    app = make_app()
    svc, rdr = app.services.counter, app.services.reader
    rdr.insert("cps")
    if card:
        rdr.insert(card)
    svc.vitale.unlock_cps(rdr, S.PIN)
    return app, svc, rdr


async def fake_code(app: Any, *, reason: str) -> str:
    """Stands for C1's "Code Porteur" dialog (screens.cps_code.ask_cps_code) in these tests."""
    return S.PIN


async def settle(pilot: Any) -> None:
    """Let every worker but the flow's own finish (dialog loads, service calls), then repaint."""
    app = pilot.app
    for _ in range(MAX_TURNS):
        await pilot.pause()
        pending = [w for w in app.workers if w.group not in WAITING_GROUPS and not w.is_finished]
        if not pending:
            break
        for worker in pending:
            await worker.wait()
    await pilot.pause()


async def until(pilot: Any, predicate: Callable[[], bool], what: str = "") -> None:
    for _ in range(MAX_TURNS):
        await settle(pilot)
        if predicate():
            return
    raise AssertionError(f"never reached: {what or predicate}; screen is {type(pilot.app.screen).__name__}")


async def on_screen(pilot: Any, kind: type) -> Any:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__)
    return pilot.app.screen


def start(app: Any, coro: Any) -> Any:
    """Run an entry point of screens/counter_flow.py in a worker, as the Comptoir does."""
    return app.run_worker(coro, group=FLOW_GROUP, exit_on_error=False)


async def finish(pilot: Any, worker: Any) -> Any:
    await until(pilot, lambda: worker.is_finished, "flow finished")
    if worker.error is not None:
        raise worker.error
    return worker.result


def screen_text(screen: Any) -> str:
    """The text of every Static / Label of a screen (what the user reads)."""
    from textual.widgets import Label, Static

    parts = []
    for widget in screen.query(Static):
        if isinstance(widget, (Static, Label)):
            parts.append(str(widget.render()))
    return "\n".join(parts)


def table_text(table: Any) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


__all__ = ["S", "cf", "counter_app", "fake_code", "settle", "until", "on_screen", "start", "finish", "screen_text",
           "table_text", "FLOW_GROUP"]
