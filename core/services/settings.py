"""Shop settings of the manual (section XI), stored in the database and shared by every counter."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.models import Setting
from core.services.base import ServiceContext


class Concentrateur(BaseModel):
    model_config = ConfigDict(frozen=True)
    nom: str
    teletransmission: bool
    pec: bool


class TeletransmissionSettings(BaseModel):
    """Paramètres > Mutuelles & SS > Télétransmission."""
    model_config = ConfigDict(frozen=True)
    concentrateurs: tuple[Concentrateur, ...] = (
        Concentrateur(nom="Simulateur Lunetier (démo)", teletransmission=True, pec=True),
        Concentrateur(nom="Sicorfe", teletransmission=False, pec=False),
        Concentrateur(nom="WebIntellio", teletransmission=False, pec=False),
    )
    blocage_automatique_fse: bool = False
    controle_teletransmission_regime: bool = False
    blocage_si_documents_absents: bool = False
    top_m: bool = True                       # Demande à la CPAM de transmettre à la mutuelle
    lettrage_auto: bool = True               # Lettrage auto. suite à l'intégration des fichiers RSP
    norme_b2_defaut: str = "062007 - Juin 2007"
    integrer_rsp_apres_teletransmission: bool = True
    # Lunetier additions (the manual names the states, not the delays): days without ARL before the lot
    # becomes "Absence ARL Renvoyer lot", then "Absence ARL Manuel obligatoire".
    absence_arl_renvoyer_jours: int = Field(default=3, ge=1, le=60)
    absence_arl_manuel_jours: int = Field(default=10, ge=1, le=120)

    @model_validator(mode="after")
    def _delays_ordered(self) -> "TeletransmissionSettings":
        if self.absence_arl_manuel_jours <= self.absence_arl_renvoyer_jours:
            raise ValueError("le délai « Manuel obligatoire » doit dépasser le délai « Renvoyer lot »")
        return self


class PsSettings(BaseModel):
    """Paramètres > Sesam Vitale > Paramétrage du PS."""
    model_config = ConfigDict(frozen=True)
    adri_mode: Literal["cible", "systematique", "manuel"] = "cible"


class SvSettings(BaseModel):
    """Paramètres > Sesam Vitale > Paramétrage SV."""
    model_config = ConfigDict(frozen=True)
    date_activation_sv: date | None = None
    date_edition_dernier_lot: date | None = None
    edition_apres_teletransmission: bool = False
    mode_securisation: Literal["SESAM_VITALE", "DEGRADE", "Sesam_Sans_Vitale"] = "SESAM_VITALE"


class ScorSettings(BaseModel):
    model_config = ConfigDict(frozen=True)
    # SCOR: keep >= 90 days after télétransmission, purge at 6 months at the latest.
    retention_days: int = Field(default=180, ge=90, le=186)


class ShopSettings(BaseModel):
    model_config = ConfigDict(frozen=True)
    teletransmission: TeletransmissionSettings = TeletransmissionSettings()
    ps: PsSettings = PsSettings()
    sv: SvSettings = SvSettings()
    scor: ScorSettings = ScorSettings()


SECTIONS = ("teletransmission", "ps", "sv", "scor")


class SettingsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def get(self) -> ShopSettings:
        rows = {r.key: r.value for r in Setting.select().where(Setting.store == self.ctx.store)}
        return ShopSettings.model_validate({k: rows[k] for k in SECTIONS if k in rows})

    def update(self, section: str, values: BaseModel, *, actor: str = "") -> ShopSettings:
        """Replace one section; the change is audited with before/after values."""
        if section not in SECTIONS:
            raise KeyError(section)
        with self.ctx.write():
            before = getattr(self.get(), section).model_dump(mode="json")
            after = values.model_dump(mode="json")
            Setting.insert(store=self.ctx.store, key=section, value=after).on_conflict(
                conflict_target=[Setting.store, Setting.key], update={Setting.value: after}).execute()
            changed = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            if changed:
                self.ctx.audit("parametres.modification", entity="settings", entity_id=section,
                               details=changed, actor=actor)
        return self.get()
