"""Host side of the CPS: code porteur, unblocking, holder and situations (profil démo, PROFILE.md).

The code (PIN) and the code de déblocage live only inside these calls: they go to the card in a
bytearray that is wiped afterwards, and are never stored, logged, returned or put in an error message.
One VERIFY per call: never an automatic retry (3 wrong codes block the card).

The PIN status is per connection (the card forgets it at power off). To ``sign`` after ``verify_pin``,
pass the same open connection to both; given a reader, each call opens and closes its own connection.
"""
from __future__ import annotations

import logging

from core.card import profile_cps as pc
from core.card.apdu import SW_BLOCKED, SW_OK, SW_SECURITY, read_file, select_aid, transmit
from core.card.atr import CardKind, classify_atr
from core.card.models import CpsData, PinResult, ProfileError
from core.card.reader import CardConnection, CardErrorCode, CardReader, card_error, open_card
from core.errors import CardError, ValidationError

__all__ = ["verify_pin", "pin_status", "unblock", "read_cps", "sign", "CPS_KINDS"]

log = logging.getLogger("lunetier.card")

CPS_KINDS = frozenset({CardKind.CPS})
_MSG_UNREADABLE = "CPS illisible : elle ne suit pas le profil de démonstration de Lunetier."
_MSG_REMOVED = "La CPS a été retirée pendant l'opération : réinsérez-la et recommencez."
_GONE = {str(CardErrorCode.CARD_REMOVED), str(CardErrorCode.NO_CARD), str(CardErrorCode.CARD_MUTE)}


def _check_digits(code: object, length: int, message_fr: str) -> str:
    if not isinstance(code, str) or len(code) != length or not (code.isascii() and code.isdigit()):
        raise ValidationError(message_fr, log="CPS code refused before reaching the card: bad format (not logged)")
    return code


def _require_cps(conn: CardConnection) -> None:
    info = classify_atr(conn.atr)
    if not info.is_cps:
        code = CardErrorCode.UNKNOWN_CARD if not info.is_known else CardErrorCode.WRONG_CARD
        what = "Carte inconnue" if not info.is_known else f"La carte insérée est une {info.label_fr}"
        raise card_error(code, f"{what} : insérez la CPS.", f"CPS operation on ATR {info.atr}")


def _interrupted(exc: CardError) -> CardError:
    if exc.code in _GONE:
        return card_error(CardErrorCode.CARD_REMOVED, _MSG_REMOVED, f"CPS operation interrupted: {exc.log}")
    return exc


def _result(sw: int, full_tries: int, what: str) -> PinResult:
    if sw == SW_OK:
        return PinResult(ok=True, tries_left=full_tries)
    if sw == SW_BLOCKED:
        return PinResult(ok=False, tries_left=0, blocked=True)
    if sw & 0xFFF0 == 0x63C0:
        left = sw & 0x0F
        return PinResult(ok=False, tries_left=left, blocked=left == 0)
    raise card_error(CardErrorCode.BAD_RESPONSE, _MSG_UNREADABLE, f"{what}: unexpected SW {sw:04X}")


def _send_secret(conn: CardConnection, header: bytes, secret: bytearray, what: str) -> int:
    apdu = bytearray(header) + bytes([len(secret)]) + secret
    try:
        _, sw = transmit(conn, bytes(apdu))
    finally:
        apdu[:] = bytes(len(apdu))
        secret[:] = bytes(len(secret))
    return sw


def pin_status(target: CardConnection | CardReader) -> PinResult:
    """Tries left, without consuming one (VERIFY with no data): ok=True when verified on this connection."""
    with open_card(target, CPS_KINDS) as conn:
        _require_cps(conn)
        try:
            select_aid(conn, pc.AID_CPS, _MSG_UNREADABLE)
            _, sw = transmit(conn, bytes([0x00, 0x20, 0x00, pc.PIN_REF]))
        except CardError as exc:
            raise _interrupted(exc) from None
        return _result(sw, pc.PIN_TRIES, "VERIFY status")


def verify_pin(target: CardConnection | CardReader, pin: str) -> PinResult:
    """Present the code porteur (4 digits) once. Wrong: ok=False with tries_left; 3rd wrong: blocked.
    ValidationError (no try used) when ``pin`` is not 4 digits."""
    _check_digits(pin, pc.PIN_LEN, "Le code porteur de la CPS compte 4 chiffres.")
    with open_card(target, CPS_KINDS) as conn:
        _require_cps(conn)
        try:
            select_aid(conn, pc.AID_CPS, _MSG_UNREADABLE)
            sw = _send_secret(conn, bytes([0x00, 0x20, 0x00, pc.PIN_REF]), pc.pin_block(pin), "VERIFY")
        except CardError as exc:
            raise _interrupted(exc) from None
        result = _result(sw, pc.PIN_TRIES, "VERIFY")
    log.info("CPS code check: %s", "ok" if result.ok else ("blocked" if result.blocked else
                                                            f"wrong, {result.tries_left} left"))
    return result


def unblock(target: CardConnection | CardReader, puk: str, new_pin: str) -> PinResult:
    """Unblock with the code de déblocage (8 digits) and set a new code porteur (4 digits).
    The result is about the code de déblocage: ok=True (the new code is set, 3 tries again), or
    ok=False with its tries left (blocked=True: the card is unusable, ask for a new one)."""
    _check_digits(puk, pc.PUK_LEN, "Le code de déblocage de la CPS compte 8 chiffres.")
    _check_digits(new_pin, pc.PIN_LEN, "Le nouveau code porteur compte 4 chiffres.")
    with open_card(target, CPS_KINDS) as conn:
        _require_cps(conn)
        secret = bytearray(puk.encode("ascii")) + pc.pin_block(new_pin)
        try:
            select_aid(conn, pc.AID_CPS, _MSG_UNREADABLE)
            sw = _send_secret(conn, bytes([0x00, 0x2C, 0x00, pc.PIN_REF]), secret, "RESET RETRY COUNTER")
        except CardError as exc:
            raise _interrupted(exc) from None
        finally:
            secret[:] = bytes(len(secret))
        result = _result(sw, pc.PUK_TRIES, "RESET RETRY COUNTER")
    log.info("CPS unblock: %s", "ok" if result.ok else "refused")
    return result


def read_cps(target: CardConnection | CardReader) -> CpsData:
    """Holder identity and every situation de facturation (no code needed in the demo profile)."""
    with open_card(target, CPS_KINDS) as conn:
        _require_cps(conn)
        start = conn.apdu_count
        try:
            select_aid(conn, pc.AID_CPS, _MSG_UNREADABLE)
            fields, fids = pc.decode_holder(read_file(conn, pc.EF_HOLDER, _MSG_UNREADABLE))
            situations = tuple(pc.decode_situation(read_file(conn, fid, _MSG_UNREADABLE)) for fid in fids)
            return CpsData(**fields, situations=situations, atr=classify_atr(conn.atr).atr,
                           apdu_count=conn.apdu_count - start)
        except CardError as exc:
            raise _interrupted(exc) from None
        except (ProfileError, ValueError) as exc:
            raise card_error(CardErrorCode.BAD_RESPONSE, _MSG_UNREADABLE, f"CPS content: {exc}") from None


def sign(conn: CardConnection, data: bytes) -> bytes:
    """Demo signature (PSO: COMPUTE DIGITAL SIGNATURE) of ``data`` (<= 255 bytes, e.g. a hash). Needs
    ``verify_pin`` on the same connection first: CardError(pin_required) otherwise."""
    _require_cps(conn)
    if not 1 <= len(data) <= 255:
        raise ValidationError("Données à signer : 1 à 255 octets.", log=f"sign: {len(data)} bytes")
    try:
        select_aid(conn, pc.AID_CPS, _MSG_UNREADABLE)
        signature, sw = transmit(conn, bytes([0x00, 0x2A, 0x9E, 0x9A, len(data)]) + bytes(data) + b"\x00")
    except CardError as exc:
        raise _interrupted(exc) from None
    if sw == SW_SECURITY:
        raise card_error(CardErrorCode.PIN_REQUIRED, "Saisissez d'abord le code porteur de la CPS.",
                         "sign without verified PIN")
    if sw == SW_BLOCKED:
        raise card_error(CardErrorCode.PIN_BLOCKED, "CPS bloquée : débloquez-la avec le code de déblocage.",
                         "sign on blocked card")
    if sw != SW_OK:
        raise card_error(CardErrorCode.BAD_RESPONSE, _MSG_UNREADABLE, f"sign: SW {sw:04X}")
    return signature
