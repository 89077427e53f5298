"""Part RC in the dialogs: RC1 typed in Détail remboursements, classe A frame (RO 5,40 / RC 24,60) with DRE,
the -1300 "Information importante" guidance to Attestation AMC, and the PEC tab."""
from __future__ import annotations

import json

from textual.widgets import DataTable, Input, Static, TabbedContent

from core.models import Article, AuditLog, Dossier, Fse, PecRequest
from screens.attestation_amc import AttestationAmcDialog
from screens.convention_choice import ConventionChoiceDialog, InformationDialog
from screens.detail_remboursements import DetailRemboursementsDialog
from screens.fse_generation import FseGenerationDialog
from screens.fse_recap import FseRecapDialog
from screens.pec_tab import PecTab
from screens.verif_taux import VerifTauxDialog
from tests.ui.test_counter_flow_support import (S, cf, counter_app, fake_code, finish, on_screen, settle, start,
                                                table_text, until)


def _frame_dossier(app, svc, rdr, numero="1100000000", nom="Mut. Test CNDA", rc1_cents=0, **mutuelle) -> int:
    mutuelle_id = S.add_mutuelle(app.services.ctx, numero, nom, **mutuelle)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id)
    S.frame_a(svc, dossier_id, rc1_cents=rc1_cents)
    svc.dossiers.set_mutuelles(dossier_id, mutuelle_id)
    svc.dossiers.to_vente(dossier_id)
    return dossier_id


async def test_classe_a_frame_rc_typed_then_dre_signed(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = _frame_dossier(app, svc, rdr)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.open_detail_remboursements(app, dossier_id))
        detail = await on_screen(pilot, DetailRemboursementsDialog)
        assert "Mut. Test CNDA" in str(detail.query_one("#detail-header", Static).render())
        sante = detail.query_one("#rc1-sante", DataTable)
        assert table_text(sante)[0][3].startswith("Monture classe A") and table_text(sante)[0][2] == "A"
        sante.focus()
        await pilot.press("enter")                                       # edit the highlighted line
        assert app.focused is detail.query_one("#rc1-rc1", Input)
        await pilot.press(*"24,60", "enter")                            # RC1 = 24,60 (parse_euros)
        await until(pilot, lambda: detail.changed, "RC saved")
        assert detail.query_one("#rc1-rc1", Input).value == "24,60"
        assert app.focused is detail.query_one("#rc1-sante", DataTable)
        await pilot.press("escape")
        assert await finish(pilot, flow) is True
        assert Article.get(Article.dossier == dossier_id).rc1_cents == 2460

        svc.dossiers.set_tiers_payant(dossier_id, tp_rc=True, teletrans_rc=True)    # the Comptoir's TP boxes
        flow = start(app, cf.open_detail_remboursements(app, dossier_id))
        detail = await on_screen(pilot, DetailRemboursementsDialog)
        await pilot.press("f10")                                          # Valider: runs Vérif. taux first
        await on_screen(pilot, VerifTauxDialog)
        await pilot.press("f10")
        assert await finish(pilot, flow) is True                          # one convention: chosen automatically
        att = Dossier.get_by_id(dossier_id).attestation_amc
        assert att["numero_prefectoral"] == "1100000000" and att["source"] == "convention"

        flow = start(app, cf.open_detail_remboursements(app, dossier_id))
        detail = await on_screen(pilot, DetailRemboursementsDialog)
        row = table_text(detail.query_one("#rc1-sante", DataTable))[0]
        assert (row[7], row[8], row[9]) == ("5,40", "24,60", "30,00")      # Rbt RO, Rbt RC, Rbt RO+RC
        assert "Tiers Payant RO+RC" in str(detail.query_one("#detail-header", Static).render())
        await pilot.press("escape")
        await finish(pilot, flow)

        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        await on_screen(pilot, FseGenerationDialog)
        await pilot.press("f10")
        recap = await on_screen(pilot, FseRecapDialog)
        line = table_text(recap.query_one("#recap-lines", DataTable))[0]
        assert (line[6], line[7]) == ("5,40\xa0€", "24,60\xa0€")
        assert "☑ Facturation AMC" in str(recap.query_one("#recap-tp", Static).render())
        assert "DRE : 1100000000 Mut. Test CNDA" in str(recap.query_one("#recap-dre", Static).render())
        await pilot.press("f10")
        from screens.scor_selection import ScorSelectionDialog

        await on_screen(pilot, ScorSelectionDialog)
        await pilot.press("escape")
        invoice_id = await finish(pilot, flow)
    fse = Fse.get(Fse.invoice == invoice_id)
    assert fse.state == "Sécurisé" and fse.has_dre and (fse.ro_cents, fse.rc_cents) == (540, 2460)


async def test_code_1300_guides_to_attestation_amc(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = _frame_dossier(app, svc, rdr, "7777777777", "Mut. Multi-Conventions (démo)", rc1_cents=2460)
    svc.dossiers.set_tiers_payant(dossier_id, tp_rc=True, teletrans_rc=True)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_rate_check(app, dossier_id))
        await on_screen(pilot, VerifTauxDialog)
        await pilot.press("f10")
        info = await on_screen(pilot, InformationDialog)
        text = str(info.query_one("#information-message", Static).render())
        assert text.startswith("Il y a trop de mutuelles avec ce n° préfectoral: impossible d'afficher la liste.")
        assert "Cliquer sur attestation AMC puis renseigner 'Type Conv.' et 'Crit. Secondaire'" in text
        assert "Nombre de résultats trop grand, merci d'affiner votre recherche\nCode : -1300" in text
        assert str(info.query_one(".dialog-title").render()) == "Information importante"
        await pilot.press("f5")                                           # Attestation AMC
        attestation = await on_screen(pilot, AttestationAmcDialog)
        assert app.focused is attestation.query_one("#type_conv", Input)
        await pilot.press(*"SP")
        attestation.query_one("#crit_secondaire", Input).focus()
        await pilot.press(*"07", "f10")
        choice = await on_screen(pilot, ConventionChoiceDialog)           # narrowed: one convention
        rows = table_text(choice.query_one("#convention-table", DataTable))
        assert len(rows) == 1 and rows[0][3:5] == ["SP", "07"] and rows[0][7] == "Mut. Multi-Conventions (démo)"
        await pilot.press("f10")
        assert await finish(pilot, flow) is True
    att = Dossier.get_by_id(dossier_id).attestation_amc
    assert (att["numero_prefectoral"], att["type_conv"], att["crit_secondaire"]) == ("7777777777", "SP", "07")
    actions = [row.action for row in AuditLog.select().order_by(AuditLog.id)]
    assert "forcage.attestation_amc" in actions and "amc.convention" in actions


async def test_convention_choice_search_and_disabled_row(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = _frame_dossier(app, svc, rdr, "7777777777", "Mut. Multi-Conventions (démo)", rc1_cents=2460)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ConventionChoiceDialog(dossier_id))
        choice = await on_screen(pilot, ConventionChoiceDialog)
        await settle(pilot)
        assert "Code : -1300" in str(choice.query_one("#convention-status", Static).render())
        choice.query_one("#convention-search", Input).focus()
        await pilot.press(*"cnda", "enter")
        await settle(pilot)
        assert table_text(choice.query_one("#convention-table", DataTable))[0][1] == "Zz1"
        assert "Page 1/1" in str(choice.query_one("#convention-status", Static).render())


async def test_pec_tab_request_and_code(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = _frame_dossier(app, svc, rdr, rc1_cents=2460, pec_obligatoire=True)
    svc.dossiers.set_tiers_payant(dossier_id, tp_rc=True, teletrans_rc=True)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.open_detail_remboursements(app, dossier_id))
        detail = await on_screen(pilot, DetailRemboursementsDialog)
        detail.query_one(TabbedContent).active = "tab-pec"
        await settle(pilot)
        pec = detail.query_one(PecTab)
        assert str(pec.query_one("#pec-credit", Static).render()) == "Crédit PEC : 245"
        assert "(PEC obligatoire)" in str(pec.query_one("#pec-mutuelle", Static).render())
        pec.query_one("#pec-adherent", Input).focus()
        await pilot.press(*"A1")
        pec.query_one("#pec-consentement").value = True
        await pilot.press("f7")                                           # Nouvelle prise en charge
        await until(pilot, lambda: pec.current is not None, "PEC answered")
        assert pec.current.state == "accord"
        assert str(pec.query_one("#pec-etat", Static).render()).startswith("accord")
        assert str(pec.query_one("#pec-que-faire", Static).render())
        code = pec.current.numero_pec
        pec.query_one("#pec-code").value = code                          # Choix code à utiliser
        await until(pilot, lambda: (Dossier.get_by_id(dossier_id).attestation_amc or {}).get("numero_pec") == code,
                    "code used")
        await pilot.press("escape")
        assert await finish(pilot, flow) is True
    assert PecRequest.select().count() == 1
    assert json.loads(AuditLog.get(AuditLog.action == "amc.pec").details)["apres"]["numero_pec"] == code


async def test_convention_asked_again_at_invoicing(make_app):
    """Vérif. taux left the -1300 case unsolved: "Facturer" opens the convention guidance, then invoices."""
    app, svc, rdr = counter_app(make_app)
    dossier_id = _frame_dossier(app, svc, rdr, "7777777777", "Mut. Multi-Conventions (démo)", rc1_cents=2460)
    svc.dossiers.set_tiers_payant(dossier_id, tp_rc=True, teletrans_rc=True)
    S.verify(svc, dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        await on_screen(pilot, FseGenerationDialog)
        await pilot.press("f10")
        await on_screen(pilot, InformationDialog)
        await pilot.press("f5")
        attestation = await on_screen(pilot, AttestationAmcDialog)
        attestation.query_one("#type_conv", Input).value = "SP"
        attestation.query_one("#crit_secondaire", Input).value = "07"
        await pilot.press("f10")
        await on_screen(pilot, ConventionChoiceDialog)
        await pilot.press("f10")
        recap = await on_screen(pilot, FseRecapDialog)
        assert recap.recap.has_dre and recap.recap.dre_mutuelle == "7777777777 Mut. Multi-Conventions (démo)"
        await pilot.press("escape")
        invoice_id = await finish(pilot, flow)
    assert Fse.get(Fse.invoice == invoice_id).has_dre
