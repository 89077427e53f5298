"""One command registry: bindings, footer, command palette and the F1 help are all generated from it.

A command is data. GLOBAL_COMMANDS serve everywhere (app BINDINGS); each screen or dialog declares its own
`COMMAND_SPECS` and sets `BINDINGS = bindings(COMMAND_SPECS)`. The palette provider and the F1 help read
the same specs from the app and from the screens on the stack, so a key is declared exactly once.
Keys follow the trade's habits where they exist (F12 reads the Carte Vitale, as in the optician's software).
"""
from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Command:
    id: str            # stable id, also the keymap id (users may rebind it)
    key: str           # Textual key name(s), comma separated
    action: str        # Textual action string
    title: str         # French label (footer, palette)
    help: str          # one French sentence (F1 help, palette)
    show: bool = True   # shown in the footer
    priority: bool = False  # priority bindings still fire while a dialog is open
    short: str = ""     # footer label when the title is too long for 80 columns (help and palette keep title)


GLOBAL_COMMANDS: tuple[Command, ...] = (
    # Global
    Command("help", "f1", "app.help", "Aide", "Liste des touches et des commandes.", priority=True),
    Command("comptoir", "f2", "app.switch_mode('comptoir')", "Comptoir",
            "Aller au comptoir (client / visite)."),
    Command("tiers_payant", "f3", "app.switch_mode('tiers_payant')", "Tiers Payant",
            "Télétransmissions, suivi des facturations, pièces jointes, virements, opérations ponctuelles."),
    Command("parametres", "f4", "app.switch_mode('parametres')", "Paramètres",
            "Paramètres de la boutique, des mutuelles et du SESAM-Vitale.", short="Param."),
    Command("palette", "ctrl+p", "app.command_palette", "Commandes", "Rechercher une commande.", show=False),
    Command("theme", "ctrl+t", "app.cycle_theme", "Thème", "Changer de thème (clair, sombre, contraste élevé).",
            show=False),
    Command("quit", "ctrl+q", "app.quit", "Quitter", "Quitter Lunetier.", show=False, priority=True),
)


def bindings(commands: tuple[Command, ...] | list[Command]) -> list[Binding]:
    return [Binding(c.key, c.action, c.short or c.title, show=c.show, priority=c.priority, id=c.id, tooltip=c.help)
            for c in commands]


def specs_of(node: object) -> tuple[Command, ...]:
    return tuple(getattr(type(node), "COMMAND_SPECS", ()))
