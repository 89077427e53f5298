"""The "Paramétrage : Mutuelle" dialog (manual §V): every parameter of one mutuelle, F10 Valider,
F5 Copier, Escape to close. It returns True when something was written (the list must be refreshed)."""
from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import ValidationError
from core.services.mutuelles import MODES_GESTION_SV, NORMES_B2, MutuelleDTO, MutuelleService, parse_values
from screens.settings_form import ACTOR, WrappingCheckbox, field_row

TEXT_FIELDS = ("numero", "nom", "numero_prefectoral", "adresse1", "adresse2", "adresse3", "code_postal", "ville",
               "telephone", "fax", "email", "organisme_payeur", "grille")
SELECT_FIELDS = ("norme_b2", "mode_gestion_sv")
CHECK_FIELDS = ("indicateur_facture_rc", "teletransmission_defaut", "pec_obligatoire")


def mutuelle_service(app: Any) -> MutuelleService:
    """The app's MutuelleService when the container provides one, else one on the app's context."""
    return getattr(app.services, "mutuelles", None) or MutuelleService(app.services.ctx)


def _input(field: str, *, max_length: int = 0, placeholder: str = "", restrict: str | None = None) -> Input:
    return Input(id=field, max_length=max_length, placeholder=placeholder, restrict=restrict, compact=True)


class MutuelleEditor(ReportsWorkerErrors, ModalScreen[bool]):
    COMMAND_SPECS = (
        Command("mutuelle_save", "f10", "save", "Valider", "Enregistrer les paramètres de la mutuelle."),
        Command("mutuelle_copy", "f5", "copy", "Copier", "Créer une nouvelle mutuelle avec les mêmes paramètres."),
        Command("mutuelle_close", "escape", "close", "Annuler", "Fermer sans enregistrer les modifications."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Saved(Message):
        def __init__(self, mutuelle: MutuelleDTO) -> None:
            super().__init__()
            self.mutuelle = mutuelle

    class Copied(Message):
        def __init__(self, mutuelle: MutuelleDTO) -> None:
            super().__init__()
            self.mutuelle = mutuelle

    def __init__(self, mutuelle: MutuelleDTO) -> None:
        super().__init__()
        self.mutuelle = mutuelle
        self.wrote = False  # a copy was created: the caller refreshes its list even on Escape

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="mutuelle-dialog"):
            yield Label("Paramétrage : Mutuelle", classes="dialog-title", id="mutuelle-title")
            with VerticalScroll(id="mutuelle-form", can_focus=False):
                yield Label("Information mutuelle", classes="section-title")
                yield field_row("Nom", _input("nom", max_length=255))
                yield field_row("N° (AMC)", _input("numero", max_length=10))
                yield field_row("N° Préfectoral", _input("numero_prefectoral", max_length=10, restrict=r"[0-9]*",
                                                         placeholder="10 chiffres"))
                yield Label("Adresse", classes="section-title")
                yield field_row("Adresse", _input("adresse1", placeholder="Adresse 1"))
                yield field_row("", _input("adresse2", placeholder="Adresse 2"))
                yield field_row("", _input("adresse3", placeholder="Adresse 3"))
                yield field_row("C.P./Ville", _input("code_postal", max_length=5, placeholder="CP"),
                                _input("ville", placeholder="Ville"), id="row-cp-ville")
                yield Label("Téléphone/Mail", classes="section-title")
                yield field_row("Téléphone", _input("telephone", placeholder="Tél."))
                yield field_row("Fax", _input("fax", placeholder="Fax"))
                yield field_row("Email", _input("email", placeholder="Email"))
                yield field_row("Norme B2", Select([("Norme par défaut", ""), *((n, n) for n in NORMES_B2)],
                                                   allow_blank=False, compact=True, id="norme_b2"))
                yield Label("Informations diverses", classes="section-title")
                yield field_row("Mode Gestion SV", Select([(v, k) for k, v in MODES_GESTION_SV.items()],
                                                          allow_blank=False, compact=True, id="mode_gestion_sv"))
                yield field_row("Organisme Payeur", _input("organisme_payeur", placeholder="Organisme Payeur"))
                yield field_row("Grille utilisée", _input("grille"))
                yield WrappingCheckbox("Indicateur 'Facturé RC' dans le dossier", id="indicateur_facture_rc",
                                       compact=True)
                yield WrappingCheckbox("Activer la télétransmission par défaut", id="teletransmission_defaut",
                                       compact=True)
                yield WrappingCheckbox("Numéro de PEC obligatoire", id="pec_obligatoire", compact=True)
            yield Static("", id="mutuelle-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Annuler (Échap)", id="cancel", compact=True)
                yield Button("Copier (F5)", id="copy", compact=True)
                yield Button("✓ Valider (F10)", id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.fill(self.mutuelle)
        self.query_one("#nom", Input).focus()

    # --- form <-> DTO -------------------------------------------------------------------------------
    def fill(self, mutuelle: MutuelleDTO) -> None:
        self.mutuelle = mutuelle
        for field in TEXT_FIELDS:
            self.query_one(f"#{field}", Input).value = getattr(mutuelle, field)
        norme = self.query_one("#norme_b2", Select)
        if mutuelle.norme_b2 not in ("", *NORMES_B2):  # keep an unknown stored value visible
            norme.set_options([("Norme par défaut", ""), *((n, n) for n in (*NORMES_B2, mutuelle.norme_b2))])
        norme.value = mutuelle.norme_b2
        self.query_one("#mode_gestion_sv", Select).value = mutuelle.mode_gestion_sv
        for field in CHECK_FIELDS:
            self.query_one(f"#{field}", Checkbox).value = getattr(mutuelle, field)
        self._set_error("")

    def form_values(self) -> dict[str, Any]:
        data: dict[str, Any] = {f: self.query_one(f"#{f}", Input).value for f in TEXT_FIELDS}
        data.update({f: self.query_one(f"#{f}", Select).value for f in SELECT_FIELDS})
        data.update({f: self.query_one(f"#{f}", Checkbox).value for f in CHECK_FIELDS})
        return data

    def is_dirty(self) -> bool:
        stored = self.mutuelle.model_dump(exclude={"id"})
        return any(str(v).strip() != str(stored[k]) if isinstance(v, str) else v != stored[k]
                   for k, v in self.form_values().items())

    def _set_error(self, text: str) -> None:
        error = self.query_one("#mutuelle-error", Static)
        error.update(text)
        error.set_class(bool(text), "-shown")

    def _refuse(self, exc: ValidationError) -> None:
        self._set_error(exc.message_fr)
        if exc.code:  # parse_values names the offending field: put the cursor on it
            for widget in self.query(f"#{exc.code}"):
                widget.focus()
        self.app.bell()

    # --- workers ------------------------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, exclusive=True, group="mutuelle-write")
    def store(self, mutuelle_id: int, values: Any) -> None:
        self.post_message(self.Saved(mutuelle_service(self.app).update(mutuelle_id, values, actor=ACTOR)))

    @work(thread=True, exit_on_error=False, exclusive=True, group="mutuelle-write")
    def duplicate(self, mutuelle_id: int) -> None:
        self.post_message(self.Copied(mutuelle_service(self.app).copy(mutuelle_id, actor=ACTOR)))

    def on_mutuelle_editor_saved(self, message: Saved) -> None:
        self.app.notify(f"Mutuelle enregistrée : {message.mutuelle.nom}", timeout=3)
        self.dismiss(True)

    def on_mutuelle_editor_copied(self, message: Copied) -> None:
        self.wrote = True
        self.fill(message.mutuelle)
        self.query_one("#nom", Input).focus()
        self.app.notify(f"Copie créée : {message.mutuelle.nom}. Adaptez-la puis validez (F10).", timeout=4)

    # --- actions ------------------------------------------------------------------------------------
    def action_save(self) -> None:
        try:
            values = parse_values(self.form_values())
        except ValidationError as exc:
            self._refuse(exc)
            return
        self.store(self.mutuelle.id, values)

    def action_copy(self) -> None:
        if self.is_dirty():
            self._refuse(ValidationError("Validez (F10) ou annulez (Échap) les modifications avant de copier."))
            return
        self.duplicate(self.mutuelle.id)

    def action_close(self) -> None:
        self.dismiss(self.wrote)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"ok": self.action_save, "copy": self.action_copy, "cancel": self.action_close}[event.button.id or "cancel"]()
