"""80x24 snapshots of every counter-flow dialog (Détail remboursements to the signed FSE), on data built
through the services (DESMAUX of the manual; frozen clock 28/05/2024 11:13; temp database). Each dialog is
pushed over a blank screen so that the Comptoir behind it does not change these pictures."""
from __future__ import annotations

from datetime import date

from textual.screen import Screen
from textual.widgets import Input, TabbedContent

from screens.attestation_amc import AttestationAmcDialog
from screens.convention_choice import ConventionChoiceDialog, InformationDialog, too_many_text
from screens.counter_flow import delete_fse_message
from screens.detail_remboursements import DetailRemboursementsDialog
from screens.dialogs import ConfirmDialog
from screens.fse_generation import FseGenerationDialog
from screens.fse_recap import FseRecapDialog
from screens.lint_findings import LintFindingsDialog
from screens.sesam_vitale_forcages import (ForcageMaterniteDialog, ForcageServiceAmoDialog, ForcageSiecleDialog,
                                           SesamVitaleMenu, SituationEtmDialog)
from screens.verif_taux import VerifTauxDialog
from tests.ui.test_counter_flow_support import S, counter_app

SIZE = (80, 24)


class Backdrop(Screen[None]):
    """An empty screen under the dialog."""


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def _shows(factory, after=None):
    async def run_before(pilot) -> None:
        await pilot.app.push_screen(Backdrop())
        await pilot.app.push_screen(factory())
        await _settle(pilot)
        if after is not None:
            await after(pilot)
            await _settle(pilot)
    return run_before


def _desmaux(make_app, *, card_present: bool = True):
    app, svc, rdr = counter_app(make_app)
    return app, svc, S.desmaux_ready(svc, rdr, card_present=card_present)


def _frame(make_app, numero="1100000000", nom="Mut. Test CNDA", **mutuelle):
    app, svc, rdr = counter_app(make_app)
    mutuelle_id = S.add_mutuelle(app.services.ctx, numero, nom, **mutuelle)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id)
    S.frame_a(svc, dossier_id, rc1_cents=2460)
    svc.dossiers.set_mutuelles(dossier_id, mutuelle_id)
    svc.dossiers.to_vente(dossier_id)
    svc.dossiers.set_tiers_payant(dossier_id, tp_rc=True, teletrans_rc=True)
    return app, svc, dossier_id


# --- Détail remboursements ------------------------------------------------------------------------------------
def test_detail_remboursements_before_rate_check(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    detail = svc.dossiers.reimbursement_detail(dossier_id)
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_shows(lambda: DetailRemboursementsDialog(dossier_id, detail)))


def test_detail_remboursements_after_rate_check(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    S.verify(svc, dossier_id)
    detail = svc.dossiers.reimbursement_detail(dossier_id)
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_shows(lambda: DetailRemboursementsDialog(dossier_id, detail)))


def test_detail_remboursements_pec_tab(snap_compare, make_app):
    app, svc, dossier_id = _frame(make_app, pec_obligatoire=True)
    pec = svc.pec.request(dossier_id, consentement_imprime=True, numero_adherent="A1", numero_contrat="C9")
    svc.pec.use_code(pec.id)
    detail = svc.dossiers.reimbursement_detail(dossier_id)

    async def pec_tab(pilot) -> None:
        pilot.app.screen.query_one(TabbedContent).active = "tab-pec"

    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_shows(lambda: DetailRemboursementsDialog(dossier_id, detail), pec_tab))


# --- Vérification taux ----------------------------------------------------------------------------------------
def test_verif_taux_carte_vitale(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    params = svc.rates.default_params(dossier_id)
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: VerifTauxDialog(dossier_id, params)))


def test_verif_taux_bulletin_de_salaire(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app, card_present=False)
    params = svc.rates.default_params(dossier_id).model_copy(
        update={"piece_justif_amo": "attestation_droits", "taux_exoneration": "15"})
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: VerifTauxDialog(dossier_id, params)))


# --- SESAM-Vitale and forçages --------------------------------------------------------------------------------
def test_sesam_vitale_menu(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    svc.forcages.force_service_amo(dossier_id, "01")
    forcages = svc.forcages.get(dossier_id)
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: SesamVitaleMenu(forcages)))


def test_forcage_maternite(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    svc.forcages.force_maternite(dossier_id, date(2024, 6, 30))
    value = svc.forcages.get(dossier_id).maternite
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: ForcageMaterniteDialog(dossier_id, value)))


def test_forcage_service_amo(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    svc.forcages.force_service_amo(dossier_id, "01", date(2024, 5, 1), date(2025, 4, 30))
    value = svc.forcages.get(dossier_id).service_amo
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_shows(lambda: ForcageServiceAmoDialog(dossier_id, value)))


def test_situation_etm_degrade(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app, card_present=False)
    value = svc.forcages.get(dossier_id).situation_etm
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: SituationEtmDialog(dossier_id, value)))


def test_situation_etm_refused_in_sesam_vitale(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    value = svc.forcages.get(dossier_id).situation_etm
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: SituationEtmDialog(dossier_id, value)))


def test_forcage_siecle_naissance(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    value = svc.forcages.get(dossier_id).siecle_naissance
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: ForcageSiecleDialog(dossier_id, value)))


def test_attestation_amc(snap_compare, make_app):
    app, svc, dossier_id = _frame(make_app)
    row = svc.amc.search_for_dossier(dossier_id).rows[0]
    attestation = svc.amc.choose_convention(dossier_id, row)
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_shows(lambda: AttestationAmcDialog(dossier_id, attestation)))


# --- AMC conventions ------------------------------------------------------------------------------------------
def test_convention_choice(snap_compare, make_app):
    app, svc, dossier_id = _frame(make_app)
    search = svc.amc.search_for_dossier(dossier_id)
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_shows(lambda: ConventionChoiceDialog(dossier_id, search)))


def test_information_importante_1300(snap_compare, make_app):
    app, svc, dossier_id = _frame(make_app, "7777777777", "Mut. Multi-Conventions (démo)")
    search = svc.amc.search_for_dossier(dossier_id)
    assert search.too_many
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: InformationDialog(too_many_text(search))))


# --- FSE ------------------------------------------------------------------------------------------------------
def test_fse_generation(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    S.verify(svc, dossier_id)
    form = svc.invoicing.fse_form(dossier_id)
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: FseGenerationDialog(form)))


def test_lint_findings_blocking(snap_compare, make_app):
    app, svc, rdr = counter_app(make_app)
    dossier_id = S.dossier_for(svc, rdr)
    S.with_ordonnance(svc, dossier_id, day=date(2020, 5, 26))
    S.desmaux_lines(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    S.verify(svc, dossier_id)
    findings = svc.invoicing.preflight(dossier_id)
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: LintFindingsDialog(findings)))


def test_fse_recap(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    S.verify(svc, dossier_id)
    recap = svc.invoicing.invoice(dossier_id).fse
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: FseRecapDialog(recap)))


def test_fse_recap_with_dre(snap_compare, make_app):
    app, svc, dossier_id = _frame(make_app)
    S.verify(svc, dossier_id)
    recap = svc.invoicing.invoice(dossier_id).fse
    assert snap_compare(app, terminal_size=SIZE, run_before=_shows(lambda: FseRecapDialog(recap)))


def test_delete_fse_confirmation(snap_compare, make_app):
    app, svc, dossier_id = _desmaux(make_app)
    S.verify(svc, dossier_id)
    result = svc.invoicing.invoice(dossier_id)
    question = delete_fse_message(result.fse.numero, result.invoice.number, result.fse.state)
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_shows(lambda: ConfirmDialog(question, title="Information")))
