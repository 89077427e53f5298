"""Tab "PEC" of Détail remboursements (manual §V): prises en charge and cotations with the AMC platform.

Prise en charge (the requests of the dossier, newest first), Crédit PEC, Sélection pour demande PEC (the
mutuelle RC1), Réf. Dossier, N° de PEC, N° contrat, N° adhérent, Consentement imprimé, État, Choix code à
utiliser, Message plateforme, Message mutuelle, Que faire ?. Keys (while the tab has the focus): F7
Nouvelle prise en charge, F8 Nouvelle cotation, F5 actualiser the selected request. Choosing a code puts the
n° PEC in the Attestation AMC (pec.use_code, audited). Service calls run in threads.
"""
from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Select, Static

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import LunetierError
from core.services.counter_dto import PecDTO, PecTabDTO
from screens.counter_flow_common import counter, euros, field

__all__ = ["PecTab"]


def _request_label(pec: PecDTO) -> str:
    kind = "Cotation" if pec.kind == "cotation" else "PEC"
    return f"{pec.requested_at:%d/%m/%Y %H:%M} {kind} {pec.reference_dossier} — {pec.state}"


class PecTab(ReportsWorkerErrors, Vertical):
    COMMAND_SPECS = (
        Command("pec_new", "f7", "request(False)", "Nouvelle prise en charge",
                "Demander une prise en charge à la mutuelle RC1 (plateforme PEC)."),
        Command("pec_cotation", "f8", "request(True)", "Nouvelle cotation",
                "Demander une cotation (montant proposé) à la mutuelle RC1."),
        Command("pec_refresh", "f5", "refresh", "Actualiser", "Redemander l'état de la prise en charge affichée."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Changed(Message):
        """The dossier changed (a code was put in the Attestation AMC)."""

    def __init__(self, dossier_id: int, tab: PecTabDTO | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="pec-tab")
        self.dossier_id = dossier_id
        self.tab = tab
        self.current: PecDTO | None = None
        self._filling = False
        self.busy = False

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-line"):
            yield Label("Prise en charge", classes="field-label")
            yield Select([], prompt="(aucune demande)", compact=True, id="pec-request")
        with Horizontal(classes="field-line"):
            yield Static("Crédit PEC :", id="pec-credit")
            yield Label("Sélection pour demande PEC", classes="inner-label")
            yield Static("", id="pec-mutuelle")
        yield field("Réf. Dossier", Static("", id="pec-reference", classes="value"),
                    Label("N° de PEC", classes="inner-label"), Static("", id="pec-numero", classes="value"))
        yield field("N° contrat", Input(id="pec-contrat", compact=True, max_length=30),
                    Label("N° adhérent", classes="inner-label"),
                    Input(id="pec-adherent", compact=True, max_length=30))
        yield field("", Checkbox("Consentement imprimé", id="pec-consentement", compact=True))
        yield field("État", Static("", id="pec-etat", classes="value"))
        yield field("Choix code à utiliser", Select([], prompt="(aucun code)", compact=True, id="pec-code"))
        yield field("Message plateforme", Static("", id="pec-plateforme", classes="message"))
        yield field("Message mutuelle", Static("", id="pec-message-mutuelle", classes="message"))
        yield field("Que faire ?", Static("", id="pec-que-faire", classes="message"))
        yield Static("F7 Nouvelle prise en charge · F8 Nouvelle cotation · F5 Actualiser", classes="muted keys")
        yield Static("", classes="pec-error error-text")

    def on_mount(self) -> None:
        if self.tab is not None:
            self.show(self.tab)
        else:
            self.load()

    # --- data ---------------------------------------------------------------------------------------
    def _error(self, text: str) -> None:
        self.query_one(".pec-error", Static).update(text)
        if text:
            self.app.bell()

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        try:
            return True, await asyncio.to_thread(fn, *args, **kwargs)
        except LunetierError as exc:
            self._error(exc.message_fr)
            return False, None

    @work(exclusive=True, group="pec-load", exit_on_error=False)
    async def load(self, select_id: int | None = None) -> None:
        ok, tab = await self._call(counter(self.app).pec.tab, self.dossier_id)
        if ok:
            self.show(tab, select_id)

    def show(self, tab: PecTabDTO, select_id: int | None = None) -> None:
        self.tab = tab
        self._filling = True
        try:
            self.query_one("#pec-credit", Static).update(f"Crédit PEC : {tab.credit}")
            label = tab.mutuelle.label if tab.mutuelle else "(mutuelle RC1 non choisie)"
            if tab.pec_obligatoire:
                label += " (PEC obligatoire)"
            self.query_one("#pec-mutuelle", Static).update(label)
            requests = self.query_one("#pec-request", Select)
            requests.set_options([(_request_label(r), r.id) for r in tab.requests])
            current = next((r for r in tab.requests if r.id == select_id), tab.current)
            if current is not None:
                requests.value = current.id
            self.show_request(current)
        finally:
            self.call_after_refresh(self._filled)

    def _filled(self) -> None:
        self._filling = False

    def show_request(self, pec: PecDTO | None) -> None:
        self.current = pec
        values = {
            "#pec-reference": pec.reference_dossier if pec else "",
            "#pec-numero": pec.numero_pec if pec else "",
            "#pec-etat": (f"{pec.state} ({euros(pec.montant_cents, symbol=True)})" if pec and pec.montant_cents
                          else pec.state if pec else ""),
            "#pec-plateforme": pec.message_plateforme if pec else "",
            "#pec-message-mutuelle": pec.message_mutuelle if pec else "",
            "#pec-que-faire": pec.que_faire if pec else "",
        }
        for selector, text in values.items():
            self.query_one(selector, Static).update(text)
        if pec is not None:
            self.query_one("#pec-contrat", Input).value = pec.numero_contrat
            self.query_one("#pec-adherent", Input).value = pec.numero_adherent
        codes = self.query_one("#pec-code", Select)
        codes.set_options([(c, c) for c in (pec.codes if pec else ())])
        if pec is not None and pec.code_utilise:
            codes.value = pec.code_utilise

    @on(Select.Changed, "#pec-request")
    def _request_chosen(self, event: Select.Changed) -> None:
        if self._filling or self.tab is None:
            return
        self.show_request(next((r for r in self.tab.requests if r.id == event.value), None))

    @on(Select.Changed, "#pec-code")
    def _code_chosen(self, event: Select.Changed) -> None:
        if self._filling or self.current is None or event.value is Select.NULL:
            return
        if event.value != self.current.code_utilise:
            self.use_code(self.current.id, str(event.value))

    @work(exclusive=True, group="pec-write", exit_on_error=False)
    async def use_code(self, pec_id: int, code: str) -> None:
        ok, att = await self._call(counter(self.app).pec.use_code, pec_id, code)
        if ok:
            self._error("")
            self.app.notify(f"N° de PEC {att.numero_pec} reporté dans l'Attestation AMC.", timeout=3)
            self.post_message(self.Changed())
            self.load(pec_id)

    # --- actions ------------------------------------------------------------------------------------
    def action_request(self, cotation: bool) -> None:
        if self.busy:
            return
        self.busy = True
        self.send_request(cotation, self.query_one("#pec-consentement", Checkbox).value,
                          self.query_one("#pec-adherent", Input).value, self.query_one("#pec-contrat", Input).value)

    @work(exclusive=True, group="pec-write", exit_on_error=False)
    async def send_request(self, cotation: bool, consentement: bool, adherent: str, contrat: str) -> None:
        try:
            ok, pec = await self._call(counter(self.app).pec.request, self.dossier_id,
                                       consentement_imprime=consentement, numero_adherent=adherent,
                                       numero_contrat=contrat, cotation=cotation)
        finally:
            self.busy = False
        if ok:
            self._error("")
            self.load(pec.id)

    def action_refresh(self) -> None:
        if self.current is None:
            self._error("Aucune demande de prise en charge à actualiser.")
            return
        self.refresh_request(self.current.id)

    @work(exclusive=True, group="pec-write", exit_on_error=False)
    async def refresh_request(self, pec_id: int) -> None:
        ok, _ = await self._call(counter(self.app).pec.refresh, pec_id)
        if ok:
            self._error("")
            self.load(pec_id)
