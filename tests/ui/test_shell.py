from app.commands import GLOBAL_COMMANDS
from core.preferences import load_preferences
from screens.comptoir import ComptoirScreen
from screens.help import HelpScreen
from screens.parametres import ParametresScreen
from screens.tiers_payant import TiersPayantScreen


async def test_function_keys_switch_areas(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, ComptoirScreen)
        await pilot.press("f3")
        assert isinstance(app.screen, TiersPayantScreen)
        await pilot.press("f4")
        assert isinstance(app.screen, ParametresScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, ComptoirScreen)


async def test_f1_help_lists_every_global_key_and_closes_with_escape(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.sections)
        assert set(sections["Partout"]) == set(GLOBAL_COMMANDS)
        assert "Tiers Payant" in sections
        await pilot.press("escape")
        assert isinstance(app.screen, TiersPayantScreen)


async def test_tiers_payant_tabs_follow_the_manual(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        tabs = app.screen.query_one("#tp-tabs")
        assert tabs.active == "teletransmissions"
        for expected in ("suivi-facturations", "pieces-jointes", "suivi-virements", "op-ponctuelles",
                         "teletransmissions"):
            await pilot.press("ctrl+right")
            assert tabs.active == expected


async def test_theme_cycle_is_persisted(make_app, settings):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "lunetier-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "lunetier-light"
    assert load_preferences(settings.data_dir)["theme"] == "lunetier-light"
    app2 = make_app()
    async with app2.run_test(size=(80, 24)):
        assert app2.theme == "lunetier-light"


async def test_status_line_shows_engine_and_database(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = app.status.text()
        assert "Démo" in text
        assert "SQLite lunetier.db" in text


async def test_worker_error_becomes_a_dialog_not_a_crash(make_app):
    from textual import work

    from core.errors import DatabaseError
    from screens.dialogs import ErrorDialog

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen

        @work(thread=True, exit_on_error=False)
        def failing(self):
            raise DatabaseError("La base de données est occupée par un autre poste ; réessayez dans un instant.")

        failing(screen)
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "occupée" in app.screen.message
        await pilot.press("escape")
        assert app.screen is screen


async def test_command_palette_lists_registry_commands(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        found = [c.id for _, c in app.active_commands()]
        assert {"help", "comptoir", "tiers_payant", "parametres", "quit"} <= set(found)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CommandPalette"
