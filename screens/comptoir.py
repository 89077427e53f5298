"""Comptoir: Client / Visite. The counter flow (card, dossier, Vérif. taux, FSE) plugs in here."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from screens.base import AreaScreen


class ComptoirScreen(AreaScreen):
    AREA_TITLE = "Comptoir · Client / Visite"

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Nouveau dossier · Client / Visite\n\n"
            "Le parcours de comptoir (lecture de la Carte Vitale, choix du bénéficiaire, ordonnance, "
            "articles, Vérif. taux, FSE et signature) arrive avec le lot « parcours de comptoir ».",
            classes="placeholder", id="comptoir-body")
