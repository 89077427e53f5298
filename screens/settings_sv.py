"""Paramètres > Sesam Vitale > Paramétrage SV (manual §XI.C).

The manual's screen also shows "Port d'écoute AreaFse" and "MAJ AreaFse": they configure the proprietary
AreaFSE engine, which Lunetier does not drive (the engine is a port, see ARCHITECTURE.md), so they are absent.
"""
from __future__ import annotations

from pydantic import BaseModel
from textual import work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Label, Select, Static

from core.services.settings import SvSettings
from screens.settings_form import SettingsPane, check_row, field_row, format_date_fr, parse_date_fr, \
    validate_section

# Engine names of the three modes (DOMAIN.md §4.4); the help line gives their meaning.
MODES_SECURISATION: tuple[str, ...] = ("SESAM_VITALE", "DEGRADE", "Sesam_Sans_Vitale")
LABELS = {
    "date_activation_sv": "Date d'activation du Sesam Vitale",
    "edition_apres_teletransmission": "Edition après Télétransmission",
    "mode_securisation": "Mode sécurisation",
}


class SvSettingsPane(SettingsPane):
    SECTION = "sv"

    def compose_form(self) -> ComposeResult:
        yield Label("Paramétrage SV", classes="section-title")
        yield field_row(LABELS["date_activation_sv"],
                        Input(placeholder="JJ/MM/AAAA", max_length=10, restrict=r"[0-9/]*", compact=True,
                              id="date_activation_sv"),
                        help="Début de la facturation SESAM-Vitale (JJ/MM/AAAA).")
        yield field_row("Date d'édition du dernier Lot", Static("—", id="date_edition_dernier_lot"),
                        help="Tenue à jour par Lunetier (lecture seule).")
        yield check_row(LABELS["edition_apres_teletransmission"], id="edition_apres_teletransmission",
                        help="Imprime le bordereau après chaque télétransmission.")
        yield field_row(LABELS["mode_securisation"],
                        Select([(mode, mode) for mode in MODES_SECURISATION], allow_blank=False,
                               compact=True, id="mode_securisation"),
                        help="SESAM_VITALE : CPS + carte Vitale. DEGRADE : CPS seule, feuille de soins "
                             "en SCOR. Sesam_Sans_Vitale : sans carte, droits ADRi.")

    def fill(self, section: BaseModel) -> None:
        assert isinstance(section, SvSettings)
        self.query_one("#date_activation_sv", Input).value = format_date_fr(section.date_activation_sv)
        self.query_one("#date_edition_dernier_lot", Static).update(
            format_date_fr(section.date_edition_dernier_lot) or "—")
        self.query_one("#edition_apres_teletransmission", Checkbox).value = section.edition_apres_teletransmission
        self.query_one("#mode_securisation", Select).value = section.mode_securisation

    def read(self, current: BaseModel) -> BaseModel:
        data = current.model_dump()  # keeps the read-only "Date d'édition du dernier Lot"
        data["date_activation_sv"] = parse_date_fr(self.query_one("#date_activation_sv", Input).value,
                                                   LABELS["date_activation_sv"])
        data["edition_apres_teletransmission"] = self.query_one("#edition_apres_teletransmission", Checkbox).value
        data["mode_securisation"] = self.query_one("#mode_securisation", Select).value
        return validate_section(SvSettings, data, LABELS)

    # "Date d'édition du dernier Lot" changes behind the form (bordereau after a télétransmission): refresh it
    # whenever the pane is shown, without touching the fields being edited, and keep it in `current` so that
    # F10 does not write the old date back.
    def on_show(self) -> None:
        self.refresh_edition_date()

    @work(thread=True, exit_on_error=False, exclusive=True, group="settings-sv-date")
    def refresh_edition_date(self) -> None:
        day = self.app.services.settings.get().sv.date_edition_dernier_lot  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show_edition_date, day)

    def _show_edition_date(self, day) -> None:  # type: ignore[no-untyped-def]
        self.query_one("#date_edition_dernier_lot", Static).update(format_date_fr(day) or "—")
        if self.current is not None:
            self.current = self.current.model_copy(update={"date_edition_dernier_lot": day})
