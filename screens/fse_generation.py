""""Génération de la FSE - Facture n°253 du 28/05/2024" (manual §IV): the Vérification taux form,
pre-filled (last check, Facture = today); the greyed values (FseFormDTO.locked_fields) cannot change.
Valider (F10) returns the values; invoicing itself is done by the flow (screens/counter_flow.py)."""
from __future__ import annotations

from app.commands import Command, bindings
from core.services.counter_dto import FseFormDTO
from screens.verif_taux import VerifTauxDialog

__all__ = ["FseGenerationDialog"]


class FseGenerationDialog(VerifTauxDialog):
    """Returns the RateCheckParams to invoice with, or None when cancelled."""
    HELP_TITLE = 'Génération de la FSE'  # section title of the F1 help

    COMMAND_SPECS = (
        Command("fse_generation_validate", "f10", "validate", "Valider",
                "Contrôler le dossier puis afficher le récapitulatif de la FSE."),
        Command("fse_generation_attestation", "f5", "attestation", "Attestation AMC",
                "Saisir l'Attestation AMC (DRE vers certaines mutuelles)."),
        Command("fse_generation_cancel", "escape", "cancel", "Retour", "Ne pas facturer maintenant."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, form: FseFormDTO) -> None:
        super().__init__(form.dossier_id, form.params, locked=form.locked_fields, title=form.title)
        self.form = form

    def action_validate(self) -> None:
        params = self.read_form()
        if params is not None:
            self.dismiss(params)  # type: ignore[arg-type]  # this dialog returns the values, not a check
