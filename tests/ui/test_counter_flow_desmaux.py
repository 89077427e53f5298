"""The manual's DESMAUX dossier through the counter dialogs: Détail remboursements (RO 0,00, then 0,09 after
Vérif. taux), Génération de la FSE, recap, Signer (code 1234, simulated reader), SCOR; dégradé; deletion."""
from __future__ import annotations

from textual.widgets import DataTable, Select, Static

from core.models import AuditLog, Fse, Invoice, RateCheck
from screens.detail_remboursements import NEVER_CHECKED, DetailRemboursementsDialog
from screens.dialogs import ConfirmDialog, ReasonDialog
from screens.fse_generation import FseGenerationDialog
from screens.fse_recap import FseRecapDialog
from screens.verif_taux import VerifTauxDialog
from tests.ui.test_counter_flow_support import (S, cf, counter_app, fake_code, finish, on_screen, start, table_text,
                                                until)


def _totals(screen, part: str = "rc1") -> list[str]:
    return table_text(screen.query_one(f"#{part}-libres", DataTable))[-1]


async def test_desmaux_to_signed_sesam_vitale_fse(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.open_detail_remboursements(app, dossier_id))
        detail = await on_screen(pilot, DetailRemboursementsDialog)
        totals = _totals(detail)
        assert totals[5:8] == ["415,00", "0,15", "0,00"]                       # Net, Base RO, Rbt RO
        assert NEVER_CHECKED in str(detail.query_one("#detail-status", Static).render())
        rows = table_text(detail.query_one("#rc1-libres", DataTable))
        assert [r[1] for r in rows[:5]] == ["M03", "VU3", "", "VU3", ""] and rows[0][0] == "☑" and rows[2][0] == "☐"

        await pilot.press("f9")
        verif = await on_screen(pilot, VerifTauxDialog)
        assert verif.query_one("#piece_justif_amo", Select).value == "carte_vitale"
        assert verif.query_one("#mode_securisation", Select).value == "SESAM_VITALE"
        assert not verif.query_one("#etm-block").display                          # card: no Taux Exonération
        await pilot.press("f10")
        await until(pilot, lambda: app.screen is detail and _totals(detail)[7] == "0,09", "RO 0,09")
        assert [r[7] for r in table_text(detail.query_one("#rc1-libres", DataTable))[:5]] == [
            "0,03", "0,03", "0,00", "0,03", "0,00"]
        assert "Taux vérifié le 28/05/2024 à 11:13 : 60 %" in str(detail.query_one("#detail-status", Static).render())
        await pilot.press("escape")
        assert await finish(pilot, flow) is True
        assert RateCheck.select().count() == 1

        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        form = await on_screen(pilot, FseGenerationDialog)
        assert str(form.query_one(".dialog-title").render()) == "Génération de la FSE - Facture n°1 du 28/05/2024"
        assert form.query_one("#acte").disabled and form.query_one("#ordo").disabled
        assert form.query_one("#facture").value == "28/05/2024"
        await pilot.press("f10")
        recap = await on_screen(pilot, FseRecapDialog)
        assert recap.recap.facture_label == "Facture n° 000000001 en date du 28/05/2024"
        assert str(recap.query_one("#recap-mode", Static).render()) == "SESAM Vitale"
        lines = table_text(recap.query_one("#recap-lines", DataTable))
        assert [l[0] for l in lines] == ["M03", "VU3", "VU3"] and lines[0][3:7] == ["0,05\xa0€", "60%", "0", "0,03\xa0€"]
        assert "DESMAUX NATHALIE" in str(recap.query_one("#recap-beneficiaire", Static).render())
        assert "AMO : 01-999-9999\n [Détermination des droits : 26/05/2024]" in str(
            recap.query_one("#recap-beneficiaire", Static).render())
        assert "RPPS : 00991000696" in str(recap.query_one("#recap-prescription", Static).render())
        await pilot.press("f10")                                                  # Signer
        from screens.scor_selection import ScorSelectionDialog

        await on_screen(pilot, ScorSelectionDialog)                              # SCOR right after signing
        await pilot.press("escape")
        invoice_id = await finish(pilot, flow)
    invoice = Invoice.get_by_id(invoice_id)
    fse = Fse.get(Fse.invoice == invoice_id)
    assert (invoice.number, invoice.total_cents, invoice.ro_expected_cents) == (1, 41500, 9)
    assert (fse.state, fse.mode) == ("Sécurisé", "SV")
    assert all(S.PIN not in row.details for row in AuditLog.select())


async def test_degrade_fse_when_the_card_is_absent(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr, card_present=False)
    rdr.remove("vitale")
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_rate_check(app, dossier_id))
        verif = await on_screen(pilot, VerifTauxDialog)
        assert verif.query_one("#mode_securisation", Select).value == "DEGRADE"   # card absent -> DEGRADE
        await pilot.press("f10")
        assert await finish(pilot, flow) is True

        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        await on_screen(pilot, FseGenerationDialog)
        await pilot.press("f10")
        recap = await on_screen(pilot, FseRecapDialog)
        assert str(recap.query_one("#recap-mode", Static).render()) == "Dégradé"
        await pilot.press("f10")
        from screens.scor_selection import ScorSelectionDialog

        await on_screen(pilot, ScorSelectionDialog)
        await pilot.press("escape")
        invoice_id = await finish(pilot, flow)
    fse = Fse.get(Fse.invoice == invoice_id)
    assert (fse.state, fse.mode) == ("Sécurisé", "DEG")


async def test_wrong_code_keeps_the_recap_open(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)

    async def wrong(app, *, reason):
        return "9999"

    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=wrong))
        await on_screen(pilot, FseGenerationDialog)
        await pilot.press("f10")
        await on_screen(pilot, FseRecapDialog)
        await pilot.press("f10")
        from screens.dialogs import ErrorDialog

        error = await on_screen(pilot, ErrorDialog)
        assert "il reste 2 essais" in error.message and "9999" not in error.message
        await pilot.press("escape")
        await on_screen(pilot, FseRecapDialog)                                    # shown again, still to sign
        await pilot.press("escape")
        invoice_id = await finish(pilot, flow)
    assert Fse.get(Fse.invoice == invoice_id).state == "TP Calculé"
    assert all("9999" not in row.details for row in AuditLog.select())


async def test_confirm_delete_fse_keeps_the_invoice(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    result = svc.invoicing.invoice(dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.confirm_delete_fse(app, dossier_id))
        confirm = await on_screen(pilot, ConfirmDialog)
        assert confirm.title_text == "Information"
        assert "La FSE n° 000000001 (TP Calculé) de la facture n° 1 va être supprimée." in confirm.question
        assert "La facture n'est pas modifiée" in confirm.question
        await pilot.press("f10")
        assert await finish(pilot, flow) is True
    assert Fse.get_by_id(result.fse.fse_id).state == "FSE supprimée"
    invoice = Invoice.get_by_id(result.invoice.id)
    assert (invoice.kind, invoice.total_cents) == ("facture", 41500)
    assert AuditLog.select().where(AuditLog.action == "fse.suppression").count() == 1


async def test_confirm_delete_fse_declined_changes_nothing(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    result = svc.invoicing.invoice(dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.confirm_delete_fse(app, dossier_id))
        await on_screen(pilot, ConfirmDialog)
        await pilot.press("escape")
        assert await finish(pilot, flow) is False
    assert Fse.get_by_id(result.fse.fse_id).state == "TP Calculé"


async def test_avoir_from_the_recap_needs_a_reason(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        await on_screen(pilot, FseGenerationDialog)
        await pilot.press("f10")
        await on_screen(pilot, FseRecapDialog)
        await pilot.press("f8")
        reason = await on_screen(pilot, ReasonDialog)
        await pilot.press("f10")                                                  # empty: refused
        assert "motif" in str(reason.query_one("#reason-error", Static).render()).lower()
        await pilot.press(*"Erreur de monture")
        await pilot.press("f10")
        invoice_id = await finish(pilot, flow)
    avoir = Invoice.get(Invoice.avoir_of == invoice_id)
    assert avoir.kind == "avoir" and avoir.total_cents == -41500
    assert Fse.get(Fse.invoice == invoice_id).state == "FSE supprimée"
    audit = AuditLog.get(AuditLog.action == "facture.avoir")
    assert "Erreur de monture" in audit.details


async def test_signature_through_the_code_porteur_dialog(make_app):
    """Without a test hook: Signer opens C1's "Code Porteur" dialog (screens.cps_code.ask_cps_code)."""
    import pytest

    cps_code = pytest.importorskip("screens.cps_code")
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_invoicing(app, dossier_id))
        await on_screen(pilot, FseGenerationDialog)
        await pilot.press("f10")
        await on_screen(pilot, FseRecapDialog)
        await pilot.press("f10")
        await on_screen(pilot, cps_code.CpsCodeDialog)
        await pilot.press(*S.PIN, "f10")
        from screens.scor_selection import ScorSelectionDialog

        await on_screen(pilot, ScorSelectionDialog)
        await pilot.press("escape")
        invoice_id = await finish(pilot, flow)
    assert Fse.get(Fse.invoice == invoice_id).state == "Sécurisé"
    assert all(S.PIN not in row.details for row in AuditLog.select())
