"""Refusals and forçages in the counter dialogs: stale Vérif. taux refused at invoicing, bad dates inline,
Taux Exonération for the manual proofs, blocking lint, SESAM-Vitale forçages (audited)."""
from __future__ import annotations

import json
from datetime import date

from textual.widgets import DataTable, Input, OptionList, Select, Static

from core.models import AuditLog, Dossier, Fse, Invoice, RateCheck
from screens.detail_remboursements import DetailRemboursementsDialog
from screens.dialogs import ConfirmDialog, ErrorDialog
from screens.fse_generation import FseGenerationDialog
from screens.lint_findings import LintFindingsDialog
from screens.sesam_vitale_forcages import (ForcageMaterniteDialog, ForcageServiceAmoDialog, ForcageSiecleDialog,
                                           SesamVitaleMenu, SituationEtmDialog)
from screens.verif_taux import VerifTauxDialog
from tests.ui.test_counter_flow_support import (S, cf, counter_app, fake_code, finish, on_screen, settle, start,
                                                until)


def _error_text(screen) -> str:
    return str(screen.query_one(".form-error", Static).render())


async def test_stale_rate_check_is_refused_at_invoicing(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.open_detail_remboursements(app, dossier_id))
        detail = await on_screen(pilot, DetailRemboursementsDialog)
        detail.query_one("#rc1-libres", DataTable).focus()
        await pilot.press("enter", *"50", "enter")                      # RC1 of MADELE: the check is now stale
        await until(pilot, lambda: detail.detail is not None and detail.detail.rate_check.is_stale, "stale")
        status = str(detail.query_one("#detail-status", Static).render())
        assert status == ("Vérification du taux à relancer (F9) : Montant mutuelle (RC) modifié : MADELE "
                          "(0,00 → 50,00).")
        await pilot.press("escape")
        assert await finish(pilot, flow) is True

        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        refusal = await on_screen(pilot, ConfirmDialog)                   # refused, with the reason
        assert refusal.question.startswith("Le dossier a changé depuis la dernière vérification du taux : "
                                           "relancez « Vérif. taux » avant de facturer.\n"
                                           "Montant mutuelle (RC) modifié : MADELE (0,00 → 50,00).")
        await pilot.press("escape")                                       # not now
        assert await finish(pilot, flow) is None
        assert Invoice.select().count() == 0

        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        await on_screen(pilot, ConfirmDialog)
        await pilot.press("f10")                                          # yes: Vérif. taux, then invoicing
        await on_screen(pilot, VerifTauxDialog)
        await pilot.press("f10")
        await on_screen(pilot, FseGenerationDialog)
        await pilot.press("escape")
        assert await finish(pilot, flow) is None
    assert Invoice.select().count() == 0 and RateCheck.select().count() == 2


async def test_stale_check_is_refused_by_the_service_too(make_app):
    """Should the dossier change while the FSE form is open, the pre-flight refuses it (RATE_CHECK_PERIMEE)."""
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        await on_screen(pilot, FseGenerationDialog)
        madele = svc.dossiers.get(dossier_id).articles[0]
        svc.dossiers.set_rc_amounts(madele.id, 5000)                      # another counter changed it meanwhile
        await pilot.press("f10")
        await until(pilot, lambda: isinstance(app.screen, (ErrorDialog, LintFindingsDialog)), "refusal")
        lint = app.screen
        assert isinstance(lint, LintFindingsDialog) and lint.blocking                 # the pre-flight says it
        assert [f.code for f in lint.findings if f.severity == "bloquant"] == ["RATE_CHECK_PERIMEE"]
        assert "Relancer « Vérif. taux » avant de facturer." in [f.fix_fr for f in lint.findings]
        await pilot.press("escape")
        assert await finish(pilot, flow) is None
    assert Invoice.select().count() == 0


async def test_bad_dates_are_refused_inline_and_nothing_is_stored(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_rate_check(app, dossier_id))
        verif = await on_screen(pilot, VerifTauxDialog)
        verif.query_one("#acte", Input).value = "32/05/2024"
        verif.query_one("#facture", Input).value = "2024"
        await pilot.press("f10")
        await settle(pilot)
        text = _error_text(verif)
        assert "Date Acte invalide : « 32/05/2024 » (format JJ/MM/AAAA)." in text
        assert "Date Facture invalide : « 2024 »" in text
        verif.query_one("#acte", Input).value = "25/05/2024"              # before the ordonnance: the service says
        verif.query_one("#facture", Input).value = ""
        await pilot.press("f10")
        await until(pilot, lambda: "antérieure à la date Ordo." in _error_text(verif), "service refusal")
        assert app.screen is verif
        assert RateCheck.select().count() == 0
        await pilot.press("escape")
        assert await finish(pilot, flow) is False
    assert RateCheck.select().count() == 0


async def test_bulletin_de_salaire_asks_the_taux_exoneration(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_rate_check(app, dossier_id))
        verif = await on_screen(pilot, VerifTauxDialog)
        verif.query_one("#piece_justif_amo", Select).value = "attestation_droits"
        verif.query_one("#mode_securisation", Select).value = "DEGRADE"
        await settle(pilot)
        assert verif.query_one("#etm-block").display
        assert verif.query_one("#taux_exoneration", Select).value == "15"       # "15 Non exonéré"
        await pilot.press("f10")
        assert await finish(pilot, flow) is True
    check = RateCheck.get()
    assert check.params["piece_justif_amo"] == "attestation_droits" and check.params["taux_exoneration"] == "15"
    assert check.mode_securisation == "DEGRADE"


async def test_detail_valider_runs_the_rate_check_first(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.open_detail_remboursements(app, dossier_id))
        await on_screen(pilot, DetailRemboursementsDialog)
        await pilot.press("f10")
        await on_screen(pilot, VerifTauxDialog)                             # "si aucune demande n'a encore été faite"
        await pilot.press("f10")
        assert await finish(pilot, flow) is True
    assert RateCheck.select().count() == 1


async def test_blocking_finding_prevents_the_fse(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id, day=date(2020, 5, 26))             # expired ordonnance
    S.desmaux_lines(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    S.verify(svc, dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        await on_screen(pilot, FseGenerationDialog)
        await pilot.press("f10")
        lint = await on_screen(pilot, LintFindingsDialog)
        assert lint.blocking and lint.findings[0].code == "ORDONNANCE_EXPIREE"
        assert lint.query_one("#proceed").disabled
        texts = [str(w.render()) for w in lint.query(".finding-message")]
        assert texts[0].startswith("1. Bloquant") and "expirée" in texts[0]
        assert str(lint.query(".finding-fix").first().render()).startswith("→ ")
        await pilot.press("f10")                                            # refused: still there
        await settle(pilot)
        assert app.screen is lint
        await pilot.press("escape")
        assert await finish(pilot, flow) is None
    assert Invoice.select().count() == 0 and Fse.select().count() == 0


async def _menu_choose(pilot, index: int) -> None:
    menu = await on_screen(pilot, SesamVitaleMenu)
    menu.query_one(OptionList).highlighted = index
    await pilot.press("f10")


async def test_forcages_are_saved_and_audited(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.open_sesam_vitale(app, dossier_id))
        await _menu_choose(pilot, 2)                                         # Service AMO
        dialog = await on_screen(pilot, ForcageServiceAmoDialog)
        assert str(dialog.query_one("#carte-code", Static).render()) == "00 - Pas de service AMO"
        dialog.query_one("#forcage-code", Select).value = "01"
        dialog.query_one("#forcage-debut", Input).value = "01/05/2024"
        await pilot.press("f10")
        menu = await on_screen(pilot, SesamVitaleMenu)
        assert "Service AMO" in str(menu.query_one("#sv-menu-actifs", Static).render())

        await _menu_choose(pilot, 1)                                         # Situation ETM: SV mode -> refused
        etm = await on_screen(pilot, SituationEtmDialog)
        assert etm.query_one("#taux_exoneration", Select).disabled
        await pilot.press("f10")
        await settle(pilot)
        assert "mode dégradé uniquement" in _error_text(etm)
        await pilot.press("escape")

        await _menu_choose(pilot, 0)                                         # Maternité: bad date inline
        maternite = await on_screen(pilot, ForcageMaterniteDialog)
        assert maternite.query_one("#fin_theorique", Input).disabled
        await pilot.press(*"31/02/2024", "f10")
        await settle(pilot)
        assert "Date Fin Forcée invalide" in _error_text(maternite)
        await pilot.press("escape")

        await _menu_choose(pilot, 3)                                         # Siècle naissance
        siecle = await on_screen(pilot, ForcageSiecleDialog)
        assert siecle.query_one("#date_naissance", Input).value == "15/06/1955"
        siecle.query_one("#date_naissance", Input).value = "16/06/1955"      # only the century may change
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen is siecle and "Seul le siècle peut être forcé" in _error_text(siecle)
        await pilot.press("escape")
        await on_screen(pilot, SesamVitaleMenu)
        await pilot.press("escape")
        assert await finish(pilot, flow) is True
    forced = Dossier.get_by_id(dossier_id).forcages["service_amo"]
    assert forced == {"code": "01", "debut": "2024-05-01", "fin": None}
    audit = AuditLog.get(AuditLog.action == "forcage.service_amo")
    assert json.loads(audit.details)["apres"]["code"] == "01"
    assert not AuditLog.select().where(AuditLog.action == "forcage.siecle_naissance").exists()


async def test_situation_etm_in_degrade_and_remove_service_amo(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr, card_present=False)             # dégradé
    svc.forcages.force_service_amo(dossier_id, "01")
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.open_sesam_vitale(app, dossier_id))
        await _menu_choose(pilot, 1)
        etm = await on_screen(pilot, SituationEtmDialog)
        etm.query_one("#taux_exoneration", Select).value = "15"
        await pilot.press("f10")
        await _menu_choose(pilot, 2)
        await on_screen(pilot, ForcageServiceAmoDialog)
        await pilot.press("f8")                                              # Supprimer le forçage
        await on_screen(pilot, SesamVitaleMenu)
        await pilot.press("escape")
        assert await finish(pilot, flow) is True
    forcages = Dossier.get_by_id(dossier_id).forcages
    assert forcages["situation_etm"] == {"taux_exoneration": "15"} and "service_amo" not in forcages
    actions = {row.action for row in AuditLog.select()}
    assert {"forcage.situation_etm", "forcage.service_amo.suppression"} <= actions


async def test_unexpected_error_is_shown_not_raised(make_app, monkeypatch):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(svc.invoicing, "fse_form", boom)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_invoicing(app, dossier_id, ask_code=fake_code))
        assert await finish(pilot, flow) is None                          # the Comptoir's worker never sees it
        error = await on_screen(pilot, ErrorDialog)
        assert "Une erreur inattendue est survenue" in error.message and "disk" not in error.message


async def test_attestation_amc_from_verif_taux_is_audited(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    from screens.attestation_amc import AttestationAmcDialog

    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.run_rate_check(app, dossier_id))
        verif = await on_screen(pilot, VerifTauxDialog)
        await pilot.press("f5")
        attestation = await on_screen(pilot, AttestationAmcDialog)
        attestation.query_one("#numero_prefectoral", Input).value = "1100000000"
        attestation.query_one("#montant_pec_cents", Input).value = "12,5"
        attestation.query_one("#date_debut", Input).value = "01/06/2024"
        attestation.query_one("#date_fin", Input).value = "01/05/2024"
        await pilot.press("f10")
        await settle(pilot)
        assert "la Date Fin précède la Date Début" in _error_text(attestation)
        attestation.query_one("#date_fin", Input).value = "31/12/2024"
        await pilot.press("f10")
        await on_screen(pilot, VerifTauxDialog)
        assert app.screen is verif
        await pilot.press("escape")
        assert await finish(pilot, flow) is False                          # no rate check stored
    att = Dossier.get_by_id(dossier_id).attestation_amc
    assert (att["numero_prefectoral"], att["montant_pec_cents"], att["source"]) == ("1100000000", 1250, "saisie")
    assert json.loads(AuditLog.get(AuditLog.action == "forcage.attestation_amc").details)["apres"]["date_fin"] \
        == "2024-12-31"


async def test_rc_edit_on_an_invoiced_dossier_is_refused_inline(make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.desmaux_ready(svc, rdr)
    S.verify(svc, dossier_id)
    svc.invoicing.invoice(dossier_id)
    async with app.run_test(size=(80, 24)) as pilot:
        flow = start(app, cf.open_detail_remboursements(app, dossier_id))
        detail = await on_screen(pilot, DetailRemboursementsDialog)
        await pilot.press("enter", *"10", "enter")
        await settle(pilot)
        assert "avoir" in _error_text(detail)
        await pilot.press("escape")
        assert await finish(pilot, flow) is False
