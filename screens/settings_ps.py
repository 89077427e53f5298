"""Paramètres > Sesam Vitale > Paramétrage du PS (manual §XI.B): the ADRi call mode."""
from __future__ import annotations

from pydantic import BaseModel
from textual.app import ComposeResult
from textual.widgets import Label, RadioButton, RadioSet, Static

from core.services.settings import PsSettings
from screens.settings_form import SettingsPane, validate_section

ADRI_MODES: tuple[tuple[str, str], ...] = (
    ("cible", "Appel ciblé"),
    ("systematique", "Appel systématique"),
    ("manuel", "Appel manuel"),
)

EXPLANATION = (
    "Par défaut, l'ADRI est en mode « Appel ciblé » afin d'interroger les serveurs RO uniquement lorsque "
    "c'est nécessaire. Mais si les serveurs ADRI ne sont pas accessibles, il peut devenir gênant d'avoir des "
    "messages d'erreurs à répétition. Dans ce cas, vous pouvez passer en mode « Appel manuel » afin de ne "
    "pas être bloqué.")
REMARK = ("Remarque : Il ne faut surtout pas modifier d'autres paramètres sur cet écran afin d'éviter tout "
          "dysfonctionnement du SESAM-Vitale.")


class PsSettingsPane(SettingsPane):
    SECTION = "ps"

    def compose_form(self) -> ComposeResult:
        yield Label("Acquisition des Droits Intégrée (ADRI)", classes="section-title")
        with RadioSet(id="adri_mode", compact=True):
            for mode, label in ADRI_MODES:
                yield RadioButton(label, id=f"adri-{mode}")
        yield Static(EXPLANATION, classes="field-help")
        yield Static(REMARK, classes="warning-text remark")

    def fill(self, section: BaseModel) -> None:
        assert isinstance(section, PsSettings)
        self.query_one(f"#adri-{section.adri_mode}", RadioButton).value = True

    def read(self, current: BaseModel) -> BaseModel:
        pressed = self.query_one("#adri_mode", RadioSet).pressed_button
        mode = (pressed.id or "").removeprefix("adri-") if pressed else ""
        return validate_section(PsSettings, {**current.model_dump(), "adri_mode": mode},
                                {"adri_mode": "Acquisition des Droits Intégrée (ADRI)"})
