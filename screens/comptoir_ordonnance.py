"""The dossier's "Ordonnance": date, prescriber (search by name / RPPS / n° AM, with creation), RI/RA
(Renouvellement Initial / Adapté) and the ALD mention. Saved automatically when a valid date is typed (Entrée or
leaving the field) and when the prescriber is chosen, so it is never lost; Ctrl+S saves the rest (RI/RA, ALD).
Entrée in the prescriber field searches. Read-only once the dossier is invoiced."""
from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, Select, Static

from app.commands import Command, bindings
from core.errors import LunetierError
from core.services.counter_dto import DossierDTO, OrdonnanceInput, PrescriberDTO
from screens.beneficiary_choice import parse_day
from screens.comptoir_base import DossierPanel, DossierUpdated, Notice, Toggle
from screens.comptoir_prescriber import NEW_PRESCRIBER, PrescriberChoiceDialog, PrescriberFormDialog, prefill

__all__ = ["OrdonnancePanel", "RI_RA_OPTIONS", "INVOICED_NOTICE"]

INVOICED_NOTICE = "Dossier facturé : pour modifier, faites un avoir."

RI_RA_OPTIONS = [("—", ""), ("RI Renouvellement Initial", "RI"), ("RA Renouvellement Adapté", "RA")]


class OrdonnancePanel(DossierPanel):
    COMMAND_SPECS = (
        Command("ordonnance_save", "ctrl+s", "save", "Enregistrer", "Enregistrer l'ordonnance."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    prescriber: PrescriberDTO | None = None

    def compose(self) -> ComposeResult:
        yield Label("Ordonnance", classes="section-title")
        with Horizontal(classes="ordo-row"):
            yield Label("Date", classes="ordo-label")
            yield Input(placeholder="JJ/MM/AAAA", max_length=10, restrict=r"[0-9/]*", id="ordo-date", compact=True)
            yield Label("Prescripteur", classes="ordo-label")
            yield Input(placeholder="Nom, RPPS ou n° AM puis Entrée", id="ordo-prescriber", compact=True)
        with Horizontal(classes="ordo-row"):
            yield Label("RI/RA", classes="ordo-label")
            yield Select(RI_RA_OPTIONS, allow_blank=False, value="", id="ordo-ri-ra", compact=True)
            yield Toggle("Mention ALD", id="ordo-ald")
            yield Label("Ctrl+S : enregistrer", classes="muted ordo-hint")
        yield Static("", id="ordo-date-error")

    _shown: tuple[int, object] | None = None

    def show(self, dossier: DossierDTO | None) -> None:
        super().show(dossier)
        if dossier is None:
            self._shown = None
            return
        for selector in ("#ordo-date", "#ordo-prescriber", "#ordo-ri-ra", "#ordo-ald"):
            self.query_one(selector).disabled = not dossier.editable
        self.query_one(".ordo-hint").display = dossier.editable
        if not dossier.editable:
            self._date_error("")
        ordo = dossier.ordonnance
        if self._shown == (dossier.id, ordo):
            return          # another panel changed the dossier: keep what is being typed here
        self._shown = (dossier.id, ordo)
        self.prescriber = ordo.prescriber if ordo else None
        # A field being typed in keeps its text (an automatic save may land while the user types the next one).
        date_field = self.query_one("#ordo-date", Input)
        if not date_field.has_focus:
            date_field.value = f"{ordo.date:%d/%m/%Y}" if ordo else ""
        prescriber_field = self.query_one("#ordo-prescriber", Input)
        if not prescriber_field.has_focus or self.prescriber is not None:
            prescriber_field.value = self.prescriber.label if self.prescriber else ""
        select = self.query_one("#ordo-ri-ra", Select)
        with select.prevent(Select.Changed):
            select.value = ordo.ri_ra if ordo else ""
        ald = self.query_one("#ordo-ald", Checkbox)
        with ald.prevent(Checkbox.Changed):
            ald.value = bool(ordo and ordo.ald_mention)

    @on(Input.Changed, "#ordo-prescriber")
    def _typed(self, event: Input.Changed) -> None:
        if self.prescriber is not None and event.value != self.prescriber.label:
            self.prescriber = None          # to be searched again

    @on(Input.Submitted, "#ordo-prescriber")
    def _search(self) -> None:
        self._resolve_only()

    @on(Input.Submitted, "#ordo-date")
    def _next(self) -> None:
        if self._date_checked():
            self.query_one("#ordo-prescriber", Input).focus()   # leaving the field saves (below)

    @on(Input.Blurred, "#ordo-date")
    def _left_date(self) -> None:
        if self.dossier is not None and self.dossier.editable and self._date_checked():
            self._auto_save()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.dossier is not None and self.dossier.editable
        return True

    def action_save(self) -> None:
        self._save()

    def _date_error(self, text: str) -> None:
        line = self.query_one("#ordo-date-error", Static)
        line.update(text)
        line.display = bool(text)

    def _date_checked(self) -> bool:
        """True when the date field holds a valid date; an invalid one is said under the field (empty: quiet)."""
        text = self.query_one("#ordo-date", Input).value
        if not text.strip():
            self._date_error("")
            return False
        try:
            parse_day(text, self.app.clock.today())  # type: ignore[attr-defined]
        except ValueError as exc:
            self._date_error(f"Ordonnance : {exc}")
            return False
        self._date_error("")
        return True

    # --- workers ------------------------------------------------------------------------------------------
    @work(exclusive=True, group="ordonnance", exit_on_error=False, description="Recherche du prescripteur")
    async def _resolve_only(self) -> None:
        if await self._resolve():
            # The prescriber is chosen: save at once (with the date when it is valid), so nothing is lost.
            if self._date_checked():
                await self._store(auto=True)
            else:
                self._date_error("Ordonnance : saisissez la date (JJ/MM/AAAA) pour l'enregistrer.")

    @work(exclusive=True, group="ordonnance-auto", exit_on_error=False,
          description="Enregistrement de l'ordonnance")
    async def _auto_save(self) -> None:
        await self._store(auto=True)

    @work(exclusive=True, group="ordonnance", exit_on_error=False, description="Enregistrement de l'ordonnance")
    async def _save(self) -> None:
        await self._store(auto=False)

    async def _store(self, *, auto: bool) -> None:
        """Save the ordonnance through the service. ``auto`` (date typed, prescriber chosen): never opens the
        prescriber search, keeps the saved prescriber while another one is being typed, and skips an
        unchanged ordonnance."""
        dossier = self.dossier
        if dossier is None or not dossier.editable:
            return
        app: Any = self.app
        try:
            day = parse_day(self.query_one("#ordo-date", Input).value, app.clock.today())
        except ValueError as exc:
            self._date_error(f"Ordonnance : {exc}")
            self.post_message(Notice(f"Ordonnance : {exc}", "error"))
            self.query_one("#ordo-date", Input).focus()
            return
        saved = dossier.ordonnance
        prescriber_id = self.prescriber.id if self.prescriber else None
        if self.query_one("#ordo-prescriber", Input).value.strip() and self.prescriber is None:
            if auto:
                prescriber_id = saved.prescriber.id if saved and saved.prescriber else None
            elif not await self._resolve():
                return
            else:
                prescriber_id = self.prescriber.id if self.prescriber else None
        ri_ra = self.query_one("#ordo-ri-ra", Select).value
        data = OrdonnanceInput(date=day, prescriber_id=prescriber_id,
                               ri_ra=ri_ra if isinstance(ri_ra, str) else "",
                               ald_mention=self.query_one("#ordo-ald", Checkbox).value)
        if auto and saved is not None and (saved.date, saved.prescriber.id if saved.prescriber else None,
                                           saved.ri_ra, saved.ald_mention) == \
                (data.date, data.prescriber_id, data.ri_ra, data.ald_mention):
            return          # nothing new (e.g. the field lost focus to a dialog)
        try:
            fresh = await asyncio.to_thread(self.counter.dossiers.set_ordonnance, dossier.id, data)
        except LunetierError as exc:
            self.post_message(Notice(exc.message_fr, "error"))
            return
        self._date_error("")
        self.post_message(DossierUpdated(fresh, "Ordonnance enregistrée.", "info"))

    async def _resolve(self) -> bool:
        """Find (or create) the prescriber typed in the field; True when one is chosen."""
        app: Any = self.app
        text = self.query_one("#ordo-prescriber", Input).value.strip()
        found = await asyncio.to_thread(self.counter.dossiers.find_prescribers, text) if text else ()
        if len(found) == 1:
            chosen: Any = found[0]
        else:
            chosen = await app.push_screen_wait(PrescriberChoiceDialog(found, text)) if found else NEW_PRESCRIBER
        if chosen == NEW_PRESCRIBER:
            chosen = await app.push_screen_wait(PrescriberFormDialog(prefill(text)))
        if not isinstance(chosen, PrescriberDTO):
            return False
        self.prescriber = chosen
        self.query_one("#ordo-prescriber", Input).value = chosen.label
        return True
