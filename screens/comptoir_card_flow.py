"""The Comptoir's "ask, then act" card flows, awaited inside the screen's async worker:

F12  CPS code if not given today -> read the Carte Vitale -> "Choix du bénéficiaire" -> dossier created.
F11  CPS code if needed (ADRi needs the CPS) -> "Lire l'appli Carte Vitale" -> bénéficiaire -> dossier.

Service calls run in threads (asyncio.to_thread). Card and engine failures are LunetierError with a French
message; the services write nothing when a read fails (card pulled out, unknown card, pcscd down).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from app.card_events import card_watch
from core.errors import CardError
from core.services.counter_dto import AdriOutcomeDTO, CardReadDTO, DossierDTO
from screens.apcv_dialog import ApcvDialog
from screens.beneficiary_choice import BeneficiaryChoiceDialog
from screens.cps_code import ask_cps_code

__all__ = ["FlowResult", "ensure_cps", "read_vitale_flow", "read_apcv_flow", "CPS_ABSENT", "holder_name"]

CPS_ABSENT = ("CPS absente : insérez la carte du professionnel de santé dans le lecteur "
              "(Ctrl+O avec le lecteur simulé), puis relancez la lecture (F12).")


@dataclass(frozen=True)
class FlowResult:
    dossier: DossierDTO
    adri: AdriOutcomeDTO | None = None

    @property
    def notice(self) -> tuple[str, str]:
        if self.adri is None:
            return "", "info"
        return self.adri.message_fr, ("info" if self.adri.status == "ok" else "warning")


async def _services(app: Any) -> Any:
    return await asyncio.to_thread(lambda: app.services)   # waits for the database at start-up


async def ensure_cps(app: Any, reason: str) -> bool:
    """The CPS code at the first card read of the day (manual §I). False when the user cancelled."""
    watch = card_watch(app)
    watch.ensure_started()
    if not watch.needs_cps_code():
        return True
    services = await _services(app)
    present = await asyncio.to_thread(services.reader.present_cards)
    if not any(card.info.is_cps for card in present):
        raise CardError(CPS_ABSENT, log="CPS code needed, no CPS in the reader", code="CPS_ABSENTE")
    return await ask_cps_code(app, reason=reason) is not None


def holder_name(read: CardReadDTO) -> str:
    """The assuré's name on the card (the bénéficiaire of qualité 0, else the first)."""
    holder = next((b for b in read.beneficiaires if b.qualite == 0), read.beneficiaires[0] if read.beneficiaires
                  else None)
    return holder.nom if holder else ""


async def _choose_and_create(app: Any, services: Any, read: CardReadDTO, *, card_present: bool) -> FlowResult | None:
    pick = await app.push_screen_wait(BeneficiaryChoiceDialog(read))
    if pick is None:
        return None
    vitale, dossiers = services.counter.vitale, services.counter.dossiers
    selection = await asyncio.to_thread(vitale.select_beneficiary, pick.beneficiaire_id, pick.consultation_date)
    dossier = await asyncio.to_thread(lambda: dossiers.create(pick.beneficiaire_id, pick.consultation_date,
                                                              card_present=card_present))
    return FlowResult(dossier, selection.adri or read.adri)


async def read_vitale_flow(app: Any) -> FlowResult | None:
    """F12 "Lire la Carte Vitale". None when the user cancelled a dialog."""
    if not await ensure_cps(app, "Lecture de la carte Vitale : code demandé à la première lecture du jour."):
        return None
    services = await _services(app)
    read = await asyncio.to_thread(services.counter.vitale.read_card, services.reader)
    card_watch(app).name_vitale(holder_name(read))
    return await _choose_and_create(app, services, read, card_present=True)


async def read_apcv_flow(app: Any) -> FlowResult | None:
    """F11 "Lire l'appli Carte Vitale" (rights from ADRi, which needs the CPS)."""
    if not await ensure_cps(app, "Lecture de l'appli carte Vitale : la consultation ADRi demande la CPS."):
        return None
    payload = await app.push_screen_wait(ApcvDialog())
    if payload is None:
        return None
    services = await _services(app)
    read = await asyncio.to_thread(services.counter.vitale.read_apcv, payload)
    return await _choose_and_create(app, services, read, card_present=False)
