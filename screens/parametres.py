"""Paramètres: the settings of the manual (section XI) and the mutuelles."""
from __future__ import annotations

import importlib

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ContentSwitcher, OptionList, Static
from textual.widgets.option_list import Option

from screens.base import AreaScreen

# section id -> (menu label, module, class)
SECTIONS = (
    ("teletransmission", "Mutuelles & SS > Télétransmission", "screens.settings_teletransmission",
     "TeletransmissionSettingsPane"),
    ("mutuelles", "Mutuelles & SS > Mutuelles", "screens.settings_mutuelles", "MutuellesSettingsPane"),
    ("ps", "Sesam Vitale > Paramétrage du PS", "screens.settings_ps", "PsSettingsPane"),
    ("sv", "Sesam Vitale > Paramétrage SV", "screens.settings_sv", "SvSettingsPane"),
)


def _section_body(section_id: str, module_name: str, class_name: str):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return Static("Cet écran de paramétrage arrive avec un prochain lot de Lunetier.",
                      classes="placeholder", id=f"section-{section_id}")
    return getattr(module, class_name)(id=f"section-{section_id}")


class ParametresScreen(AreaScreen):
    AREA_TITLE = "Paramètres"

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="param-body"):
            yield OptionList(*(Option(label, id=sid) for sid, label, _, _ in SECTIONS), id="param-menu")
            with ContentSwitcher(initial=f"section-{SECTIONS[0][0]}", id="param-switcher"):
                for sid, _, module, cls in SECTIONS:
                    yield _section_body(sid, module, cls)

    def on_mount(self) -> None:
        self.query_one("#param-menu", OptionList).focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.query_one("#param-switcher", ContentSwitcher).current = f"section-{event.option.id}"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a menu entry moves into that section's form."""
        if event.option.id:
            section = self.query_one(f"#section-{event.option.id}")
            focusables = [w for w in section.query("*") if w.focusable]
            if focusables:
                focusables[0].focus()
