"""DemoEngine: the "Flux de Démonstration" implementation of the engine port.

Deterministic and in-process: cards through ``card_adapter``, ADRi through :class:`DemoRightsServer`
(switchable outage), conventions from a demo table, PEC through :class:`DemoPecPlatform`, rates through
core.domain.tarification, FSE formatting and a demo signature, B2 lots/files through core.formats.b2.

The demo signature is **not** a SESAM-Vitale signature: sha256 over the FSE content hash, the CPS identity
and (SESAM_VITALE mode) the Vitale card's identity. It proves integrity inside Lunetier only.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Sequence

from stdnum.fr import nir as stdnum_nir

from core.clock import Clock
from core.domain.lpp import LppCatalogue, load_catalogue
from core.engine.demo import card_adapter, conventions
from core.engine.demo.pec_platform import DemoPecPlatform
from core.engine.demo.rates import verify_rates as _verify_rates
from core.engine.demo.rights_server import DemoRightsServer
from core.engine.errors import CODE_CARD_ABSENT, CODE_CARD_MISMATCH, CODE_FSE_INVALID, CpsRequired
from core.engine.types import (
    MODE_SV, AdriAnswer, AdriQuery, ConventionQuery, ConventionRow, CpsIdentity, DecodedReturn, FseDraft,
    FseRequest, FseSignature, FseTotals, PecAnswer, PecQuery, PinCheck, RateAnswer, RateQuery, SecureMode,
    VitaleCard,
)
from core.errors import CardError, EngineError, FormatError

__all__ = ["DemoEngine", "FLUX_LABEL", "SIGNATURE_ALGORITHM"]

FLUX_LABEL = "Flux de Démonstration"
SIGNATURE_ALGORITHM = "demo-sha256"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(request: FseRequest) -> str:
    return hashlib.sha256(_canonical(request.model_dump(mode="json")).encode()).hexdigest()


class DemoEngine:
    name = "Lunetier - moteur de démonstration"
    flux_label = FLUX_LABEL

    def __init__(self, clock: Clock, *, rights_server: DemoRightsServer | None = None,
                 pec_platform: DemoPecPlatform | None = None, convention_rows: Sequence[ConventionRow] | None = None,
                 catalogue: LppCatalogue | None = None, convention_limit: int = conventions.DEFAULT_LIMIT) -> None:
        self.clock = clock
        self.rights_server = rights_server or DemoRightsServer()
        self.pec_platform = pec_platform or DemoPecPlatform()
        self.convention_rows = tuple(convention_rows if convention_rows is not None else conventions.DEMO_CONVENTIONS)
        self.convention_limit = convention_limit
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        self._session: tuple[date, CpsIdentity] | None = None

    # --- cards -------------------------------------------------------------------------------------------
    def read_cps(self, reader: Any) -> CpsIdentity:
        return card_adapter.read_cps(reader)

    def verify_pin(self, reader: Any, pin: str) -> PinCheck:
        return card_adapter.verify_pin(reader, pin)

    def open_session(self, reader: Any, pin: str, today: date) -> CpsIdentity:
        cps = card_adapter.read_cps(reader)
        check = card_adapter.verify_pin(reader, pin)
        if not check.ok:
            self._session = None
            if check.blocked:
                raise CardError("Carte CPS bloquée après 3 codes faux : débloquez-la avec le code de déblocage "
                                "(8 chiffres) reçu avec le code porteur (CPS Info Service ou CPAM).",
                                log="CPS blocked", code="CPS_BLOQUEE")
            raise CardError(f"Code porteur incorrect : il reste {check.remaining} essai"
                            f"{'s' if check.remaining > 1 else ''} avant blocage de la CPS.",
                            log=f"wrong CPS code, {check.remaining} left", code="CPS_CODE_FAUX")
        self._session = (today, cps)
        return cps

    def session(self, today: date) -> CpsIdentity | None:
        if self._session is None or self._session[0] != today:
            return None
        return self._session[1]

    def close_session(self) -> None:
        self._session = None

    def read_vitale(self, reader: Any) -> VitaleCard:
        return card_adapter.read_vitale(reader)

    def vitale_present(self, reader: Any) -> bool:
        return card_adapter.vitale_present(reader)

    # --- ADRi --------------------------------------------------------------------------------------------
    def query_rights(self, query: AdriQuery) -> AdriAnswer:
        if self.session(self.clock.today()) is None:
            raise CpsRequired("la consultation ADRi")
        return self.rights_server.query(query)

    # --- billing -----------------------------------------------------------------------------------------
    def verify_rates(self, query: RateQuery) -> RateAnswer:
        return _verify_rates(query, self.catalogue)

    def create_fse(self, request: FseRequest) -> FseDraft:
        _check_fse(request)
        amo = sum(l.remb_amo_cents for l in request.lines)
        amc = sum(l.remb_amc_cents for l in request.lines)
        honoraires = sum(l.honoraires_cents for l in request.lines)
        avance_amo = amo if request.tiers_payant_amo else 0
        avance_amc = amc if request.tiers_payant_amc else 0
        totals = FseTotals(honoraires_cents=honoraires, avance_amo_cents=avance_amo, avance_amc_cents=avance_amc,
                           restant_du_cents=honoraires - avance_amo - avance_amc, remb_amo_cents=amo,
                           remb_amc_cents=amc)
        return FseDraft(request=request, totals=totals, content_hash=content_hash(request), flux_label=FLUX_LABEL)

    def sign_fse(self, draft: FseDraft, cps: CpsIdentity, vitale: VitaleCard | None, mode: SecureMode) -> FseSignature:
        if content_hash(draft.request) != draft.content_hash:
            raise EngineError("FSE altérée depuis sa création : supprimez-la et générez-la à nouveau.",
                              log="FSE content hash mismatch", code=CODE_FSE_INVALID)
        b = draft.request.beneficiary
        if mode == MODE_SV:
            if vitale is None:
                raise EngineError("Mode SESAM_VITALE : la carte Vitale doit être dans le lecteur pour signer. "
                                  "Insérez-la ou choisissez le mode DEGRADE.", log="SV signature without card",
                                  code=CODE_CARD_ABSENT)
            if vitale.nir != b.nir or not any(_same_birth(cb.identity.birth_date, b.birth_date)
                                              and cb.identity.rang == b.rang for cb in vitale.beneficiaries):
                raise EngineError("La carte Vitale présente n'est pas celle du bénéficiaire de la facture : "
                                  "insérez la bonne carte ou choisissez le mode DEGRADE.",
                                  log="SV signature with another beneficiary's card", code=CODE_CARD_MISMATCH)
        parts = [draft.content_hash, cps.numero_am, cps.rpps, cps.nom, cps.prenom, mode]
        if mode == MODE_SV and vitale is not None:
            parts += [vitale.numero_serie, vitale.nir]
        signature = hashlib.sha256("|".join(parts).encode()).hexdigest()
        return FseSignature(signature=signature, algorithm=SIGNATURE_ALGORITHM, signed_at=self.clock.now(), mode=mode,
                            cps_numero_am=cps.numero_am, cps_rpps=cps.rpps,
                            vitale_serial=vitale.numero_serie if (mode == MODE_SV and vitale) else "")

    def delete_fse(self, numero_facture: int) -> None:
        """The demo engine keeps no FSE base: nothing to forget."""

    # --- AMC ---------------------------------------------------------------------------------------------
    def search_conventions(self, query: ConventionQuery) -> tuple[ConventionRow, ...]:
        return conventions.search(self.convention_rows, query, self.convention_limit)

    def request_pec(self, query: PecQuery) -> PecAnswer:
        return self.pec_platform.request(query)

    def poll_pec(self, reference: str) -> PecAnswer:
        return self.pec_platform.poll(reference)

    def pec_credit(self) -> int:
        return self.pec_platform.credit

    # --- transmission ------------------------------------------------------------------------------------
    def build_lot(self, number: str, invoices: Sequence[Any], *, regime: str = "", organism: str = "",
                  amc_number: str = "", created: date | None = None) -> Any:
        from core.formats.b2 import B2Lot

        seal = hashlib.sha256(_canonical([number, [getattr(i, "number", i) for i in invoices]]).encode())
        return B2Lot(number=number, invoices=tuple(invoices), regime=regime, organism=organism,
                     amc_number=amc_number, created=created, certification=seal.hexdigest()[:32].upper())

    def build_file(self, b2_file: Any) -> bytes:
        from core.formats.b2 import write_b2

        return write_b2(b2_file)

    def send_receive(self, mailbox: Any, outgoing: Sequence[tuple[str, bytes]]) -> tuple[tuple[str, bytes], ...]:
        for name, data in outgoing:
            mailbox.send(name, data)
        return tuple(mailbox.receive())

    def decode_return(self, name: str, data: bytes) -> DecodedReturn:
        from core.formats.arl import is_arl, read_arl
        from core.formats.b2 import read_b2
        from core.formats.noemie import read_noemie

        if is_arl(data):
            return DecodedReturn(kind="arl", name=name, document=read_arl(data))
        if data[:3] == b"000":
            try:
                return DecodedReturn(kind="b2", name=name, document=read_b2(data))
            except FormatError:
                pass
        try:
            return DecodedReturn(kind="noemie", name=name, document=read_noemie(data))
        except FormatError as exc:
            raise FormatError(f"Fichier retour « {name} » non reconnu (ni ARL, ni RSP NOEMIE, ni B2).",
                              log=f"decode_return {name}: {exc.log}", offset=exc.offset) from exc


def _same_birth(card: str, fse: str) -> bool:
    """A card without century ("AAMMJJ") matches the FSE's date with the forced century."""
    return card == fse or (len(card) == 6 and len(fse) == 8 and fse[2:] == card)


def _check_fse(r: FseRequest) -> None:
    def bad(message: str, log: str) -> EngineError:
        return EngineError(message, log=log, code=CODE_FSE_INVALID)

    if not r.lines:
        raise bad("Aucune ligne remboursable : pas de FSE à créer.", "FSE without lines")
    if not 1 <= r.numero_facture <= 999_999_999:
        raise bad("Numéro de facture hors limites (1 à 999 999 999).", f"invoice number {r.numero_facture}")
    if stdnum_nir.calc_check_digits(r.beneficiary.nir) != r.beneficiary.nir_key:
        raise bad("NIR du bénéficiaire invalide (clé).", "FSE NIR key mismatch")
    for i, l in enumerate(r.lines, start=1):
        if min(l.honoraires_cents, l.base_cents, l.remb_amo_cents, l.remb_amc_cents) < 0:
            raise bad(f"Ligne {i} : montant négatif.", f"FSE line {i} negative amount")
        if l.remb_amo_cents + l.remb_amc_cents > l.honoraires_cents:
            raise bad(f"Ligne {i} : remboursements AMO + AMC supérieurs aux honoraires.", f"FSE line {i} over")
        if l.date_exec > r.date_facture:
            raise bad(f"Ligne {i} : date d'exécution postérieure à la date de facture.", f"FSE line {i} date")
        if not l.code_presta:
            raise bad(f"Ligne {i} : code prestation absent.", f"FSE line {i} no code")
