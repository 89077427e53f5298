""""Détail Informations Vitale" (manual §II): tab "Informations vitale (lecture)" (card or ApCV) and tab
"ADRi", every field of the manual's screen. F9 launches an ADRi consultation by hand; an outage is shown
with the manual's way forward ("L'assuré a présenté sa carte Vitale")."""
from __future__ import annotations

import asyncio
from datetime import date
from typing import Any, Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TabbedContent, TabPane

from app.commands import Command, bindings
from app.workers import ReportsWorkerErrors
from core.errors import LunetierError
from core.services.counter_dto import AdriOutcomeDTO, PeriodDTO, VitaleDetailDTO, VitaleSnapshotDTO

__all__ = ["VitaleDetailDialog", "snapshot_sections", "TAB_LECTURE", "TAB_ADRI"]

TAB_LECTURE = "tab-lecture"
TAB_ADRI = "tab-adri"
OUTAGE_HINT = ("Serveur ADRi indisponible : poursuivez avec « L'assuré a présenté sa carte Vitale » "
               "comme pièce justificative AMO (Vérif. taux).")


def _d(value: date | None, fmt: str = "%d/%m/%Y") -> str:
    return value.strftime(fmt) if value else ""


def _period(p: PeriodDTO | None) -> str:
    if p is None or (p.debut is None and p.fin is None):
        return ""
    return f"du {_d(p.debut) or '…'} au {_d(p.fin) or '…'}"


def _fields(*pairs: tuple[str, str]) -> Text:
    """"Régime 01   Caisse 999   Centre Gest. 9999" (labels muted, values bold)."""
    text = Text()
    for i, (label, value) in enumerate(pairs):
        if i:
            text.append("   ")
        text.append(f"{label} ", style="dim")
        text.append(value or "—", style="bold")
    return text


def snapshot_sections(snap: VitaleSnapshotDTO | None, empty_label: str = "") -> list[tuple[str, list[Text]]]:
    """(section title, lines) in the manual's order; every field is present, empty when unknown."""
    s = snap or VitaleSnapshotDTO()
    rattachement = [_fields(("Régime", s.regime), ("Caisse", s.caisse), ("Centre Gest.", s.centre)),
                    _fields(("Libellé", s.libelle))]
    if snap is None and empty_label:
        rattachement.append(Text(empty_label, style="bold"))
    elif s.title:
        rattachement.append(Text(s.title))
    if s.kind == "adri" and s.window_start:
        rattachement.append(Text(f"Droits ADRi du {_d(s.window_start)} au {_d(s.window_end)}"))
    ald = [Text.assemble(("Début       Fin         ALD   Sit.", "dim"))]
    ald += [Text(f"{_d(a.debut):<11} {_d(a.fin):<11} {a.code:<5} {a.situation}") for a in s.ald]
    amo = "  ".join(_period(p) for p in s.amo_periods)
    mutuelle = "  ".join(_period(p) for p in s.mutuelle_periods)
    svc = s.service_amo
    return [
        ("Rattachement", rattachement),
        ("Informations carte", [_fields(("Type Carte", s.type_carte), ("N° Série", s.numero_serie),
                                        ("Validité", _d(s.validite)))]),
        ("Bénéficiaire", [
            _fields(("Nom", s.nom), ("Prénom", s.prenom)),
            _fields(("Patronyme", s.patronyme), ("Né(e) le", s.birth_date)),
            _fields(("NIR", s.nir), ("Certif.", "Oui" if s.certifie else ("Non" if snap else "")),
                    ("Clé.", s.nir_key), ("Date Certif.", _d(s.date_certif))),
            _fields(("Qualité", s.qualite_label if snap else ""), ("Rang", s.rang_label if snap else "")),
        ]),
        ("Adresse", [Text(line) for line in s.adresse] or [Text("")]),
        ("Assuré", [
            _fields(("Nom", s.assure_nom), ("Prénom", s.assure_prenom)),
            _fields(("Num SS", f"{s.assure_nir} {s.assure_nir_key}".strip()), ("Id Porteur", s.id_porteur)),
            _fields(("Médecin traitant", s.medecin_traitant)),
        ]),
        ("Droits & Couvertures", [
            _fields(("Période droits AMO", amo)),
            Text("Période couverture ALD", style="dim"), *ald,
            _fields(("Service AMO Bénéf.", svc.label if svc else "")),
            _fields(("Période AMO Bénéf. au", _period(svc) if svc else "")),
            _fields(("Statut du Bénéf.", s.statut)),
            _fields(("Période droits Mutuelle", mutuelle)),
        ]),
        ("Mutuelle AMC", [_fields(("N° Adhérent", s.amc_numero_adherent)), _fields(("N° AMC", s.amc_numero))]),
        ("Accident Travail", [
            _fields(("Gest. Risque", s.at_gest_risque)),
            _fields(("Gest. AT1", s.at_gest_at1), ("Id AT1", s.at_id_at1)),
            _fields(("Gest. AT2", s.at_gest_at2), ("Id AT2", s.at_id_at2)),
        ]),
    ]


def _section_widgets(sections: Iterable[tuple[str, list[Text]]]) -> ComposeResult:
    for title, lines in sections:
        yield Label(title, classes="section-title")
        body = Text("\n").join(lines)
        yield Static(body, classes="section-body")


class VitaleDetailDialog(ReportsWorkerErrors, ModalScreen[None]):
    HELP_TITLE = 'Détail Informations Vitale'  # section title of the F1 help
    COMMAND_SPECS = (
        Command("vitale_adri", "f9", "adri", "ADRi", "Lancer une consultation ADRi (droits lus sur le serveur du RO)."),
        Command("vitale_ok", "f10", "close", "Valider", "Fermer le détail."),
        Command("vitale_close", "escape", "close", "Retour", "Fermer le détail."),
        Command("vitale_next_tab", "ctrl+right", "tab(1)", "Onglet suivant", "Onglet suivant.", show=False),
        Command("vitale_prev_tab", "ctrl+left", "tab(-1)", "Onglet précédent", "Onglet précédent.", show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    def __init__(self, detail: VitaleDetailDTO, *, initial_tab: str = TAB_LECTURE,
                 outcome: AdriOutcomeDTO | None = None) -> None:
        super().__init__()
        self.detail = detail
        self.initial_tab = initial_tab
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="vitale-dialog"):
            yield Label("Détail Informations Vitale", classes="dialog-title")
            with TabbedContent(initial=self.initial_tab, id="vitale-tabs"):
                with TabPane("Informations vitale (lecture)", id=TAB_LECTURE):
                    with VerticalScroll(id="lecture-scroll", classes="vitale-scroll"):
                        yield from _section_widgets(snapshot_sections(self.detail.lecture))
                with TabPane("ADRi", id=TAB_ADRI):
                    with VerticalScroll(id="adri-scroll", classes="vitale-scroll"):
                        yield Static(self._outcome_text(), id="adri-outcome")
                        yield from _section_widgets(snapshot_sections(self.detail.adri,
                                                                      self.detail.adri_empty_label))
            with Horizontal(classes="dialog-buttons"):
                yield Button("ADRi (F9)", id="vitale-adri")
                yield Button("✓ Valider (F10)", variant="primary", id="vitale-ok")

    def on_mount(self) -> None:
        outcome = self.query_one("#adri-outcome", Static)
        outcome.display = bool(self.outcome)
        if self.outcome is not None:
            outcome.set_class(self.outcome.status != "ok", "error-text")
        scroll_id = "#adri-scroll" if self.initial_tab == TAB_ADRI else "#lecture-scroll"
        self.query_one(scroll_id).focus()

    def _outcome_text(self) -> Text:
        if self.outcome is None:
            return Text("")
        text = Text(self.outcome.message_fr)
        if self.outcome.status == "indisponible" and "carte Vitale" not in self.outcome.message_fr:
            text.append("\n" + OUTAGE_HINT)
        return text

    # --- actions ------------------------------------------------------------------------------------------
    @on(Button.Pressed, "#vitale-ok")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#vitale-adri")
    def action_adri(self) -> None:
        self._run_adri()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        order = [TAB_LECTURE, TAB_ADRI]
        tabs.active = order[(order.index(tabs.active) + step) % 2] if tabs.active in order else TAB_LECTURE

    @work(exclusive=True, group="adri", exit_on_error=False, description="Consultation ADRi")
    async def _run_adri(self) -> None:
        message = self.query_one("#adri-outcome", Static)
        self.query_one(TabbedContent).active = TAB_ADRI
        message.display = True
        message.update("Consultation ADRi en cours…")
        app: Any = self.app
        vitale = app.services.counter.vitale
        try:
            outcome = await asyncio.to_thread(vitale.adri, self.detail.beneficiaire_id)
            detail = await asyncio.to_thread(vitale.detail, self.detail.beneficiaire_id)
        except LunetierError as exc:
            message.update(exc.message_fr)
            message.add_class("error-text")
            return
        await self._show(detail, outcome)

    async def _show(self, detail: VitaleDetailDTO, outcome: AdriOutcomeDTO) -> None:
        self.detail, self.outcome = detail, outcome
        scroll = self.query_one("#adri-scroll", VerticalScroll)
        await scroll.remove_children()
        await scroll.mount(Static(self._outcome_text(), id="adri-outcome"))
        await scroll.mount_all(list(_section_widgets(snapshot_sections(detail.adri, detail.adri_empty_label))))
        self.query_one("#adri-outcome", Static).set_class(outcome.status != "ok", "error-text")
        scroll.focus()
