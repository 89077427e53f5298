"""The only place where the demo engine touches cards.

Two kinds of reader are accepted:
- :class:`core.engine.demo.cards.DemoCardReader` (in-memory, used by the service tests);
- a reader of the project's card layer (core.card: SimulatedReader with the demo deck, PcscReader):
  ``read_vitale(reader)``, ``read_cps(reader)``, ``verify_pin(reader, pin)``. core.card's values are
  shaped after core.engine.types on purpose; ``_to_vitale`` / ``_to_cps`` / ``_to_pin`` validate them into
  the engine's models (extra card fields ignored). If the card layer's shapes change, only this file changes.

The PIN is passed to the card and forgotten: it never appears in an error, a log line or a return value.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from core.engine.demo.cards import DemoCardReader
from core.engine.types import CpsIdentity, PinCheck, VitaleCard
from core.errors import CardError

__all__ = ["read_vitale", "vitale_present", "read_cps", "verify_pin", "check_pin_format"]

log = logging.getLogger("lunetier.engine.cards")


def check_pin_format(pin: str) -> None:
    if not isinstance(pin, str) or len(pin) != 4 or not (pin.isascii() and pin.isdigit()):
        raise CardError("Le code porteur de la CPS compte 4 chiffres.", log="CPS code: bad format (not logged)")


def _card_layer() -> Any:
    try:
        import core.card as card
    except ImportError as exc:  # pragma: no cover - core/card is part of the project
        raise CardError("Lecteur de cartes indisponible.", log=f"core.card import failed: {exc}") from exc
    return card


def _as_dict(value: Any) -> dict:
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, dict):
        return value
    raise CardError("Données de carte illisibles par le moteur de démonstration.",
                    log=f"card value of type {type(value).__name__} not convertible")


def _to_vitale(value: Any) -> VitaleCard:
    if isinstance(value, VitaleCard):
        return value
    try:
        return VitaleCard.model_validate(_as_dict(value))
    except CardError:
        raise
    except Exception as exc:  # pydantic error: the card layer's shape differs from the engine's
        raise CardError("Données de la carte Vitale illisibles par le moteur de démonstration.",
                        log=f"vitale conversion failed: {exc}") from exc


def _to_cps(value: Any) -> CpsIdentity:
    if isinstance(value, CpsIdentity):
        return value
    try:
        return CpsIdentity.model_validate(_as_dict(value))
    except CardError:
        raise
    except Exception as exc:
        raise CardError("Données de la CPS illisibles.", log=f"cps conversion failed: {exc}") from exc


def _to_pin(value: Any) -> PinCheck:
    if isinstance(value, PinCheck):
        return value
    data = _as_dict(value)
    return PinCheck(ok=bool(data.get("ok")), remaining=int(data.get("remaining", data.get("tries_left", 0))),
                    blocked=bool(data.get("blocked", False)))


def read_vitale(reader: Any) -> VitaleCard:
    if isinstance(reader, DemoCardReader):
        if reader.vitale is None:
            raise CardError("Aucune carte Vitale dans le lecteur.", log="no vitale card", code="CARTE_ABSENTE")
        return reader.vitale
    return _to_vitale(_card_layer().read_vitale(reader))


def vitale_present(reader: Any) -> bool:
    if reader is None:
        return False
    if isinstance(reader, DemoCardReader):
        return reader.vitale is not None
    present = getattr(reader, "present_cards", None)
    if present is not None:   # core.card.CardReader: classify the ATRs, no full read needed
        try:
            return any(card.info.is_vitale for card in present())
        except CardError:
            return False
    try:
        read_vitale(reader)
    except CardError:
        return False
    return True


def read_cps(reader: Any) -> CpsIdentity:
    if isinstance(reader, DemoCardReader):
        if reader.cps is None:
            raise CardError("Aucune CPS dans le lecteur : insérez la carte du professionnel de santé.",
                            log="no CPS card", code="CPS_ABSENTE")
        return reader.cps
    return _to_cps(_card_layer().read_cps(reader))


def verify_pin(reader: Any, pin: str) -> PinCheck:
    check_pin_format(pin)
    if isinstance(reader, DemoCardReader):
        if reader.cps is None:
            raise CardError("Aucune CPS dans le lecteur : insérez la carte du professionnel de santé.",
                            log="no CPS card", code="CPS_ABSENTE")
        result = reader.check_pin(pin)
    else:
        result = _to_pin(_card_layer().verify_pin(reader, pin))
    log.info("CPS code check: %s", "ok" if result.ok else ("blocked" if result.blocked else "wrong"))
    return result
