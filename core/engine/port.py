"""The engine port: what Lunetier asks of an approved (CNDA) SESAM-Vitale engine.

A real engine (AreaFSE, the GIE's SSV library, Pyxvital...) is proprietary and not reachable here; the
services only talk to this Protocol, and ``core.engine.demo.DemoEngine`` ("Flux de Démonstration")
implements it deterministically. Method names mirror the SSV API families (DOMAIN.md 0):
SSV_LireCartePS, SSV_LireDroitsVitale, ADRi, SSV_FormaterFactures, SSV_SecuriserFacture, SSV_FormaterLot,
SSV_FormaterFichier, SSV_TraduireARL / NOEMIE.

Rules for implementations:
- every failure is a :class:`core.errors.EngineError` (or ``CardError`` for card I/O) with a French
  message; codes in :mod:`core.engine.errors`;
- the CPS code (PIN) is only passed through to the card; never stored, logged or put in an error;
- no database access: the services own the data and call the engine with plain values
  (:mod:`core.engine.types`).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Protocol, Sequence, runtime_checkable

from core.engine.types import (
    AdriAnswer, AdriQuery, ConventionQuery, ConventionRow, CpsIdentity, DecodedReturn, FseDraft, FseRequest,
    FseSignature, PecAnswer, PecQuery, PinCheck, RateAnswer, RateQuery, SecureMode, VitaleCard,
)

__all__ = ["CardPort", "RightsPort", "BillingPort", "AmcPort", "TransmissionPort", "SesamVitaleEngine"]


@runtime_checkable
class CardPort(Protocol):
    """Card access through the engine (the engine owns the reader in a real installation)."""

    def read_cps(self, reader: Any) -> CpsIdentity:
        """Read the CPS holder (no PIN needed). CardError when absent or unreadable."""

    def verify_pin(self, reader: Any, pin: str) -> PinCheck:
        """Check the CPS code porteur (4 digits). Wrong code -> PinCheck(ok=False, remaining=n);
        3 wrong codes block the card (blocked=True). Never retries by itself."""

    def open_session(self, reader: Any, pin: str, today: date) -> CpsIdentity:
        """"Demande du code CPS": verify the PIN and keep a CPS session for the day (ADRi, signature).
        Raises CardError with a French message on a wrong code or a blocked card."""

    def session(self, today: date) -> CpsIdentity | None:
        """The CPS session opened today, if any."""

    def close_session(self) -> None:
        """Forget the CPS session (CPS removed, end of day)."""

    def read_vitale(self, reader: Any) -> VitaleCard:
        """Read the Carte Vitale in the reader. CardError when no card."""

    def vitale_present(self, reader: Any) -> bool:
        """True when a Carte Vitale is in the reader (without reading it fully)."""


@runtime_checkable
class RightsPort(Protocol):
    def query_rights(self, query: AdriQuery) -> AdriAnswer:
        """ADRi: the RO's rights for the one-year window ending on ``query.on``.
        Raises AdriUnavailable when the server is down, EngineError(code ADRI_INCONNU) when the person
        is not known, CpsRequired without a CPS session."""


@runtime_checkable
class BillingPort(Protocol):
    flux_label: str                     # "Flux de Démonstration" for the demo engine

    def verify_rates(self, query: RateQuery) -> RateAnswer:
        """"Vérif. taux": RO rate and amounts per line, as the engine computes them (authoritative)."""

    def create_fse(self, request: FseRequest) -> FseDraft:
        """SSV_FormaterFactures: validate and format the FSE (state "TP Calculé" on the Lunetier side)."""

    def sign_fse(self, draft: FseDraft, cps: CpsIdentity, vitale: VitaleCard | None, mode: SecureMode) -> FseSignature:
        """SSV_SecuriserFacture: SESAM_VITALE needs the Vitale card (``vitale``), DEGRADE the CPS only."""

    def delete_fse(self, numero_facture: int) -> None:
        """Forget a formatted, unsent FSE ("Générer FSE" unticked)."""


@runtime_checkable
class AmcPort(Protocol):
    def search_conventions(self, query: ConventionQuery) -> tuple[ConventionRow, ...]:
        """"Choix de la convention AMC/Mutuelle". Raises TooManyResults (code -1300) above the limit."""

    def request_pec(self, query: PecQuery) -> PecAnswer:
        """Ask the AMC platform for a prise en charge (or a cotation)."""

    def poll_pec(self, reference: str) -> PecAnswer:
        """Latest answer of a pending PEC request."""

    def pec_credit(self) -> int:
        """"Crédit PEC" left with the platform."""


@runtime_checkable
class TransmissionPort(Protocol):
    def build_lot(self, number: str, invoices: Sequence[Any], *, regime: str = "", organism: str = "",
                  amc_number: str = "", created: date | None = None) -> Any:
        """SSV_FormaterLot: a lot (core.formats.b2.B2Lot) of secured invoices for one destination."""

    def build_file(self, b2_file: Any) -> bytes:
        """SSV_FormaterFichier: the transmission file bytes (B2) for a core.formats.b2.B2File."""

    def send_receive(self, mailbox: Any, outgoing: Sequence[tuple[str, bytes]]) -> tuple[tuple[str, bytes], ...]:
        """"Envoyer et Recevoir": send the files through ``mailbox`` (core.transport.mailbox.Mailbox) and
        return what it holds for us (ARL, RSP); the caller acks what it processed."""

    def decode_return(self, name: str, data: bytes) -> DecodedReturn:
        """SSV_TraduireARL / NOEMIE: decode a returned file (ARL, RSP, or a B2 file for display)."""


@runtime_checkable
class SesamVitaleEngine(CardPort, RightsPort, BillingPort, AmcPort, TransmissionPort, Protocol):
    """The whole engine. ``name`` identifies it in logs and the UI."""

    name: str
