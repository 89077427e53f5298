"""Pre-flight findings before the FSE ("Contrôles avant la FSE"): each finding with its message and the
suggested fix. A blocking finding ("Bloquant") forbids the FSE: only Retour is possible. Warnings
("Avertissement") can be acknowledged with F10 "Continuer". Returns True to go on, False otherwise."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from app.commands import Command, bindings
from core.services.counter_dto import FindingDTO
from screens.counter_flow_common import CounterDialog

__all__ = ["LintFindingsDialog", "SEVERITY_LABELS"]

SEVERITY_LABELS = {"bloquant": "Bloquant", "avertissement": "Avertissement"}


class LintFindingsDialog(CounterDialog[bool]):
    HELP_TITLE = 'Contrôles avant télétransmission'  # section title of the F1 help
    COMMAND_SPECS = (
        Command("lint_continue", "f10", "proceed", "Continuer",
                "Continuer malgré les avertissements (impossible s'il reste un point bloquant)."),
        Command("lint_back", "escape", "back", "Retour", "Revenir au dossier pour corriger."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, findings: tuple[FindingDTO, ...], *, title: str = "Contrôles avant la FSE") -> None:
        super().__init__()
        # blocking first (the service already sorts; keep it stable here too)
        self.findings = tuple(sorted(findings, key=lambda f: f.severity != "bloquant"))
        self.title_text = title

    @property
    def blocking(self) -> bool:
        return any(f.severity == "bloquant" for f in self.findings)

    def compose(self) -> ComposeResult:
        count = sum(f.severity == "bloquant" for f in self.findings)
        with Vertical(classes="dialog", id="lint-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if count:
                yield Static(f"{count} point(s) bloquant(s) : la FSE ne peut pas être faite tant qu'ils ne sont pas "
                             "corrigés.", id="lint-summary", classes="error-text")
            else:
                yield Static("Avertissements : vérifiez-les, puis continuez (F10) ou revenez au dossier (Échap).",
                             id="lint-summary", classes="warning-text")
            with VerticalScroll(id="lint-list"):
                for i, f in enumerate(self.findings, start=1):
                    where = f" (ligne {f.line + 1})" if f.line is not None else ""
                    css = "error-text" if f.severity == "bloquant" else "warning-text"
                    yield Static(f"{i}. {SEVERITY_LABELS.get(f.severity, f.severity)}{where} — {f.message_fr}",
                                 classes=f"finding-message {css}")
                    yield Static(f"→ {f.fix_fr}", classes="finding-fix")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Retour (Échap)", id="back", compact=True)
                yield Button("✓ Continuer (F10)", id="proceed", variant="primary", compact=True,
                             disabled=self.blocking)

    def on_mount(self) -> None:
        self.query_one("#back" if self.blocking else "#proceed", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_proceed() if event.button.id == "proceed" else self.action_back()

    def action_proceed(self) -> None:
        if self.blocking:
            self.app.bell()
            self.app.notify("Point bloquant : corrigez le dossier avant de faire la FSE.", severity="error",
                            timeout=4)
            return
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
