"""LunetierApp: three areas (Comptoir, Tiers Payant, Paramètres) as Textual modes, one status line,
one command registry, one handler that turns worker errors into a dialog."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from textual.app import App
from textual.command import Hit, Hits, Provider
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from app.commands import GLOBAL_COMMANDS, Command, bindings, specs_of
from app.status import StatusInfo
from core.clock import Clock
from core.config import Settings
from core.errors import LunetierError
from core.preferences import load_preferences, save_preference
from core.services import Services
from themes import THEME_NAMES, THEMES, stylesheets

log = logging.getLogger("lunetier.app")


class RegistryCommands(Provider):
    """Command palette entries generated from the registry (global + screens on the stack)."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, LunetierApp)
        matcher = self.matcher(query)
        for node, cmd in app.active_commands():
            score = matcher.match(f"{cmd.title} {cmd.help}")
            if score > 0:
                yield Hit(score, matcher.highlight(cmd.title), lambda n=node, c=cmd: app.run_command(n, c),
                          help=f"{cmd.help} [{cmd.key.upper()}]")


class LunetierApp(App[None]):
    TITLE = "Lunetier"
    SUB_TITLE = "SESAM-Vitale & tiers payant — flux de démonstration"
    CSS_PATH = stylesheets()
    COMMAND_SPECS = GLOBAL_COMMANDS
    BINDINGS = bindings(GLOBAL_COMMANDS)
    COMMANDS = App.COMMANDS | {RegistryCommands}
    ENABLE_COMMAND_PALETTE = True

    status: reactive[StatusInfo] = reactive(StatusInfo)

    def __init__(self, *, settings: Settings, services: Services, clock: Clock, reader: Any = None,
                 engine: Any = None, database_label: str = "") -> None:
        self.settings = settings
        self.services = services
        self.clock = clock
        self.reader = reader
        self.engine = engine
        self._database_label = database_label
        from screens.comptoir import ComptoirScreen
        from screens.parametres import ParametresScreen
        from screens.tiers_payant import TiersPayantScreen

        self.MODES = {"comptoir": ComptoirScreen, "tiers_payant": TiersPayantScreen,
                      "parametres": ParametresScreen}
        super().__init__()
        for theme in THEMES:
            self.register_theme(theme)

    # --- start-up ---------------------------------------------------------------------------------
    def on_mount(self) -> None:
        prefs = load_preferences(self.settings.data_dir)
        wanted = prefs.get("theme") or self.settings.theme
        self.theme = wanted if wanted in THEME_NAMES else THEME_NAMES[0]
        self.status = self.status.with_(database=self._database_label)
        self.switch_mode("comptoir")

    # --- registry --------------------------------------------------------------------------------
    def active_commands(self) -> list[tuple[object, Command]]:
        found: list[tuple[object, Command]] = [(self, c) for c in GLOBAL_COMMANDS]
        for screen in reversed(self.screen_stack):
            found.extend((screen, c) for c in specs_of(screen))
            for widget in screen.query("*"):
                found.extend((widget, c) for c in specs_of(widget) if widget.display)
        return found

    def run_command(self, node: object, command: Command) -> None:
        self.call_later(self.run_action, command.action, node)  # type: ignore[arg-type]

    def help_sections(self) -> list[tuple[str, tuple[Command, ...]]]:
        sections: list[tuple[str, tuple[Command, ...]]] = [("Partout", GLOBAL_COMMANDS)]
        for screen in reversed(self.screen_stack):
            specs = list(specs_of(screen))
            for widget in screen.query("*"):
                specs.extend(c for c in specs_of(widget) if c not in specs)
            if specs:
                sections.append((getattr(screen, "AREA_TITLE", type(screen).__name__), tuple(specs)))
        return sections

    # --- actions ---------------------------------------------------------------------------------
    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(self.help_sections()))

    def action_cycle_theme(self) -> None:
        names = list(THEME_NAMES)
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]
        save_preference(self.settings.data_dir, "theme", self.theme)
        self.notify(f"Thème : {self.theme}", timeout=2)

    # --- errors ----------------------------------------------------------------------------------
    def show_error(self, error: BaseException) -> None:
        from screens.dialogs import ErrorDialog

        if isinstance(error, LunetierError):
            log.warning("%s", error.log)
            message = error.message_fr
        else:
            log.error("unexpected error", exc_info=error)
            message = ("Une erreur inattendue est survenue ; rien n'a été enregistré à moitié. "
                       "Le détail technique est dans le journal de Lunetier.")
        self.push_screen(ErrorDialog(message))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """App-owned workers; screens and panes forward theirs through app.workers.ReportsWorkerErrors."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)


def default_log_file(settings: Settings) -> Path:
    return settings.log_file or settings.data_dir / "lunetier.log"
