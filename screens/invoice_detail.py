""""Suivi des factures Tiers Payant - Détail facture" (manual §VII) with its Rejets/Différés table, the full
reject labels (wrapped: no mouse hover needed) and, for known codes, what the reject means and how to fix it.

Also home of `InvoiceFlows`, the hand actions shared by the Suivi Facturations pane and this dialog:
Traitement manuel (F6: the manual's Question, then a mandatory reason), state change after payment (F7:
part, state and reason, then a confirmation), lettrage manuel (F8, confirmed) and "Exporter les données"
(Ctrl+S: CSV in <data dir>/exports, mode 0600). Service calls run in thread workers; the dialogs in between
have no side effect.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.domain.money import format_euros
from core.services.exports import export_invoice_detail, exports_dir
from core.services.suivi_dto import ETATS, NA, PAYE, InvoiceDetail
from screens.dialogs import ConfirmDialog, ReasonDialog
from screens.suivi_common import ACTOR, ColumnScrollTable, long_date, short_date, suivi_service

LABEL_WIDTH = 36          # Libellé column of Rejets/Différés: the full label wraps inside it
REJECT_COLUMNS = (("Date", 8), ("Traitement", 10), ("Part", 4), ("Code", 9), ("Libellé", LABEL_WIDTH),
                  ("Prestation", 10), ("Date soins", 10), ("Niveau", 6), ("Exec.", 5))


def manual_question(numero: int) -> str:
    return f"Êtes-vous certain de vouloir traiter manuellement la facture N° {numero} ?"


# --- the hand actions -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EtatChoice:
    part: str
    etat: str
    reason: str


class InvoiceFlows:
    """Mixed into a widget or screen that also mixes app.workers.ReportsWorkerErrors. The host implements
    `invoice_changed(detail, message)` (refresh what it shows)."""

    class Done(Message):
        def __init__(self, detail: InvoiceDetail | None, message: str) -> None:
            super().__init__()
            self.detail = detail
            self.message = message

    class StateAsked(Message):
        def __init__(self, detail: InvoiceDetail) -> None:
            super().__init__()
            self.detail = detail

    if TYPE_CHECKING:  # provided by the Textual node the flows are mixed into
        app: Any

        def post_message(self, message: Message) -> bool: ...

    def invoice_changed(self, detail: InvoiceDetail | None, message: str) -> None:
        raise NotImplementedError

    # -- Traitement manuel --
    def flow_traitement_manuel(self, invoice_id: int, numero: int) -> None:
        def reasoned(reason: str | None) -> None:
            if reason:
                self._run_traitement(invoice_id, reason)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(ReasonDialog(
                f"Motif du traitement manuel de la facture N° {numero} (ex. n° de PEC renvoyé à la "
                    "mutuelle) ; il est inscrit au journal d'audit."), reasoned)

        self.app.push_screen(ConfirmDialog(manual_question(numero)), confirmed)

    @work(thread=True, exit_on_error=False, group="invoice-action")
    def _run_traitement(self, invoice_id: int, reason: str) -> None:
        detail = suivi_service(self.app).traitement_manuel(invoice_id, reason, actor=ACTOR)
        self.post_message(InvoiceFlows.Done(detail, f"Facture N° {detail.numero} traitée manuellement."))

    # -- state change after payment --
    def flow_changer_etat(self, invoice_id: int) -> None:
        self._load_for_state(invoice_id)

    @work(thread=True, exit_on_error=False, group="invoice-action")
    def _load_for_state(self, invoice_id: int) -> None:
        self.post_message(InvoiceFlows.StateAsked(suivi_service(self.app).invoice_detail(invoice_id)))

    def on_invoice_flows_state_asked(self, message: StateAsked) -> None:
        message.stop()
        detail = message.detail

        def confirmed(choice: EtatChoice, yes: bool | None) -> None:
            if yes:
                self._run_etat(detail.invoice_id, choice)

        def chosen(choice: EtatChoice | None) -> None:
            if choice is None:
                return
            current = detail.etat_amo if choice.part == "AMO" else detail.etat_amc
            question = (f"Êtes-vous certain de vouloir passer la part {choice.part} de la facture N° {detail.numero} "
                        f"de « {current or 'sans état'} » à « {choice.etat} » ?")
            self.app.push_screen(ConfirmDialog(question), lambda yes: confirmed(choice, yes))

        self.app.push_screen(EtatDialog(detail), chosen)

    @work(thread=True, exit_on_error=False, group="invoice-action")
    def _run_etat(self, invoice_id: int, choice: EtatChoice) -> None:
        detail = suivi_service(self.app).changer_etat(invoice_id, part=choice.part, etat=choice.etat,
                                                      reason=choice.reason, actor=ACTOR)
        self.post_message(InvoiceFlows.Done(
            detail, f"Facture N° {detail.numero} : part {choice.part} « {choice.etat} ». "
                    "Pensez au lettrage manuel (F8)."))

    # -- lettrage manuel --
    def flow_lettrer(self, invoice_id: int, numero: int, reste_cents: int, lettree: bool) -> None:
        if lettree:
            self.app.notify(f"La facture N° {numero} est déjà lettrée.", timeout=3)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._run_lettrage(invoice_id)

        question = (f"Êtes-vous certain de vouloir lettrer manuellement la facture N° {numero} ? "
                    f"Reste dû : {format_euros(reste_cents)} €.")
        self.app.push_screen(ConfirmDialog(question), confirmed)

    @work(thread=True, exit_on_error=False, group="invoice-action")
    def _run_lettrage(self, invoice_id: int) -> None:
        detail = suivi_service(self.app).lettrer(invoice_id, actor=ACTOR)
        self.post_message(InvoiceFlows.Done(detail, f"Facture N° {detail.numero} lettrée."))

    # -- Exporter les données --
    @work(thread=True, exit_on_error=False, group="invoice-action")
    def flow_export(self, invoice_id: int) -> None:
        app = self.app
        detail = suivi_service(app).invoice_detail(invoice_id)
        path = export_invoice_detail(detail, exports_dir(app.settings.data_dir), app.clock.now())
        self.post_message(InvoiceFlows.Done(None, f"Données exportées : {path}"))

    def on_invoice_flows_done(self, message: Done) -> None:
        message.stop()
        self.app.notify(message.message, timeout=6)
        self.invoice_changed(message.detail, message.message)


class EtatDialog(ModalScreen[EtatChoice | None]):
    """"Modifier l'état de la facture" once the organism paid: part, new state, mandatory reason."""

    COMMAND_SPECS = (
        Command("etat_validate", "f10", "validate", "Valider", "Changer l'état de la part choisie."),
        Command("etat_cancel", "escape", "cancel", "Annuler", "Fermer sans rien changer."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, detail: InvoiceDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        d = self.detail
        parts = [(f"AMO ({d.etat_amo or 'sans état'})", "AMO")]
        if d.org_amc or d.etat_amc not in ("", NA):
            parts.append((f"AMC ({d.etat_amc})", "AMC"))
        with Vertical(classes="dialog", id="etat-dialog"):
            yield Label(f"Modifier l'état de la facture N° {d.numero}", classes="dialog-title")
            with Horizontal(classes="etat-line"):
                yield Label("Part :", classes="etat-label")
                yield Select(parts, value=parts[0][1], allow_blank=False, compact=True, id="etat-part")
            with Horizontal(classes="etat-line"):
                yield Label("Nouvel état :", classes="etat-label")
                yield Select([(e, e) for e in ETATS], value=PAYE, allow_blank=False, compact=True, id="etat-value")
            with Horizontal(classes="etat-line"):
                yield Label("Motif :", classes="etat-label")
                yield Input(placeholder="obligatoire (ex. virement reçu le ...)", compact=True, id="etat-reason")
            yield Static("", id="etat-error", classes="error-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Annuler (Échap)", id="cancel", compact=True)
                yield Button("✓ Valider (F10)", id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#etat-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_validate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_validate() if event.button.id == "ok" else self.action_cancel()

    def action_validate(self) -> None:
        reason = self.query_one("#etat-reason", Input).value.strip()
        if len(reason) < 3:
            self.query_one("#etat-error", Static).update("Indiquez un motif (3 caractères au moins).")
            return
        part = str(self.query_one("#etat-part", Select).value)
        etat = str(self.query_one("#etat-value", Select).value)
        current = self.detail.etat_amo if part == "AMO" else self.detail.etat_amc
        if etat == current:
            self.query_one("#etat-error", Static).update(f"La part {part} est déjà « {etat} ».")
            return
        self.dismiss(EtatChoice(part, etat, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- the detail dialog ----------------------------------------------------------------------------------
def _pairs(*pairs: tuple[str, str], width: int = 26) -> Content:
    """One line of "Label: value" pairs, value in bold, each pair padded to `width` cells."""
    parts: list[Content] = []
    for index, (label, value) in enumerate(pairs):
        part = Content.assemble(f"{label}: ", (value, "bold"))
        if index < len(pairs) - 1:
            part = part.pad_right(max(1, width - part.cell_length))
        parts.append(part)
    return Content("").join(parts)


def head_lines(d: InvoiceDetail) -> Content:
    """The fields of the manual's Détail facture, in its order."""
    lines = [
        _pairs(("N° Facture", d.numero_long), ("État facture", d.etat_facture)),
        _pairs(("Date Facture", long_date(d.date)), ("Type", d.type_facture), ("Total facture",
                                                                            format_euros(d.total_cents))),
        _pairs(("Montant attendu", format_euros(d.attendu_cents)), ("Montant payé", format_euros(d.paye_cents)),
               ("Restant dû (TP)", format_euros(d.reste_cents))),
        _pairs(("État FSE", d.etat_fse), ("Norme", d.norme), ("N° lot FSE/DRE", d.lot_label)),
    ]
    flags = [x for x, on in ((f"Traitée manuellement : {d.manuel_motif}", d.manuel), ("Lettrée", d.lettree)) if on]
    if flags:
        lines.append(Content.assemble((" · ".join(flags), "italic")))
    return Content("\n").join(lines)


def benef_lines(d: InvoiceDetail) -> Content:
    # Birth dates are shown exactly as stored/read from the card, JJ/MM/AAAA: "01/19/1942" (invoice 203) is a
    # lunar date, day 01 month 19 (twins/unknown-date convention), not a US-ordered date; never reformat it.
    return Content("\n").join([
        _pairs(("Nom", d.benef_nom), ("Prénom", d.benef_prenom), ("NIR", d.nir)),
        _pairs(("Rang", d.rang_label), ("Date Naissance", d.birth_date), width=34),
    ])


def parts_lines(d: InvoiceDetail) -> Content:
    return Content("\n").join([
        _pairs(("Montant AMO demandé", format_euros(d.amo_demande_cents)),
               ("Montant AMO payé", format_euros(d.amo_paye_cents)), ("État AMO", d.etat_amo or NA), width=27),
        _pairs(("Montant AMC demandé", format_euros(d.amc_demande_cents)),
               ("Montant AMC payé", format_euros(d.amc_paye_cents)), ("État AMC", d.etat_amc or NA), width=27),
    ])


def diagnosis_lines(d: InvoiceDetail) -> Content:
    """For each known reject code (once): title, diagnosis and suggested fix."""
    seen: set[str] = set()
    blocks: list[Content] = []
    for r in d.rejects:
        diag = r.diagnosis
        if diag is None or r.code in seen:
            continue
        seen.add(r.code)
        note = ""
        if diag.par_libelle:
            note = " (code non documenté : interprétation du libellé)"
        elif diag.source != "manuel":
            note = " (diagnostic déduit : la liste officielle des codes n'est pas publiée)"
        blocks.append(Content.assemble((f"{r.code} — {diag.titre}", "bold"), (note, "italic"), "\n",
                                       ("Diagnostic : ", "bold"), diag.explication, "\n",
                                       ("Correction proposée : ", "bold"), diag.correction))
    if not blocks and d.rejects:
        return Content("Aucun diagnostic connu pour ces codes : voir le libellé complet ci-dessus.")
    return Content("\n\n").join(blocks)


class InvoiceDetailDialog(ReportsWorkerErrors, InvoiceFlows, ModalScreen[bool]):
    """Dismisses True when a hand action changed the invoice (the list then reloads)."""

    COMMAND_SPECS = (
        Command("detail_close", "escape", "close", "Fermer", "Fermer le détail de la facture."),
        Command("detail_manuel", "f6", "manuel", "Traitement manuel",
                "Indiquer que le rejet a été géré manuellement (question, puis motif obligatoire)."),
        Command("detail_etat", "f7", "etat", "Changer l'état",
                "Modifier l'état AMO ou AMC une fois l'organisme payé (motif obligatoire)."),
        Command("detail_lettrage", "f8", "lettrage", "Lettrage", "Lettrer manuellement la facture."),
        Command("detail_export", "ctrl+s", "export", "Exporter les données",
                "Écrire le détail de la facture et ses rejets dans un fichier CSV."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Loaded(Message):
        def __init__(self, detail: InvoiceDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, invoice_id: int) -> None:
        super().__init__()
        self.invoice_id = invoice_id
        self.detail: InvoiceDetail | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="invoice-detail"):
            yield Label("Suivi des factures Tiers Payant - Détail facture", classes="dialog-title")
            with VerticalScroll(id="detail-body"):
                yield Static("Chargement…", id="detail-head")
                yield Label("Bénéficiaire", classes="section-title")
                yield Static("", id="detail-benef")
                yield Static("", id="detail-parts")
                yield Label("Rejets/Différés", classes="section-title", id="detail-rejects-title")
                yield ColumnScrollTable(cursor_type="row", show_cursor=False, id="detail-rejects")
                yield Static("", id="detail-diagnosis")
            with Horizontal(classes="dialog-buttons"):
                yield Button("←", id="close", compact=True)
                yield Button("Traitement manuel F6", id="manuel", compact=True)
                yield Button("État F7", id="etat", compact=True)
                yield Button("Lettrage F8", id="lettrage", compact=True)
                yield Button("Exporter les données ^S", id="export", compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#detail-rejects", ColumnScrollTable)
        for label, width in REJECT_COLUMNS:
            table.add_column(label, width=width)
        self.query_one("#detail-body").focus()
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="detail-load")
    def load(self) -> None:
        self.post_message(self.Loaded(suivi_service(self.app).invoice_detail(self.invoice_id)))

    def on_invoice_detail_dialog_loaded(self, message: Loaded) -> None:
        message.stop()
        self.show(message.detail)

    def show(self, d: InvoiceDetail) -> None:
        self.detail = d
        self.query_one("#detail-head", Static).update(head_lines(d))
        self.query_one("#detail-benef", Static).update(benef_lines(d))
        self.query_one("#detail-parts", Static).update(parts_lines(d))
        table = self.query_one("#detail-rejects", ColumnScrollTable)
        table.clear()
        for r in d.rejects:
            label = "\n".join(textwrap.wrap(r.libelle, LABEL_WIDTH)) or ""
            table.add_row(short_date(r.date), r.traitement, r.part, r.code, label, r.prestation,
                          long_date(r.date_soins), r.niveau, r.execution, height=max(1, label.count("\n") + 1))
        self.query_one("#detail-rejects-title", Label).update(
            f"Rejets/Différés ({len(d.rejects)})" if d.rejects else "Rejets/Différés : aucun")
        table.display = bool(d.rejects)
        self.query_one("#detail-diagnosis", Static).update(diagnosis_lines(d))
        self.query_one("#manuel", Button).disabled = not d.can_treat_manually
        self.query_one("#lettrage", Button).disabled = not d.can_letter

    # -- InvoiceFlows hook --
    def invoice_changed(self, detail: InvoiceDetail | None, message: str) -> None:
        if detail is not None:
            self.changed = True
            self.show(detail)

    # -- actions --
    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        getattr(self, f"action_{event.button.id or 'close'}")()

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_manuel(self) -> None:
        d = self.detail
        if d is None:
            return
        if not d.can_treat_manually:
            why = "déjà traitée manuellement" if d.manuel else "ni rejetée, ni différée, ni en anomalie"
            self.app.notify(f"La facture N° {d.numero} est {why}.", timeout=4)
            return
        self.flow_traitement_manuel(d.invoice_id, d.numero)

    def action_etat(self) -> None:
        if self.detail is not None:
            self.flow_changer_etat(self.detail.invoice_id)

    def action_lettrage(self) -> None:
        d = self.detail
        if d is not None:
            self.flow_lettrer(d.invoice_id, d.numero, d.reste_cents, d.lettree)

    def action_export(self) -> None:
        if self.detail is not None:
            self.flow_export(self.detail.invoice_id)
