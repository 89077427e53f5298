"""Card layer: readers (PC/SC via pyscard, simulated), ATR classes, demo profiles of the Carte Vitale and
the CPS, the demo deck and the vpcd virtual card. See core/card/PROFILE.md for the APDU protocol.

Public API (what screens, services and the engine call):
- readers: ``PcscReader()``, ``SimulatedReader()``, ``pcsc_availability()``; protocol ``CardReader`` /
  ``CardConnection``; events ``CardEvent`` (``CardEventKind``) via ``reader.subscribe(callback)``.
- Carte Vitale: ``read_vitale(conn_or_reader) -> VitaleData``.
- CPS: ``verify_pin``, ``pin_status``, ``unblock``, ``read_cps``, ``sign``.
- ``classify_atr(atr) -> AtrInfo``; demo deck: ``deck_names()``, ``make_card(name)``.
pyscard is imported only when a PC/SC call is made.
"""
from core.card.atr import AtrInfo, CardKind, classify_atr
from core.card.cps import pin_status, read_cps, sign, unblock, verify_pin
from core.card.deck import DECK, DECK_REFERENCE_DATE, deck_names, make_card
from core.card.models import (Beneficiary, CpsData, CpsSituation, Identity, PinResult, Rights, VitaleData,
                              display_birth_date, with_century)
from core.card.pcsc import Availability, PcscReader, pcsc_availability
from core.card.reader import (CardConnection, CardErrorCode, CardEvent, CardEventKind, CardReader, PresentCard,
                              connect_kind)
from core.card.simulated import SLOT_CPS, SLOT_VITALE, SimulatedReader
from core.card.vitale import read_vitale

__all__ = [
    "AtrInfo", "CardKind", "classify_atr", "pin_status", "read_cps", "sign", "unblock", "verify_pin", "DECK",
    "DECK_REFERENCE_DATE", "deck_names", "make_card", "Beneficiary", "CpsData", "CpsSituation", "Identity",
    "PinResult", "Rights", "VitaleData", "display_birth_date", "with_century", "Availability", "PcscReader",
    "pcsc_availability", "CardConnection", "CardErrorCode", "CardEvent", "CardEventKind", "CardReader",
    "PresentCard", "connect_kind", "SLOT_CPS", "SLOT_VITALE", "SimulatedReader", "read_vitale",
]
