""""Vérification taux" (manual §III.A): every field of the form, pre-filled from rates.default_params.

`RateParamsForm` is the form itself; "Génération de la FSE" (screens/fse_generation.py) reuses it with the
greyed fields disabled. "Situation ETM / Taux Exonération" is shown only when the Pièce Justif. AMO is
one of the three manual proofs (neither the carte Vitale nor ADR); the Nature Assurance extra fields only
for Maternité / Accident du travail. Valider (F10) stores the check through rates.verify_rates in a
thread; a bad date or a refused value is shown inline and nothing is stored.
"""
from __future__ import annotations

from typing import Any

import pydantic
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select

from app.commands import Command, bindings
from core.errors import ValidationError
from core.services.counter_dto import (DROITS_AMO_CHOICES, MODE_SECURISATION_CHOICES, NATURE_ASSURANCE_CHOICES,
                                       PIECE_JUSTIF_AMC_CHOICES, PIECE_JUSTIF_AMO_CHOICES, PRESCRIPTION_CHOICES,
                                       TAUX_EXONERATION_CHOICES, RateCheckDTO, RateCheckParams)  # noqa: F401
from core.services.counter_choices import MANUAL_PROOFS
from screens.counter_flow_common import (YES_NO, CounterDialog, counter, error_line, field, fr_date, options,
                                         parse_fr_date, section)

__all__ = ["RateParamsForm", "VerifTauxDialog"]

DATE_FIELDS = {"ordo": "Ordo.", "acte": "Acte", "facture": "Facture"}
# Manual §III.A: "Maternité" and "Accident du travail" show extra fields (labels INFERRED, see RateCheckParams).
MATERNITE_LABEL = "Date début grossesse"
AT_LABELS = ("N° AT", "Date AT")


def _date_input(field_id: str, value: Any) -> Input:
    return Input(fr_date(value), id=field_id, placeholder="JJ/MM/AAAA", max_length=10, restrict=r"[0-9/]*",
                 compact=True, classes="date-input")


def _select(field_id: str, opts: list[tuple[str, str]], value: str) -> Select:
    return Select(opts, value=value, allow_blank=False, compact=True, id=field_id)


class RateParamsForm(VerticalScroll):
    """The fields of "Vérification taux" / "Génération de la FSE", in the manual's order."""

    def __init__(self, params: RateCheckParams, *, locked: tuple[str, ...] = (), id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False, classes="rate-form")
        self.params = params
        self.locked = frozenset(locked)

    def compose(self) -> ComposeResult:
        p = self.params
        with Horizontal(classes="field-line dates-line"):
            for key, label in DATE_FIELDS.items():
                yield Label(label, classes="date-label")
                yield _date_input(key, getattr(p, key))
        yield field("Pièce Justif. AMO", _select("piece_justif_amo", options(PIECE_JUSTIF_AMO_CHOICES),
                                                  p.piece_justif_amo))
        yield field("Droits AMO", _select("droits_amo", options(DROITS_AMO_CHOICES), p.droits_amo))
        yield field("Pièce Justif. AMC", _select("piece_justif_amc", options(PIECE_JUSTIF_AMC_CHOICES),
                                                  p.piece_justif_amc))
        yield field("Accident Droit Commun",
                    _select("accident_droit_commun", list(YES_NO), "1" if p.accident_droit_commun else "0"),
                    Label("Prescription", classes="inner-label"),
                    _select("prescription", options(PRESCRIPTION_CHOICES), p.prescription))
        yield field("Soins en rapport avec l'ALD", _select("ald", list(YES_NO), "1" if p.ald else "0"),
                    Checkbox("Victime Attentat", p.victime_attentat, id="victime_attentat", compact=True))
        yield field("", Checkbox("Régime Alsace Moselle", p.alsace_moselle, id="alsace_moselle", compact=True))
        yield field("Nature Assurance", _select("nature_assurance", options(NATURE_ASSURANCE_CHOICES),
                                                 p.nature_assurance))
        yield field(MATERNITE_LABEL, _date_input("maternite_date", p.maternite_date), id="row-maternite")
        yield field(AT_LABELS[0], Input(p.at_numero, id="at_numero", compact=True, max_length=20),
                    Label(AT_LABELS[1], classes="inner-label"), _date_input("at_date", p.at_date), id="row-at")
        with Vertical(id="etm-block"):
            yield section("Situation ETM")
            yield field("Taux Exonération", _select("taux_exoneration", options(TAUX_EXONERATION_CHOICES),
                                                     p.taux_exoneration or "15"))
        yield section("Paiement")
        yield field("Mode Sécurisation", _select("mode_securisation", options(MODE_SECURISATION_CHOICES),
                                                  p.mode_securisation))

    def on_mount(self) -> None:
        for key in self.locked:
            for widget in self.query(f"#{key}"):
                widget.disabled = True
        self._sync_visibility()

    @on(Select.Changed, "#piece_justif_amo, #nature_assurance")
    def _changed(self, event: Select.Changed) -> None:
        self._sync_visibility()

    def _value(self, field_id: str) -> Any:
        return self.query_one(f"#{field_id}", Select).value

    def _sync_visibility(self) -> None:
        # Situation ETM only for the three manual proofs (manual §III.A).
        self.query_one("#etm-block").display = self._value("piece_justif_amo") in MANUAL_PROOFS
        nature = self._value("nature_assurance")
        self.query_one("#row-maternite").display = nature == "maternite"
        self.query_one("#row-at").display = nature == "at"

    def read(self) -> RateCheckParams:
        """The typed values; ValidationError (French, one line per problem) on a bad date."""
        errors: list[str] = []
        dates: dict[str, Any] = {}
        labels = {**DATE_FIELDS, "maternite_date": MATERNITE_LABEL, "at_date": AT_LABELS[1]}
        for key, label in labels.items():
            try:
                dates[key] = parse_fr_date(self.query_one(f"#{key}", Input).value, label, required=key == "acte")
            except ValidationError as exc:
                errors.append(exc.message_fr)
        if errors:
            raise ValidationError("\n".join(errors), log="rate form: bad dates", code="DATES")
        nature = self._value("nature_assurance")
        manual = self._value("piece_justif_amo") in MANUAL_PROOFS
        values = {
            **dates,
            "piece_justif_amo": self._value("piece_justif_amo"), "droits_amo": self._value("droits_amo"),
            "piece_justif_amc": self._value("piece_justif_amc"),
            "accident_droit_commun": self._value("accident_droit_commun") == "1",
            "ald": self._value("ald") == "1",
            "victime_attentat": self.query_one("#victime_attentat", Checkbox).value,
            "prescription": self._value("prescription"),
            "alsace_moselle": self.query_one("#alsace_moselle", Checkbox).value,
            "nature_assurance": nature,
            "maternite_date": dates["maternite_date"] if nature == "maternite" else None,
            "at_numero": self.query_one("#at_numero", Input).value if nature == "at" else "",
            "at_date": dates["at_date"] if nature == "at" else None,
            "taux_exoneration": self._value("taux_exoneration") if manual else self.params.taux_exoneration,
            "mode_securisation": self._value("mode_securisation"),
        }
        try:
            return RateCheckParams.model_validate(values)
        except pydantic.ValidationError as exc:
            raise ValidationError("Valeurs du formulaire invalides : vérifiez les dates et les choix.",
                                  log=f"rate form invalid: {exc.error_count()} error(s)", code="PARAMS") from exc


class VerifTauxDialog(CounterDialog["RateCheckDTO | None"]):
    """Returns the stored RateCheckDTO, or None when cancelled."""
    HELP_TITLE = 'Vérification du taux'  # section title of the F1 help

    COMMAND_SPECS = (
        Command("verif_taux_validate", "f10", "validate", "Valider",
                "Demander au moteur SESAM-Vitale le taux et les montants RO, et les enregistrer."),
        Command("verif_taux_attestation", "f5", "attestation", "Attestation AMC",
                "Saisir l'Attestation AMC (DRE vers certaines mutuelles)."),
        Command("verif_taux_cancel", "escape", "cancel", "Retour", "Fermer sans vérifier le taux."),
    )
    BINDINGS = bindings(COMMAND_SPECS)
    TITLE_TEXT = "Vérification taux"

    def __init__(self, dossier_id: int, params: RateCheckParams, *, locked: tuple[str, ...] = (),
                 title: str | None = None) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.params = params
        self.locked = locked
        self.title_text = title or self.TITLE_TEXT
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog rate-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield RateParamsForm(self.params, locked=self.locked, id="rate-form")
            yield error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("←", id="cancel", compact=True)
                yield Button("Attestation AMC (F5)", id="attestation", compact=True)
                yield Button("✓ Valider (F10)", id="validate", variant="primary", compact=True)

    def on_mount(self) -> None:
        first = next((w for w in self.query("Input, Select") if not w.disabled), None)
        if first is not None:
            first.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"validate": self.action_validate, "attestation": self.action_attestation,
         "cancel": self.action_cancel}[event.button.id or "cancel"]()

    def read_form(self) -> RateCheckParams | None:
        try:
            params = self.query_one(RateParamsForm).read()
        except ValidationError as exc:
            self.set_error(exc.message_fr)
            return None
        self.set_error("")
        return params

    def action_validate(self) -> None:
        params = self.read_form()
        if params is not None and not self.busy:
            self.busy = True
            self.store(params)

    @work(exclusive=True, group="verif-taux", exit_on_error=False)
    async def store(self, params: RateCheckParams) -> None:
        try:
            ok, result = await self.attempt(counter(self.app).rates.verify_rates, self.dossier_id, params)
        finally:
            self.busy = False
        if ok:
            self.dismiss(result)

    def action_attestation(self) -> None:
        from screens.attestation_amc import AttestationAmcDialog

        self.app.push_screen(AttestationAmcDialog(self.dossier_id))

    def action_cancel(self) -> None:
        self.dismiss(None)
