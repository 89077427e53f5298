"""Simulated RO rights server answering ADRi queries, with a switchable outage.

Window rule (manual §II): the rights returned always cover one year back, ending on the consultation
date: a query for 28/05/2024 returns 29/05/2023 -> 28/05/2024; invoicing the next day queries again.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from stdnum.fr import nir as stdnum_nir

from core.domain.renewal import add_months
from core.engine.demo.rights_data import DEMO_PEOPLE, RoPerson
from core.engine.errors import CODE_ADRI_UNKNOWN, AdriUnavailable
from core.engine.types import AdriAnswer, AdriQuery, Identity, Period, Rights
from core.errors import EngineError

__all__ = ["DemoRightsServer", "adri_window", "UNKNOWN_MESSAGE"]

UNKNOWN_MESSAGE = ("Patient inconnu du serveur ADRi : vérifiez le NIR de l'assuré (pour un enfant, celui du "
                   "parent), la date de naissance, le rang et le code régime.")
DEFAULT_OUTAGE = "le serveur du régime obligatoire ne répond pas"


def adri_window(on: date) -> tuple[date, date]:
    """(start, end) of the rights returned for a query on ``on``: one year back, ``on`` included."""
    return add_months(on, -12) + timedelta(days=1), on


class DemoRightsServer:
    def __init__(self, people: Iterable[RoPerson] = DEMO_PEOPLE, *, mirror_cards: bool = True) -> None:
        self._people = {(p.nir, p.birth_date, p.rang): p for p in people}
        self.mirror_cards = mirror_cards
        self.outage_reason: str | None = None
        self.calls = 0

    # Operator controls (demo settings, tests) --------------------------------------------------------------
    @property
    def down(self) -> bool:
        return self.outage_reason is not None

    def set_outage(self, down: bool, reason: str = DEFAULT_OUTAGE) -> None:
        self.outage_reason = reason if down else None

    def register(self, person: RoPerson) -> None:
        self._people[(person.nir, person.birth_date, person.rang)] = person

    # Protocol side ---------------------------------------------------------------------------------------
    def query(self, q: AdriQuery) -> AdriAnswer:
        self.calls += 1
        if self.outage_reason is not None:
            raise AdriUnavailable(self.outage_reason, log=f"demo ADRi outage: {self.outage_reason}")
        start, end = adri_window(q.on)
        person = self._people.get((q.nir, q.birth_date, q.rang))
        if person is not None:
            return self._answer(q, person, start, end)
        if self.mirror_cards and q.card is not None and q.organisme is not None:
            return self._mirror(q, start, end)
        raise EngineError(UNKNOWN_MESSAGE, log=f"ADRi: unknown person (rang {q.rang})", code=CODE_ADRI_UNKNOWN)

    @staticmethod
    def _answer(q: AdriQuery, p: RoPerson, start: date, end: date) -> AdriAnswer:
        rights = Rights(
            amo_periods=(Period(debut=start, fin=end),) if p.amo_open else (),
            ald=p.ald, service_amo=p.service_amo, maternite=p.maternite, amc=p.amc_gu,
            medecin_traitant=p.medecin_traitant, statut=p.statut)
        identity = Identity(nom=p.nom, prenom=p.prenom, patronyme=p.nom, birth_date=p.birth_date, rang=p.rang,
                            qualite=p.qualite)
        return AdriAnswer(queried_on=q.on, window_start=start, window_end=end, organisme=p.organisme, nir=p.nir,
                          nir_key=stdnum_nir.calc_check_digits(p.nir), nom_assure=p.nom_assure,
                          prenom_assure=p.prenom_assure, identity=identity, adresse=p.adresse, rights=rights)

    @staticmethod
    def _mirror(q: AdriQuery, start: date, end: date) -> AdriAnswer:
        """The RO's view of a demo card it has no special record for: open rights, the card's
        exonérations and C2S; AMC only in gestion unique (ADRi never returns gestion séparée)."""
        card = q.card
        assert card is not None and q.organisme is not None
        amc = card.rights.amc if card.rights.amc is not None and card.rights.amc.gestion == "unique" else None
        rights = Rights(amo_periods=(Period(debut=start, fin=end),), ald=card.rights.ald,
                        service_amo=card.rights.service_amo, maternite=card.rights.maternite, amc=amc,
                        at=card.rights.at, medecin_traitant=card.rights.medecin_traitant,
                        statut=card.rights.statut)
        return AdriAnswer(queried_on=q.on, window_start=start, window_end=end, organisme=q.organisme, nir=q.nir,
                          nir_key=q.nir_key, nom_assure=q.nom, prenom_assure=q.prenom, identity=card.identity,
                          adresse=card.adresse, rights=rights)
