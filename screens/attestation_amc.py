""""Attestation AMC" (manual §III.B and §V): the values a DRE needs when the conventions do not give them
(N° Préfectoral, Type Conv., Crit. Secondaire printed on the carte mutuelle...). Every field of the manual,
in its two columns. Valider (F10) saves through forcages.set_attestation_amc (audited) and returns the
saved AttestationAmc; Escape returns None.
"""
from __future__ import annotations

from typing import Any

import pydantic
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select

from app.commands import Command, bindings
from core.domain.money import parse_euros
from core.errors import ValidationError
from core.services.counter_dto import DATE_REFERENCE_CHOICES, PIECE_JUSTIF_AMC_CHOICES, AttestationAmc
from screens.counter_flow_common import (CounterDialog, counter, error_line, euros, field, fr_date, options,
                                         parse_fr_date)

__all__ = ["AttestationAmcDialog", "LEFT_FIELDS", "RIGHT_FIELDS"]

# (field, label) in the manual's order; "check" fields are boxes, "date" fields JJ/MM/AAAA.
LEFT_FIELDS = (("numero_prefectoral", "N° Préfectoral"), ("numero_edi", "N° EDI"), ("type_conv", "Type Conv."),
               ("garanties", "Garanties"), ("id_assure", "Id. Assuré"), ("numero_pec", "N° PEC"),
               ("refus_ro", "Refus RO"), ("aiguillage_sts", "Aiguillage STS"), ("id_hote", "Id Hôte"),
               ("date_debut", "Date Début"))
RIGHT_FIELDS = (("att_particuliere", "Att. Particulière"), ("numero_mutuelle", "N° Mutuelle"),
                ("crit_secondaire", "Crit. Secondaire"), ("numero_adherent", "N° Adhérent"),
                ("type_contrat", "Type Contrat"), ("montant_pec_cents", "Montant PEC"),
                ("traitement_rc", "Traitement RC"), ("code_routage", "Code Routage"), ("domaine", "Domaine"),
                ("date_fin", "Date Fin"))
CHECKS = ("refus_ro",)
DATES = ("date_debut", "date_fin")


class AttestationAmcDialog(CounterDialog["AttestationAmc | None"]):
    HELP_TITLE = 'Attestation AMC'  # section title of the F1 help
    COMMAND_SPECS = (
        Command("attestation_validate", "f10", "validate", "Valider", "Enregistrer l'Attestation AMC (tracé)."),
        Command("attestation_cancel", "escape", "cancel", "Retour", "Fermer sans enregistrer."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, dossier_id: int, attestation: AttestationAmc | None = None, *, focus: str = "") -> None:
        """``attestation`` given: shown as is; else the dossier's is loaded. ``focus``: the field to start on
        (the -1300 guidance starts on "type_conv")."""
        super().__init__()
        self.dossier_id = dossier_id
        self.attestation = attestation
        self.focus_field = focus
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="attestation-dialog"):
            yield Label("Attestation AMC", classes="dialog-title")
            with VerticalScroll(id="attestation-form", can_focus=False):
                yield field("Pièce Justif. AMC", Select(options(PIECE_JUSTIF_AMC_CHOICES), value="aucun",
                                                        allow_blank=False, compact=True, id="piece_justif_amc"))
                yield field("Date Référence", Select(options(DATE_REFERENCE_CHOICES), value="acte",
                                                     allow_blank=False, compact=True, id="date_reference"),
                            Checkbox("Gest. Séparée", True, id="gestion_separee", compact=True))
                with Horizontal(id="attestation-columns"):
                    for column, fields in (("left", LEFT_FIELDS), ("right", RIGHT_FIELDS)):
                        with Vertical(classes=f"attestation-column {column}"):
                            for key, label in fields:
                                yield field(label, self._widget(key))
            yield error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("←", id="cancel", compact=True)
                yield Button("✓ Valider (F10)", id="validate", variant="primary", compact=True)

    @staticmethod
    def _widget(key: str) -> Checkbox | Input:
        if key in CHECKS:
            return Checkbox("", id=key, compact=True)
        if key in DATES:
            return Input(id=key, placeholder="JJ/MM/AAAA", max_length=10, restrict=r"[0-9/]*", compact=True)
        if key == "montant_pec_cents":
            return Input(id=key, placeholder="0,00", restrict=r"[0-9,. ]*", compact=True)
        return Input(id=key, compact=True, max_length=40)

    def on_mount(self) -> None:
        if self.attestation is not None:
            self.fill(self.attestation)
        else:
            self.load()
        target = self.query(f"#{self.focus_field}") if self.focus_field else self.query("#piece_justif_amc")
        if target:
            target.first().focus()

    @work(exclusive=True, group="attestation-load", exit_on_error=False)
    async def load(self) -> None:
        ok, forcages = await self.attempt(counter(self.app).forcages.get, self.dossier_id)
        if ok and forcages.attestation_amc is not None:
            self.attestation = forcages.attestation_amc
            self.fill(forcages.attestation_amc)

    def fill(self, att: AttestationAmc) -> None:
        self.query_one("#piece_justif_amc", Select).value = att.piece_justif_amc
        self.query_one("#date_reference", Select).value = att.date_reference
        self.query_one("#gestion_separee", Checkbox).value = att.gestion_separee
        for key, _ in LEFT_FIELDS + RIGHT_FIELDS:
            value = getattr(att, key)
            if key in CHECKS:
                self.query_one(f"#{key}", Checkbox).value = bool(value)
            elif key in DATES:
                self.query_one(f"#{key}", Input).value = fr_date(value)
            elif key == "montant_pec_cents":
                self.query_one(f"#{key}", Input).value = euros(value)
            else:
                self.query_one(f"#{key}", Input).value = str(value or "")

    def read(self) -> AttestationAmc:
        labels = dict(LEFT_FIELDS + RIGHT_FIELDS)
        values: dict[str, Any] = {
            "piece_justif_amc": self.query_one("#piece_justif_amc", Select).value,
            "date_reference": self.query_one("#date_reference", Select).value,
            "gestion_separee": self.query_one("#gestion_separee", Checkbox).value,
            # the way it was filled: a manual edit of a convention's values stays traceable in the audit row
            "source": self.attestation.source if self.attestation is not None else "saisie",
        }
        errors: list[str] = []
        for key, label in labels.items():
            if key in CHECKS:
                values[key] = self.query_one(f"#{key}", Checkbox).value
                continue
            text = self.query_one(f"#{key}", Input).value.strip()
            try:
                if key in DATES:
                    values[key] = parse_fr_date(text, label)
                elif key == "montant_pec_cents":
                    values[key] = parse_euros(text) if text else None
                else:
                    values[key] = text
            except ValidationError as exc:
                errors.append(f"{label} : {exc.message_fr}" if key == "montant_pec_cents" else exc.message_fr)
        if errors:
            raise ValidationError("\n".join(errors), log="attestation form refused", code="ATTESTATION")
        try:
            return AttestationAmc.model_validate(values)
        except pydantic.ValidationError as exc:
            reasons = "; ".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors())
            raise ValidationError(f"Attestation AMC refusée : {reasons}.", log="attestation model invalid",
                                  code="ATTESTATION") from exc

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_validate() if event.button.id == "validate" else self.action_cancel()

    def action_validate(self) -> None:
        try:
            att = self.read()
        except ValidationError as exc:
            self.set_error(exc.message_fr)
            return
        self.set_error("")
        if not self.busy:
            self.busy = True
            self.save(att)

    @work(exclusive=True, group="attestation-save", exit_on_error=False)
    async def save(self, att: AttestationAmc) -> None:
        try:
            ok, forcages = await self.attempt(counter(self.app).forcages.set_attestation_amc, self.dossier_id, att)
        finally:
            self.busy = False
        if ok:
            self.app.notify("Attestation AMC enregistrée.", timeout=3)
            self.dismiss(forcages.attestation_amc)

    def action_cancel(self) -> None:
        self.dismiss(None)
