"""80x24 snapshots of the Comptoir: empty, and with the DESMAUX dossier of the manual (ordonnance, 3 lines).

Deterministic: frozen clock, temp database, simulated reader; the input cursor blink is switched off."""
from __future__ import annotations

from datetime import date

from core.services.counter_dto import ArticleInput, OrdonnanceInput, PrescriberInput
from tests.ui.comptoir_support import no_blink, open_dossier

SIZE = (80, 24)
LENS = "V Airwear Cz EasyP Chrono"


def test_comptoir_empty(snap_compare, make_app):
    async def run_before(pilot) -> None:
        await pilot.pause()
        no_blink(pilot.app)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_comptoir_desmaux_dossier(snap_compare, make_app):
    async def run_before(pilot) -> None:
        app = pilot.app
        comptoir = await open_dossier(pilot)
        svc = app.services.counter
        dossier_id = comptoir.dossier.id
        svc.dossiers.set_ordonnance(dossier_id, OrdonnanceInput(date=date(2024, 5, 26), prescriber=PrescriberInput(
            nom="CNDA", rpps="00991000696", numero_am="991000696")))
        for libelle, price, lpp, kind in (("MADELE", 20900, "7211674", "monture"),
                                          (LENS, 10300, "7230795", "verre"), (LENS, 10300, "7230795", "verre")):
            svc.dossiers.add_article(dossier_id, ArticleInput(libelle=libelle, unit_price_cents=price, lpp_code=lpp,
                                                              kind=kind, prestation="M03" if kind == "monture"
                                                              else "VU3"))
        await comptoir._reload()
        comptoir.query_one("#articles-table").focus()
        await pilot.pause()
        no_blink(app)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
