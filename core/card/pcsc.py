"""PC/SC reader on pyscard (pcscd on Linux). pyscard is imported lazily: core imports without it.

Pitfalls handled (shared/reference/PCSC.md):
- pyscard has two exception families: ``smartcard.Exceptions.SmartcardException`` and
  ``smartcard.pcsc.PCSCExceptions.BaseSCardException`` (EstablishContextException is *not* a
  SmartcardException). Both become core.errors.CardError with a French message.
- A missing libpcsclite does not fail the import (every call returns SCARD_E_NO_SERVICE): availability
  tells it apart with ``ctypes.util.find_library("pcsclite")``.
- No CardService is used (its ``__del__`` disconnects the connection it hands out).
- Disconnecting after pcscd died or the card left raises: swallowed (nothing left to release).

Events: a monitor thread of our own on SCardGetStatusChange rather than pyscard's CardMonitor, because
CardMonitor is a process-wide singleton whose thread never stops, prints tracebacks to stderr (which
would tear the TUI) and dies for good when pcscd stops (Debian's socket-activated pcscd exits when idle).
Ours reports SERVICE_LOST / SERVICE_BACK and resumes when pcscd returns; ``cancel()`` stops it.
"""
from __future__ import annotations

import ctypes.util
import logging
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

from core.card.reader import CardErrorCode, CardEvent, CardEventKind, PresentCard, card_error
from core.errors import CardError

__all__ = ["Availability", "pcsc_availability", "PcscReader", "PcscConnection", "translate_pcsc_error"]

log = logging.getLogger("lunetier.card.pcsc")

# PC/SC return codes (winscard), as unsigned 32-bit values
_S_SUCCESS = 0x00000000
_E_CANCELLED = 0x80100002
_E_UNKNOWN_READER = 0x80100009
_E_TIMEOUT = 0x8010000A
_E_SHARING_VIOLATION = 0x8010000B
_E_NO_SMARTCARD = 0x8010000C
_E_NOT_TRANSACTED = 0x80100016
_E_READER_UNAVAILABLE = 0x80100017
_F_COMM_ERROR = 0x80100013
_E_NO_SERVICE = 0x8010001D
_E_SERVICE_STOPPED = 0x8010001E
_E_NO_READERS_AVAILABLE = 0x8010002E
_W_UNRESPONSIVE_CARD = 0x80100066
_W_UNPOWERED_CARD = 0x80100067
_W_RESET_CARD = 0x80100068
_W_REMOVED_CARD = 0x80100069
_SERVICE_DOWN = {_E_NO_SERVICE, _E_SERVICE_STOPPED}
_CARD_GONE = {_E_NO_SMARTCARD, _W_REMOVED_CARD, _E_NOT_TRANSACTED, _F_COMM_ERROR, _W_UNPOWERED_CARD,
              _W_RESET_CARD, _W_UNRESPONSIVE_CARD}

MSG_PYSCARD = ("Le module pyscard n'est pas installé : lecture des cartes par PC/SC impossible "
               "(installez « lunetier[reader] » ou utilisez le lecteur simulé).")
MSG_LIB = ("La bibliothèque PC/SC (libpcsclite) est absente : installez le paquet libpcsclite1 "
           "ou utilisez le lecteur simulé.")
MSG_PCSCD = ("Le service PC/SC (pcscd) ne répond pas : démarrez-le (systemctl start pcscd) "
             "ou utilisez le lecteur simulé.")
MSG_NO_READER = "Aucun lecteur de cartes détecté : branchez le lecteur (ou vérifiez son pilote)."


def _u32(value: object) -> int:
    try:
        return int(value) & 0xFFFFFFFF  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0xFFFFFFFF


def _pyscard() -> SimpleNamespace:
    """The pyscard pieces we use; CardError(pyscard_missing) when it cannot be imported."""
    try:
        from smartcard import scard
        from smartcard.Exceptions import SmartcardException
        from smartcard.pcsc.PCSCCardConnection import PCSCCardConnection
        from smartcard.pcsc.PCSCExceptions import BaseSCardException
    except Exception as exc:  # ImportError, or an OSError from a broken build
        raise card_error(CardErrorCode.PYSCARD_MISSING, MSG_PYSCARD, f"pyscard import failed: {exc}") from None
    return SimpleNamespace(scard=scard, Connection=PCSCCardConnection,
                           errors=(SmartcardException, BaseSCardException))


def _service_error(log_msg: str) -> CardError:
    if ctypes.util.find_library("pcsclite") is None:
        return card_error(CardErrorCode.LIBPCSCLITE_MISSING, MSG_LIB, log_msg)
    return card_error(CardErrorCode.PCSCD_DOWN, MSG_PCSCD, log_msg)


def translate_pcsc_error(exc: BaseException, *, reader_name: str = "", during: str = "") -> CardError:
    """Turn a pyscard exception (either family) into a CardError with a French message."""
    hr = _u32(getattr(exc, "hresult", -1))
    where = f" « {reader_name} »" if reader_name else ""
    log_msg = f"pyscard {type(exc).__name__} during {during or 'call'} on {reader_name!r}: hresult {hr:08X}"
    if hr in _SERVICE_DOWN:
        return _service_error(log_msg)
    if hr == _E_UNKNOWN_READER or hr == _E_READER_UNAVAILABLE:
        return card_error(CardErrorCode.UNKNOWN_READER, f"Lecteur{where} introuvable : a-t-il été débranché ?",
                          log_msg)
    if hr == _E_SHARING_VIOLATION:
        return card_error(CardErrorCode.SHARING,
                          f"Le lecteur{where} est utilisé par un autre logiciel : fermez-le puis recommencez.", log_msg)
    if hr == _E_TIMEOUT:
        return card_error(CardErrorCode.TIMEOUT, "Aucune carte insérée dans le délai.", log_msg)
    if during == "connect" and hr in (_E_NO_SMARTCARD, _W_REMOVED_CARD):
        return card_error(CardErrorCode.NO_CARD, f"Aucune carte dans le lecteur{where}.", log_msg)
    if during == "connect" and hr in (_W_UNRESPONSIVE_CARD, _W_UNPOWERED_CARD):
        return card_error(CardErrorCode.CARD_MUTE,
                          f"La carte du lecteur{where} ne répond pas : retournez-la ou réinsérez-la.", log_msg)
    if during == "transmit" and (hr in _CARD_GONE or hr in (0, 0xFFFFFFFF)):
        # hresult 0: pyscard's "Card returned no valid response" (the card vanished mid-exchange)
        return card_error(CardErrorCode.CARD_REMOVED, f"La carte a été retirée du lecteur{where} ou ne répond plus.",
                          log_msg)
    return card_error(CardErrorCode.READER_ERROR, f"Erreur du lecteur de cartes{where} (code {hr:08X}).", log_msg)


# --- availability --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Availability:
    ok: bool
    reason_code: str          # "ok" or a CardErrorCode value: pyscard_missing, libpcsclite_missing, ...
    message_fr: str
    readers: tuple[str, ...] = ()


def pcsc_availability(required_reader: str | None = None) -> Availability:
    """Can PC/SC be used right now? Never raises (doctor, settings screen, reader choice at start-up)."""
    try:
        py = _pyscard()
    except CardError as exc:
        return Availability(False, str(exc.code), exc.message_fr)
    try:
        names = _list_readers(py)
    except CardError as exc:
        return Availability(False, str(exc.code), exc.message_fr)
    if not names:
        return Availability(False, str(CardErrorCode.NO_READER), MSG_NO_READER)
    if required_reader and required_reader not in names:
        return Availability(False, str(CardErrorCode.UNKNOWN_READER),
                            f"Lecteur « {required_reader} » absent (lecteurs : {', '.join(names)}).", tuple(names))
    s = "s" if len(names) > 1 else ""
    return Availability(True, "ok", f"{len(names)} lecteur{s} : {', '.join(names)}", tuple(names))


class _Context:
    """A PC/SC context (SCardEstablishContext ... SCardReleaseContext)."""

    def __init__(self, py: SimpleNamespace) -> None:
        self.s = py.scard
        hr, self.handle = self.s.SCardEstablishContext(self.s.SCARD_SCOPE_USER)
        if _u32(hr) != _S_SUCCESS:
            raise _service_error(f"SCardEstablishContext: {_u32(hr):08X}")

    def list_readers(self) -> list[str]:
        hr, names = self.s.SCardListReaders(self.handle, [])
        hr = _u32(hr)
        if hr == _E_NO_READERS_AVAILABLE:
            return []
        if hr in _SERVICE_DOWN:
            raise _service_error(f"SCardListReaders: {hr:08X}")
        if hr != _S_SUCCESS:
            raise card_error(CardErrorCode.READER_ERROR, f"Erreur du service PC/SC (code {hr:08X}).",
                             f"SCardListReaders: {hr:08X}")
        return [str(n) for n in names]

    def status(self, states: list[tuple[str, int]], timeout_ms: int) -> tuple[int, list[tuple[str, int, bytes]]]:
        hr, result = self.s.SCardGetStatusChange(self.handle, timeout_ms, states)
        return _u32(hr), [(str(n), int(ev), bytes(atr)) for n, ev, atr in (result or [])]

    def cancel(self) -> None:
        try:
            self.s.SCardCancel(self.handle)
        except Exception:  # noqa: BLE001 - best effort wake-up
            pass

    def release(self) -> None:
        try:
            self.s.SCardReleaseContext(self.handle)
        except Exception:  # noqa: BLE001 - pcscd may be gone
            pass


def _list_readers(py: SimpleNamespace) -> list[str]:
    ctx = _Context(py)
    try:
        return ctx.list_readers()
    finally:
        ctx.release()


def _present(py: SimpleNamespace, event_state: int) -> bool:
    s = py.scard
    return bool(event_state & s.SCARD_STATE_PRESENT) and not event_state & s.SCARD_STATE_MUTE


# --- connection -------------------------------------------------------------------------------------------

class PcscConnection:
    """One card connection through pcscd. ``transmit`` -> (data, sw1, sw2); errors -> CardError."""

    def __init__(self, py: SimpleNamespace, reader_name: str) -> None:
        self._py = py
        self.reader_name = reader_name
        self.apdu_count = 0
        try:
            self._conn = py.Connection(reader_name)
            self._conn.connect()
            self.atr = bytes(self._conn.getATR())
        except py.errors as exc:
            self._release()
            raise translate_pcsc_error(exc, reader_name=reader_name, during="connect") from None

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        command = list(apdu)
        try:
            data, sw1, sw2 = self._conn.transmit(command)
        except self._py.errors as exc:
            raise translate_pcsc_error(exc, reader_name=self.reader_name, during="transmit") from None
        finally:
            command[:] = [0] * len(command)  # the APDU may carry the CPS code
        self.apdu_count += 1
        return bytes(data), sw1, sw2

    def disconnect(self) -> None:
        self._release()

    def _release(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is None:
            return
        self._conn = None
        for step in (conn.disconnect, conn.release):
            try:
                step()
            except Exception:  # noqa: BLE001 - card gone or pcscd dead: nothing left to free (PCSC.md P12)
                pass

    def __del__(self) -> None:
        # released here, quietly, before pyscard's own __del__ could print "Exception ignored" on a TUI
        self._release()

    def __enter__(self) -> "PcscConnection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.disconnect()

    def __repr__(self) -> str:
        return f"PcscConnection({self.reader_name!r})"


# --- monitor ------------------------------------------------------------------------------------------------

class _Monitor:
    """Background thread turning SCardGetStatusChange results into CardEvents."""

    def __init__(self, py: SimpleNamespace, callback: Callable[[CardEvent], None], poll_ms: int) -> None:
        self._py = py
        self._callback = callback
        self._poll_ms = poll_ms
        self._stop = threading.Event()
        self._ctx: _Context | None = None
        self._thread = threading.Thread(target=self._run, name="lunetier-card-monitor", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self._stop.set()
        ctx = self._ctx
        if ctx is not None:
            ctx.cancel()
        if threading.current_thread() is not self._thread:
            self._thread.join(5)

    def _emit(self, event: CardEvent) -> None:
        if self._stop.is_set():
            return
        try:
            self._callback(event)
        except Exception:  # noqa: BLE001 - a faulty callback must not kill the monitor
            log.exception("card event callback failed on %s", event.kind)

    def _run(self) -> None:
        known: dict[str, tuple[bool, bytes, int]] = {}   # reader -> (present, atr, event counter)
        states: dict[str, int] = {}
        service_ok: bool | None = None
        while not self._stop.is_set():
            if self._ctx is None:
                try:
                    self._ctx = _Context(self._py)
                    names = self._ctx.list_readers()
                except CardError as exc:
                    self._drop_context()
                    if service_ok is not False:
                        for name, (present, atr, _) in known.items():
                            if present:
                                self._emit(CardEvent(CardEventKind.REMOVED, name, atr))
                        known.clear()
                        states.clear()
                        self._emit(CardEvent(CardEventKind.SERVICE_LOST, message_fr=exc.message_fr))
                        service_ok = False
                    self._stop.wait(1.0)
                    continue
                if service_ok is False:
                    self._emit(CardEvent(CardEventKind.SERVICE_BACK))
                service_ok = True
            else:
                try:
                    names = self._ctx.list_readers()
                except CardError:
                    self._drop_context()
                    continue
            for gone in [n for n in known if n not in names]:
                present, atr, _ = known.pop(gone)
                states.pop(gone, None)
                if present:
                    self._emit(CardEvent(CardEventKind.REMOVED, gone, atr))
            if not names:
                self._stop.wait(self._poll_ms / 1000)
                continue
            query = [(n, states.get(n, self._py.scard.SCARD_STATE_UNAWARE)) for n in names]
            hr, result = self._ctx.status(query, self._poll_ms)
            if hr in (_E_TIMEOUT, _E_CANCELLED):
                continue
            if hr in _SERVICE_DOWN:
                self._drop_context()
                continue  # next turn reports SERVICE_LOST
            if hr != _S_SUCCESS:  # e.g. a reader unplugged between list and status
                self._stop.wait(0.1)
                continue
            for name, event_state, atr in result:
                states[name] = event_state & ~self._py.scard.SCARD_STATE_CHANGED
                self._update(known, name, event_state, atr)
        self._drop_context()

    def _update(self, known: dict[str, tuple[bool, bytes, int]], name: str, event_state: int, atr: bytes) -> None:
        present = _present(self._py, event_state)
        counter = (event_state >> 16) & 0xFFFF
        was_present, old_atr, old_counter = known.get(name, (False, b"", counter))
        known[name] = (present, atr if present else b"", counter)
        if was_present and (not present or counter != old_counter or atr != old_atr):
            self._emit(CardEvent(CardEventKind.REMOVED, name, old_atr))
            was_present = False
        if present and not was_present:
            self._emit(CardEvent(CardEventKind.INSERTED, name, atr))

    def _drop_context(self) -> None:
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            ctx.release()


# --- reader ---------------------------------------------------------------------------------------------------

class PcscReader:
    """The CardReader protocol over pcscd. Every call raises CardError, never a pyscard exception."""

    def __init__(self, poll_ms: int = 500) -> None:
        self._poll_ms = poll_ms

    def list_readers(self) -> list[str]:
        return _list_readers(_pyscard())

    def present_cards(self) -> list[PresentCard]:
        py = _pyscard()
        ctx = _Context(py)
        try:
            names = ctx.list_readers()
            if not names:
                return []
            hr, result = ctx.status([(n, py.scard.SCARD_STATE_UNAWARE) for n in names], 0)
            if hr in _SERVICE_DOWN:
                raise _service_error(f"SCardGetStatusChange: {hr:08X}")
            if hr != _S_SUCCESS:
                return []
            return [PresentCard(n, atr) for n, ev, atr in result if _present(py, ev)]
        finally:
            ctx.release()

    def subscribe(self, callback: Callable[[CardEvent], None]) -> _Monitor:
        """Start a monitor thread; the returned object's ``cancel()`` stops it. Cards already present are
        reported first as INSERTED. Raises CardError only when pyscard is missing (pcscd down is reported
        as a SERVICE_LOST event, then SERVICE_BACK when it returns)."""
        return _Monitor(_pyscard(), callback, self._poll_ms)

    def wait_for(self, reader_name: str, present: bool, timeout: float) -> bool:
        """Wait until ``reader_name`` holds a card (present=True) or is empty; False on timeout."""
        py = _pyscard()
        ctx = _Context(py)
        try:
            state = py.scard.SCARD_STATE_UNAWARE
            end = time.monotonic() + timeout
            while True:
                left = max(0, int((end - time.monotonic()) * 1000))
                hr, result = ctx.status([(reader_name, state)], left)
                if hr in _SERVICE_DOWN:
                    raise _service_error(f"SCardGetStatusChange: {hr:08X}")
                if hr == _S_SUCCESS and result:
                    ev = result[0][1]
                    state = ev & ~py.scard.SCARD_STATE_CHANGED
                    if _present(py, ev) == present and not ev & py.scard.SCARD_STATE_UNKNOWN:
                        return True
                elif hr == _E_UNKNOWN_READER:
                    raise card_error(CardErrorCode.UNKNOWN_READER, f"Lecteur « {reader_name} » introuvable.",
                                     f"wait_for on unknown reader {reader_name!r}")
                elif hr != _E_TIMEOUT:
                    time.sleep(0.05)
                if time.monotonic() >= end:
                    return False
        finally:
            ctx.release()

    def wait_for_card(self, timeout: float, reader_name: str | None = None) -> PresentCard:
        end = time.monotonic() + timeout
        while True:
            for card in self.present_cards():
                if reader_name is None or card.reader_name == reader_name:
                    return card
            left = end - time.monotonic()
            if left <= 0:
                raise card_error(CardErrorCode.TIMEOUT, "Aucune carte insérée dans le délai.",
                                 f"no card within {timeout}s in {reader_name or 'any reader'}")
            if reader_name is not None:
                self.wait_for(reader_name, True, left)
            else:
                time.sleep(min(0.1, left))

    def connect(self, reader_name: str | None = None) -> PcscConnection:
        py = _pyscard()
        if reader_name is None:
            present = self.present_cards()
            if not present:
                raise card_error(CardErrorCode.NO_CARD, "Aucune carte dans le lecteur : insérez-la.",
                                 "connect(None): no card present")
            reader_name = present[0].reader_name
        return PcscConnection(py, reader_name)

    def __repr__(self) -> str:
        return "PcscReader()"
