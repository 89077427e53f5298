""""Détail lot n°027 / Regime: 01 999" (manual VI): the lot's invoices with the manual's columns, and the
lot's state history. ←/→ scroll the columns at 80 columns; Échap closes."""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.domain.money import format_euros
from core.services.lots import LotDetail, LotDetailRow
from screens.teletransmission_dialog import teletransmission_service

COLUMNS = (("Nom", "nom", 9), ("Prénom", "prenom", 8), ("Date\nfact.", "date", 8), ("N°\nfacture", "numero", 7),
           ("Org.Dest.", "org", 11), ("RO", "ro", 6), ("RC", "rc", 7), ("Etat lot", "etat", 14),
           ("Rejet", "rejet", 5), ("N° SS", "nir", 16), ("Date naiss.", "naissance", 10))
HISTORY_LINES = 4


def detail_cells(r: LotDetailRow) -> tuple[str | Text, ...]:
    def cut(text: str) -> Text:
        return Text(text, no_wrap=True, overflow="ellipsis")

    return (cut(r.nom), cut(r.prenom), r.date_facture.strftime("%d/%m/%y"),
            Text(str(r.numero_facture), justify="right"), cut(r.org_dest),
            Text(format_euros(r.ro_cents), justify="right"), Text(format_euros(r.rc_cents), justify="right"),
            cut(r.etat_lot), r.rejet, r.numero_ss, r.date_naissance)


def summary_text(detail: LotDetail) -> str:
    lot = detail.lot
    ro = sum(r.ro_cents for r in detail.rows)
    rc = sum(r.rc_cents for r in detail.rows)
    parts = [f"{len(detail.rows)} facture(s)", f"RO {format_euros(ro)}", f"RC {format_euros(rc)}", lot.etat_lot]
    if lot.file_name:
        parts.append(f"fichier {lot.file_name}" + (f", envoi n° {lot.send_count}" if lot.send_count > 1 else ""))
    if lot.libelle_arl_rsp:
        parts.append(lot.libelle_arl_rsp)
    if lot.superseded:
        parts.append("ancien lot (numéro réutilisé)")
    return " · ".join(parts)


def history_text(detail: LotDetail) -> str:
    lines = []
    for h in detail.history[-HISTORY_LINES:]:
        move = f"{h.from_state} → {h.to_state}" if h.from_state else h.to_state
        lines.append(f"{h.at:%d/%m/%Y %H:%M}  {move}" + (f"  ({h.reason})" if h.reason else ""))
    return "\n".join(lines)


class LotDetailDialog(ReportsWorkerErrors, ModalScreen[None]):
    COMMAND_SPECS = (Command("lot_detail_close", "escape,f10", "close", "Fermer", "Fermer le détail du lot."),)
    BINDINGS = bindings(COMMAND_SPECS)

    class Loaded(Message):
        def __init__(self, detail: LotDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, lot_id: int) -> None:
        super().__init__()
        self.lot_id = lot_id
        self.detail: LotDetail | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="lot-detail"):
            yield Label("Détail lot", classes="dialog-title", id="lot-detail-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, header_height=2, id="lot-detail-table")
            yield Static("", id="lot-detail-summary")
            yield Label("Historique du lot", classes="lot-detail-section")
            yield Static("", id="lot-detail-history")
            with Horizontal(classes="dialog-buttons"):
                yield Button("← Fermer (Échap)", id="close", compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="lot-detail")
    def load(self) -> None:
        self.post_message(self.Loaded(teletransmission_service(self.app).lot_detail(self.lot_id)))

    def on_lot_detail_dialog_loaded(self, message: Loaded) -> None:
        message.stop()
        self.detail = detail = message.detail
        self.query_one("#lot-detail-title", Label).update(detail.titre)
        table = self.query_one(DataTable)
        table.clear()
        for r in detail.rows:
            table.add_row(*detail_cells(r), key=str(r.fse_id))
        self.query_one("#lot-detail-summary", Static).update(summary_text(detail))
        self.query_one("#lot-detail-history", Static).update(history_text(detail))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
