"""Building blocks shared by the Paramètres panes: a form pane that loads one ShopSettings section in a
thread worker, saves it with F10 (audited by SettingsService), reverts it with Escape; plus small widgets
and the JJ/MM/AAAA date helpers."""
from __future__ import annotations

import re
import textwrap
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Label, Static

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import ValidationError
from core.services.mutuelles import french_message
from core.services.settings import ShopSettings

# Who the audit log names for changes made on these screens (Lunetier has no operator login yet).
ACTOR = "ecran-parametres"

_DATE_FR = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def parse_date_fr(text: str, label: str) -> date | None:
    """'28/05/2024' -> date; '' -> None; anything else -> ValidationError naming the field."""
    text = text.strip()
    if not text:
        return None
    if _DATE_FR.match(text):
        try:
            return datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            pass
    raise ValidationError(f"{label} : « {text} » n'est pas une date valide (format JJ/MM/AAAA, ex. 28/05/2024).",
                          log=f"invalid date for {label!r}: {text!r}")


def format_date_fr(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def validate_section(model: type[BaseModel], data: dict[str, Any], labels: dict[str, str]) -> BaseModel:
    """Build a settings section from form values; pydantic's first error becomes one French line."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(french_message(exc, labels), log=f"invalid {model.__name__}: {exc}") from exc


class WrappingCheckbox(Checkbox):
    """A Checkbox whose long label (the manual's wording) wraps, indented under itself, instead of being
    cut at 80 columns (Textual's ToggleButton is one line high by design)."""

    def _lines(self, width: int) -> list[str]:
        room = max(8, width - self._button.cell_length - 2)
        return textwrap.wrap(self._label.plain, room) or [""]

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[override]
        return len(self._lines(width))

    def render(self) -> Content:
        style = self.get_visual_style("toggle--label")
        indent = Content("\n" + " " * self._button.cell_length)
        parts: list[Content] = [self._button]
        for index, line in enumerate(self._lines(self.content_region.width)):
            if index:
                parts.append(indent)
            parts.append(Content(f" {line} ").stylize_before(style))
        return Content.assemble(*parts)


def field_row(label: str, *widgets: Widget, help: str = "", id: str | None = None) -> Vertical:
    """A labelled line (label on the left, inputs on the right) with an optional help line below."""
    parts: list[Widget] = [Horizontal(Label(label, classes="field-label"), *widgets, classes="field-line")]
    if help:
        parts.append(Static(help, classes="field-help"))
    return Vertical(*parts, classes="field-row", id=id)


def check_row(label: str, *, id: str, help: str = "") -> Vertical:
    parts: list[Widget] = [WrappingCheckbox(label, id=id, compact=True)]
    if help:
        parts.append(Static(help, classes="field-help"))
    return Vertical(*parts, classes="field-row")


class SettingsPane(ReportsWorkerErrors, Vertical):
    """One section of ShopSettings as a form. Subclasses set SECTION and implement compose_form,
    fill (model -> widgets) and read (widgets -> validated model, raising ValidationError)."""

    SECTION: ClassVar[str] = ""
    COMMAND_SPECS = (
        Command("settings_save", "f10", "save", "Valider", "Enregistrer les paramètres de cet écran."),
        Command("settings_revert", "escape", "revert", "Annuler",
                "Annuler les modifications non enregistrées de cet écran."),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    class Loaded(Message):
        def __init__(self, settings: ShopSettings) -> None:
            super().__init__()
            self.settings = settings

    class Saved(Message):
        def __init__(self, settings: ShopSettings) -> None:
            super().__init__()
            self.settings = settings

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.current: BaseModel | None = None  # the section as stored (what Escape goes back to)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="settings-form", can_focus=False):
            yield from self.compose_form()
        yield Static("", classes="form-error")
        yield Static("F10 Valider · Échap Annuler les modifications", classes="form-keys")

    # --- to implement -------------------------------------------------------------------------------
    def compose_form(self) -> ComposeResult:
        yield from ()

    def fill(self, section: BaseModel) -> None:
        raise NotImplementedError

    def read(self, current: BaseModel) -> BaseModel:
        raise NotImplementedError

    # --- load / save --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        # Show the defaults until the stored values arrive (F10 waits for them): the first frame is then
        # the same on a new database whether or not the worker has answered, which keeps snapshots stable.
        self.fill(getattr(ShopSettings(), self.SECTION))
        self.load()

    @work(thread=True, exit_on_error=False, exclusive=True, group="settings-load")
    def load(self) -> None:
        self.post_message(self.Loaded(self.app.services.settings.get()))  # type: ignore[attr-defined]

    @work(thread=True, exit_on_error=False, exclusive=True, group="settings-save")
    def store(self, values: BaseModel) -> None:
        settings = self.app.services.settings.update(self.SECTION, values, actor=ACTOR)  # type: ignore[attr-defined]
        self.post_message(self.Saved(settings))

    def on_settings_pane_loaded(self, message: Loaded) -> None:
        message.stop()
        self._show(getattr(message.settings, self.SECTION))

    def on_settings_pane_saved(self, message: Saved) -> None:
        message.stop()
        self._show(getattr(message.settings, self.SECTION))
        self.app.notify("Paramètres enregistrés.", timeout=3)

    def _show(self, section: BaseModel) -> None:
        self.current = section
        self.set_error("")
        self.fill(section)

    def set_error(self, text: str) -> None:
        self.query_one(".form-error", Static).update(text)
        self.set_class(bool(text), "-has-error")

    # --- actions ------------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.current is None:
            return  # still loading
        try:
            values = self.read(self.current)
        except ValidationError as exc:
            self.set_error(exc.message_fr)
            self.app.bell()
            return
        self.set_error("")
        self.store(values)

    def action_revert(self) -> None:
        if self.current is None:
            return
        self._show(self.current)
        self.app.notify("Modifications annulées.", timeout=2)
