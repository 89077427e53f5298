"""The counter flow from "Détail remboursements" to the signed FSE (manual §III to §V): the five entry
points the Comptoir calls (see the counter UI contract).

Each entry point is an ``async def`` awaited inside a Textual worker (it uses ``app.push_screen_wait``);
service calls run in threads (``asyncio.to_thread``); a LunetierError is shown to the user and the entry
point returns False / None — it never raises one to the caller.

    open_detail_remboursements(app, dossier_id) -> bool    Détail remboursements (True if something changed)
    run_rate_check(app, dossier_id) -> bool                Vérification taux (+ convention AMC, -1300)
    run_invoicing(app, dossier_id) -> int | None           Génération de la FSE -> contrôles -> facture ->
                                                           récapitulatif -> Signer (code CPS) -> SCOR
    confirm_delete_fse(app, dossier_id) -> bool            "Générer FSE" unticked: information, then deletion
    open_sesam_vitale(app, dossier_id) -> bool             SESAM-Vitale menu and forçages

The CPS code comes from C1's ``screens.cps_code.ask_cps_code`` and the SCOR window from
``screens.scor_selection``; both imports are guarded (ModuleNotFoundError -> a notification). Tests may
pass ``ask_code=`` to ``run_invoicing`` instead of the dialog.
"""
from __future__ import annotations

import asyncio
import functools
import importlib
import logging
from typing import Any, Awaitable, Callable, TypeVar

from core.domain.money import format_euros
from core.services.counter_dto import ConventionNeedDTO, DossierDTO, InvoiceResultDTO, RateCheckDTO
from core.errors import LunetierError
from screens.counter_flow_common import counter, in_thread, show_error_wait

__all__ = ["open_detail_remboursements", "run_rate_check", "run_invoicing", "confirm_delete_fse",
           "open_sesam_vitale", "delete_fse_message", "CodeAsker"]

log = logging.getLogger("lunetier.counter_flow")

CodeAsker = Callable[..., Awaitable["str | None"]]
SOON = "arrive bientôt"
T = TypeVar("T")


def _guarded(default: Any) -> Callable[[Callable[..., Awaitable[T]]], Callable[..., Awaitable[T]]]:
    """Entry points never raise to the Comptoir's worker: an unexpected error goes to app.show_error
    (log + the generic French message) and the entry point returns ``default``."""
    def wrap(fn: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        @functools.wraps(fn)
        async def run(app: Any, *args: Any, **kwargs: Any) -> T:
            try:
                return await fn(app, *args, **kwargs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported on screen, never a traceback
                app.show_error(exc)
                return default
        return run
    return wrap


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:  # a real import error inside the module: do not hide it
            raise
        return None


# --- Détail remboursements ----------------------------------------------------------------------------------
@_guarded(False)
async def open_detail_remboursements(app: Any, dossier_id: int) -> bool:
    """Button TP / F8: "Détail remboursements". True when something changed (RC amounts, Vérif. taux...)."""
    from screens.detail_remboursements import DetailRemboursementsDialog

    ok, detail = await in_thread(app, counter(app).dossiers.reimbursement_detail, dossier_id)
    if not ok:
        return False
    return bool(await app.push_screen_wait(DetailRemboursementsDialog(dossier_id, detail)))


# --- Vérification taux --------------------------------------------------------------------------------------
@_guarded(False)
async def run_rate_check(app: Any, dossier_id: int) -> bool:
    """"Vérification taux" pre-filled from rates.default_params; True when a RateCheck was stored."""
    from screens.verif_taux import VerifTauxDialog

    ok, params = await in_thread(app, counter(app).rates.default_params, dossier_id)
    if not ok:
        return False
    result: RateCheckDTO | None = await app.push_screen_wait(VerifTauxDialog(dossier_id, params))
    if result is None:
        return False
    app.notify(_rate_summary(result), title="Vérification taux", timeout=6)
    await convention_flow(app, dossier_id, result.convention)
    return True


def _rate_summary(result: RateCheckDTO) -> str:
    text = (f"Taux {result.taux} % ({result.situation_label}) : Rbt RO {format_euros(result.total_ro_cents)} €"
            + (f", Rbt RC {format_euros(result.total_rc_cents)} €" if result.total_rc_cents else "") + ".")
    extra = [*result.messages, *(result.adri.differences if result.adri else ())]
    return "\n".join([text, *extra])


async def convention_flow(app: Any, dossier_id: int, need: ConventionNeedDTO | None) -> bool:
    """After Vérif. taux (DRE in gestion séparée): choose the AMC convention, or -- code -1300 -- the
    manual's "Information importante" then Attestation AMC (Type Conv., Crit. Secondaire) and a narrowed
    search. True when a convention or an attestation was stored."""
    from screens.attestation_amc import AttestationAmcDialog
    from screens.convention_choice import ATTESTATION, ConventionChoiceDialog, InformationDialog, too_many_text

    if need is None:
        return False
    if need.status == "auto":
        app.notify(need.message_fr, title="Convention AMC", timeout=4)
        return True
    search = need.search
    stored = False
    for _ in range(5):  # each turn narrows the search with what the user typed; never loops forever
        if search is not None and search.too_many:
            answer = await app.push_screen_wait(InformationDialog(too_many_text(search)))
        elif search is not None and search.total == 0:
            answer = await app.push_screen_wait(InformationDialog(need.message_fr, title="Information"))
        else:
            answer = await app.push_screen_wait(ConventionChoiceDialog(dossier_id, search))
            if answer is not None and answer != ATTESTATION:
                return True
        if answer != ATTESTATION:
            return stored
        saved = await app.push_screen_wait(AttestationAmcDialog(dossier_id, focus="type_conv"))
        if saved is None:
            return stored
        stored = True
        if saved.numero_prefectoral and saved.type_conv and saved.crit_secondaire:
            return True  # typed from the carte mutuelle: no convention needed any more
        ok, search = await in_thread(app, counter(app).amc.search_for_dossier, dossier_id)
        if not ok:
            return stored
    return stored


# --- Facturation, FSE, signature ----------------------------------------------------------------------------
@_guarded(None)
async def run_invoicing(app: Any, dossier_id: int, *, ask_code: CodeAsker | None = None) -> int | None:
    """F10 Facturer: "Génération de la FSE" -> pre-flight findings -> invoice (+ FSE) -> recap "AreaFSE -
    Facture" -> Signer (CPS code) -> SCOR documents. Returns the invoice id (signed or not), None if no
    invoice was made."""
    from screens.fse_generation import FseGenerationDialog
    from screens.lint_findings import LintFindingsDialog

    svc = counter(app)
    ok, dossier = await in_thread(app, svc.dossiers.get, dossier_id)
    if not ok or not await ensure_fresh_rate_check(app, dossier):
        return None
    ok, form = await in_thread(app, svc.invoicing.fse_form, dossier_id)
    if not ok:
        return None
    params = await app.push_screen_wait(FseGenerationDialog(form))
    if params is None:
        return None
    ok, findings = await in_thread(app, svc.invoicing.preflight, dossier_id, params)
    if not ok:
        return None
    if findings and not await app.push_screen_wait(LintFindingsDialog(findings)):
        return None
    result = await _invoice(app, dossier_id, params)
    if result is None:
        return None
    result: InvoiceResultDTO
    app.notify(result.message_fr, title="Facturation", timeout=5)
    if result.fse is not None:
        await recap_and_sign(app, result.invoice.id, result.fse.fse_id, ask_code=ask_code)
    return result.invoice.id


async def _invoice(app: Any, dossier_id: int, params: Any) -> InvoiceResultDTO | None:
    """invoicing.invoice; refused for want of an AMC convention (DRE in gestion séparée), the convention
    window opens -- "au moment de la vérification de taux ou de la création de la FSE" (manual §V) -- and
    the invoice is tried once more."""
    svc = counter(app)
    try:
        return await asyncio.to_thread(svc.invoicing.invoice, dossier_id, params)
    except LunetierError as exc:
        if getattr(exc, "code", None) != "CONVENTION":
            await show_error_wait(app, exc)
            return None
        refusal = exc
    ok, search = await in_thread(app, svc.amc.search_for_dossier, dossier_id)
    if not ok:
        return None
    status = "trop_de_resultats" if search.too_many else "aucune" if search.total == 0 else "choix"
    need = ConventionNeedDTO(status=status, search=search, message_fr=refusal.message_fr)
    if not await convention_flow(app, dossier_id, need):
        await show_error_wait(app, refusal)
        return None
    ok, result = await in_thread(app, svc.invoicing.invoice, dossier_id, params)
    return result if ok else None


def rate_check_refusal(dossier: DossierDTO) -> str:
    """Why the dossier cannot be invoiced yet ("" when its Vérif. taux is present and fresh). Same words
    as the invoicing service's refusal (RATE_CHECK_ABSENTE / RATE_CHECK_PERIMEE)."""
    tp = dossier.tiers_payant
    needs = dossier.beneficiaire is not None and (tp.generer_fse or tp.tp_ro or tp.tp_rc or tp.teletrans_ro
                                                  or tp.teletrans_rc)
    status = dossier.rate_check
    if not needs or (status.exists and not status.is_stale):
        return ""
    if not status.exists:
        return ("La vérification du taux n'a jamais été demandée sur ce dossier : tant qu'elle n'a pas été "
                "réalisée, le dossier ne peut pas être facturé.")
    return ("Le dossier a changé depuis la dernière vérification du taux : relancez « Vérif. taux » avant de "
            "facturer.\n" + "\n".join(status.stale_reasons))


async def ensure_fresh_rate_check(app: Any, dossier: DossierDTO) -> bool:
    """Invoicing needs a fresh Vérif. taux: say why it is missing / stale and offer to run it now."""
    from screens.dialogs import ConfirmDialog

    refusal = rate_check_refusal(dossier)
    if not refusal:
        return True
    question = f"{refusal}\n\nLancer « Vérif. taux » maintenant ?"
    if not await app.push_screen_wait(ConfirmDialog(question, title="Vérification du taux")):
        return False
    return await run_rate_check(app, dossier.id)


async def recap_and_sign(app: Any, invoice_id: int, fse_id: int, *, ask_code: CodeAsker | None = None) -> bool:
    """The recap; "Signer" asks the CPS code and signs with app.services.reader; "Avoir" asks a reason.
    True when the FSE was signed. A refused signature (wrong code, card missing) shows the recap again."""
    from screens.fse_recap import AVOIR, SIGNER, FseRecapDialog

    svc = counter(app)
    ok, recap = await in_thread(app, svc.invoicing.recap, fse_id)
    while ok:
        choice = await app.push_screen_wait(FseRecapDialog(recap))
        if choice == AVOIR:
            await make_avoir(app, invoice_id)
            return False
        if choice != SIGNER:
            app.notify("FSE non signée : elle reste « TP Calculé ».", timeout=4)
            return False
        pin = await _ask_code(app, ask_code)
        if pin is None:
            continue
        ok_sign, signed = await in_thread(app, svc.invoicing.sign_fse, fse_id, pin, app.services.reader)
        del pin  # the CPS code is forgotten as soon as the card has answered
        if ok_sign:
            app.notify(signed.message_fr, title="Signature", timeout=6)
            await offer_scor(app, invoice_id, signed.fse.scor_documents)
            return True
        ok, recap = await in_thread(app, svc.invoicing.recap, fse_id)
    return False


async def _ask_code(app: Any, ask_code: CodeAsker | None) -> str | None:
    reason = "Signature de la FSE"
    if ask_code is not None:
        return await ask_code(app, reason=reason)
    module = _optional("screens.cps_code")
    asker = getattr(module, "ask_cps_code", None) if module is not None else None
    if asker is None:
        app.notify(f"Saisie du code porteur (CPS) : {SOON}.", severity="warning", timeout=4)
        return None
    return await asker(app, reason=reason)


async def offer_scor(app: Any, invoice_id: int, documents: tuple[str, ...] = ("ORDN",)) -> None:
    """"Sélection des documents - SCOR" right after signing (the ordonnance; + the feuille de soins in dégradé)."""
    module = _optional("screens.scor_selection")
    dialog = getattr(module, "ScorSelectionDialog", None) if module is not None else None
    if dialog is None:
        app.notify(f"Documents SCOR ({', '.join(documents)}) : {SOON}.", severity="warning", timeout=4)
        return
    await app.push_screen_wait(dialog(invoice_id))


async def make_avoir(app: Any, invoice_id: int) -> int | None:
    """Avoir of an invoice: mandatory reason (ReasonDialog), audited by the service. Returns the avoir id."""
    from screens.dialogs import ReasonDialog

    reason = await app.push_screen_wait(ReasonDialog("Motif de l'avoir (la facture sera annulée, la FSE non "
                                                     "transmise supprimée) :", title="Avoir"))
    if reason is None:
        return None
    ok, result = await in_thread(app, counter(app).invoicing.create_avoir, invoice_id, reason)
    if not ok:
        return None
    app.notify(result.message_fr, title="Avoir", timeout=5)
    return result.avoir.id


# --- Générer FSE unticked -------------------------------------------------------------------------------------
def delete_fse_message(number: int, invoice_number: int, state: str) -> str:
    """The information shown when "Générer FSE" is unticked on an invoiced dossier (manual §IV; the
    manual's own box is only pictured, this text states what it does)."""
    return (f"La FSE n° {number:09d} ({state}) de la facture n° {invoice_number} va être supprimée.\n"
            "La facture n'est pas modifiée. Recochez « Générer FSE » pour créer une nouvelle FSE (par exemple "
            "pour passer une FSE dégradée en SESAM-Vitale).\n\nSupprimer la FSE ?")


@_guarded(False)
async def confirm_delete_fse(app: Any, dossier_id: int) -> bool:
    """"Générer FSE" unticked: the information message, then the deletion (invoice untouched, audited).
    Without an active FSE the box is simply unticked. True when "Générer FSE" is now off."""
    from screens.dialogs import ConfirmDialog

    svc = counter(app)
    ok, dossier = await in_thread(app, svc.dossiers.get, dossier_id)
    if not ok:
        return False
    fse = dossier.fse
    if fse is not None and fse.state in ("TP Calculé", "Sécurisé") and dossier.invoice is not None:
        question = delete_fse_message(fse.number, dossier.invoice.number, fse.state)
        if not await app.push_screen_wait(ConfirmDialog(question, title="Information")):
            return False
    ok, result = await in_thread(app, svc.dossiers.set_generer_fse, dossier_id, False)
    if not ok:
        return False
    if result.message_fr:
        app.notify(result.message_fr, title="Générer FSE", timeout=6)
    return True


# --- SESAM-Vitale forçages ------------------------------------------------------------------------------------
@_guarded(False)
async def open_sesam_vitale(app: Any, dossier_id: int) -> bool:
    """The "SESAM-Vitale" menu; each entry opens its dialog, saved (audited) by the forçages service.
    Back in the menu after each dialog; True when something was saved."""
    from screens.attestation_amc import AttestationAmcDialog
    from screens.sesam_vitale_forcages import (ForcageMaterniteDialog, ForcageServiceAmoDialog, ForcageSiecleDialog,
                                               SesamVitaleMenu, SituationEtmDialog)

    svc = counter(app)
    changed = False
    while True:
        ok, forcages = await in_thread(app, svc.forcages.get, dossier_id)
        if not ok:
            return changed
        choice = await app.push_screen_wait(SesamVitaleMenu(forcages))
        if choice is None:
            return changed
        dialog = {
            "maternite": lambda: ForcageMaterniteDialog(dossier_id, forcages.maternite),
            "situation_etm": lambda: SituationEtmDialog(dossier_id, forcages.situation_etm),
            "service_amo": lambda: ForcageServiceAmoDialog(dossier_id, forcages.service_amo),
            "siecle_naissance": lambda: ForcageSiecleDialog(dossier_id, forcages.siecle_naissance),
            "attestation_amc": lambda: AttestationAmcDialog(dossier_id, forcages.attestation_amc),
        }[choice]()
        if await app.push_screen_wait(dialog) is not None:
            changed = True
