""""Etat de la conformité" (manual §IV): the measured control points of every page of a SCOR document and
the question "Le document est-il conforme ?". Declaring conforming a document whose automatic check
failed needs a reason (a forçage, audited by the service).

Also home of `ScorFlows`, the add / view / delete flows shared by the "Pièces Jointes" pane and the
"Sélection des documents - SCOR" dialog: service calls in thread workers, dialogs in between.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from app.commands import Command, bindings
from core.scor.retention import PjState
from core.services.scor import PieceDetail, ScorService
from screens.dialogs import ReasonDialog

# Who the audit log names for changes made on the SCOR screens (Lunetier has no operator login yet).
ACTOR = "ecran-scor"
CONTROL_POINTS = ("Afin d'être conforme, la page doit répondre à ces points de contrôles : non vide, droite, "
                  "lisible, suffisamment claire, différente de la précédente (pas de doublon).")


def scor_service(app: Any) -> ScorService:
    """The app's ScorService when the services container provides one, else one on the app's context."""
    services = app.services
    return (getattr(services, "scor", None) or getattr(services, "extra", {}).get("scor")
            or ScorService(services.ctx))


@dataclass(frozen=True)
class ConformityAnswer:
    conforme: bool
    reason: str | None = None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def summary_line(detail: PieceDetail) -> str:
    person = " ".join(p for p in (detail.nom, detail.prenom) if p)
    parts = [f"{detail.type_label} « {detail.name} »" if detail.name else detail.type_label,
             f"facture N° {detail.invoice_number}", person]
    if detail.pages:
        parts.append(_plural(len(detail.pages), "page"))
    parts.append(f"État PJ : {detail.state}")
    return " — ".join(p for p in parts if p)


def verdict_line(detail: PieceDetail) -> tuple[str, str]:
    """(text, css class) of the automatic verdict."""
    if detail.purged_at is not None:
        return (f"Document purgé le {detail.purged_at:%d/%m/%Y} (durée de conservation SCOR échue).", "muted")
    if detail.automatic_passed is None:
        return ("Aucun document n'est joint.", "muted")
    if detail.automatic_passed:
        return ("Contrôle automatique : tous les points de contrôle sont conformes.", "check-ok")
    n = len(detail.failures)
    return (f"Contrôle automatique : {_plural(n, 'point')} non conforme{'s' if n > 1 else ''}.", "check-ko")


class ScorConformityDialog(ModalScreen[ConformityAnswer | None]):
    """Shows the checks and asks the answer; the caller records it (no side effect here)."""

    COMMAND_SPECS = (
        Command("scor_conformity_validate", "f10", "validate", "Valider", "Enregistrer la réponse."),
        Command("scor_conformity_cancel", "escape", "cancel", "Annuler", "Fermer sans rien changer."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, detail: PieceDetail) -> None:
        super().__init__()
        self.detail = detail

    @property
    def editable(self) -> bool:
        return self.detail.can_answer

    def compose(self) -> ComposeResult:
        d = self.detail
        verdict, verdict_class = verdict_line(d)
        with Vertical(classes="dialog", id="scor-conformity"):
            yield Label("Etat de la conformité", classes="dialog-title")
            yield Static(summary_line(d), id="conformity-summary")
            yield Static(verdict, id="conformity-verdict", classes=verdict_class)
            with VerticalScroll(id="conformity-checks"):
                for page in d.pages:
                    failed = len(page.failures)
                    yield Static(f"Page {page.page_number} : " + ("conforme" if not failed else
                                 f"{_plural(failed, 'point')} non conforme{'s' if failed > 1 else ''}"),
                                 classes="page-title")
                    for check in page.checks:
                        yield Static(f"{'✓' if check.passed else '✗'} {check.label_fr} — {check.detail_fr}",
                                     classes="check-ok" if check.passed else "check-ko")
                if not d.pages:
                    yield Static(CONTROL_POINTS, classes="muted")
            with Horizontal(id="conformity-question"):
                yield Label("Le document est-il conforme ?", id="conformity-label")
                current = d.answer if d.answer is not None else d.state not in (PjState.NON_CONFORME.value,
                                                                                   PjState.MANQUANT.value)
                with RadioSet(id="conformity-answer", compact=True, disabled=not self.editable):
                    yield RadioButton("Conforme", value=current, id="answer-yes", compact=True)
                    yield RadioButton("Non conforme", value=not current, id="answer-no", compact=True)
            yield Input(d.override_reason, placeholder="Motif du forçage (obligatoire)", id="override-reason",
                        compact=True)
            yield Static("", id="conformity-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Annuler (Échap)", id="cancel", compact=True)
                yield Button("✓ Valider (F10)", id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        self._sync_reason()
        if not self.answer_conforme:
            # The radio set highlights its first button: start on the pressed one instead.
            self.query_one("#conformity-answer", RadioSet).action_next_button()
        if self.editable:
            self.query_one("#conformity-answer", RadioSet).focus()
        else:
            self.query_one("#conformity-checks", VerticalScroll).focus()

    # --- answer ----------------------------------------------------------------------------------------
    @property
    def answer_conforme(self) -> bool:
        return self.query_one("#answer-yes", RadioButton).value

    @property
    def forcing(self) -> bool:
        """Answering "Conforme" although the automatic check failed."""
        return self.editable and self.answer_conforme and self.detail.automatic_passed is False

    def _sync_reason(self) -> None:
        self.query_one("#override-reason", Input).display = self.forcing
        self._error("")

    def _error(self, text: str) -> None:
        error = self.query_one("#conformity-error", Static)
        error.update(text)
        error.display = bool(text)

    @on(RadioSet.Changed, "#conformity-answer")
    def _answer_changed(self, event: RadioSet.Changed) -> None:
        self._sync_reason()

    @on(Input.Submitted, "#override-reason")
    def _reason_submitted(self, event: Input.Submitted) -> None:
        self.action_validate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_validate() if event.button.id == "ok" else self.action_cancel()

    def action_validate(self) -> None:
        if not self.editable:
            self.dismiss(None)
            return
        reason = self.query_one("#override-reason", Input).value.strip() if self.forcing else ""
        if self.forcing and len(reason) < 3:
            self._error("Le contrôle automatique a relevé des points non conformes : indiquez le motif du "
                        "forçage.")
            self.query_one("#override-reason", Input).focus()
            self.app.bell()
            return
        self.dismiss(ConformityAnswer(conforme=self.answer_conforme, reason=reason or None))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScorFlows:
    """Add / view / delete a SCOR document: dialogs on the UI thread, service calls in thread workers.

    Mixed into a widget or screen that also mixes in ReportsWorkerErrors (failures become the error
    dialog). Hosts override `scor_changed` (reload their list) and may override `scor_status`.
    """

    def scor_changed(self, pj_id: int | None) -> None:  # pragma: no cover - overridden
        pass

    def scor_status(self, text: str) -> None:
        pass

    def _ui(self, fn: Any, *args: Any) -> None:
        """From a worker thread: run `fn` on the UI thread, unless this host was closed meanwhile."""
        def run() -> None:
            if self.is_attached:  # type: ignore[attr-defined]
                fn(*args)

        self.app.call_from_thread(run)  # type: ignore[attr-defined]

    # --- add -------------------------------------------------------------------------------------------
    def start_add(self, invoice_id: int, path: str, type_code: str) -> None:
        self.scor_status(f"Contrôle de « {Path(path).name} »…")
        self._scor_add(invoice_id, path, type_code)

    @work(thread=True, exit_on_error=False, group="scor-write")
    def _scor_add(self, invoice_id: int, path: str, type_code: str) -> None:
        try:
            result = scor_service(self.app).add_document(  # type: ignore[attr-defined]
                invoice_id, Path(path).expanduser(), type_code, actor=ACTOR)
        finally:
            self._ui(self.scor_status, "")
        self._ui(self._scor_added, result.detail)

    def _scor_added(self, detail: PieceDetail) -> None:
        self.scor_changed(detail.pj_id)
        self.ask_conformity(detail)

    # --- view / answer ----------------------------------------------------------------------------------
    def start_view(self, pj_id: int) -> None:
        self._scor_view(pj_id)

    @work(thread=True, exit_on_error=False, group="scor-read")
    def _scor_view(self, pj_id: int) -> None:
        detail = scor_service(self.app).piece_detail(pj_id)  # type: ignore[attr-defined]
        self._ui(self.ask_conformity, detail)

    def ask_conformity(self, detail: PieceDetail) -> None:
        def answered(answer: ConformityAnswer | None) -> None:
            if answer is not None and detail.can_answer:
                self._scor_answer(detail.pj_id, answer)

        self.app.push_screen(ScorConformityDialog(detail), answered)  # type: ignore[attr-defined]

    @work(thread=True, exit_on_error=False, group="scor-write")
    def _scor_answer(self, pj_id: int, answer: ConformityAnswer) -> None:
        app = self.app  # type: ignore[attr-defined]
        detail = scor_service(app).confirm_conformity(pj_id, answer.conforme, answer.reason, actor=ACTOR)
        app.call_from_thread(app.notify, f"{detail.type_label} : {detail.state}", timeout=3)
        self._ui(self.scor_changed, pj_id)

    # --- delete -------------------------------------------------------------------------------------------
    def start_delete(self, pj_id: int, label: str) -> None:
        def reason_given(reason: str | None) -> None:
            if reason:
                self._scor_delete(pj_id, reason)

        self.app.push_screen(  # type: ignore[attr-defined]
            ReasonDialog(f"Supprimer le document {label} ? Indiquez le motif de la suppression.",
                         title="Supprimer le document"), reason_given)

    @work(thread=True, exit_on_error=False, group="scor-write")
    def _scor_delete(self, pj_id: int, reason: str) -> None:
        app = self.app  # type: ignore[attr-defined]
        scor_service(app).delete_document(pj_id, reason, actor=ACTOR)
        app.call_from_thread(app.notify, "Document supprimé.", timeout=3)
        self._ui(self.scor_changed, pj_id)
