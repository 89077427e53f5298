""""Détail remboursements" (button TP, manual §III.A and §V): tabs RC1, RC2, PEC, SESAM Vitale.

RC tabs: the prix libres table with the manual's columns (Rb, Acte, T, Détail, Lpp, Net, Base RO, Rbt RO,
Rbt RC, Rbt RO+RC, À Charge, ALD, ETM) and its totals row, then the "100% SANTÉ" table with the "Contrat non
responsable" box. At 80 columns the first four columns stay in place and ←/→ scroll the amounts. RO shows
0,00 until "Vérif. taux" ran (the status line then says so); typing an RC1/RC2 amount (Entrée on a line, then
Entrée to save) makes the check stale and the status line gives the service's reason.

Keys: F9 Vérif. taux, F6 SESAM-Vitale, F10 Valider (runs Vérif. taux first when it was never done or is
stale, as the manual says for Valider), Escape Retour. Returns True when something changed.
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Static, TabbedContent, TabPane, Tabs

from app.commands import Command, bindings
from core.domain.money import parse_euros
from core.errors import ValidationError
from core.services.counter_dto import (MODE_SECURISATION_CHOICES, RateCheckStatusDTO, RcTabDTO,
                                       ReimbursementDetailDTO, ReimbursementRowDTO, ReimbursementTableDTO,
                                       label_of)
from screens.counter_flow_common import CounterDialog, check_mark, counter, error_line, euros, fr_date
from screens.pec_tab import PecTab

__all__ = ["DetailRemboursementsDialog", "RcTabView", "COLUMNS", "NEVER_CHECKED", "status_text"]

# (header, width, right-aligned); widths keep Rb..Rbt RC inside an 80-column terminal.
COLUMNS = (("Rb", 2, False), ("Acte", 4, False), ("T", 1, False), ("Détail", 14, False), ("Lpp", 7, False),
           ("Net", 7, True), ("Base RO", 7, True), ("Rbt RO", 6, True), ("Rbt RC", 6, True), ("Rbt RO+RC", 9, True),
           ("À Charge", 8, True), ("ALD", 3, False), ("ETM", 3, False))
FIXED_COLUMNS = 4
NEVER_CHECKED = "La vérification du taux n'a jamais été demandée sur ce dossier"


def status_text(status: RateCheckStatusDTO) -> str:
    """The status line under the tabs (manual §III.A wording)."""
    if not status.exists:
        return (f"{NEVER_CHECKED} : les montants RO sont à 0,00. Lancez « Vérif. taux » (F9) ; sans elle le "
                "dossier ne peut pas être facturé.")
    if status.is_stale:
        return f"Vérification du taux à relancer (F9) : {status.stale_reason}"
    mode = label_of(MODE_SECURISATION_CHOICES, status.mode_securisation).split(" - ")[0]
    when = f"{status.checked_at:%d/%m/%Y à %H:%M}" if status.checked_at else ""
    return f"Taux vérifié le {when} : {status.taux} % {status.situation_label} — {mode}".replace("  ", " ")


def _cells(row: ReimbursementRowDTO) -> list[Text]:
    values = (check_mark(row.rb), row.acte, row.t, row.detail, row.lpp, euros(row.net_cents),
              euros(row.base_ro_cents), euros(row.rbt_ro_cents), euros(row.rbt_rc_cents), euros(row.rbt_ro_rc_cents),
              euros(row.a_charge_cents), row.ald, row.etm)
    return [Text(v, justify="right") if right else Text(v, no_wrap=True, overflow="ellipsis")
            for v, (_, _, right) in zip(values, COLUMNS)]


def _total_cells(table: ReimbursementTableDTO) -> list[Text]:
    t = table.totals
    amounts = (t.net_cents, t.base_ro_cents, t.rbt_ro_cents, t.rbt_rc_cents, t.rbt_ro_rc_cents, t.a_charge_cents)
    return ([Text("")] * 5 + [Text(euros(v), justify="right", style="bold") for v in amounts] + [Text("")] * 2)


class RcTabView(VerticalScroll):
    """One RC tab: prix libres table, "100% SANTÉ" table, and the RC amount editor of the highlighted line."""

    def __init__(self, part: str, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False, classes="rc-tab")
        self.part = part
        self.rows: dict[str, ReimbursementRowDTO] = {}
        self.selected: ReimbursementRowDTO | None = None
        self.source: DataTable | None = None       # the table the edited line comes from

    def compose(self) -> ComposeResult:
        yield self._table("libres")
        with Horizontal(classes="sante-line"):
            yield Label("100% SANTÉ", classes="section-title")
            yield Checkbox("Contrat non responsable", id=f"{self.part}-non-responsable", compact=True)
        yield self._table("sante")
        with Horizontal(classes="rc-editor"):
            yield Static("", classes="rc-line")
            yield Label("RC1", classes="inner-label")
            yield Input(id=f"{self.part}-rc1", compact=True, placeholder="0,00", restrict=r"[0-9,. ]*",
                        classes="rc-input", max_length=10)
            yield Label("RC2", classes="inner-label")
            yield Input(id=f"{self.part}-rc2", compact=True, placeholder="0,00", restrict=r"[0-9,. ]*",
                        classes="rc-input", max_length=10)

    def _table(self, kind: str) -> DataTable:
        table: DataTable = DataTable(cursor_type="row", fixed_columns=FIXED_COLUMNS, id=f"{self.part}-{kind}",
                                     classes="detail-table")
        for label, width, _ in COLUMNS:
            table.add_column(label, width=width, key=label)
        return table

    def show(self, tab: RcTabDTO) -> None:
        for kind, data in (("libres", tab.prix_libres), ("sante", tab.cent_pour_cent_sante)):
            table = self.query_one(f"#{self.part}-{kind}", DataTable)
            cursor = table.cursor_row
            table.clear()
            for row in data.rows:
                key = str(row.article_id)
                self.rows[key] = row
                table.add_row(*_cells(row), key=key)
            table.add_row(*_total_cells(data), key="total")
            if 0 <= cursor < table.row_count:
                table.move_cursor(row=cursor, animate=False)
        box = self.query_one(f"#{self.part}-non-responsable", Checkbox)
        with box.prevent(Checkbox.Changed):
            box.value = tab.contrat_non_responsable
        if self.selected is not None:
            self.select(self.rows.get(str(self.selected.article_id)))
        elif tab.prix_libres.rows:
            self.select(tab.prix_libres.rows[0])

    @on(DataTable.RowHighlighted, ".detail-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.rows.get(str(event.row_key.value))
        if row is not None:
            self.source = event.data_table
            self.select(row)

    @on(DataTable.RowSelected, ".detail-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        row = self.rows.get(str(event.row_key.value))
        if row is not None:
            self.source = event.data_table
            self.select(row)
            self.query_one(f"#{self.part}-rc1", Input).focus()

    def select(self, row: ReimbursementRowDTO | None) -> None:
        self.selected = row
        self.query_one(".rc-line", Static).update(f"Ligne : {row.detail}" if row else "Ligne : —")
        self.query_one(f"#{self.part}-rc1", Input).value = euros(row.rc1_cents) if row else ""
        self.query_one(f"#{self.part}-rc2", Input).value = euros(row.rc2_cents) if row else ""

    def amounts(self) -> tuple[int, int]:
        """The typed RC1 / RC2 amounts in cents (blank = 0); ValidationError in French."""
        values = []
        for name in ("rc1", "rc2"):
            text = self.query_one(f"#{self.part}-{name}", Input).value.strip()
            try:
                values.append(parse_euros(text) if text else 0)
            except ValidationError as exc:
                raise ValidationError(f"{name.upper()} : {exc.message_fr}", log=exc.log, code="RC") from exc
        return values[0], values[1]


class DetailRemboursementsDialog(CounterDialog[bool]):
    HELP_TITLE = 'Détail remboursements'  # section title of the F1 help
    COMMAND_SPECS = (
        Command("detail_verif_taux", "f9", "verif_taux", "Vérif. taux",
                "Faire calculer le taux et les montants RO par le moteur SESAM-Vitale."),
        Command("detail_sesam_vitale", "f6", "sesam_vitale", "SESAM-Vitale",
                "Forçages : Maternité, Situation ETM, Service AMO, Siècle naissance, Attestation AMC."),
        Command("detail_validate", "f10", "validate", "Valider",
                "Valider (lance la vérification du taux si elle n'a jamais été faite ou doit être relancée)."),
        Command("detail_close", "escape", "close", "Retour", "Fermer le détail des remboursements."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, dossier_id: int, detail: ReimbursementDetailDTO | None = None) -> None:
        super().__init__()
        self.dossier_id = dossier_id
        self.detail = detail
        self.changed = False
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="detail-dialog"):
            with Horizontal(id="detail-head"):
                yield Label("Détail remboursements", classes="dialog-title")
                yield Static("", id="detail-header")
            with TabbedContent(id="detail-tabs"):
                with TabPane("RC1", id="tab-rc1"):
                    yield RcTabView("rc1", id="view-rc1")
                with TabPane("RC2", id="tab-rc2"):
                    yield RcTabView("rc2", id="view-rc2")
                with TabPane("PEC", id="tab-pec"):
                    yield PecTab(self.dossier_id, self.detail.pec if self.detail else None, id="pec-tab")
                with TabPane("SESAM Vitale", id="tab-sv"):
                    with VerticalScroll(can_focus=False):
                        yield Static("", id="sv-summary")
            yield Static("", id="detail-status")
            yield error_line()
            with Horizontal(classes="dialog-buttons"):
                yield Button("←", id="close", compact=True)
                yield Button("Vérif. taux (F9)", id="verif_taux", compact=True)
                yield Button("SESAM-Vitale (F6)", id="sesam_vitale", compact=True)
                yield Button("✓ Valider (F10)", id="validate", variant="primary", compact=True)

    def on_mount(self) -> None:
        if self.detail is not None:
            self.show(self.detail)
        else:
            self.load()
        self.query_one("#rc1-libres", DataTable).focus()

    # --- data ---------------------------------------------------------------------------------------
    @work(exclusive=True, group="detail-load", exit_on_error=False)
    async def load(self) -> None:
        ok, detail = await self.attempt(counter(self.app).dossiers.reimbursement_detail, self.dossier_id)
        if ok:
            self.show(detail)

    def show(self, detail: ReimbursementDetailDTO) -> None:
        self.detail = detail
        m1 = detail.rc1.mutuelle
        parts = (detail.tiers_payant_label, detail.taux_label, m1.label if m1 else "Mutuelle RC1")
        self.query_one("#detail-header", Static).update("  ".join(p for p in parts if p))
        tabs = self.query_one(TabbedContent)
        for part, tab in (("rc1", detail.rc1), ("rc2", detail.rc2)):
            name = part.upper()
            label = f"{name} : {tab.mutuelle.label}" if tab.mutuelle else name
            tabs.get_tab(f"tab-{part}").label = label if len(label) <= 24 else label[:21] + "..."
            self.query_one(f"#view-{part}", RcTabView).show(tab)
        status = self.query_one("#detail-status", Static)
        status.update(status_text(detail.rate_check))
        status.set_class(not detail.rate_check.exists or detail.rate_check.is_stale, "warning-text")
        self.query_one("#sv-summary", Static).update(self._sesam_vitale_text(detail))

    @staticmethod
    def _sesam_vitale_text(detail: ReimbursementDetailDTO) -> str:
        sv = detail.sesam_vitale
        lines = [f"Moteur : {sv.flux_label or 'SESAM-Vitale'}", status_text(sv.rate_check)]
        if sv.params is not None:
            lines += [f"Pièce Justif. AMO : {sv.params.piece_justif_amo_label}",
                      f"Nature Assurance : {sv.params.nature_assurance_label}",
                      f"Mode Sécurisation : {sv.params.mode_securisation_label}"]
        actifs = ", ".join(sv.forcages.actifs) or "aucun"
        lines.append(f"Forçages actifs : {actifs} (F6 SESAM-Vitale)")
        if sv.fse is not None:
            signed = f" le {fr_date(sv.fse.signed_at)}" if sv.fse.signed_at else ""
            lines.append(f"FSE n° {sv.fse.number:09d} : {sv.fse.state}{signed} ({sv.fse.mode})")
        return "\n".join(lines)

    @on(TabbedContent.TabActivated, "#detail-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """Keep the focus in the visible tab (a focus left in a hidden pane would switch back to it);
        when the user is moving along the tab headers, leave the focus there."""
        if isinstance(self.app.focused, Tabs):
            return
        target = next((w for w in event.pane.query("*") if w.focusable), None)
        (target or self.query_one(Tabs)).focus()

    # --- RC amounts ---------------------------------------------------------------------------------
    @on(Input.Submitted, ".rc-input")
    def _rc_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        view = next(v for v in self.query(RcTabView) if event.input in v.query(Input))
        if view.selected is None:
            self.set_error("Choisissez d'abord une ligne du tableau (Entrée).")
            return
        try:
            rc1, rc2 = view.amounts()
        except ValidationError as exc:
            self.set_error(exc.message_fr)
            return
        self.save_rc(view, view.selected.article_id, rc1, rc2)

    @work(exclusive=True, group="detail-write", exit_on_error=False)
    async def save_rc(self, view: RcTabView, article_id: int, rc1: int, rc2: int) -> None:
        ok, _ = await self.attempt(counter(self.app).dossiers.set_rc_amounts, article_id, rc1, rc2)
        if ok:
            self.changed = True
            self.set_error("")
            self.load()
            (view.source or view.query_one(".detail-table", DataTable)).focus()

    @on(Checkbox.Changed, "#rc1-non-responsable, #rc2-non-responsable")
    def _non_responsable(self, event: Checkbox.Changed) -> None:
        self.save_responsable(not event.value)

    @work(exclusive=True, group="detail-write", exit_on_error=False)
    async def save_responsable(self, responsable: bool) -> None:
        ok, _ = await self.attempt(counter(self.app).dossiers.set_contrat_responsable, self.dossier_id, responsable)
        if ok:
            self.changed = True
        self.load()

    @on(PecTab.Changed)
    def _pec_changed(self, event: PecTab.Changed) -> None:
        self.changed = True

    # --- actions ------------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"verif_taux": self.action_verif_taux, "sesam_vitale": self.action_sesam_vitale,
                   "validate": self.action_validate}
        actions.get(event.button.id or "", self.action_close)()

    def action_verif_taux(self) -> None:
        self.run_flow("rate_check")

    def action_sesam_vitale(self) -> None:
        self.run_flow("sesam_vitale")

    def action_validate(self) -> None:
        status = self.detail.rate_check if self.detail is not None else None
        if status is not None and status.exists and not status.is_stale:
            self.dismiss(self.changed)
            return
        self.run_flow("rate_check", close=True)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def run_flow(self, name: str, *, close: bool = False) -> None:
        if not self.busy:
            self.busy = True
            self._flow(name, close)

    @work(exclusive=True, group="counter-flow", exit_on_error=False)  # waits on dialogs
    async def _flow(self, name: str, close: bool) -> None:
        from screens import counter_flow

        try:
            if name == "rate_check":
                done = await counter_flow.run_rate_check(self.app, self.dossier_id)
            else:
                done = await counter_flow.open_sesam_vitale(self.app, self.dossier_id)
        finally:
            self.busy = False
        self.changed = self.changed or done
        if close and done:
            self.dismiss(True)
            return
        self.load()
