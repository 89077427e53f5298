"""LunetierApp: three areas (Comptoir, Tiers Payant, Paramètres) as Textual modes, one status line,
one command registry, one handler that turns worker errors into a dialog."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from textual.app import App
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.message import Message
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from app.commands import GLOBAL_COMMANDS, Command, bindings, specs_of
from app.status import StatusInfo
from core.clock import Clock
from core.config import Settings
from core.errors import LunetierError
from core.preferences import load_preferences, save_preference
from themes import THEME_LABELS, THEME_NAMES, THEMES, stylesheets

if TYPE_CHECKING:
    from core.services import Services

log = logging.getLogger("lunetier.app")


class ServicesReady(Message):
    """Posted to the app once the database is open (screens may refresh their data)."""


class RegistryCommands(Provider):
    """Command palette entries generated from the registry (global + screens on the stack)."""

    async def discover(self) -> Hits:
        """Listed before anything is typed: every command of the screen, in French."""
        app = self.app
        assert isinstance(app, LunetierApp)
        for node, cmd in app.active_commands():
            yield DiscoveryHit(cmd.title, lambda n=node, c=cmd: app.run_command(n, c),
                               help=f"{cmd.help} ({cmd.key.upper()})")

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, LunetierApp)
        matcher = self.matcher(query)
        for node, cmd in app.active_commands():
            score = matcher.match(f"{cmd.title} {cmd.help}")
            if score > 0:
                yield Hit(score, matcher.highlight(cmd.title), lambda n=node, c=cmd: app.run_command(n, c),
                          help=f"{cmd.help} ({cmd.key.upper()})")


class LunetierApp(App[None]):
    TITLE = "Lunetier"
    SUB_TITLE = "SESAM-Vitale & tiers payant — flux de démonstration"
    CSS_PATH = stylesheets()
    COMMAND_SPECS = GLOBAL_COMMANDS
    BINDINGS = bindings(GLOBAL_COMMANDS)
    COMMANDS = App.COMMANDS | {RegistryCommands}
    ENABLE_COMMAND_PALETTE = True

    status: reactive[StatusInfo] = reactive(StatusInfo)

    def __init__(self, *, settings: Settings, clock: Clock, services: "Services | None" = None,
                 services_factory: "Callable[[], Services] | None" = None, database_label: str = "") -> None:
        """Give `services` (tests: built eagerly) or `services_factory` (TUI: the database is opened in a
        thread right after the first paint, so the counter screen shows without waiting for it)."""
        self.settings = settings
        self.clock = clock
        self._services = services
        self._services_factory = services_factory
        self._services_error: BaseException | None = None
        self._services_ready = threading.Event()
        if services is not None:
            self._services_ready.set()
        self._database_label = database_label
        # Areas are imported when first opened: the counter screen paints sooner.
        self.MODES = {"comptoir": _comptoir, "tiers_payant": _tiers_payant, "parametres": _parametres}
        super().__init__()
        for theme in THEMES:
            self.register_theme(theme)
        # Chosen before mount: changing the theme after mount re-parses every stylesheet (slow start-up).
        prefs = load_preferences(settings.data_dir)
        wanted = prefs.get("theme") or settings.theme
        self.theme = wanted if wanted in THEME_NAMES else THEME_NAMES[0]

    # --- services ------------------------------------------------------------------------------
    @property
    def services(self) -> "Services":
        """The services container; waits (in workers) for the background start-up to finish."""
        self._services_ready.wait()
        if self._services_error is not None:
            raise self._services_error
        assert self._services is not None
        return self._services

    @property
    def services_ready(self) -> bool:
        return self._services_ready.is_set() and self._services_error is None

    @property
    def reader(self) -> Any:
        return self.services.reader

    @property
    def engine(self) -> Any:
        return self.services.engine

    def _start_services(self) -> None:
        def build() -> None:
            try:
                assert self._services_factory is not None
                self._services = self._services_factory()
            except BaseException as exc:  # noqa: BLE001 - reported on screen, never a traceback
                self._services_error = exc
            finally:
                self._services_ready.set()
            try:
                self.call_from_thread(self._services_started)
            except RuntimeError:  # the user quit before the database was open
                pass

        threading.Thread(target=build, name="lunetier-services", daemon=True).start()

    def _services_started(self) -> None:
        if self._services_error is not None:
            self.status = self.status.with_(database="base indisponible", database_ok=False)
            self.show_error(self._services_error)
            return
        self.status = self.status.with_(database=self._database_label)
        self.post_message(ServicesReady())

    # --- start-up ---------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.switch_mode("comptoir")
        if self._services_ready.is_set():
            self.status = self.status.with_(database=self._database_label)
        else:
            self.status = self.status.with_(database="ouverture de la base…")
            self.call_after_refresh(self._start_services)

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
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The key of the area you are in is not repeated in the footer (it must fit 80 columns)."""
        if action == "switch_mode" and parameters and parameters[0] == self.current_mode:
            return False
        return True

    def watch_current_mode(self) -> None:
        self.refresh_bindings()
    def action_command_palette(self) -> None:
        """The palette lists the registry's French commands only (Textual's own are English)."""
        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(providers=[RegistryCommands], placeholder="Rechercher une commande…",
                                            id="--command-palette"))

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
        self.notify(f"Thème : {THEME_LABELS.get(self.theme, self.theme)}", timeout=2)

    async def request_cps_code(self, reason: str = "") -> str | None:
        """Ask the "Code Porteur" (télétransmission, signature). Call from an async worker.
        The code is returned to the caller for its one card call and never kept here."""
        from screens.cps_code import request_cps_code

        return await request_cps_code(self, reason)

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


def _comptoir():
    from screens.comptoir import ComptoirScreen

    return ComptoirScreen()


def _tiers_payant():
    from screens.tiers_payant import TiersPayantScreen

    return TiersPayantScreen()


def _parametres():
    from screens.parametres import ParametresScreen

    return ParametresScreen()


def default_log_file(settings: Settings) -> Path:
    return settings.log_file or settings.data_dir / "lunetier.log"
