"""Tiers Payant > Télétransmissions (manual VI): the lists "À Télétransmettre" and "Télétransmis",
"Télétransmettre Auto" (F9), the step dialog "Télétransmission" (F8), the lot detail (Entrée), re-sending
a lot without ARL (Ctrl+R) and "Impression Lot N°" (F7, the bordereau)."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, RadioButton, RadioSet, Static, Tabs
from textual.worker import get_current_worker

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.domain.money import format_euros
from core.errors import ValidationError
from core.services.lot_states import LotState, can_transition
from core.services.lots import FSE_SECURISE, ATeletransmettreRow, TeletransmisRow
from core.services.teletransmission import ACTION_HINTS
from screens.teletransmission_dialog import (ACTOR, RunFinished, RunOutcome, RunProgress, StepProgress,
                                             TeletransmissionDialog, TeletransmissionReportDialog, attention_lines,
                                             ensure_cps_code, run_auto, summary_line, teletransmission_service)

A_TELETRANSMETTRE, TELETRANSMIS = "a", "t"

# (label, key, width). The manual's columns; at 80 columns the ones needed to decide what leaves come
# first (who, which invoice, amounts, État FSE), the others follow and ←/→ scroll to them.
A_COLUMNS = (("Nom", "nom", 9), ("Prénom", "prenom", 8), ("N°\nFact", "numero", 4), ("Facture", "date", 8),
             ("Mt RO", "mt_ro", 6), ("RO", "ro", 2), ("Mt RC", "mt_rc", 6), ("RC", "rc", 2),
             ("État FSE", "etat", 13), ("SV", "sv", 3), ("PJ", "pj", 8), ("Mt Fact", "mt_fact", 8),
             ("Caisse RO", "caisse", 16), ("Mutuelle", "mutuelle", 18))
T_COLUMNS = (("Date\nréception", "reception", 9), ("Date lot", "date_lot", 8), ("Lot", "lot", 3),
             ("Org.Dest.", "org", 10), ("Etat lot", "etat", 17), ("Libellé ARL/RSP", "libelle", 17),
             ("Trait.\nErreur", "erreur", 10), ("Manuel", "manuel", 6), ("Traitement\nRSP", "rsp", 10),
             ("id PS", "id_ps", 11))
NOTE = ("Seules les FSE « Sécurisé » ({ready} sur {total}) sont télétransmises (SV ou DEG dans la colonne "
        "« SV »). « TP Calculé », « FSE supprimée » : retourner sur le dossier pour créer la FSE.")
RESENDABLE = LotState.REEXPEDIE


def _cut(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def _money(cents: int) -> Text:
    return Text(format_euros(cents), justify="right", no_wrap=True)


def a_cells(r: ATeletransmettreRow) -> tuple[str | Text, ...]:
    etat_style = "bold" if r.etat_fse == FSE_SECURISE else "dim"
    return (_cut(r.nom), _cut(r.prenom), Text(str(r.numero_facture), justify="right"),
            r.facture_date.strftime("%d/%m/%y"), _money(r.montant_ro_cents), r.ro, _money(r.montant_rc_cents), r.rc,
            _cut(r.etat_fse, etat_style), r.sv, _cut(r.pj), _money(r.montant_facture_cents), _cut(r.caisse_ro),
            _cut(r.mutuelle))


# States longer than the "Etat lot" column: a readable abbreviation (the detail line gives the full state).
SHORT_STATES = {LotState.ABSENCE_MANUEL.value: "Abs. ARL Manuel", LotState.ABSENCE_RENVOYER.value: "Abs. ARL Renvoi"}


def action_hint(r: TeletransmisRow) -> str:
    """For a lot without ARL/RSP label that waits for the user: what to do."""
    hint = ACTION_HINTS.get(r.etat_lot, "")
    if hint and can_transition(r.etat_lot, RESENDABLE) and hint.startswith("Renvoyer"):
        hint += " (Ctrl+R)"
    return hint


def t_cells(r: TeletransmisRow) -> tuple[str | Text, ...]:
    style = "dim" if r.superseded else ""
    received = r.date_reception.strftime("%d/%m/%y") if r.date_reception else ""
    # The column is narrow: "Renvoyer le lot (Ctrl+R)" becomes "Renvoyer (Ctrl+R)"; the detail line has it all.
    libelle = r.libelle_arl_rsp or ("" if r.superseded else action_hint(r).replace("Renvoyer le lot", "Renvoyer"))
    return tuple(_cut(v, style) for v in (
        received, r.date_lot.strftime("%d/%m/%y"), r.lot, r.org_dest, SHORT_STATES.get(r.etat_lot, r.etat_lot),
        libelle,
        r.traitement_erreur, "Oui" if r.manuel else "", r.traitement_rsp, r.id_ps))


def a_detail(r: ATeletransmettreRow) -> str:
    parts = [f"Facture N° {r.numero_facture} du {r.facture_date:%d/%m/%Y}", f"{r.nom} {r.prenom}".strip(),
             f"Mt Fact {format_euros(r.montant_facture_cents)}",
             f"RO {format_euros(r.montant_ro_cents)}" + (f" ({r.ro})" if r.ro else ""),
             f"RC {format_euros(r.montant_rc_cents)}" + (f" ({r.rc})" if r.rc else "")]
    if r.caisse_ro:
        parts.append(f"Caisse RO : {r.caisse_ro}")
    if r.mutuelle:
        parts.append(f"Mutuelle : {r.mutuelle}")
    pj = f"PJ : {r.pj}" + (f" ({', '.join(r.pj_manquantes)})" if r.pj_manquantes else "")
    parts += [f"État FSE : {r.etat_fse}", pj]
    if r.etat_fse == FSE_SECURISE:
        parts.append("à lotir : " + " + ".join(r.parts_a_lotir))
    return " · ".join(parts)


def t_detail(r: TeletransmisRow) -> str:
    parts = [f"Lot {r.lot} ({'AMO' if r.kind == 'AMO' else 'DRE'}) {r.org_dest}", r.etat_lot,
             f"{r.fse_count} FSE"]
    if r.file_name:
        parts.append(f"fichier {r.file_name}" + (f", envoi n° {r.send_count}" if r.send_count > 1 else ""))
    if r.libelle_arl_rsp:
        parts.append(r.libelle_arl_rsp)
    elif not r.superseded and action_hint(r):
        parts.append(action_hint(r))
    if r.superseded:
        parts.append("ancien lot : numéro réutilisé, seul le plus récent est pris en compte")
    keys = ["Entrée détail", "F7 bordereau"]
    if can_transition(r.etat_lot, RESENDABLE):
        keys.append("Ctrl+R renvoyer")
    return " · ".join(parts + keys)


class TeletransmissionsPane(ReportsWorkerErrors, Vertical):
    COMMAND_SPECS = (
        Command("tt_auto", "f9", "auto", "Télétrans. Auto",
                "Mettre en lot, mettre en fichier, envoyer et recevoir, en une fois."),
        Command("tt_steps", "f8", "steps", "Étapes",
                "Ouvrir la fenêtre « Télétransmission » : les étapes une à une (norme SESAM-Vitale)."),
        Command("tt_print", "f7", "print", "Impression",
                "Réimprimer le bordereau de télétransmission d'un lot (Impression Lot N°).", show=False),
        Command("tt_switch", "f6", "switch", "Liste",
                "Passer de la liste « À Télétransmettre » à la liste « Télétransmis » et inversement."),
        Command("tt_refresh", "f5", "refresh", "Actualiser", "Relire les listes.", show=False),
        Command("tt_resend", "ctrl+r", "resend", "Renvoyer",
                "Renvoyer le fichier du lot sélectionné (lot « Absence ARL Renvoyer lot »).", show=False),
        Command("tt_detail", "enter", "detail", "Détail lot", "Afficher le détail du lot sélectionné.",
                show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Listed(Message):
        def __init__(self, a_rows: tuple[ATeletransmettreRow, ...], t_rows: tuple[TeletransmisRow, ...],
                     edition: bool, select_lot: int | None) -> None:
            super().__init__()
            self.a_rows = a_rows
            self.t_rows = t_rows
            self.edition = edition
            self.select_lot = select_lot

    class Done(Message):
        """A one-off action finished (re-send, bordereau): what to tell, which lot to keep selected."""

        def __init__(self, text: str, lot_id: int | None = None) -> None:
            super().__init__()
            self.text = text
            self.lot_id = lot_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.mode = A_TELETRANSMETTRE
        self.a_rows: dict[int, ATeletransmettreRow] = {}
        self.t_rows: dict[int, TeletransmisRow] = {}
        self.running = False
        # "Edition après Télétransmission" (Paramétrage SV), read with the lists: the default of the step
        # dialog's "Edition Bordereau".
        self.edition_setting = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="tt-bar"):
            with RadioSet(id="tt-switch", compact=True):
                yield RadioButton("À Télétransmettre", value=True, id="tt-mode-a", compact=True)
                yield RadioButton("Télétransmis", id="tt-mode-t", compact=True)
            yield Static("", id="tt-count")
            yield Static(f"(date du jour : {self.app.clock.today():%d/%m/%y})", id="tt-today")  # type: ignore[attr-defined]
        yield DataTable(cursor_type="row", zebra_stripes=True, header_height=2, id="tt-a-table")
        yield DataTable(cursor_type="row", zebra_stripes=True, header_height=2, id="tt-t-table")
        yield Static(NOTE.format(ready=0, total=0), id="tt-note")
        yield Static("", id="tt-detail")
        yield RunProgress(id="tt-progress")

    def on_mount(self) -> None:
        for table_id, columns in (("#tt-a-table", A_COLUMNS), ("#tt-t-table", T_COLUMNS)):
            table = self.query_one(table_id, DataTable)
            for label, key, width in columns:
                table.add_column(label, key=key, width=width)
        self.query_one(RunProgress).stop()
        self._show_mode()
        self.refresh_lists()
        # The first tab of Tiers Payant: its keys (F9...) work at once, without a Tab first.
        self.call_after_refresh(self._take_focus)

    def _take_focus(self) -> None:
        if self.screen.focused is None or isinstance(self.screen.focused, Tabs):
            self.current_table().focus()

    def on_show(self) -> None:
        self.refresh_lists()

    # --- data ---------------------------------------------------------------------------------------------
    def refresh_lists(self, select_lot: int | None = None) -> None:
        self._list(select_lot)

    @work(thread=True, exit_on_error=False, exclusive=True, group="tt-list")
    def _list(self, select_lot: int | None) -> None:
        service = teletransmission_service(self.app)
        a_rows, t_rows = service.a_teletransmettre(), service.teletransmis()
        edition = self.app.services.settings.get().sv.edition_apres_teletransmission  # type: ignore[attr-defined]
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(a_rows, t_rows, edition, select_lot))

    def on_teletransmissions_pane_listed(self, message: Listed) -> None:
        message.stop()
        self.edition_setting = message.edition
        self.a_rows = {r.fse_id: r for r in message.a_rows}
        self.t_rows = {r.lot_id: r for r in message.t_rows}
        self._fill(self.query_one("#tt-a-table", DataTable), [(r.fse_id, a_cells(r)) for r in message.a_rows], None)
        self._fill(self.query_one("#tt-t-table", DataTable), [(r.lot_id, t_cells(r)) for r in message.t_rows],
                   message.select_lot)
        self._show_count()
        self._show_detail()

    @staticmethod
    def _fill(table: DataTable, rows: list[tuple[int, tuple]], select: int | None) -> None:
        previous = None
        if table.row_count:
            previous = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        table.clear()
        keys = set()
        for key, cells in rows:
            table.add_row(*cells, key=str(key))
            keys.add(str(key))
        for keep in (str(select) if select is not None else None, previous):
            if keep in keys:
                table.move_cursor(row=table.get_row_index(keep))
                break

    def _show_count(self) -> None:
        if self.mode == A_TELETRANSMETTRE:
            ready = sum(1 for r in self.a_rows.values() if r.etat_fse == FSE_SECURISE)
            text = f"{len(self.a_rows)} FSE"
            self.query_one("#tt-note", Static).update(NOTE.format(ready=ready, total=len(self.a_rows)))
        else:
            text = f"{len(self.t_rows)} lot(s)"
        self.query_one("#tt-count", Static).update(text)

    def current_table(self) -> DataTable:
        return self.query_one("#tt-a-table" if self.mode == A_TELETRANSMETTRE else "#tt-t-table", DataTable)

    def highlighted(self) -> ATeletransmettreRow | TeletransmisRow | None:
        table = self.current_table()
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is None:
            return None
        rows = self.a_rows if self.mode == A_TELETRANSMETTRE else self.t_rows
        return rows.get(int(key))  # type: ignore[return-value]

    def highlighted_lot(self) -> TeletransmisRow | None:
        row = self.highlighted() if self.mode == TELETRANSMIS else None
        return row if isinstance(row, TeletransmisRow) else None

    def _show_detail(self) -> None:
        row = self.highlighted()
        if isinstance(row, ATeletransmettreRow):
            text = a_detail(row)
        elif isinstance(row, TeletransmisRow):
            text = t_detail(row)
        else:
            text = "Aucune FSE à télétransmettre." if self.mode == A_TELETRANSMETTRE else "Aucun lot télétransmis."
        self.query_one("#tt-detail", Static).update(text)

    # --- list switch ------------------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        had_focus = self.current_table().has_focus
        self.mode = mode
        self._show_mode()
        if had_focus:
            self.current_table().focus()

    def _show_mode(self) -> None:
        a_mode = self.mode == A_TELETRANSMETTRE
        self.query_one("#tt-a-table").display = a_mode
        self.query_one("#tt-note").display = a_mode
        self.query_one("#tt-t-table").display = not a_mode
        button = self.query_one("#tt-mode-a" if a_mode else "#tt-mode-t", RadioButton)
        if not button.value:
            button.value = True  # its RadioSet.Changed comes back to set_mode, which sees nothing to do
        self._show_count()
        self._show_detail()

    @on(RadioSet.Changed, "#tt-switch")
    def _switched(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.set_mode(A_TELETRANSMETTRE if event.pressed.id == "tt-mode-a" else TELETRANSMIS)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#tt-t-table")
    def _lot_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    # --- actions ------------------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.refresh_lists()

    def action_switch(self) -> None:
        self.set_mode(TELETRANSMIS if self.mode == A_TELETRANSMETTRE else A_TELETRANSMETTRE)

    def action_detail(self) -> None:
        lot = self.highlighted_lot()
        if lot is None:
            if self.mode == A_TELETRANSMETTRE:
                self.app.notify("Le détail porte sur un lot : F6 pour la liste « Télétransmis ».", timeout=3)
            return
        from screens.lot_detail import LotDetailDialog

        self.app.push_screen(LotDetailDialog(lot.lot_id))

    def _busy(self) -> bool:
        if self.running:
            self.app.notify("Télétransmission en cours : patientez.", timeout=3)
        return self.running

    def action_auto(self) -> None:
        if not self._busy():
            self._start_auto()

    @work(exclusive=True, group="tt-cps", exit_on_error=False)
    async def _start_auto(self) -> None:
        if not await ensure_cps_code(self.app):
            self.app.notify("Code CPS non saisi : télétransmission non lancée.", timeout=4)
            return
        self.running = True
        self.query_one(RunProgress).start()
        self._run_auto()

    @work(thread=True, exclusive=True, group="tt-run", exit_on_error=False, description="Télétransmettre Auto")
    def _run_auto(self) -> None:
        try:
            outcome = run_auto(teletransmission_service(self.app),
                               lambda step, done, total: self.post_message(StepProgress(step, done, total)))
        finally:
            self.app.call_from_thread(self._stopped)
        self.post_message(RunFinished(outcome))

    def _stopped(self) -> None:
        self.running = False
        self.query_one(RunProgress).stop()
        self.refresh_lists()  # whatever happened, show the lists as they are now

    def on_step_progress(self, message: StepProgress) -> None:
        message.stop()
        self.query_one(RunProgress).show_step(message.step, message.done, message.total)

    def on_run_finished(self, message: RunFinished) -> None:
        message.stop()
        self.report(message.outcome)

    def report(self, outcome: RunOutcome) -> None:
        """After a run: the Télétransmis list, one notification, and a dialog when something needs the user."""
        self.set_mode(TELETRANSMIS)
        sent = outcome.summary.envoi.sent if outcome.summary.envoi else ()
        self.refresh_lists(select_lot=sent[0].lot_id if sent else None)
        attention = outcome.summary.needs_attention
        self.app.notify(summary_line(outcome), severity="warning" if attention else "information", timeout=8)
        if attention:
            self.app.push_screen(TeletransmissionReportDialog(
                attention_lines(outcome.summary) or ["Voir les listes : un lot ou une FSE demande votre attention."]))

    def action_steps(self) -> None:
        if self._busy():
            return

        def closed(outcome: RunOutcome | None) -> None:
            if outcome is not None:
                self.report(outcome)
            else:
                self.refresh_lists()

        self.app.push_screen(TeletransmissionDialog(edition_bordereau=self.edition_setting), closed)

    def action_resend(self) -> None:
        lot = self.highlighted_lot()
        if lot is None:
            self.app.notify("Choisissez un lot dans la liste « Télétransmis » (F6).", timeout=3)
            return
        if not can_transition(lot.etat_lot, RESENDABLE):
            self.app.notify(f"Le lot {lot.lot} est à l'état « {lot.etat_lot} » : il ne peut pas être renvoyé "
                            f"(lot « {LotState.ABSENCE_RENVOYER.value} » attendu).", timeout=4)
            return
        if self._busy():
            return
        from screens.dialogs import ConfirmDialog

        question = (f"Renvoyer le lot {lot.lot} ({lot.org_dest}) ?\nLe même fichier {lot.file_name} sera envoyé "
                    f"une nouvelle fois (envoi n° {lot.send_count + 1}) et le lot passera à l'état "
                    f"« {RESENDABLE.value} ».")

        def answered(yes: bool | None) -> None:
            if yes:
                self._resend(lot.lot_id)

        self.app.push_screen(ConfirmDialog(question, title="Renvoyer lot"), answered)

    @work(thread=True, exclusive=True, group="tt-run", exit_on_error=False, description="Renvoyer lot")
    def _resend(self, lot_id: int) -> None:
        row = teletransmission_service(self.app).renvoyer(lot_id, actor=ACTOR)
        self.post_message(self.Done(f"Lot {row.lot} ({row.org_dest}) renvoyé : {row.etat_lot}, "
                                    f"envoi n° {row.send_count}.", row.lot_id))

    def on_teletransmissions_pane_done(self, message: Done) -> None:
        message.stop()
        self.app.notify(message.text, timeout=8)
        self.refresh_lists(select_lot=message.lot_id)

    def action_print(self) -> None:
        from screens.lot_print import LotPrintDialog

        lot = self.highlighted_lot()

        def chosen(number: str | None) -> None:
            if number:
                self._print(number)

        self.app.push_screen(LotPrintDialog(lot.lot if lot else ""), chosen)

    @work(thread=True, exclusive=True, group="tt-bordereau", exit_on_error=False, description="Bordereau")
    def _print(self, number: str) -> None:
        from core.reports.bordereau import write_bordereau

        service = teletransmission_service(self.app)
        row = service.lot_par_numero(number)
        if row is None:
            raise ValidationError(f"Lot N° {number} introuvable.", log=f"bordereau: no lot {number!r}",
                                  code="lot.unknown")
        result = write_bordereau(service.ctx, [row.lot_id])
        self.post_message(self.Done(f"Bordereau du lot {row.lot} édité : {result.path}", row.lot_id))
