"""The "SESAM-Vitale" button of Détail remboursements (manual §III.B): the menu and the forçage dialogs.

Menu "Sesam Vitale": Maternité, Situation ETM, Service AMO, Siècle naissance, Attestation AMC.
Each forçage dialog saves through app.services.counter.forcages (one audited transaction) in a thread and
returns the new ForcagesDTO (None when closed without saving). Forçages apply to the next Vérif. taux.
"""
from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from app.commands import Command, bindings
from core.errors import ValidationError
from core.services.counter_dto import (SERVICE_AMO_CHOICES, TAUX_EXONERATION_CHOICES, ForcagesDTO,
                                       MaterniteForcageDTO, ServiceAmoForcageDTO, SiecleNaissanceDTO,
                                       SituationEtmDTO)
from screens.counter_flow_common import (CounterDialog, counter, error_line, field, fr_date, options, parse_fr_date,
                                         section)

__all__ = ["MENU_ENTRIES", "SesamVitaleMenu", "ForcageMaterniteDialog", "ForcageServiceAmoDialog",
           "SituationEtmDialog", "ForcageSiecleDialog"]

MENU_ENTRIES = (("maternite", "Maternité"), ("situation_etm", "Situation ETM"), ("service_amo", "Service AMO"),
                ("siecle_naissance", "Siècle naissance"), ("attestation_amc", "Attestation AMC"))
MENU_HELP = {
    "maternite": "Corriger la date de fin de maternité.",
    "situation_etm": "Changer manuellement le taux d'exonération (mode dégradé uniquement).",
    "service_amo": "Forcer / annuler la C2S absente / présente dans les données vitales.",
    "siecle_naissance": "Forcer le siècle de la date de naissance, absent de certaines cartes vitales.",
    "attestation_amc": "Valeurs nécessaires à la DRE quand elles ne viennent pas des conventions.",
}


def _buttons(*extra: Button) -> ComposeResult:
    with Horizontal(classes="dialog-buttons"):
        yield Button("←", id="cancel", compact=True)
        yield from extra
        yield Button("✓ Valider (F10)", id="validate", variant="primary", compact=True)


class SesamVitaleMenu(CounterDialog["str | None"]):
    """Returns the key of the chosen entry (MENU_ENTRIES), or None."""
    HELP_TITLE = 'Menu SESAM-Vitale'  # section title of the F1 help

    COMMAND_SPECS = (
        Command("sv_menu_validate", "f10", "validate", "Valider", "Ouvrir le forçage sélectionné."),
        Command("sv_menu_cancel", "escape", "cancel", "Retour", "Revenir au Détail remboursements."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, forcages: ForcagesDTO | None = None) -> None:
        super().__init__()
        self.forcages = forcages

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="sv-menu"):
            yield Label("Sesam Vitale", classes="dialog-title")
            yield OptionList(*(Option(label, id=key) for key, label in MENU_ENTRIES), id="sv-menu-list")
            yield Static("", id="sv-menu-help", classes="muted")
            actifs = ", ".join(self.forcages.actifs) if self.forcages and self.forcages.actifs else "aucun"
            yield Static(f"Forçages actifs : {actifs}", id="sv-menu-actifs")
            yield from _buttons()

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        menu.highlighted = 0
        menu.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#sv-menu-help", Static).update(MENU_HELP.get(event.option.id or "", ""))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_validate() if event.button.id == "validate" else self.action_cancel()

    def action_validate(self) -> None:
        menu = self.query_one(OptionList)
        if menu.highlighted is not None:
            self.dismiss(menu.get_option_at_index(menu.highlighted).id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ForcageDialog(CounterDialog["ForcagesDTO | None"]):
    """Common behaviour: F10 saves through `_save_call()` in a thread, Escape closes."""
    HELP_TITLE = 'Forçages SESAM-Vitale'  # section title of the F1 help

    TITLE_TEXT = ""
    COMMAND_SPECS = (
        Command("forcage_validate", "f10", "validate", "Valider", "Enregistrer le forçage (tracé)."),
        Command("forcage_cancel", "escape", "cancel", "Retour", "Fermer sans enregistrer."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, dossier_id: int) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog forcage-dialog"):
            yield Label(self.TITLE_TEXT, classes="dialog-title")
            yield from self.compose_fields()
            yield error_line()
            yield from _buttons(*self.extra_buttons())

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def extra_buttons(self) -> tuple[Button, ...]:
        return ()

    def on_mount(self) -> None:
        first = next((w for w in self.query("Input, Select") if not w.disabled), None)
        (first or self.query_one("#cancel")).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "validate":
            self.action_validate()
        elif event.button.id == "cancel":
            self.action_cancel()
        else:
            self.on_extra_button(event.button.id)

    def on_extra_button(self, button_id: str | None) -> None:
        """Buttons of subclasses (e.g. "Supprimer le forçage")."""

    def save_call(self) -> tuple[Any, ...]:
        """(service method, *args) of the save; ValidationError for a bad input (shown inline)."""
        raise NotImplementedError

    def action_validate(self) -> None:
        try:
            call = self.save_call()
        except ValidationError as exc:
            self.set_error(exc.message_fr)
            return
        self.run_save(*call)

    def run_save(self, fn: Any, *args: Any) -> None:
        if not self.busy:
            self.busy = True
            self.set_error("")
            self._save(fn, *args)

    @work(exclusive=True, group="forcage-save", exit_on_error=False)
    async def _save(self, fn: Any, *args: Any) -> None:
        try:
            ok, result = await self.attempt(fn, self.dossier_id, *args)
        finally:
            self.busy = False
        if ok:
            self.app.notify(f"{self.TITLE_TEXT} : enregistré.", timeout=3)
            self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ForcageMaterniteDialog(ForcageDialog):
    HELP_TITLE = 'Forçage maternité'  # section title of the F1 help
    TITLE_TEXT = "Forçage Maternité"
    COMMAND_SPECS = ForcageDialog.COMMAND_SPECS + (
        Command("forcage_maternite_clear", "f8", "clear", "x Effacer",
                "Supprimer la fin forcée (retour à la fin théorique)."),)
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, dossier_id: int, value: MaterniteForcageDTO) -> None:
        super().__init__(dossier_id)
        self.value = value

    def compose_fields(self) -> ComposeResult:
        yield field("Fin Théorique", Input(fr_date(self.value.fin_theorique) or "—", id="fin_theorique",
                                           disabled=True, compact=True, classes="date-input"))
        yield field("Fin Forcée", Input(fr_date(self.value.fin_forcee), id="fin_forcee", placeholder="JJ/MM/AAAA",
                                        max_length=10, restrict=r"[0-9/]*", compact=True, classes="date-input"))

    def extra_buttons(self) -> tuple[Button, ...]:
        return (Button("x (F8)", id="clear", compact=True, tooltip="Supprimer la fin forcée (F8)"),)

    def on_extra_button(self, button_id: str | None) -> None:
        self.action_clear()

    def action_clear(self) -> None:
        self.run_save(counter(self.app).forcages.force_maternite, None)

    def save_call(self) -> tuple[Any, ...]:
        fin = parse_fr_date(self.query_one("#fin_forcee", Input).value, "Fin Forcée")
        return counter(self.app).forcages.force_maternite, fin


class ForcageServiceAmoDialog(ForcageDialog):
    HELP_TITLE = 'Forçage service AMO'  # section title of the F1 help
    TITLE_TEXT = "Forçage Service AMO"
    COMMAND_SPECS = ForcageDialog.COMMAND_SPECS + (
        Command("forcage_service_amo_remove", "f8", "remove", "Supprimer le forçage",
                "Revenir au Service AMO de la carte Vitale (tracé)."),)
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, dossier_id: int, value: ServiceAmoForcageDTO) -> None:
        super().__init__(dossier_id)
        self.value = value

    def compose_fields(self) -> ComposeResult:
        card, forced = self.value.carte, self.value.forcage
        yield section("CARTE VITALE")
        yield field("Code Service AMO:", Static(card.label, id="carte-code"))
        yield field("Date Début:", Static(fr_date(card.debut), id="carte-debut", classes="short-value"),
                    Label("Date Fin:", classes="inner-label"), Static(fr_date(card.fin), id="carte-fin"))
        yield section("FORÇAGE")
        yield field("Code Service AMO:", Select(options(SERVICE_AMO_CHOICES), value=forced.code if forced else Select.NULL,
                                                prompt="(aucun forçage)", compact=True, id="forcage-code"))
        yield field("Date Début:", Input(fr_date(forced.debut if forced else None), id="forcage-debut",
                                         placeholder="JJ/MM/AAAA", max_length=10, restrict=r"[0-9/]*", compact=True,
                                         classes="date-input"),
                    Label("Date Fin:", classes="inner-label"),
                    Input(fr_date(forced.fin if forced else None), id="forcage-fin", placeholder="JJ/MM/AAAA",
                          max_length=10, restrict=r"[0-9/]*", compact=True, classes="date-input"))

    def extra_buttons(self) -> tuple[Button, ...]:
        return (Button("Supprimer le forçage (F8)", id="remove", compact=True, disabled=self.value.forcage is None),)

    def on_extra_button(self, button_id: str | None) -> None:
        self.action_remove()

    def action_remove(self) -> None:
        self.run_save(counter(self.app).forcages.remove_service_amo)

    def save_call(self) -> tuple[Any, ...]:
        code = self.query_one("#forcage-code", Select).value
        if code is Select.NULL:
            raise ValidationError("Choisissez le Code Service AMO à forcer (ou « Supprimer le forçage »).",
                                  log="service amo: no code", code="FORCAGE")
        debut = parse_fr_date(self.query_one("#forcage-debut", Input).value, "Début")
        fin = parse_fr_date(self.query_one("#forcage-fin", Input).value, "Fin")
        return counter(self.app).forcages.force_service_amo, code, debut, fin


class SituationEtmDialog(ForcageDialog):
    """Dégradé only: in SESAM_VITALE mode the choice is disabled and Valider is refused with the reason."""
    HELP_TITLE = 'Situation ETM'  # section title of the F1 help

    TITLE_TEXT = "Situation ETM"

    def __init__(self, dossier_id: int, value: SituationEtmDTO) -> None:
        super().__init__(dossier_id)
        self.value = value

    def compose_fields(self) -> ComposeResult:
        yield field("Taux Exonération:", Select(options(TAUX_EXONERATION_CHOICES),
                                                value=self.value.taux_exoneration or "15", allow_blank=False,
                                                compact=True, id="taux_exoneration", disabled=not self.value.allowed))
        if not self.value.allowed:
            yield Static(self.value.reason_fr, id="etm-refused", classes="warning-text")

    def save_call(self) -> tuple[Any, ...]:
        if not self.value.allowed:
            raise ValidationError(self.value.reason_fr, log="ETM forcage outside dégradé", code="FORCAGE")
        return counter(self.app).forcages.force_situation_etm, self.query_one("#taux_exoneration", Select).value


class ForcageSiecleDialog(ForcageDialog):
    HELP_TITLE = 'Forçage SIECLE'  # section title of the F1 help
    TITLE_TEXT = "Forçage Siècle Naissance"

    def __init__(self, dossier_id: int, value: SiecleNaissanceDTO) -> None:
        super().__init__(dossier_id)
        self.value = value

    def compose_fields(self) -> ComposeResult:
        yield field("Date Naissance:", Input(self.value.forcee or self.value.date_naissance, id="date_naissance",
                                             placeholder="JJ/MM/AAAA", max_length=10, restrict=r"[0-9/]*",
                                             compact=True, classes="date-input"))
        note = f"Date lue sur la carte : {self.value.date_naissance}"
        if self.value.century_missing:
            note += " (siècle absent de la carte)"
        yield Static(note, id="siecle-note", classes="muted")

    def save_call(self) -> tuple[Any, ...]:
        text = self.query_one("#date_naissance", Input).value.strip()
        if not text:
            raise ValidationError("Saisissez la date de naissance (JJ/MM/AAAA).", log="siecle: empty",
                                  code="FORCAGE")
        # Lunar dates are legal here (month 19, day 00): the service validates, not datetime.
        return counter(self.app).forcages.force_siecle_naissance, text
