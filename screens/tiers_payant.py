"""Tiers Payant: the manual's five tabs. Each tab body is a pane widget from its own module."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, TabbedContent, TabPane

from app.commands import Command, bindings
from screens.base import AreaScreen

TABS = (
    ("teletransmissions", "Télétransmissions"),
    ("suivi-facturations", "Suivi Facturations"),
    ("pieces-jointes", "Pièces Jointes"),
    ("suivi-virements", "Suivi Virements"),
    ("op-ponctuelles", "Op. Ponctuelles"),
)


def _pane_body(tab_id: str):
    from screens import tp_panes

    return tp_panes.make_pane(tab_id)


class TiersPayantScreen(AreaScreen):
    AREA_TITLE = "Tiers Payant"
    COMMAND_SPECS = (
        Command("next_tab", "ctrl+right", "next_tab", "Onglet suivant", "Passer à l'onglet suivant.", show=False),
        Command("prev_tab", "ctrl+left", "prev_tab", "Onglet précédent", "Revenir à l'onglet précédent.",
                show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="tp-tabs"):
            for tab_id, title in TABS:
                with TabPane(title, id=tab_id):
                    yield _pane_body(tab_id)

    def _move(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        ids = [t for t, _ in TABS]
        index = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.active = ids[(index + step) % len(ids)]

    def action_next_tab(self) -> None:
        self._move(1)

    def action_prev_tab(self) -> None:
        self._move(-1)

    @on(TabbedContent.TabActivated, "#tp-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # Arriving on a tab (Ctrl+→, click): its list takes the keys (Entrée, ↑/↓), not a date field.
        self.call_after_refresh(self._focus_list, event.pane)

    def _focus_list(self, pane: TabPane) -> None:
        focused = self.focused
        if focused is not None and pane in focused.ancestors_with_self and not isinstance(focused, DataTable):
            return  # the user already went to a field of this tab
        tables = [t for t in pane.query(DataTable) if t.display and t.focusable]
        if tables:
            tables[0].focus()
