"""Pilot tests of Tiers Payant > Suivi Facturations at 80x24, keyboard only: list, summary line, paging,
quick and advanced filters, detail of invoice 203, Traitement manuel, state change, lettrage, exports."""
from __future__ import annotations

import stat
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from test_suivi_support import open_tab, settle, table_rows, text_of  # noqa: E402
from core.models import AuditLog, Invoice  # noqa: E402
from screens.dialogs import ConfirmDialog, ReasonDialog  # noqa: E402
from screens.invoice_detail import EtatDialog, InvoiceDetailDialog  # noqa: E402
from screens.suivi_facturations import SuiviFacturationsPane  # noqa: E402
from screens.suivi_filters import SuiviFiltersDialog  # noqa: E402

SIZE = (80, 24)


def numbers(pane) -> list[int]:  # noqa: ANN001
    return [int(r[3]) for r in table_rows(pane, "#sf-table")]


async def open_pane(pilot) -> SuiviFacturationsPane:  # noqa: ANN001
    pane = await open_tab(pilot, "suivi-facturations")
    assert isinstance(pane, SuiviFacturationsPane)
    pane.query_one("#sf-table").focus()
    await pilot.pause()
    return pane


async def select_invoice(pilot, pane, numero: int) -> None:  # noqa: ANN001
    while numero not in numbers(pane):
        await pilot.press("pagedown")
        await settle(pilot)
    table = pane.query_one("#sf-table")
    table.move_cursor(row=numbers(pane).index(numero))
    await pilot.pause()


async def test_list_summary_and_paging(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        headers = [str(c.label).replace("\n", " ") for c in pane.query_one("#sf-table").columns.values()]
        assert headers == ["Reçu le", "Nom du client", "Date Fct", "N° Facture", "Lot", "Attendu", "Mt payé",
                           "Reste dû", "Org. AMO/AMC", "État AMO/AMC", "SV"]
        assert text_of(pane, "#sf-summary") == "23 dossiers dont 19 sécurisés en sesam vitale soit 83%"
        assert text_of(pane, "#sf-page") == "1/2" and len(numbers(pane)) == 20
        first = table_rows(pane, "#sf-table")[0]
        assert first[:8] == ["28/05/24", "ISSNER NATACHA", "28/05/24", "258", "028", "5,52", "5,52", "0,00"]
        assert "Payé / Payé" in text_of(pane, "#sf-detail")
        await pilot.press("pagedown")
        await settle(pilot)
        assert text_of(pane, "#sf-page") == "2/2" and numbers(pane) == [202, 201, 200]
        await pilot.press("pagedown")           # already on the last page
        await settle(pilot)
        assert numbers(pane) == [202, 201, 200]
        await pilot.press("pageup")
        await settle(pilot)
        assert text_of(pane, "#sf-page") == "1/2" and numbers(pane)[0] == 258


async def test_quick_filters(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        pane.query_one("#sf-etat").value = "Rejeté"
        await settle(pilot)
        assert numbers(pane) == [257, 249, 212, 211, 209, 207, 203, 202, 201, 200]
        assert text_of(pane, "#sf-summary") == "10 dossiers dont 6 sécurisés en sesam vitale soit 60%"
        pane.query_one("#sf-nom").focus()
        await pilot.press(*"issner")
        await settle(pilot)
        assert numbers(pane) == [249]
        pane.query_one("#sf-from").value = "31/02/2024"
        pane.query_one("#sf-from").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "n'est pas une date valide" in text_of(pane, "#sf-detail")


async def test_recherche_avancee(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("f9")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SuiviFiltersDialog)
        assert dialog.query_one("#f-date-from").value == "01/01/2024"
        dialog.query_one("#f-assure-nom").value = "desmaux"
        await pilot.press("f10")
        await settle(pilot)
        assert numbers(pane) == [254, 253]
        assert "1 filtre(s) avancé(s)" in text_of(pane, "#sf-summary")
        await pilot.press("f9")
        await pilot.pause()
        app.screen.query_one("#f-numero").value = "abc"
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, SuiviFiltersDialog)
        assert "n'est pas un numéro" in text_of(app.screen, "#filters-error")
        await pilot.press("f8", "f10")          # Effacer: back to the period only
        await settle(pilot)
        assert len(numbers(pane)) == 20 and "filtre" not in text_of(pane, "#sf-summary")


async def test_detail_of_203_and_traitement_manuel(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        await select_invoice(pilot, pane, 203)
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, InvoiceDetailDialog)
        head = text_of(dialog, "#detail-head")
        assert "N° Facture: 000000203" in head and "État facture: Rejeté" in head and "Norme: 900" in head
        assert "NIR: 142196296516596" in text_of(dialog, "#detail-benef")
        labels = [r[4] for r in table_rows(dialog, "#detail-rejects")]
        assert labels[1].replace("\n", " ") == ("L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS "
                                                "ETE TRANSMISE")
        assert "Exonération du ticket modérateur non transmise" in text_of(dialog, "#detail-diagnosis")
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert text_of(app.screen, "#question") == ("Êtes-vous certain de vouloir traiter manuellement la facture "
                                                   "N° 203 ?")
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"PEC renvoyee", "f10")
        await settle(pilot)
        assert app.screen is dialog and "Traitée manuellement : PEC renvoyee" in text_of(dialog, "#detail-head")
        invoice = Invoice.get((Invoice.store == "MAG01") & (Invoice.number == 203))
        assert invoice.manual_treatment and invoice.manual_reason == "PEC renvoyee"
        assert AuditLog.select().where(AuditLog.action == "facture.traitement_manuel").count() == 1
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is pane.screen and "traitée manuellement" in text_of(pane, "#sf-detail")


async def test_traitement_manuel_can_be_declined(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        await select_invoice(pilot, pane, 258)  # paid: nothing to treat, no question asked
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen is pane.screen
        await select_invoice(pilot, pane, 249)
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("escape")             # Non
        await pilot.pause()
        await pilot.press("f6", "f10")
        await pilot.pause()
        await pilot.press("escape")             # no reason: cancelled
        await settle(pilot)
        assert not Invoice.get((Invoice.store == "MAG01") & (Invoice.number == 249)).manual_treatment
        assert AuditLog.select().where(AuditLog.action == "facture.traitement_manuel").count() == 0


async def test_state_change_then_lettrage_from_the_list(make_app):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        await select_invoice(pilot, pane, 257)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, EtatDialog)
        await pilot.press(*"cheque recu", "f10")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "de « Rejeté » à « Payé »" in text_of(app.screen, "#question")
        await pilot.press("f10")
        await settle(pilot)
        assert Invoice.get((Invoice.store == "MAG01") & (Invoice.number == 257)).amo_state == "Payé"
        await pilot.press("f8")
        await pilot.pause()
        assert "Reste dû : 5,40 €" in text_of(app.screen, "#question")
        await pilot.press("f10")
        await settle(pilot)
        assert Invoice.get((Invoice.store == "MAG01") & (Invoice.number == 257)).lettree
        assert "lettrée" in text_of(pane, "#sf-detail")


async def test_exports_from_the_list_and_the_detail(make_app, settings):
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_pane(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await select_invoice(pilot, pane, 203)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    folder = settings.data_dir / "exports"
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["facture-000000203-20240528-111300.csv", "suivi-facturations-20240528-111300.csv"]
    assert all(stat.S_IMODE((folder / f).stat().st_mode) == 0o600 for f in files)
    assert "0450 0561" in (folder / files[0]).read_text(encoding="utf-8-sig")
