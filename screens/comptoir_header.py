"""Display-only parts of the dossier: the title line with the SV/DEG badge, the "Informations Vitale au ..."
banner and the "Vérif. taux" status line (absente / à jour / périmée + reason)."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from core.services.counter_dto import DossierDTO, RateCheckStatusDTO

__all__ = ["DossierHeader", "VitaleBanner", "RateCheckLine", "dossier_title", "fse_badge", "rate_check_text",
           "vitale_line"]

EMPTY_TITLE = "Nouveau dossier · Client / Visite"


def dossier_title(dossier: DossierDTO | None) -> str:
    """"Devis n°1 · DESMAUX NATHALIE (15/06/1955)"; the invoice number once invoiced."""
    if dossier is None:
        return EMPTY_TITLE
    if dossier.state == "facture" and dossier.invoice is not None:
        state = f"Facture n°{dossier.invoice.number}"
    elif dossier.state == "vente":
        state = f"Vente n°{dossier.vente_number}"
    else:
        state = f"Devis n°{dossier.devis_number}"
    person = dossier.beneficiaire.display_name if dossier.beneficiaire else \
        f"{dossier.client.nom} {dossier.client.prenom}".strip()
    birth = dossier.beneficiaire.birth_date if dossier.beneficiaire else dossier.client.birth_date
    return f"Client / Visite · {state} · {person}" + (f" ({birth})" if birth else "")


def fse_badge(dossier: DossierDTO | None) -> tuple[str, str]:
    """("Visite - Facturée le 28/05/2024 par Vitale", "SV") once an FSE exists; the badge is SV or DEG."""
    if dossier is None or dossier.fse is None or dossier.invoice is None:
        return "", ""
    if dossier.fse.state == "FSE supprimée":
        return f"Visite - Facturée le {dossier.invoice.date:%d/%m/%Y} · FSE supprimée", ""
    by = "par Vitale" if dossier.fse.mode == "SV" else "en dégradé"
    return f"Visite - Facturée le {dossier.invoice.date:%d/%m/%Y} {by}", dossier.fse.mode


def vitale_line(dossier: DossierDTO) -> str:
    """"2 55 06 99 999 999 34 │ 60 % │ 01 999 9999 │ carte Vitale lue"."""
    info = dossier.info_vitale
    if info is None:
        return "Pas d'informations Vitale : lisez la carte (F12) ou l'appli carte Vitale (F11)."
    source = {"lecture": "carte Vitale lue", "adri": "droits ADRi", "apcv": "appli carte Vitale",
              "aucune": "aucune lecture"}[info.source]
    presence = "carte présente" if dossier.card_present else "carte absente"
    return (f"{info.nir_formatted} {info.nir_key} │ {info.taux_label} │ {info.regime} {info.caisse} {info.centre}"
            f" │ {source}, {presence}")


def rate_check_text(status: RateCheckStatusDTO) -> tuple[str, str]:
    """(text, level) of the "Vérif. taux" line."""
    if not status.exists:
        return "Vérif. taux : absente — F9 pour la lancer (obligatoire avant de facturer)", "warning"
    when = f" le {status.checked_at:%d/%m/%Y à %H:%M}" if status.checked_at else ""
    taux = f"{status.taux} %, " if status.taux is not None else ""
    if status.is_stale:
        return f"Vérif. taux : périmée — {status.stale_reason or 'le dossier a changé'} (F9 pour la relancer)", \
            "error"
    return f"Vérif. taux : à jour ({taux}{when.strip()})", "ok"


class DossierHeader(Vertical):
    """Title line (with the SV/DEG badge on the right); once invoiced, "Visite - Facturée le ..." goes on its
    own second line so neither the patient's name nor the invoice line is cut at 80 columns."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="dossier-title-row"):
            yield Static(EMPTY_TITLE, id="dossier-title")
            yield Static("", id="fse-badge")
        yield Static("", id="fse-visite")

    def show(self, dossier: DossierDTO | None) -> None:
        self.query_one("#dossier-title", Static).update(dossier_title(dossier))
        visite, badge = fse_badge(dossier)
        line = self.query_one("#fse-visite", Static)
        line.update(visite)
        line.display = bool(visite)
        widget = self.query_one("#fse-badge", Static)
        widget.update(f" {badge} " if badge else "")
        widget.display = bool(badge)
        widget.set_class(badge == "SV", "-sv")
        widget.set_class(badge == "DEG", "-deg")


class VitaleBanner(Static):
    def show(self, dossier: DossierDTO | None) -> None:
        if dossier is None:
            self.update("")
            return
        info = dossier.info_vitale
        title = f"Informations Vitale au {info.as_of:%d/%m/%Y}" if info else "Informations Vitale"
        text = Text()
        text.append(title, style="bold")
        text.append("   F7 : Détail Informations Vitale\n", style="dim")
        text.append(vitale_line(dossier))
        self.update(text)


class RateCheckLine(Static):
    def show(self, dossier: DossierDTO | None) -> None:
        if dossier is None:
            self.update("")
            return
        text, level = rate_check_text(dossier.rate_check)
        self.update(text)
        for name in ("ok", "warning", "error"):
            self.set_class(level == name, f"-{name}")
