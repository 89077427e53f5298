"""Comptoir: "Nouveau dossier · Client / Visite" (manual §II-IV).

F12 reads the Carte Vitale from anywhere in the Comptoir (CPS code first at the first read of the day),
then "Choix du bénéficiaire" creates the dossier: Informations Vitale, Tiers Payant & Télétransmission,
Vérif. taux status, Ordonnance and Articles. F8 / F9 / F10 open the TP, Vérif. taux and invoicing flows
(screens/counter_flow.py). Card events (inserted, removed, pcscd stopped) arrive through
app.card_events.CardWatch; a card swapped or pulled out is said in the message bar with the key to retry.
"""
from __future__ import annotations

import asyncio
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from app.card_events import CardInserted, CardRemoved, ReaderServiceBack, ReaderServiceLost, card_watch
from app.commands import Command, bindings
from core.errors import LunetierError
from core.services.counter_dto import DossierDTO
from screens.base import AreaScreen
from screens.comptoir_articles import ArticlesPanel
from screens.comptoir_base import DossierPanel, DossierUpdated, Level, Notice
from screens.comptoir_card_flow import FlowResult, read_apcv_flow, read_vitale_flow
from screens.comptoir_flow import MISSING, call_counter_flow
from screens.comptoir_header import DossierHeader, RateCheckLine, VitaleBanner
from screens.comptoir_ordonnance import INVOICED_NOTICE, OrdonnancePanel
from screens.comptoir_tiers_payant import TiersPayantPanel
from screens.dialogs import ConfirmDialog

__all__ = ["ComptoirScreen", "EMPTY_HELP"]

EMPTY_HELP = ("Identité : F12 Lire la Carte Vitale · F11 Lire l'appli Carte Vitale\n\n"
              "Insérez la carte Vitale du patient puis appuyez sur F12 : le code de la CPS est demandé à la "
              "première lecture de la journée, puis le bénéficiaire.\n"
              "Lecteur simulé : Ctrl+O insère une carte de démonstration (la CPS, puis une carte Vitale), "
              "Ctrl+E retire la carte Vitale.")
RETRY = " — F12 : relancer la lecture"
_NEEDS_DOSSIER = {"vitale_detail", "tp", "verif_taux", "facturer", "toggle_generer_fse", "new_line"}


class ComptoirScreen(AreaScreen):
    AREA_TITLE = "Comptoir · Client / Visite"
    COMMAND_SPECS = (
        Command("comptoir_read_vitale", "f12", "read_vitale", "Lire CV",
                "Lire la Carte Vitale (code de la CPS demandé à la première lecture du jour)."),
        Command("comptoir_read_apcv", "f11", "read_apcv", "ApCV", "Lire l'appli Carte Vitale (QR code).",
                show=False),
        Command("comptoir_vitale_detail", "f7", "vitale_detail", "Détail Vitale",
                "Détail Informations Vitale : lecture de la carte et ADRi.", show=False),
        Command("comptoir_tp", "f8", "tp", "TP", "Détail remboursements (tiers payant RO / RC)."),
        Command("comptoir_verif_taux", "f9", "verif_taux", "Vérif. taux",
                "Vérification du taux par le moteur SESAM-Vitale (obligatoire avant de facturer)."),
        Command("comptoir_facturer", "f10", "facturer", "Facturer", "Devis -> vente -> facture et FSE."),
        Command("comptoir_new_dossier", "f5", "new_dossier", "Nouveau", "Nouveau dossier (client / visite).",
                show=False),
        Command("comptoir_generer_fse", "f6", "toggle_generer_fse", "Générer FSE",
                "Cocher ou décocher « Générer FSE » (décocher supprime la FSE après confirmation).", show=False),
        Command("comptoir_new_line", "ctrl+n", "new_line", "Nouvelle ligne", "Saisir un nouvel article.", show=False),
        Command("comptoir_insert_card", "ctrl+o", "insert_card", "Insérer carte",
                "Lecteur simulé : insérer une carte du jeu de démonstration.", show=False),
        Command("comptoir_remove_card", "ctrl+e", "remove_card", "Retirer carte",
                "Lecteur simulé : retirer la carte Vitale (ou la CPS).", show=False, priority=True),
        # F2 (this area) is not repeated in the footer: at 80 columns it hid F3/F4.
        Command("comptoir_here", "f2", "app.switch_mode('comptoir')", "Comptoir", "Vous êtes au comptoir.",
                show=False),
        # Only active on an invoiced dossier: Suppr / Ctrl+N then say why nothing changes (the editing
        # bindings are disabled by their check_action and the key falls through to here).
        Command("comptoir_invoiced", "delete,ctrl+n", "invoiced_locked", "Dossier facturé",
                "Dossier facturé : pour modifier, faites un avoir.", show=False),
    )
    BINDINGS = bindings(COMMAND_SPECS)

    dossier: DossierDTO | None = None

    def compose_body(self) -> ComposeResult:
        yield DossierHeader(id="dossier-header")
        yield Static("", id="comptoir-message")
        yield Static(EMPTY_HELP, id="comptoir-empty")
        with VerticalScroll(id="dossier-body", can_focus=False):
            yield VitaleBanner(id="vitale-banner")
            yield TiersPayantPanel(id="tp-panel")
            yield RateCheckLine(id="rate-check")
            yield OrdonnancePanel(id="ordonnance-panel")
            yield ArticlesPanel(id="articles-panel")

    def on_mount(self) -> None:
        watch = card_watch(self.app)
        watch.ensure_started()
        watch.signal.subscribe(self, self._card_event)
        self._render_dossier(None)

    def on_unmount(self) -> None:
        card_watch(self.app).stop()   # the PC/SC monitor thread ends with the counter screen (app exit)

    # --- rendering (attributes down) ----------------------------------------------------------------------
    def _render_dossier(self, dossier: DossierDTO | None) -> None:
        self.dossier = dossier
        self.query_one(DossierHeader).show(dossier)
        self.query_one("#comptoir-empty").display = dossier is None
        self.query_one("#dossier-body").display = dossier is not None
        for panel in self.query(DossierPanel):
            panel.show(dossier)
        self.query_one(VitaleBanner).show(dossier)
        self.query_one(RateCheckLine).show(dossier)
        self.refresh_bindings()

    def say(self, text: str, level: Level = "info") -> None:
        bar = self.query_one("#comptoir-message", Static)
        bar.update(text)
        bar.display = bool(text)
        for name in ("error", "warning", "info"):
            bar.set_class(level == name, f"-{name}")

    @on(DossierUpdated)
    def _updated(self, event: DossierUpdated) -> None:
        event.stop()
        if not event.keep_notice:
            self.say(event.notice, event.level)
        self._render_dossier(event.dossier)

    @on(Notice)
    def _notice(self, event: Notice) -> None:
        event.stop()
        self.say(event.text, event.level)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        invoiced = self.dossier is not None and not self.dossier.editable
        if action == "new_line":
            return self.dossier is not None and not invoiced
        if action == "invoiced_locked":
            return invoiced
        if action in _NEEDS_DOSSIER:
            return self.dossier is not None
        if action in ("insert_card", "remove_card"):
            watch = card_watch(self.app)
            return watch.started and watch.simulated
        return True

    # --- card reads ---------------------------------------------------------------------------------------
    def action_read_vitale(self) -> None:
        self.say("Lecture de la carte Vitale…")
        self._card_flow("vitale")

    def action_read_apcv(self) -> None:
        self._card_flow("apcv")

    @work(exclusive=True, group="card-flow", exit_on_error=False, description="Lecture de la carte Vitale")
    async def _card_flow(self, which: str) -> None:
        app: Any = self.app
        try:
            result: FlowResult | None = await (read_vitale_flow(app) if which == "vitale" else read_apcv_flow(app))
        except LunetierError as exc:
            self.say(exc.message_fr + RETRY if which == "vitale" else exc.message_fr + " — F11 : recommencer",
                     "error")
            return
        if result is None:
            self.say("Lecture abandonnée : aucun dossier créé." if self.dossier is None else "")
            return
        text, level = result.notice
        self.say(text, level)  # type: ignore[arg-type]
        self._render_dossier(result.dossier)
        self.query_one("#ordo-date").focus()

    def action_new_dossier(self) -> None:
        self.say("")
        self._render_dossier(None)

    # --- dossier actions ----------------------------------------------------------------------------------
    def action_vitale_detail(self) -> None:
        if self.dossier is None or self.dossier.beneficiaire is None:
            self.say("Pas de bénéficiaire : lisez d'abord la carte Vitale (F12).", "warning")
            return
        self._vitale_detail(self.dossier.beneficiaire.id)

    @work(exclusive=True, group="vitale-detail", exit_on_error=False, description="Détail Informations Vitale")
    async def _vitale_detail(self, beneficiaire_id: int) -> None:
        from screens.vitale_detail import VitaleDetailDialog

        app: Any = self.app
        try:
            detail = await asyncio.to_thread(app.services.counter.vitale.detail, beneficiaire_id)
        except LunetierError as exc:
            self.say(exc.message_fr, "error")
            return
        await app.push_screen_wait(VitaleDetailDialog(detail))
        await self._reload()

    def action_tp(self) -> None:
        self._flow("open_detail_remboursements")

    def action_verif_taux(self) -> None:
        self._flow("run_rate_check")

    def action_facturer(self) -> None:
        self._flow("run_invoicing")

    @work(exclusive=True, group="counter-flow", exit_on_error=False, description="Parcours de facturation")
    async def _flow(self, name: str) -> None:
        if self.dossier is None:
            return
        if name == "run_invoicing" and self.dossier.state == "devis" and not await self._to_vente():
            return
        outcome = await call_counter_flow(self.app, name, self.dossier.id)
        if outcome is not MISSING:
            await self._reload()

    async def _to_vente(self) -> bool:
        """F10 on a devis: the devis becomes a vente (its number is allocated) before invoicing (manual §IV)."""
        dossier = self.dossier
        assert dossier is not None
        app: Any = self.app
        question = (f"Transformer le devis n°{dossier.devis_number} en vente puis facturer ?\n"
                    "Vérifiez d'abord « Tiers Payant & Télétransmission » (RO / RC).")
        if not await app.push_screen_wait(ConfirmDialog(question, title="Devis → vente")):
            return False
        try:
            fresh = await asyncio.to_thread(app.services.counter.dossiers.to_vente, dossier.id)
        except LunetierError as exc:
            self.say(exc.message_fr, "error")
            return False
        self._render_dossier(fresh)
        self.say(f"Devis n°{fresh.devis_number} transformé en vente n°{fresh.vente_number}.")
        return True

    async def _reload(self) -> None:
        if self.dossier is None:
            return
        app: Any = self.app
        try:
            fresh = await asyncio.to_thread(app.services.counter.dossiers.get, self.dossier.id)
        except LunetierError as exc:
            self.say(exc.message_fr, "error")
            return
        self._render_dossier(fresh)

    def action_toggle_generer_fse(self) -> None:
        self.query_one(TiersPayantPanel).flip_generer_fse()

    def action_invoiced_locked(self) -> None:
        self.say(INVOICED_NOTICE, "warning")

    def action_new_line(self) -> None:
        self.query_one(ArticlesPanel).new_line()

    # --- simulated reader -----------------------------------------------------------------------------------
    def action_insert_card(self) -> None:
        from screens.card_deck_dialog import open_deck

        open_deck(self)

    def action_remove_card(self) -> None:
        from screens.card_deck_dialog import remove_card, simulated_or_explain

        if simulated_or_explain(self.app):
            remove_card(self.app)

    # --- card events (from CardWatch.signal, on the UI thread) ----------------------------------------------
    def _card_event(self, message: Message) -> None:
        self.refresh_bindings()
        if isinstance(message, ReaderServiceLost):
            self.say(f"Lecteur de cartes : {message.message_fr}{RETRY} une fois le service relancé.", "error")
        elif isinstance(message, ReaderServiceBack):
            self.say("Lecteur de cartes de nouveau disponible.", "info")
        elif isinstance(message, (CardInserted, CardRemoved)) and message.info.is_vitale:
            dossier = self.dossier
            if dossier is not None and dossier.beneficiaire is not None and dossier.editable:
                self._card_presence(dossier.id, isinstance(message, CardInserted))

    @work(exclusive=True, group="card-presence", exit_on_error=False, description="Présence de la carte Vitale")
    async def _card_presence(self, dossier_id: int, inserted: bool) -> None:
        """A Vitale card came or went while a dossier is open: is it the bénéficiaire's (card swapped)?"""
        app: Any = self.app
        services = app.services
        try:
            if inserted:
                await asyncio.to_thread(services.counter.vitale.check_card, dossier_id, services.reader)
            fresh = await asyncio.to_thread(services.counter.dossiers.set_card_present, dossier_id, inserted)
        except LunetierError as exc:
            if getattr(exc, "code", None) == "CARTE_DIFFERENTE":
                fresh = await asyncio.to_thread(services.counter.dossiers.set_card_present, dossier_id, False)
                self._render_dossier(fresh)
                self.say(f"{exc.message_fr} — F12 : lire cette carte (nouveau dossier)", "error")
            else:
                self.say(exc.message_fr + RETRY, "error")
            return
        if self.dossier is None or self.dossier.id != dossier_id:
            return
        self._render_dossier(fresh)
        if inserted:
            self.say("Carte Vitale du bénéficiaire présente dans le lecteur.", "info")
        else:
            self.say("Carte Vitale retirée : réinsérez-la avant de facturer, sinon la FSE sera en mode dégradé.",
                     "warning")
