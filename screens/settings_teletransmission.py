"""Paramètres > Mutuelles & SS > Télétransmission (manual §XI.A): the concentrateurs and the
"Paramétrage par défaut" of the télétransmission, plus Lunetier's two "absence d'ARL" delays."""
from __future__ import annotations

from pydantic import BaseModel
from textual.app import ComposeResult
from textual.widgets import Checkbox, DataTable, Input, Label, Select

from app.commands import Command, bindings
from core.services.mutuelles import NORMES_B2
from core.services.settings import Concentrateur, TeletransmissionSettings
from screens.settings_form import SettingsPane, check_row, field_row, validate_section

# (field, manual label, help). Helps quote the manual where it explains the option; the others are
# Lunetier's reading of the option (INFERRED from DOMAIN.md §6.4 and §7.1, the manual gives no text).
CHECKBOXES: tuple[tuple[str, str, str], ...] = (
    ("blocage_automatique_fse", "Blocage automatique des FSE",
     "Les FSE en anomalie restent bloquées (hors lot) jusqu'à correction."),
    ("controle_teletransmission_regime", "Contrôle télétransmission active du régime",
     "Vérifie avant l'envoi que le régime accepte la télétransmission."),
    ("blocage_si_documents_absents", "Blocage télétransmission des FSE si documents absents",
     "Bloque la télétransmission tant qu'il manque un document SCOR sur une FSE prête."),
    ("top_m", "Demande à la CPAM de transmettre à la mutuelle (top M)",
     "La caisse transmet le décompte à la mutuelle (liaison NOEMIE)."),
    ("lettrage_auto", "Lettrage auto. suite à l'intégration des fichiers RSP",
     "Lettrage fait à l'intégration des RSP, sans lettrage manuel par dossier."),
)
RSP_CHECKBOX = (
    "integrer_rsp_apres_teletransmission", "Intégrer les fichiers RSP après télétransmission",
    "Récupère les RSP (retours Noémie) après chaque télétransmission ; sinon via Suivi facturations.")

LABELS = {field: label for field, label, _ in (*CHECKBOXES, RSP_CHECKBOX)} | {
    "norme_b2_defaut": "Norme B2 par défaut",
    "absence_arl_renvoyer_jours": "Absence ARL Renvoyer lot",
    "absence_arl_manuel_jours": "Absence ARL Manuel obligatoire",
}

_YES_NO = {True: "Oui", False: "Non"}
_TOGGLE_COLUMNS = {1: "teletransmission", 2: "pec"}


class ConcentrateursTable(DataTable):
    """Nom du concentrateur / Télétransmission / PEC; Espace or Entrée on a Oui/Non cell switches it."""

    COMMAND_SPECS = (
        Command("concentrateur_toggle", "space", "toggle_cell", "Oui/Non",
                "Basculer Oui / Non sur la cellule du concentrateur.", show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, **kw) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=False, **kw)
        self.rows_data: list[Concentrateur] = []

    def on_mount(self) -> None:
        self.add_column("Nom du concentrateur", width=20, key="nom")
        self.add_column("Télétransmission", key="teletransmission")
        self.add_column("PEC", key="pec")

    def show(self, concentrateurs: tuple[Concentrateur, ...]) -> None:
        self.rows_data = list(concentrateurs)
        cursor = self.cursor_coordinate
        self.clear()
        for c in self.rows_data:
            # height=None: long names wrap inside the 80-column layout instead of being cut.
            self.add_row(c.nom, _YES_NO[c.teletransmission], _YES_NO[c.pec], height=None)
        if self.rows_data:
            self.cursor_coordinate = self.validate_cursor_coordinate(cursor)

    def action_toggle_cell(self) -> None:
        row, column = self.cursor_coordinate
        field = _TOGGLE_COLUMNS.get(column)
        if field is None or row >= len(self.rows_data):
            return
        item = self.rows_data[row]
        self.rows_data[row] = item.model_copy(update={field: not getattr(item, field)})
        self.update_cell_at(self.cursor_coordinate, _YES_NO[getattr(self.rows_data[row], field)])

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_toggle_cell()


class TeletransmissionSettingsPane(SettingsPane):
    SECTION = "teletransmission"

    def compose_form(self) -> ComposeResult:
        yield Label("Télétransmission", classes="section-title")
        yield ConcentrateursTable(id="concentrateurs")
        yield Label("Paramétrage par défaut", classes="section-title")
        for field, label, help_text in CHECKBOXES:
            yield check_row(label, id=field, help=help_text)
        yield field_row("Norme B2 par défaut",
                        Select([(n, n) for n in NORMES_B2], allow_blank=False, compact=True,
                               id="norme_b2_defaut"),
                        help="Norme des lots, sauf si la mutuelle en précise une.")
        yield check_row(RSP_CHECKBOX[1], id=RSP_CHECKBOX[0], help=RSP_CHECKBOX[2])
        yield Label("Absence d'ARL (délais Lunetier)", classes="section-title")
        yield field_row("Absence ARL Renvoyer lot après (jours)",
                        Input(type="integer", max_length=3, compact=True, id="absence_arl_renvoyer_jours"),
                        help="Jours sans ARL après l'envoi avant « Absence ARL Renvoyer lot ».")
        yield field_row("Absence ARL Manuel obligatoire après (jours)",
                        Input(type="integer", max_length=3, compact=True, id="absence_arl_manuel_jours"),
                        help="Jours sans ARL avant « Absence ARL Manuel obligatoire ».")

    def fill(self, section: BaseModel) -> None:
        assert isinstance(section, TeletransmissionSettings)
        self.query_one(ConcentrateursTable).show(section.concentrateurs)
        for field, _, _ in (*CHECKBOXES, RSP_CHECKBOX):
            self.query_one(f"#{field}", Checkbox).value = getattr(section, field)
        norme = self.query_one("#norme_b2_defaut", Select)
        if section.norme_b2_defaut not in NORMES_B2:  # a value stored by an older version stays visible
            norme.set_options([(n, n) for n in (*NORMES_B2, section.norme_b2_defaut)])
        norme.value = section.norme_b2_defaut
        for field in ("absence_arl_renvoyer_jours", "absence_arl_manuel_jours"):
            self.query_one(f"#{field}", Input).value = str(getattr(section, field))

    def read(self, current: BaseModel) -> BaseModel:
        data = current.model_dump()
        data["concentrateurs"] = [c.model_dump() for c in self.query_one(ConcentrateursTable).rows_data]
        for field, _, _ in (*CHECKBOXES, RSP_CHECKBOX):
            data[field] = self.query_one(f"#{field}", Checkbox).value
        data["norme_b2_defaut"] = self.query_one("#norme_b2_defaut", Select).value
        for field in ("absence_arl_renvoyer_jours", "absence_arl_manuel_jours"):
            data[field] = self.query_one(f"#{field}", Input).value.strip()
        return validate_section(TeletransmissionSettings, data, LABELS)
