"""Factory of the Tiers Payant tab bodies. A pane module that is not there yet shows an honest placeholder."""
from __future__ import annotations

import importlib

from textual.widget import Widget
from textual.widgets import Static

# tab id -> (module, class, what the placeholder says)
PANES = {
    "teletransmissions": ("screens.teletransmissions", "TeletransmissionsPane",
                          "Listes « À Télétransmettre » et « Télétransmis », Télétransmettre Auto, lots et ARL."),
    "suivi-facturations": ("screens.suivi_facturations", "SuiviFacturationsPane",
                           "Suivi des factures télétransmises : paiements, rejets, traitement manuel."),
    "pieces-jointes": ("screens.pieces_jointes", "PiecesJointesPane",
                       "État des documents SCOR (ordonnances, feuilles de soins) et envoi des PJ."),
    "suivi-virements": ("screens.suivi_virements", "SuiviVirementsPane",
                        "Virements des organismes, paiements et mouvements financiers."),
    "op-ponctuelles": ("screens.op_ponctuelles", "OpPonctuellesPane",
                       "Paiements et retenues ponctuels (aide SESAM-Vitale, trop-perçus...)."),
}


def make_pane(tab_id: str) -> Widget:
    module_name, class_name, promise = PANES[tab_id]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return Static(f"{promise}\n\nCet écran arrive avec un prochain lot de Lunetier.", classes="placeholder")
    return getattr(module, class_name)()
