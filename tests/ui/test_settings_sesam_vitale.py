"""Paramètres > Sesam Vitale > Paramétrage du PS (ADRi) and Paramétrage SV."""
from datetime import date

from textual.widgets import Checkbox, Input, RadioSet, Select, Static

from core.models import AuditLog
from screens.settings_ps import REMARK


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_section(app, pilot, downs: int, section: str):
    await pilot.press("f4", *(["down"] * downs))
    await settle(pilot)
    await pilot.press("tab")
    return app.screen.query_one(f"#section-{section}")


async def test_adri_mode_radio_set_saves_manual_mode(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, 2, "ps")
        radios = pane.query_one("#adri_mode", RadioSet)
        assert app.focused is radios
        assert [str(b.label) for b in radios.query("RadioButton")] == \
            ["Appel ciblé", "Appel systématique", "Appel manuel"]
        assert radios.pressed_button.id == "adri-cible"
        assert REMARK in str(pane.query_one(".remark", Static).render())
        await pilot.press("down", "down", "enter")
        await pilot.press("f10")
        await settle(pilot)
        assert app.services.settings.get().ps.adri_mode == "manuel"
        assert AuditLog.get(AuditLog.entity_id == "ps").action == "parametres.modification"


async def test_sv_date_is_validated_then_saved(make_app):
    app = make_app()
    svc = app.services.settings
    svc.update("sv", svc.get().sv.model_copy(update={"date_edition_dernier_lot": date(2024, 5, 15)}))
    audits_before = AuditLog.select().count()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, 3, "sv")
        field = pane.query_one("#date_activation_sv", Input)
        assert app.focused is field
        assert str(pane.query_one("#date_edition_dernier_lot", Static).render()) == "15/05/2024"
        for text in ("31/02/2024", "2024-03-01", "1/3/24"):
            field.value = ""
            await pilot.press(*text, "f10")
            await settle(pilot)
            message = str(pane.query_one(".form-error", Static).render())
            assert "Date d'activation du Sesam Vitale" in message and "JJ/MM/AAAA" in message
            assert svc.get().sv.date_activation_sv is None
        assert AuditLog.select().count() == audits_before
        field.value = ""
        await pilot.press(*"01/03/2024")
        await pilot.press("tab", "space")                 # Edition après Télétransmission
        assert pane.query_one("#edition_apres_teletransmission", Checkbox).value is True
        await pilot.press("tab", "enter", "down", "enter")  # Mode sécurisation -> DEGRADE
        await settle(pilot)
        assert pane.query_one("#mode_securisation", Select).value == "DEGRADE"
        await pilot.press("f10")
        await settle(pilot)
        sv = svc.get().sv
        assert sv.date_activation_sv == date(2024, 3, 1)
        assert sv.edition_apres_teletransmission is True
        assert sv.mode_securisation == "DEGRADE"
        assert sv.date_edition_dernier_lot == date(2024, 5, 15)   # read-only field kept
        assert not pane.has_class("-has-error")


async def test_sv_empty_date_is_allowed_and_escape_reverts(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_section(app, pilot, 3, "sv")
        await pilot.press(*"12/12/2023")
        await pilot.press("escape")
        await settle(pilot)
        assert pane.query_one("#date_activation_sv", Input).value == ""
        await pilot.press("f10")
        await settle(pilot)
        assert app.services.settings.get().sv.date_activation_sv is None
