"""The dossier by keyboard: articles, ordonnance and prescriber, Tiers Payant & Télétransmission, Générer FSE,
Vérif. taux status, SV badge, and the F8 / F9 / F10 entry points of screens/counter_flow.py."""
from __future__ import annotations

import sys
import types
from datetime import date

import pytest

from core.models import Prescriber
from core.services.counter_dto import ArticleInput, OrdonnanceInput, PrescriberInput
from screens.comptoir import ComptoirScreen
from screens.comptoir_prescriber import PrescriberFormDialog
from screens.dialogs import ConfirmDialog
from tests.ui.comptoir_support import open_dossier, text_of, wait_for, wait_screen

SIZE = (80, 24)
LENS = "V Airwear Cz EasyP Chrono"


def _message(screen) -> str:
    return text_of(screen.query_one("#comptoir-message"))


async def _type_line(pilot, libelle: str, lpp: str, acte: str, prix: str) -> None:
    """From the "Détail" field: libellé, Lpp, Acte, Prix, then Ctrl+S."""
    await pilot.press(*libelle, "tab", *lpp, "tab", *acte, "tab", *prix, "ctrl+s")


async def _manual_lines(pilot, comptoir) -> None:
    await pilot.press("ctrl+n", "tab")                           # Monture (default kind), then "Détail"
    await _type_line(pilot, "MADELE", "7211674", "M03", "209,00")
    await wait_for(pilot, lambda: len(comptoir.dossier.articles) == 1, "line 1")
    await pilot.press("shift+tab", "enter", "down", "enter", "tab")   # kind: Verre
    await _type_line(pilot, LENS, "7230795", "VU3", "103,00")
    await wait_for(pilot, lambda: len(comptoir.dossier.articles) == 2, "line 2")
    await _type_line(pilot, LENS, "7230795", "VU3", "103,00")   # same kind kept, focus back on "Détail"
    await wait_for(pilot, lambda: len(comptoir.dossier.articles) == 3, "line 3")


def _service_lines(app, dossier_id: int) -> None:
    for libelle, price, lpp, kind in (("MADELE", 20900, "7211674", "monture"), (LENS, 10300, "7230795", "verre"),
                                      (LENS, 10300, "7230795", "verre")):
        app.services.counter.dossiers.add_article(dossier_id, ArticleInput(libelle=libelle, unit_price_cents=price,
                                                                           lpp_code=lpp, kind=kind))


async def test_the_manuals_three_lines_by_keyboard(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        await _manual_lines(pilot, comptoir)
        rows = [(a.libelle, a.kind, a.lpp_code, a.prestation, a.net_cents, a.remboursable)
                for a in comptoir.dossier.articles]
        assert rows == [("MADELE", "monture", "7211674", "M03", 20900, True),
                        (LENS, "verre", "7230795", "VU3", 10300, True),
                        (LENS, "verre", "7230795", "VU3", 10300, True)]
        table = comptoir.query_one("#articles-table")
        assert table.row_count == 3
        assert [str(c) for c in table.get_row_at(0)] == ["[X]", "M03", "MADELE", "7211674", "209,00"]
        assert "Total 415,00" in text_of(comptoir.query_one("#articles-total"))
        assert f"« {LENS} » ajoutée" in _message(comptoir)


async def test_bad_price_is_refused_and_nothing_is_added(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        await pilot.press("ctrl+n", "tab")
        await _type_line(pilot, "MADELE", "7211674", "M03", "20,9,00")
        await wait_for(pilot, lambda: "Prix" in _message(comptoir), "price error")
        assert comptoir.dossier.articles == ()
        assert app.focused is comptoir.query_one("#art-prix")


async def test_edit_and_remove_a_line(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        _service_lines(app, comptoir.dossier.id)
        await comptoir._reload()
        comptoir.query_one("#articles-table").focus()
        await pilot.press("home", "enter")                       # edit MADELE
        assert "Modification de la ligne 1" in text_of(comptoir.query_one("#art-state"))
        await pilot.press("tab", "tab", "tab", *"199,00", "ctrl+s")   # focus selects the old price
        await wait_for(pilot, lambda: comptoir.dossier.articles[0].net_cents == 19900, "price changed")
        assert len(comptoir.dossier.articles) == 3
        comptoir.query_one("#articles-table").focus()
        await pilot.press("down", "delete")
        await wait_screen(pilot, ConfirmDialog)
        await pilot.press("f10")
        await wait_for(pilot, lambda: len(comptoir.dossier.articles) == 2, "line removed")
        assert "supprimée" in _message(comptoir)


async def test_ordonnance_with_a_new_prescriber(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        await pilot.press(*"26/05/2024", "enter", *"CNDA", "enter")   # focus starts on the date
        form = await wait_screen(pilot, PrescriberFormDialog)
        assert form.query_one("#presc-nom").value == "CNDA"
        assert app.focused is form.query_one("#presc-prenom")
        await pilot.press("tab", *"00991000696", "tab", *"991000696", "tab", *"15", "f10")
        await wait_screen(pilot, ComptoirScreen)
        assert "CNDA (RPPS 00991000696)" == comptoir.query_one("#ordo-prescriber").value
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: comptoir.dossier.ordonnance is not None, "ordonnance saved")
        ordo = comptoir.dossier.ordonnance
        assert ordo.date == date(2024, 5, 26) and ordo.prescriber.rpps == "00991000696"
        assert Prescriber.select().count() == 1
        # Next dossier: the prescriber is found by his RPPS, no dialog.
        comptoir.query_one("#ordo-prescriber").value = ""
        comptoir.query_one("#ordo-prescriber").focus()
        await pilot.press(*"00991000696", "enter")
        await wait_for(pilot, lambda: comptoir.query_one("#ordo-prescriber").value.startswith("CNDA"), "found")


async def test_ordonnance_being_typed_survives_a_new_line(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        await pilot.press(*"26/05/2024")
        await pilot.press("ctrl+n", "tab")
        await _type_line(pilot, "MADELE", "7211674", "M03", "209,00")
        await wait_for(pilot, lambda: len(comptoir.dossier.articles) == 1, "line added")
        assert comptoir.query_one("#ordo-date").value == "26/05/2024"


async def test_bad_ordonnance_date_is_refused(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        await pilot.press(*"27/05/2025", "ctrl+s")
        await wait_for(pilot, lambda: "futur" in _message(comptoir), "date error")
        assert comptoir.dossier.ordonnance is None


async def test_rc_teletransmission_refused_until_a_mutuelle_amount(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        box = comptoir.query_one("#tt-rc")
        box.focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: "Télétransmission RC" in _message(comptoir), "refusal")
        assert "ajout d'un montant mutuelle" in _message(comptoir)
        await wait_for(pilot, lambda: box.value is False, "box back")
        assert comptoir.dossier.tiers_payant.teletrans_rc is False
        comptoir.query_one("#tp-rc").focus()
        await pilot.press("space")                                # TP RC itself is allowed
        await wait_for(pilot, lambda: comptoir.dossier.tiers_payant.tp_rc, "tp rc on")


async def test_rate_check_line_goes_from_absente_to_a_jour_to_perimee(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        svc = app.services.counter
        dossier_id = comptoir.dossier.id
        svc.dossiers.set_ordonnance(dossier_id, OrdonnanceInput(date=date(2024, 5, 26), prescriber=PrescriberInput(
            nom="CNDA", rpps="00991000696")))
        svc.dossiers.add_article(dossier_id, ArticleInput(libelle="MADELE", unit_price_cents=20900,
                                                          lpp_code="7211674"))
        svc.rates.verify_rates(dossier_id, svc.rates.default_params(dossier_id))
        await comptoir._reload()
        assert text_of(comptoir.query_one("#rate-check")) == "Vérif. taux : à jour (60 %, le 28/05/2024 à 11:13)"
        await pilot.press("ctrl+n", "tab")
        await _type_line(pilot, LENS, "7230795", "VU3", "103,00")
        await wait_for(pilot, lambda: "périmée" in text_of(comptoir.query_one("#rate-check")), "stale")
        assert comptoir.query_one("#rate-check").has_class("-error")


@pytest.fixture
def counter_flow(monkeypatch):
    """A stand-in screens.counter_flow that records the calls."""
    calls: list[tuple[str, int]] = []
    module = types.ModuleType("screens.counter_flow")

    def entry(name: str, result):
        async def call(app, dossier_id: int):
            calls.append((name, dossier_id))
            return result
        return call

    for name, result in (("open_detail_remboursements", False), ("run_rate_check", True), ("run_invoicing", None),
                         ("confirm_delete_fse", False), ("open_sesam_vitale", False)):
        setattr(module, name, entry(name, result))
    monkeypatch.setitem(sys.modules, "screens.counter_flow", module)
    return calls


async def test_f8_f9_f10_call_the_counter_flow(make_app, counter_flow):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        _service_lines(app, comptoir.dossier.id)
        for key in ("f8", "f9"):
            await pilot.press(key)
            await wait_for(pilot, lambda: len(counter_flow) == ("f8", "f9").index(key) + 1, key)
        await pilot.press("f10")                                  # a devis: first "Devis -> vente"
        confirm = await wait_screen(pilot, ConfirmDialog)
        assert "Transformer le devis n°1 en vente" in confirm.question
        await pilot.press("f10")
        await wait_for(pilot, lambda: len(counter_flow) == 3, "f10")
        dossier_id = comptoir.dossier.id
        assert counter_flow == [("open_detail_remboursements", dossier_id), ("run_rate_check", dossier_id),
                                ("run_invoicing", dossier_id)]
        assert comptoir.dossier.state == "vente"
        assert text_of(comptoir.query_one("#dossier-title")).startswith("Client / Visite · Vente n°1")


async def test_f10_on_a_devis_can_be_declined(make_app, counter_flow):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        _service_lines(app, comptoir.dossier.id)
        await pilot.press("f10")
        await wait_screen(pilot, ConfirmDialog)
        await pilot.press("escape")
        await wait_screen(pilot, ComptoirScreen)
        await pilot.pause()
        assert counter_flow == [] and comptoir.dossier.state == "devis"


async def test_missing_counter_flow_says_arrive_bientot(make_app, monkeypatch):
    monkeypatch.setitem(sys.modules, "screens.counter_flow", None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dossier(pilot)
        await pilot.press("f9")
        await wait_for(pilot, lambda: any("arrive bientôt" in str(n.message) for n in app._notifications), "notify")


async def test_f6_unticks_generer_fse_without_fse(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        assert comptoir.dossier.tiers_payant.generer_fse
        await pilot.press("f6")
        await wait_for(pilot, lambda: not comptoir.dossier.tiers_payant.generer_fse, "unticked")
        assert comptoir.query_one("#generer-fse").value is False
        await pilot.press("f6")
        await wait_for(pilot, lambda: comptoir.dossier.tiers_payant.generer_fse, "ticked again")


async def _invoiced(app, comptoir) -> None:
    """Ordonnance, the manual's lines, Vérif. taux, invoice and SV signature through the services."""
    svc = app.services.counter
    dossier_id = comptoir.dossier.id
    svc.dossiers.set_ordonnance(dossier_id, OrdonnanceInput(date=date(2024, 5, 26), prescriber=PrescriberInput(
        nom="CNDA", rpps="00991000696", numero_am="991000696")))
    _service_lines(app, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    svc.rates.verify_rates(dossier_id, svc.rates.default_params(dossier_id))
    result = svc.invoicing.invoice(dossier_id)
    svc.invoicing.sign_fse(result.fse.fse_id, "1234", app.services.reader)
    await comptoir._reload()


async def test_sv_badge_once_the_fse_is_signed_and_f6_asks_before_deleting(make_app, counter_flow):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        comptoir = await open_dossier(pilot)
        await _invoiced(app, comptoir)
        assert text_of(comptoir.query_one("#fse-visite")) == "Visite - Facturée le 28/05/2024 par Vitale"
        assert text_of(comptoir.query_one("#fse-badge")).strip() == "SV"
        assert comptoir.query_one("#fse-badge").has_class("-sv")
        assert text_of(comptoir.query_one("#dossier-title")).startswith("Client / Visite · Facture n°")
        assert comptoir.query_one("#tp-ro").disabled and not comptoir.query_one("#generer-fse").disabled
        await pilot.press("f6")
        await wait_for(pilot, lambda: counter_flow == [("confirm_delete_fse", comptoir.dossier.id)], "confirm")
        await wait_for(pilot, lambda: comptoir.query_one("#generer-fse").value is True, "box back (not confirmed)")
        assert comptoir.dossier.fse is not None and comptoir.dossier.fse.state == "Sécurisé"
