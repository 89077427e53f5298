""""AreaFSE - Facture (Flux de Démonstration)" (manual §IV): the recap of the FSE about to be signed.

Nothing is editable here ("Rien n'est modifiable sur cet écran"): if something is wrong, make an avoir of
the dossier. F10 "Signer" returns "signer" (the flow asks the CPS code and signs), F8 "Avoir" returns
"avoir" (the flow asks the reason), Escape returns None (the FSE stays "TP Calculé").
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Label, Static

from app.commands import Command, bindings
from core.services.counter_dto import FseRecapDTO
from screens.counter_flow_common import CounterDialog, check_mark, euros, fr_date

__all__ = ["FseRecapDialog", "LINE_COLUMNS", "SIGNER", "AVOIR"]

SIGNER = "signer"
AVOIR = "avoir"
# (header, width): narrow enough for the nine columns to fit at 80 columns; headers are cut as in the manual
# ("Code Presta...", "Base Rembo...").
LINE_COLUMNS = (("Code Presta", 4), ("Date Exécut.", 10), ("Honoraires", 9), ("Base Rembo.", 8), ("Taux", 4),
                ("Exo. TM", 3), ("Remb. AMO", 9), ("Remb. AMC", 9), ("Form. AMC", 4))


def _block(title: str, *lines: str) -> Text:
    """A titled block; plain Text so that names are never read as markup."""
    return Text.assemble((title, "bold"), *(f"\n {line}" for line in lines))


def _money(cents: int) -> Text:
    return Text(euros(cents, symbol=True), justify="right")


class FseRecapDialog(CounterDialog["str | None"]):
    HELP_TITLE = 'Récapitulatif de la FSE'  # section title of the F1 help
    COMMAND_SPECS = (
        Command("fse_recap_sign", "f10", "sign", "Signer", "Signer la FSE avec la CPS (code porteur)."),
        Command("fse_recap_avoir", "f8", "avoir", "Avoir", "Faire un avoir du dossier (motif obligatoire)."),
        Command("fse_recap_close", "escape", "close", "Fermer", "Fermer ; la FSE reste à signer (TP Calculé)."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, recap: FseRecapDTO, *, can_sign: bool = True) -> None:
        super().__init__()
        self.recap = recap
        self.can_sign = can_sign and recap.state == "TP Calculé"

    def compose(self) -> ComposeResult:
        r = self.recap
        b, p = r.beneficiaire, r.prescription
        with Vertical(classes="dialog", id="recap-dialog"):
            yield Label(r.title, classes="dialog-title")
            with VerticalScroll(id="recap-body", can_focus=False):
                with Horizontal(id="recap-head"):
                    yield Static(r.facture_label, id="recap-facture")
                    yield Static(r.mode_label, id="recap-mode")
                with Horizontal(id="recap-blocks"):
                    droits = (f"[Détermination des droits : {fr_date(b.date_droits)}]",) if b.date_droits else ()
                    yield Static(_block("Bénéficiaire", b.nom_prenom, f"{b.birth_date} - {b.rang}",
                                        f"{b.nir} {b.nir_key}", f"AMO : {b.amo}", *droits), id="recap-beneficiaire")
                    lines = (p.numero_am, fr_date(p.date), f"RPPS : {p.rpps}") if p else ("(aucune)",)
                    yield Static(_block("Prescription", *lines), id="recap-prescription")
                yield Label("Produits et prestations délivrés", classes="section-title")
                yield DataTable(cursor_type="row", id="recap-lines", zebra_stripes=False)
                yield Label("Totaux", classes="section-title")
                yield Static(self._totals(), id="recap-totaux")
                yield Static(f"{check_mark(r.tiers_payant_amo)} Tiers Payant AMO   "
                             f"{check_mark(r.facturation_amc)} Facturation AMC   "
                             f"{check_mark(r.tiers_payant_amc)} Tiers Payant AMC", id="recap-tp")
                if r.has_dre:
                    yield Static(f"DRE : {r.dre_mutuelle}", id="recap-dre")
                yield Static(self._state_line(), id="recap-state", classes="muted")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Fermer (Échap)", id="close", compact=True)
                yield Button("Avoir (F8)", id="avoir", compact=True)
                yield Button("✓ Signer (F10)", id="sign", variant="primary", compact=True, disabled=not self.can_sign)

    def _totals(self) -> str:
        r = self.recap
        heads = ("Honoraires", "Avance AMO", "Avance AMC", "Restant dû")
        values = (r.honoraires_cents, r.avance_amo_cents, r.avance_amc_cents, r.restant_du_cents)
        return ("  ".join(f"{h:>12}" for h in heads) + "\n"
                + "  ".join(f"{euros(v, symbol=True):>12}" for v in values))

    def _state_line(self) -> str:
        r = self.recap
        text = f"État : {r.state}"
        if r.signed_at:
            text += f" le {r.signed_at:%d/%m/%Y à %H:%M}"
        if r.state == "TP Calculé":
            text += " — rien n'est modifiable ici : en cas d'erreur, faites un avoir (F8)."
        return text

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in LINE_COLUMNS:
            table.add_column(label, key=label, width=width)
        for line in self.recap.lines:
            table.add_row(line.code_presta, fr_date(line.date_exec), _money(line.honoraires_cents),
                          _money(line.base_cents), Text(f"{line.taux}%", justify="right"), line.exo_tm,
                          _money(line.remb_amo_cents), _money(line.remb_amc_cents), line.form_amc)
        self.query_one("#sign" if self.can_sign else "#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"sign": self.action_sign, "avoir": self.action_avoir}.get(event.button.id or "", self.action_close)()

    def action_sign(self) -> None:
        if self.can_sign:
            self.dismiss(SIGNER)

    def action_avoir(self) -> None:
        self.dismiss(AVOIR)

    def action_close(self) -> None:
        self.dismiss(None)
