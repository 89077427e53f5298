"""The "Télétransmission" dialog (manual VI): the steps of the norm one by one — Mettre en Lot (date du
jour), Mettre en Fichier, Envoyer et Recevoir or Recevoir uniquement, Edition Bordereau — with a progress
bar fed by the worker and the steps' messages. Also the glue shared with the Télétransmissions pane:
the service for an app, the CPS-code hook, the run of the steps, the progress widget, the report dialog.

"Message pour Mettre en Fichier": the manual shows the label, not what goes there. Lunetier reads it as
the messages the steps give back (files built, lots in error, lots sent, ARL read) (INFERRED).
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, Log, ProgressBar, Static

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import LunetierError
from core.services.teletransmission import TeletransmissionService, TeletransmissionSummary

if TYPE_CHECKING:
    from core.reports.bordereau import BordereauResult

ACTOR = "ecran-teletransmissions"  # who the audit log names for actions taken on these screens


def teletransmission_service(app: Any) -> TeletransmissionService:
    """The use cases of the Télétransmissions screens (mailbox opened on first use). Call from a worker.
    The container's factory when it has one (it adds the RSP inbox handlers), else a plain service."""
    services = app.services
    factory = getattr(services, "teletransmission", None)
    return factory() if callable(factory) else TeletransmissionService(services.ctx)


async def ensure_cps_code(app: Any) -> bool:
    """Ask the CPS code before a step that signs lots; False when the user gave up.

    Wiring point for the card screens: when the app has `request_cps_code()` (plain or async, returning a
    false value when the user cancels) it is called here. The code itself never passes through this
    module. Without it we go on: the demo engine signs lots without a PIN."""
    request = getattr(app, "request_cps_code", None)
    if request is None:
        return True
    answer = request()
    if inspect.isawaitable(answer):
        answer = await answer
    return bool(answer)


# --- Running the steps ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Steps:
    mettre_en_lot: bool = True
    mettre_en_fichier: bool = True
    envoyer_et_recevoir: bool = True
    recevoir_uniquement: bool = False
    edition_bordereau: bool = False

    @property
    def any(self) -> bool:
        return any((self.mettre_en_lot, self.mettre_en_fichier, self.envoyer_et_recevoir, self.recevoir_uniquement,
                    self.edition_bordereau))

    @property
    def signs_lots(self) -> bool:
        """Building a lot's file is where the lot is signed (the CPS code is needed there)."""
        return self.mettre_en_fichier


@dataclass(frozen=True)
class RunOutcome:
    summary: TeletransmissionSummary
    bordereau: "BordereauResult | None" = None
    bordereau_message: str = ""      # why there is no bordereau, or why it failed (the sending stands)


ProgressFn = Callable[[str, int, int], None]


def _bordereau(service: TeletransmissionService, lot_ids: list[int], *, fallback_today: bool) -> tuple[Any, str]:
    from core.reports.bordereau import lots_envoyes_le, write_bordereau

    ctx = service.ctx
    if not lot_ids and fallback_today:
        lot_ids = lots_envoyes_le(ctx, ctx.clock.today())
    if not lot_ids:
        return None, f"Aucun lot envoyé le {ctx.clock.today():%d/%m/%Y} : pas de bordereau."
    try:
        return write_bordereau(ctx, lot_ids), ""
    except LunetierError as exc:  # the lots are sent: say why the paper failed, keep the summary
        return None, f"Bordereau non édité : {exc.message_fr}"


def run_auto(service: TeletransmissionService, on_progress: ProgressFn | None = None) -> RunOutcome:
    """"Télétransmettre Auto", then the bordereau when "Edition après Télétransmission" is on."""
    from core.reports.bordereau import edition_apres_teletransmission

    summary = service.auto(on_progress)
    sent = [s.lot_id for s in summary.envoi.sent] if summary.envoi else []
    try:
        result = edition_apres_teletransmission(service.ctx, sent)
    except LunetierError as exc:
        return RunOutcome(summary, None, f"Bordereau non édité : {exc.message_fr}")
    return RunOutcome(summary, result)


def run_steps(service: TeletransmissionService, steps: Steps, on_progress: ProgressFn | None = None) -> RunOutcome:
    """The steps ticked in the dialog, in the order of the norm."""
    lot = service.mettre_en_lot(on_progress) if steps.mettre_en_lot else None
    fichier = service.mettre_en_fichier(on_progress) if steps.mettre_en_fichier else None
    envoi = reception = None
    if steps.envoyer_et_recevoir:
        both = service.envoyer_et_recevoir(on_progress)
        envoi, reception = both.envoi, both.reception
    elif steps.recevoir_uniquement:
        reception = service.recevoir_uniquement(on_progress)
    summary = TeletransmissionSummary(mise_en_lot=lot, mise_en_fichier=fichier, envoi=envoi, reception=reception,
                                      pending=service.lots_a_traiter())
    if not steps.edition_bordereau:
        return RunOutcome(summary)
    sent = [s.lot_id for s in envoi.sent] if envoi else []
    result, message = _bordereau(service, sent, fallback_today=True)
    return RunOutcome(summary, result, message)


def summary_line(outcome: RunOutcome) -> str:
    """One line for the notification: what each step did, and where the bordereau is."""
    labels = {"Mettre en Lot": "lot(s) créé(s)", "Mettre en Fichier": "fichier(s)", "Envoyer": "lot(s) envoyé(s)",
              "Recevoir": "retour(s) intégré(s)"}
    parts = [f"{s.count} {labels.get(s.step, s.step)}" for s in outcome.summary.steps]
    text = "Télétransmission terminée : " + (", ".join(parts) if parts else "rien à faire") + "."
    if outcome.bordereau is not None:
        text += f"\nBordereau : {outcome.bordereau.path}"
    elif outcome.bordereau_message:
        text += f"\n{outcome.bordereau_message}"
    return text


def attention_lines(summary: TeletransmissionSummary) -> list[str]:
    """What needs the user (the one rule of core: the CLI prints the same lines)."""
    return list(summary.attention_lines)


# --- Widgets --------------------------------------------------------------------------------------------
class StepProgress(Message):
    """Posted by the worker thread for each item a step has done (only the latest matters)."""

    def __init__(self, step: str, done: int, total: int) -> None:
        super().__init__()
        self.step = step
        self.done = done
        self.total = total

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StepProgress)


class RunFinished(Message):
    def __init__(self, outcome: RunOutcome) -> None:
        super().__init__()
        self.outcome = outcome


class RunProgress(Horizontal):
    """The step being run and its progress bar; hidden while nothing runs."""

    def compose(self) -> ComposeResult:
        yield Label("", classes="run-step")
        yield ProgressBar(total=1, show_eta=False, classes="run-bar")

    def start(self) -> None:
        self.query_one(".run-step", Label).update("Télétransmission en cours…")
        self.query_one(ProgressBar).update(total=1, progress=0)
        self.display = True

    def show_step(self, step: str, done: int, total: int) -> None:
        self.query_one(".run-step", Label).update(f"{step} {done}/{total}")
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def stop(self) -> None:
        self.display = False


class TeletransmissionReportDialog(ModalScreen[None]):
    """"Télétransmission : à vérifier": the lots and invoices that need the user after a run."""

    COMMAND_SPECS = (Command("tt_report_close", "escape,enter,f10", "close", "Fermer", "Fermer le compte rendu."),)
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, lines: list[str], *, intro: str = "") -> None:
        super().__init__()
        self.lines = list(lines)
        self.intro = intro

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="tt-report"):
            yield Label("Télétransmission : à vérifier", classes="dialog-title warning-text")
            if self.intro:
                yield Static(self.intro, id="tt-report-intro")
            with VerticalScroll(id="tt-report-lines"):
                for line in self.lines:
                    yield Static(f"• {line}", classes="tt-report-line")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK (Entrée)", variant="primary", id="ok", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


# --- The dialog -----------------------------------------------------------------------------------------
class TeletransmissionDialog(ReportsWorkerErrors, ModalScreen["RunOutcome | None"]):
    """Returns the outcome of the steps run (None when closed without running anything)."""

    COMMAND_SPECS = (
        Command("tt_dialog_validate", "f10", "validate", "Valider", "Lancer les traitements cochés."),
        Command("tt_dialog_cancel", "escape", "cancel", "Fermer", "Fermer la fenêtre."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, *, edition_bordereau: bool = False) -> None:
        super().__init__()
        self.edition_default = edition_bordereau
        self.running = False
        self.outcome: RunOutcome | None = None

    def compose(self) -> ComposeResult:
        today = self.app.clock.today()  # type: ignore[attr-defined]
        with Vertical(classes="dialog", id="tt-dialog"):
            yield Label("Télétransmission", classes="dialog-title")
            yield Label("Traitements à effectuer", classes="tt-section")
            with Horizontal(classes="tt-line"):
                yield Checkbox("Mettre en Lot", True, compact=True, id="tt-lot")
                yield Label(f"Date du jour : {today:%d/%m/%Y}", id="tt-date")
            yield Checkbox("Mettre en Fichier", True, compact=True, id="tt-fichier")
            yield Label("Télétransmission", classes="tt-section")
            yield Checkbox("Envoyer et Recevoir", True, compact=True, id="tt-envoyer")
            yield Checkbox("Recevoir uniquement", False, compact=True, id="tt-recevoir")
            yield Label("Edition", classes="tt-section")
            yield Checkbox("Edition Bordereau", self.edition_default, compact=True, id="tt-edition")
            yield Label("Message pour Mettre en Fichier", classes="tt-section", id="tt-message-title")
            yield Log(id="tt-messages", highlight=False)
            yield RunProgress(id="tt-dialog-progress")
            yield Static("", id="tt-dialog-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Fermer (Échap)", id="cancel", compact=True)
                yield Button("✓ Valider (F10)", variant="primary", id="ok", compact=True)

    def on_mount(self) -> None:
        self.query_one(RunProgress).stop()
        self._error("")
        self.query_one("#tt-lot", Checkbox).focus()

    def _error(self, text: str) -> None:
        error = self.query_one("#tt-dialog-error", Static)
        error.update(text)
        error.display = bool(text)

    # --- form ---------------------------------------------------------------------------------------------
    @on(Checkbox.Changed, "#tt-envoyer, #tt-recevoir")
    def _exclusive(self, event: Checkbox.Changed) -> None:
        """"Envoyer et Recevoir" already receives: the two télétransmission choices exclude each other."""
        if event.value:
            other = "#tt-recevoir" if event.checkbox.id == "tt-envoyer" else "#tt-envoyer"
            self.query_one(other, Checkbox).value = False

    def steps(self) -> Steps:
        def ticked(widget_id: str) -> bool:
            return self.query_one(f"#{widget_id}", Checkbox).value

        return Steps(mettre_en_lot=ticked("tt-lot"), mettre_en_fichier=ticked("tt-fichier"),
                     envoyer_et_recevoir=ticked("tt-envoyer"), recevoir_uniquement=ticked("tt-recevoir"),
                     edition_bordereau=ticked("tt-edition"))

    def _set_running(self, running: bool) -> None:
        self.running = running
        for box in self.query(Checkbox):
            box.disabled = running
        self.query_one("#ok", Button).disabled = running
        self.query_one("#cancel", Button).disabled = running

    # --- actions ------------------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_validate() if event.button.id == "ok" else self.action_cancel()

    def action_validate(self) -> None:
        if self.running:
            return
        if self.outcome is not None:  # done: F10 closes, like Échap
            self.dismiss(self.outcome)
            return
        steps = self.steps()
        if not steps.any:
            self._error("Cochez au moins un traitement.")
            self.app.bell()
            return
        self._error("")
        self._start(steps)

    def action_cancel(self) -> None:
        if self.running:
            self.app.notify("Télétransmission en cours : patientez jusqu'à la fin des traitements.", timeout=3)
            return
        self.dismiss(self.outcome)

    @work(exclusive=True, group="tt-dialog-cps", exit_on_error=False)
    async def _start(self, steps: Steps) -> None:
        if steps.signs_lots and not await ensure_cps_code(self.app):
            self._error("Code CPS non saisi : rien n'a été fait.")
            return
        self._set_running(True)
        self.query_one(RunProgress).start()
        self._run(steps)

    @work(thread=True, exclusive=True, group="tt-run", exit_on_error=False, description="Télétransmission")
    def _run(self, steps: Steps) -> None:
        try:
            outcome = run_steps(teletransmission_service(self.app), steps,
                                lambda step, done, total: self.post_message(StepProgress(step, done, total)))
        finally:
            self.app.call_from_thread(self._finished_running)
        self.post_message(RunFinished(outcome))

    def _finished_running(self) -> None:
        self._set_running(False)
        self.query_one(RunProgress).stop()

    def on_step_progress(self, message: StepProgress) -> None:
        message.stop()
        self.query_one(RunProgress).show_step(message.step, message.done, message.total)

    def on_run_finished(self, message: RunFinished) -> None:
        message.stop()
        self.outcome = message.outcome
        log = self.query_one("#tt-messages", Log)
        for step in message.outcome.summary.steps:
            log.write_line(f"{step.step} : {step.count}")
            for line in step.messages:
                log.write_line(f"  {line}")
        if message.outcome.bordereau is not None:
            log.write_line(f"Bordereau : {message.outcome.bordereau.path}")
        elif message.outcome.bordereau_message:
            log.write_line(message.outcome.bordereau_message)
        for box in self.query(Checkbox):
            box.disabled = True  # one run per opening: the messages stay readable
        self.query_one("#cancel", Button).display = False
        self.query_one("#ok", Button).label = "✓ Fermer (F10)"
        self.query_one("#ok", Button).focus()
