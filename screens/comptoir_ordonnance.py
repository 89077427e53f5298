"""The dossier's "Ordonnance": date, prescriber (search by name / RPPS / n° AM, with creation), RI/RA
(Renouvellement Initial / Adapté) and the ALD mention. Ctrl+S saves it; Entrée in the prescriber field
searches."""
from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, Select

from app.commands import Command, bindings
from core.errors import LunetierError
from core.services.counter_dto import DossierDTO, OrdonnanceInput, PrescriberDTO
from screens.beneficiary_choice import parse_day
from screens.comptoir_base import DossierPanel, DossierUpdated, Notice, Toggle
from screens.comptoir_prescriber import NEW_PRESCRIBER, PrescriberChoiceDialog, PrescriberFormDialog, prefill

__all__ = ["OrdonnancePanel", "RI_RA_OPTIONS"]

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

    _shown: tuple[int, object] | None = None

    def show(self, dossier: DossierDTO | None) -> None:
        super().show(dossier)
        if dossier is None:
            self._shown = None
            return
        for selector in ("#ordo-date", "#ordo-prescriber", "#ordo-ri-ra", "#ordo-ald"):
            self.query_one(selector).disabled = not dossier.editable
        ordo = dossier.ordonnance
        if self._shown == (dossier.id, ordo):
            return          # another panel changed the dossier: keep what is being typed here
        self._shown = (dossier.id, ordo)
        self.prescriber = ordo.prescriber if ordo else None
        date_field = self.query_one("#ordo-date", Input)
        date_field.value = f"{ordo.date:%d/%m/%Y}" if ordo else ""
        self.query_one("#ordo-prescriber", Input).value = self.prescriber.label if self.prescriber else ""
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
        self.query_one("#ordo-prescriber", Input).focus()

    def action_save(self) -> None:
        self._save()

    # --- workers ------------------------------------------------------------------------------------------
    @work(exclusive=True, group="ordonnance", exit_on_error=False, description="Recherche du prescripteur")
    async def _resolve_only(self) -> None:
        await self._resolve()

    @work(exclusive=True, group="ordonnance", exit_on_error=False, description="Enregistrement de l'ordonnance")
    async def _save(self) -> None:
        dossier = self.dossier
        if dossier is None:
            return
        app: Any = self.app
        try:
            day = parse_day(self.query_one("#ordo-date", Input).value, app.clock.today())
        except ValueError as exc:
            self.post_message(Notice(f"Ordonnance : {exc}", "error"))
            self.query_one("#ordo-date", Input).focus()
            return
        if self.query_one("#ordo-prescriber", Input).value.strip() and self.prescriber is None:
            if not await self._resolve():
                return
        ri_ra = self.query_one("#ordo-ri-ra", Select).value
        data = OrdonnanceInput(date=day, prescriber_id=self.prescriber.id if self.prescriber else None,
                               ri_ra=ri_ra if isinstance(ri_ra, str) else "",
                               ald_mention=self.query_one("#ordo-ald", Checkbox).value)
        try:
            fresh = await asyncio.to_thread(self.counter.dossiers.set_ordonnance, dossier.id, data)
        except LunetierError as exc:
            self.post_message(Notice(exc.message_fr, "error"))
            return
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
