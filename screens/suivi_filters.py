""""Gestion des filtres" (Recherche avancée of Suivi Facturations, manual §VII): every criterion of the
manual; returns the new SuiviFilters (page 1) or None. F8 clears every criterion except the date range."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from app.commands import Command, bindings
from core.errors import ValidationError
from core.services.suivi_dto import ETATS, SuiviFilters
from screens.suivi_common import format_date_fr, parse_date_fr

ETAT_CHOICES = [("Tous les états", ""), *((e, e) for e in ETATS)]


def _line(label: str, *widgets) -> Horizontal:  # noqa: ANN002 - widgets
    return Horizontal(Label(label, classes="filter-label"), *widgets, classes="filter-line")


class SuiviFiltersDialog(ModalScreen[SuiviFilters | None]):
    COMMAND_SPECS = (
        Command("filters_validate", "f10", "validate", "Valider", "Appliquer les filtres."),
        Command("filters_clear", "f8", "clear", "Effacer", "Effacer les critères (la période reste)."),
        Command("filters_cancel", "escape", "cancel", "Annuler", "Fermer sans changer la recherche."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, filters: SuiviFilters) -> None:
        super().__init__()
        self.filters = filters

    def compose(self) -> ComposeResult:
        f = self.filters

        def field(value: str, placeholder: str, id: str, **kw) -> Input:  # noqa: A002, ANN003
            return Input(value=value, placeholder=placeholder, compact=True, id=id, **kw)

        with Vertical(classes="dialog", id="filters-dialog"):
            yield Label("Gestion des filtres", classes="dialog-title")
            yield _line("Bénéficiaire", field(f.benef_nom, "Nom", "f-benef-nom"),
                        field(f.benef_prenom, "Prénom", "f-benef-prenom"),
                        field(f.benef_nir, "NIR", "f-benef-nir", max_length=17))
            yield _line("Assuré", field(f.assure_nom, "Nom", "f-assure-nom"),
                        field(f.assure_prenom, "Prénom", "f-assure-prenom"),
                        field(f.assure_nir, "NIR", "f-assure-nir", max_length=17))
            yield _line("Date Facturation", field(format_date_fr(f.date_from), "JJ/MM/AAAA", "f-date-from",
                                                  max_length=10),
                        field(format_date_fr(f.date_to), "JJ/MM/AAAA", "f-date-to", max_length=10))
            yield _line("Date dernière MAJ", field(format_date_fr(f.maj_from), "Date minimum", "f-maj-from",
                                                   max_length=10),
                        field(format_date_fr(f.maj_to), "Date maximum", "f-maj-to", max_length=10))
            yield _line("N° Facture", field("" if f.numero is None else str(f.numero), "Numéro de la facture",
                                            "f-numero", max_length=9))
            yield _line("N° Lot", field(f.lot, "ex. 003", "f-lot", max_length=3))
            yield _line("État Facturation", Select(ETAT_CHOICES, value=f.etat, allow_blank=False, compact=True,
                                                   id="f-etat"))
            yield Checkbox("DRE d'annulation possible", f.dre_annulation, compact=True, id="f-dre")
            yield Checkbox("Facture traitée manuellement", f.manuel, compact=True, id="f-manuel")
            yield Static("", id="filters-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Annuler (Échap)", id="cancel", compact=True)
                yield Button("Effacer (F8)", id="clear", compact=True)
                yield Button("✓ Valider (F10)", id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#f-benef-nom", Input).focus()

    def _value(self, id: str) -> str:  # noqa: A002
        return self.query_one(f"#{id}", Input).value.strip()

    def read(self) -> SuiviFilters:
        """The dialog's values as filters; bad dates or numbers -> ValidationError naming the field."""
        numero_text = self._value("f-numero")
        if numero_text and not numero_text.isdigit():
            raise ValidationError(f"N° Facture : « {numero_text} » n'est pas un numéro.",
                                  log=f"bad invoice number {numero_text!r}")
        values = dict(
            benef_nom=self._value("f-benef-nom"), benef_prenom=self._value("f-benef-prenom"),
            benef_nir=self._value("f-benef-nir"), assure_nom=self._value("f-assure-nom"),
            assure_prenom=self._value("f-assure-prenom"), assure_nir=self._value("f-assure-nir"),
            date_from=parse_date_fr(self._value("f-date-from"), "Date Facturation (début)"),
            date_to=parse_date_fr(self._value("f-date-to"), "Date Facturation (fin)"),
            maj_from=parse_date_fr(self._value("f-maj-from"), "Date dernière MAJ (minimum)"),
            maj_to=parse_date_fr(self._value("f-maj-to"), "Date dernière MAJ (maximum)"),
            numero=int(numero_text) if numero_text else None, lot=self._value("f-lot"),
            etat=str(self.query_one("#f-etat", Select).value or ""),
            dre_annulation=self.query_one("#f-dre", Checkbox).value,
            manuel=self.query_one("#f-manuel", Checkbox).value, page=1)
        for low, high, label in (("date_from", "date_to", "Date Facturation"),
                                 ("maj_from", "maj_to", "Date dernière MAJ")):
            if values[low] and values[high] and values[low] > values[high]:
                raise ValidationError(f"{label} : la date de début est après la date de fin.",
                                      log=f"{label} range reversed")
        return self.filters.model_copy(update=values)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_validate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"ok": self.action_validate, "clear": self.action_clear}.get(event.button.id or "", self.action_cancel)()

    def action_validate(self) -> None:
        try:
            filters = self.read()
        except ValidationError as exc:
            self.query_one("#filters-error", Static).update(exc.message_fr)
            self.app.bell()
            return
        self.dismiss(filters)

    def action_clear(self) -> None:
        for widget in self.query(Input):
            if widget.id not in ("f-date-from", "f-date-to"):
                widget.value = ""
        self.query_one("#f-etat", Select).value = ""
        self.query_one("#f-dre", Checkbox).value = False
        self.query_one("#f-manuel", Checkbox).value = False
        self.query_one("#filters-error", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)
