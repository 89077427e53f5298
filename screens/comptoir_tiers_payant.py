""""Tiers Payant & Télétransmission" (manual §IV): Tiers Payant RO/RC, Télétransmission RO/RC, Générer FSE.

RC télétransmission is refused by the service until a mutuelle amount exists; its sentence (the manual's)
is shown and the box goes back. Unticking "Générer FSE" on an invoiced dossier asks the manual's
confirmation (counter_flow.confirm_delete_fse) before the FSE is deleted; the invoice stays."""
from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Label

from core.errors import LunetierError
from core.services.counter_dto import TiersPayantResultDTO
from screens.comptoir_base import DossierPanel, DossierUpdated, Level, Notice, Toggle
from screens.comptoir_flow import MISSING, call_counter_flow

__all__ = ["TiersPayantPanel", "FSE_LIVE_STATES"]

FSE_LIVE_STATES = ("TP Calculé", "Sécurisé")
_TP_FIELDS = {"tp-ro": "tp_ro", "tp-rc": "tp_rc", "tt-ro": "teletrans_ro", "tt-rc": "teletrans_rc"}


def _adri_notice(result: TiersPayantResultDTO) -> tuple[str, Level]:
    adri = result.adri
    if adri is None:
        return "", "info"
    return adri.message_fr, ("info" if adri.status == "ok" else "warning")


class TiersPayantPanel(DossierPanel):
    def compose(self) -> ComposeResult:
        yield Label("Tiers Payant & Télétransmission", classes="section-title")
        with Horizontal(classes="tp-row"):
            yield Label("Tiers Payant:", classes="tp-label")
            yield Toggle("RO", id="tp-ro")
            yield Toggle("RC", id="tp-rc")
            yield Label("Télétransmission:", classes="tp-label")
            yield Toggle("RO", id="tt-ro")
            yield Toggle("RC", id="tt-rc")
            yield Toggle("Générer FSE", id="generer-fse")

    def show(self, dossier: Any) -> None:
        super().show(dossier)
        if dossier is None:
            return
        tp = dossier.tiers_payant
        values = {"tp-ro": tp.tp_ro, "tp-rc": tp.tp_rc, "tt-ro": tp.teletrans_ro, "tt-rc": tp.teletrans_rc,
                  "generer-fse": tp.generer_fse}
        for box_id, value in values.items():
            box = self.query_one(f"#{box_id}", Checkbox)
            with box.prevent(Checkbox.Changed):
                box.value = value
            box.disabled = box_id != "generer-fse" and not dossier.editable
        self.query_one("#tt-rc", Checkbox).tooltip = tp.teletrans_rc_reason or None

    @on(Checkbox.Changed)
    def _changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        if self.dossier is None or event.checkbox.id is None:
            return
        if event.checkbox.id == "generer-fse":
            self.toggle_generer_fse(event.value)
            return
        field = _TP_FIELDS[event.checkbox.id]
        dossiers, dossier_id, value = self.counter.dossiers, self.dossier.id, event.value
        self.call_service(lambda: dossiers.set_tiers_payant(dossier_id, **{field: value}), _adri_notice)

    def flip_generer_fse(self) -> None:
        """F6: tick / untick "Générer FSE" as if the box had been toggled."""
        self.query_one("#generer-fse", Checkbox).toggle()

    @work(exclusive=True, group="generer-fse", exit_on_error=False, description="Générer FSE")
    async def toggle_generer_fse(self, value: bool) -> None:
        dossier = self.dossier
        if dossier is None:
            return
        app: Any = self.app
        dossiers = self.counter.dossiers
        try:
            if not value and dossier.fse is not None and dossier.fse.state in FSE_LIVE_STATES:
                outcome = await call_counter_flow(app, "confirm_delete_fse", dossier.id)
                if outcome is MISSING:
                    self.post_message(DossierUpdated(dossier, keep_notice=True))
                    return
                fresh = await asyncio.to_thread(dossiers.get, dossier.id)
                self.post_message(DossierUpdated(fresh))
                return
            result = await asyncio.to_thread(dossiers.set_generer_fse, dossier.id, value)
        except LunetierError as exc:
            self.post_message(Notice(exc.message_fr, "error"))
            self.post_message(DossierUpdated(dossier, keep_notice=True))
            return
        self.post_message(DossierUpdated(result.dossier, result.message_fr, "info"))
        if result.needs_generation:   # re-ticked on an invoiced dossier: "Génération de la FSE"
            await call_counter_flow(app, "run_invoicing", dossier.id)
            fresh = await asyncio.to_thread(dossiers.get, dossier.id)
            self.post_message(DossierUpdated(fresh))
