"""The dossier's articles: the table of the manual (Rb, Acte, Détail, Lpp, Net) and the line editor.

Keys: Ctrl+N new line (from anywhere in the Comptoir), Ctrl+S save the line being edited, Entrée on a row
edits it, Suppr on a row removes it (after a question), Échap abandons the edit. Prices are typed in euros
("209,00") and parsed by core.domain.money.parse_euros into integer cents."""
from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, DataTable, Input, Label, Select, Static

from app.commands import Command, bindings
from core.domain.money import format_euros, parse_euros
from core.errors import LunetierError
from core.services.counter_dto import ArticleDTO, ArticleInput, DossierDTO
from screens.comptoir_base import DossierPanel, DossierUpdated, Notice, Toggle
from screens.dialogs import ConfirmDialog

__all__ = ["ArticlesPanel", "ArticlesTable", "ArticleEditor", "KIND_OPTIONS", "article_row"]

KIND_OPTIONS = [("Monture", "monture"), ("Verre", "verre"), ("Supplément", "supplement"), ("Autre", "autre")]
CLASSE_OPTIONS = [("—", ""), ("A", "A"), ("B", "B")]
SIDE_OPTIONS = [("—", ""), ("OD", "OD"), ("OG", "OG")]
COLUMNS = ("Rb", "Acte", "Détail", "Lpp", "Net")
# Fixed widths (Détail: its longest text), set again at every refresh: auto widths only grow and the rows
# rendered before the 2nd line was added kept the old ones (misaligned columns).
WIDTHS = {"Rb": 3, "Acte": 5, "Lpp": 7, "Net": 10}


def article_row(article: ArticleDTO) -> tuple[str, str, str, str, Text]:
    detail = f"{article.libelle} ({article.side})" if article.side else article.libelle
    return ("[X]" if article.remboursable else "[ ]", article.prestation, detail, article.lpp_code,
            Text(format_euros(article.net_cents), justify="right"))


def set_columns(table: DataTable, articles: tuple[ArticleDTO, ...] | list[ArticleDTO]) -> None:
    detail = max((len(str(article_row(a)[2])) for a in articles), default=0)
    for name in COLUMNS:
        table.add_column(name, width=WIDTHS.get(name, max(detail, 6)), key=name)


class ArticlesTable(DataTable):
    COMMAND_SPECS = (
        Command("article_delete", "delete", "delete_line", "Supprimer la ligne",
                "Supprimer l'article en surbrillance.", show=False),  # footer: keep F1-F4 visible
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_line":
            # Hidden (and the key falls through to the Comptoir's "dossier facturé" line) once invoiced.
            dossier = getattr(self.parent, "dossier", None)
            return dossier is not None and dossier.editable and self.row_count > 0
        return True

    class DeleteRequested(Message):
        def __init__(self, article_id: int) -> None:
            super().__init__()
            self.article_id = article_id

    def action_delete_line(self) -> None:
        if self.row_count and self.cursor_row is not None:
            key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value
            if key is not None:
                self.post_message(self.DeleteRequested(int(key)))


class ArticleEditor(Vertical):
    """The line being typed: new line, or the article loaded from the table (``editing``)."""

    COMMAND_SPECS = (
        Command("article_save", "ctrl+s", "save", "Enregistrer la ligne", "Enregistrer la ligne en cours de saisie."),
        Command("article_abandon", "escape", "abandon", "Abandonner", "Abandonner la modification de la ligne.",
                show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Save(Message):
        def __init__(self, article_id: int | None, data: ArticleInput) -> None:
            super().__init__()
            self.article_id = article_id
            self.data = data

    editing: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="editor-row"):
            yield Select(KIND_OPTIONS, allow_blank=False, value="monture", id="art-kind", compact=True)
            yield Label("Détail", classes="art-label")
            yield Input(placeholder="Libellé de l'article", id="art-libelle", compact=True)
        with Horizontal(classes="editor-row"):
            yield Label("Lpp", classes="art-label")
            yield Input(placeholder="7 chiffres", max_length=7, restrict=r"[0-9]*", id="art-lpp", compact=True)
            yield Label("Acte", classes="art-label")
            yield Input(max_length=5, id="art-acte", compact=True)
            yield Label("Prix", classes="art-label")
            yield Input(placeholder="0,00", restrict=r"[0-9,. ]*", id="art-prix", compact=True)
            yield Label("Cl.", classes="art-label")
            yield Select(CLASSE_OPTIONS, allow_blank=False, value="", id="art-classe", compact=True)
            yield Label("Côté", classes="art-label")
            yield Select(SIDE_OPTIONS, allow_blank=False, value="", id="art-side", compact=True)
            yield Toggle("Rb", value=True, id="art-rb")
        yield Static("Nouvelle ligne — Ctrl+S : enregistrer", id="art-state", classes="muted")

    # --- loading ------------------------------------------------------------------------------------------
    def start_new(self, *, focus: str = "#art-kind") -> None:
        self.editing = None
        for field in ("#art-libelle", "#art-lpp", "#art-acte", "#art-prix"):
            self.query_one(field, Input).value = ""
        self.query_one("#art-classe", Select).value = ""
        self.query_one("#art-side", Select).value = ""
        self.query_one("#art-rb", Checkbox).value = self.query_one("#art-kind", Select).value != "supplement"
        self.query_one("#art-state", Static).update("Nouvelle ligne — Ctrl+S : enregistrer")
        self.query_one(focus).focus()

    def load(self, article: ArticleDTO, position: int) -> None:
        self.editing = article.id
        kind = self.query_one("#art-kind", Select)
        with kind.prevent(Select.Changed):
            kind.value = article.kind
        self.query_one("#art-libelle", Input).value = article.libelle
        self.query_one("#art-lpp", Input).value = article.lpp_code
        self.query_one("#art-acte", Input).value = article.prestation
        self.query_one("#art-prix", Input).value = format_euros(article.unit_price_cents)
        self.query_one("#art-classe", Select).value = article.classe
        self.query_one("#art-side", Select).value = article.side
        self.query_one("#art-rb", Checkbox).value = article.remboursable
        self.query_one("#art-state", Static).update(
            f"Modification de la ligne {position} — Ctrl+S : enregistrer · Échap : abandonner")
        self.query_one("#art-libelle", Input).focus()

    @on(Select.Changed, "#art-kind")
    def _kind(self, event: Select.Changed) -> None:
        self.query_one("#art-rb", Checkbox).value = event.value != "supplement"   # supplements are not Rb

    # --- saving -------------------------------------------------------------------------------------------
    def action_save(self) -> None:
        try:
            price = parse_euros(self.query_one("#art-prix", Input).value or "0")
        except LunetierError as exc:
            self.post_message(Notice(f"Prix : {exc.message_fr}", "error"))
            self.query_one("#art-prix", Input).focus()
            return

        def pick(selector: str) -> str:
            value = self.query_one(selector, Select).value
            return value if isinstance(value, str) else ""

        data = ArticleInput(libelle=self.query_one("#art-libelle", Input).value, unit_price_cents=price,
                            kind=pick("#art-kind"), side=pick("#art-side"),  # type: ignore[arg-type]
                            lpp_code=self.query_one("#art-lpp", Input).value,
                            prestation=self.query_one("#art-acte", Input).value,
                            classe=pick("#art-classe"),  # type: ignore[arg-type]
                            remboursable=self.query_one("#art-rb", Checkbox).value)
        self.post_message(self.Save(self.editing, data))

    def action_abandon(self) -> None:
        self.start_new()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()


class ArticlesPanel(DossierPanel):
    def compose(self) -> ComposeResult:
        with Horizontal(classes="articles-head"):
            yield Label("Articles", classes="section-title")
            yield Static("", id="articles-total")
        table = ArticlesTable(id="articles-table", cursor_type="row", zebra_stripes=True)
        set_columns(table, ())
        yield table
        yield ArticleEditor(id="article-editor")

    def show(self, dossier: DossierDTO | None) -> None:
        super().show(dossier)
        if dossier is None:
            return
        table = self.query_one(ArticlesTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        set_columns(table, dossier.articles)
        for article in dossier.articles:
            table.add_row(*article_row(article), key=str(article.id))
        if dossier.articles:
            table.move_cursor(row=min(cursor, len(dossier.articles) - 1))
        self.query_one("#articles-total", Static).update(
            f"{len(dossier.articles)} ligne(s) · Total {format_euros(dossier.total_cents)}")
        editor = self.query_one(ArticleEditor)
        editor.disabled = not dossier.editable
        editor.display = dossier.editable          # read-only once invoiced: no "Nouvelle ligne" hint
        if editor.editing is not None and all(a.id != editor.editing for a in dossier.articles):
            editor.editing = None

    def new_line(self) -> None:
        if self.dossier is not None and self.dossier.editable:
            self.query_one(ArticleEditor).start_new()

    @on(DataTable.RowSelected, "#articles-table")
    def _edit(self, event: DataTable.RowSelected) -> None:
        if self.dossier is None or event.row_key.value is None:
            return
        article_id = int(event.row_key.value)
        for position, article in enumerate(self.dossier.articles, start=1):
            if article.id == article_id:
                self.query_one(ArticleEditor).load(article, position)

    @on(ArticleEditor.Save)
    def _save(self, event: ArticleEditor.Save) -> None:
        event.stop()
        if self.dossier is not None:
            self._save_line(event.article_id, event.data)

    @work(exclusive=True, group="article", exit_on_error=False, description="Enregistrement de la ligne")
    async def _save_line(self, article_id: int | None, data: ArticleInput) -> None:
        dossier = self.dossier
        if dossier is None:
            return
        dossiers = self.counter.dossiers
        try:
            if article_id is None:
                fresh = await asyncio.to_thread(dossiers.add_article, dossier.id, data)
            else:
                fresh = await asyncio.to_thread(dossiers.update_article, article_id, data)
        except LunetierError as exc:
            self.post_message(Notice(exc.message_fr, "error"))
            return
        done = "ajoutée" if article_id is None else "modifiée"
        self.post_message(DossierUpdated(fresh, f"Ligne « {data.libelle.strip()} » {done}.", "info"))
        self.query_one(ArticleEditor).start_new(focus="#art-libelle")   # next line, same kind: fast entry

    @on(ArticlesTable.DeleteRequested)
    def _delete(self, event: ArticlesTable.DeleteRequested) -> None:
        event.stop()
        if self.dossier is None or not self.dossier.editable:
            return
        article = next((a for a in self.dossier.articles if a.id == event.article_id), None)
        if article is None:
            return
        dossiers = self.counter.dossiers

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(lambda: dossiers.remove_article(article.id),
                                  lambda _d: (f"Ligne « {article.libelle} » supprimée.", "info"))

        self.app.push_screen(ConfirmDialog(f"Supprimer la ligne « {article.libelle} » "
                                           f"({format_euros(article.net_cents)}) ?"), answered)
