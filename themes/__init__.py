"""Lunetier themes: dark (default), light, and a high-contrast theme that maps to the 16 ANSI colours.

Colours live here only; the .tcss files use theme variables ($primary, $error, $panel...).
`stylesheets()` lists every .tcss of this folder (global.tcss first); each screen's rules are nested under
its screen selector, so adding a screen means adding one file here.
"""
from __future__ import annotations

from pathlib import Path

from textual.theme import Theme

THEMES_DIR = Path(__file__).parent

DARK = Theme(
    name="lunetier-dark", dark=True,
    primary="#4F9BD9", secondary="#7FB3A8", accent="#E0A458",
    foreground="#E6E6E6", background="#1B1F24", surface="#242A31", panel="#2E3640",
    success="#6BBF59", warning="#E0A458", error="#E5534B",
)
LIGHT = Theme(
    name="lunetier-light", dark=False,
    primary="#1F5F99", secondary="#3C7A6E", accent="#B5651D",
    foreground="#1B1F24", background="#F7F7F5", surface="#FFFFFF", panel="#E4E7EB",
    success="#2E7D32", warning="#B5651D", error="#C62828",
)
# Only the 16 basic ANSI colours (exact values), so it renders the same on a 16-colour counter terminal.
CONTRAST = Theme(
    name="lunetier-contrast", dark=True,
    primary="#ffff00", secondary="#00ffff", accent="#ff00ff",
    foreground="#ffffff", background="#000000", surface="#000000", panel="#000080",
    success="#00ff00", warning="#ffff00", error="#ff0000",
    variables={"block-cursor-foreground": "#000000", "block-cursor-background": "#ffff00",
               "footer-key-foreground": "#ffff00", "input-selection-background": "#0000ff"},
)

THEMES: tuple[Theme, ...] = (DARK, LIGHT, CONTRAST)
THEME_NAMES: tuple[str, ...] = tuple(t.name for t in THEMES)
# French labels for the user (toasts, settings); the internal names stay stable for the saved preference.
THEME_LABELS: dict[str, str] = {
    DARK.name: "sombre",
    LIGHT.name: "clair",
    CONTRAST.name: "contraste élevé (16 couleurs)",
}


def stylesheets() -> list[Path]:
    files = sorted(THEMES_DIR.glob("*.tcss"))
    return sorted(files, key=lambda p: (p.name != "global.tcss", p.name))
