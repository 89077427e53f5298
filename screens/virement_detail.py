""""Détail du virement" (manual §IX): tabs Paiements et Régularisations / Paiements ponctuels / Retenues
ponctuelles, then the Mouvements Financiers of the virement. Ctrl+←/→ change tab, Échap closes."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TabbedContent, TabPane

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.services.suivi_virements import MouvementRow, OperationRow, VirementDetail, VirementInvoiceRow
from screens.suivi_common import ColumnScrollTable, cut, long_date, money, short_date, virements_service

TABS = (("vd-paiements", "Paiements et Régularisations"), ("vd-ponctuels", "Paiements ponctuels"),
        ("vd-retenues", "Retenues ponctuelles"))
PAYMENT_COLUMNS = (("Facture\nNuméro", 7), ("\nDate", 8), ("\nNom du client", 13), ("AMO\nOrganisme", 9),
                   ("\nFacturé", 7), ("\nPayé", 7), ("AMC\nOrganisme", 10), ("\nFacturé", 7), ("\nPayé", 7))
PONCTUEL_COLUMNS = (("Date\ncomptable", 10), ("\nCode", 6), ("\nLibellé", 12), ("Montant\npaiement", 8),
                    ("\nPériode", 8), ("\nNIR", 10), ("\nOrganisme", 9))
RETENUE_COLUMNS = (("Date\ncomptable", 10), ("Ref.\nDette", 10), ("Nature des\nOpérations", 24),
                   ("Mt\nRetenue", 8), ("\nOrganisme", 9))
MOUVEMENT_COLUMNS = (("Référence\ndette", 9), ("Date\ndette", 8), ("Nature\ndette", 11),
                     ("Nature\noperation", 22), ("Montant\nMFI", 7), ("Montant\nsolde", 7))


def payment_cells(r: VirementInvoiceRow) -> tuple:
    return (str(r.numero), short_date(r.date), cut(r.client), r.amo_organisme, money(r.amo_facture_cents),
            money(r.amo_paye_cents), r.amc_organisme, money(r.amc_facture_cents) if r.amc_organisme else "",
            money(r.amc_paye_cents) if r.amc_organisme else "")


def ponctuel_cells(r: OperationRow) -> tuple:
    return (long_date(r.date_comptable), r.code, cut(r.libelle), money(r.amount_cents), r.periode, r.nir,
            r.organisme)


def retenue_cells(r: OperationRow) -> tuple:
    return (long_date(r.date_comptable), r.reference_dette, cut(r.nature), money(r.amount_cents), r.organisme)


def mouvement_cells(r: MouvementRow) -> tuple:
    return (r.reference_dette, short_date(r.date_dette), cut(r.nature_dette), cut(r.nature_operation),
            money(r.amount_cents), money(r.solde_cents))


def counter(rows: tuple) -> str:
    """The manual's "1/1" beside a table title (pages of 1 here: the whole list is shown)."""
    return "1/1" if rows else "1/0"


class VirementDetailDialog(ReportsWorkerErrors, ModalScreen[None]):
    COMMAND_SPECS = (
        Command("vd_close", "escape", "close", "Fermer", "Fermer le détail du virement."),
        Command("vd_next_tab", "ctrl+right", "tab(1)", "Onglet suivant", "Onglet suivant du détail."),
        Command("vd_prev_tab", "ctrl+left", "tab(-1)", "Onglet précédent", "Onglet précédent du détail."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Loaded(Message):
        def __init__(self, detail: VirementDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, virement_id: int) -> None:
        super().__init__()
        self.virement_id = virement_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="virement-detail"):
            yield Label("Détail du virement", classes="dialog-title")
            yield Static("", id="vd-virement")
            with TabbedContent(id="vd-tabs"):
                with TabPane(TABS[0][1], id=TABS[0][0]):
                    yield Label("Paiement(s)/Régularisation(s)", id="vd-paiements-title", classes="table-title")
                    yield ColumnScrollTable(cursor_type="row", header_height=2, id="vd-paiements-table")
                with TabPane(TABS[1][1], id=TABS[1][0]):
                    yield Label("Paiement(s) ponctuel(s)", id="vd-ponctuels-title", classes="table-title")
                    yield ColumnScrollTable(cursor_type="row", header_height=2, id="vd-ponctuels-table")
                with TabPane(TABS[2][1], id=TABS[2][0]):
                    yield Label("Retenue(s) ponctuelle(s)", id="vd-retenues-title", classes="table-title")
                    yield ColumnScrollTable(cursor_type="row", header_height=2, id="vd-retenues-table")
            yield Label("Mouvements Financiers", id="vd-mouvements-title", classes="table-title")
            yield ColumnScrollTable(cursor_type="row", header_height=2, id="vd-mouvements-table")
            yield Static("Échap Fermer · Ctrl+←/→ Onglets · Tab Tableau suivant", classes="dialog-keys")

    def on_mount(self) -> None:
        for table_id, columns in (("#vd-paiements-table", PAYMENT_COLUMNS), ("#vd-ponctuels-table", PONCTUEL_COLUMNS),
                                  ("#vd-retenues-table", RETENUE_COLUMNS), ("#vd-mouvements-table", MOUVEMENT_COLUMNS)):
            table = self.query_one(table_id, ColumnScrollTable)
            for label, width in columns:
                table.add_column(label, width=width)
        self.query_one("#vd-paiements-table", ColumnScrollTable).focus()
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="vd-load")
    def load(self) -> None:
        self.post_message(self.Loaded(virements_service(self.app).virement_detail(self.virement_id)))

    def on_virement_detail_dialog_loaded(self, message: Loaded) -> None:
        message.stop()
        d = message.detail
        v = d.virement
        self.query_one("#vd-virement", Static).update(
            f"{long_date(v.date)} · {v.organisme_payeur} · Payé {money(v.amount_cents).plain} · {v.libelle}")
        for name, rows, cells, title in (
                ("paiements", d.paiements, payment_cells, "Paiement(s)/Régularisation(s)"),
                ("ponctuels", d.paiements_ponctuels, ponctuel_cells, "Paiement(s) ponctuel(s)"),
                ("retenues", d.retenues_ponctuelles, retenue_cells, "Retenue(s) ponctuelle(s)"),
                ("mouvements", d.mouvements, mouvement_cells, "Mouvements Financiers")):
            table = self.query_one(f"#vd-{name}-table", ColumnScrollTable)
            table.clear()
            for row in rows:
                table.add_row(*cells(row))
            self.query_one(f"#vd-{name}-title", Label).update(f"{title} {counter(rows)}")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#vd-tabs", TabbedContent)
        ids = [t for t, _ in TABS]
        index = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.active = ids[(index + step) % len(ids)]
        self.query_one(f"#{tabs.active}-table", ColumnScrollTable).focus()
