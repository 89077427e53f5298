"""Errors raised by an engine (the port) and the codes screens key on.

Every engine failure is a :class:`core.errors.EngineError` (French ``message_fr`` for the user, English
``log``) with a stable ``code``. Subclasses exist where a screen must react differently:

- :class:`TooManyResults` - code ``"-1300"``, the manual's "Nombre de résultats trop grand, merci
  d'affiner votre recherche" (convention search): guide the user to "Attestation AMC" with Type Conv.
  and Crit. Secondaire.
- :class:`AdriUnavailable` - the RO rights server does not answer: continue with "L'assuré a présenté
  sa carte Vitale" (manual §III.A).
- :class:`CpsRequired` - the engine needs the CPS code first ("Demande du code CPS", manual §I).
"""
from __future__ import annotations

from core.errors import EngineError

__all__ = [
    "EngineError", "TooManyResults", "AdriUnavailable", "CpsRequired", "CODE_TOO_MANY", "TOO_MANY_MESSAGE",
    "TOO_MANY_GUIDANCE", "CODE_ADRI_DOWN", "CODE_ADRI_UNKNOWN", "CODE_CPS_REQUIRED", "CODE_RIGHTS_CLOSED",
    "CODE_CARD_MISMATCH", "CODE_CARD_ABSENT", "CODE_FSE_STATE", "CODE_FSE_INVALID", "CODE_PEC",
    "CODE_NOT_SUPPORTED",
]

CODE_TOO_MANY = "-1300"
# Verbatim from the manual (§V, "Information importante").
TOO_MANY_MESSAGE = "Nombre de résultats trop grand, merci d'affiner votre recherche"
TOO_MANY_GUIDANCE = ("Il y a trop de mutuelles avec ce n° préfectoral: impossible d'afficher la liste.\n"
                     "Cliquer sur attestation AMC puis renseigner 'Type Conv.' et 'Crit. Secondaire' avec les "
                     "valeurs présentes sur la carte mutuelle.")
CODE_ADRI_DOWN = "ADRI_INDISPONIBLE"
CODE_ADRI_UNKNOWN = "ADRI_INCONNU"
CODE_CPS_REQUIRED = "CPS_REQUISE"
CODE_RIGHTS_CLOSED = "DROITS_FERMES"
CODE_CARD_MISMATCH = "CARTE_DIFFERENTE"
CODE_CARD_ABSENT = "CARTE_ABSENTE"
CODE_FSE_STATE = "FSE_ETAT"
CODE_FSE_INVALID = "FSE_INVALIDE"
CODE_PEC = "PEC"
CODE_NOT_SUPPORTED = "NON_SUPPORTE"


class TooManyResults(EngineError):
    """Convention search matched more rows than the engine lists (manual code -1300)."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(TOO_MANY_MESSAGE, log=f"convention search: {count} results > limit {limit}",
                         code=CODE_TOO_MANY)
        self.count = count
        self.limit = limit
        self.guidance_fr = TOO_MANY_GUIDANCE


class AdriUnavailable(EngineError):
    """The RO rights server (ADRi) is down or unreachable."""

    def __init__(self, reason_fr: str, *, log: str | None = None) -> None:
        super().__init__(f"Consultation ADRi impossible : {reason_fr}", log=log or f"ADRi unavailable: {reason_fr}",
                         code=CODE_ADRI_DOWN)
        self.reason_fr = reason_fr


class CpsRequired(EngineError):
    """No CPS session: the user must type the CPS code (4 digits)."""

    def __init__(self, what_fr: str = "cette opération") -> None:
        super().__init__(f"Le code de la CPS est nécessaire pour {what_fr} : insérez la CPS et saisissez "
                         "le code porteur.", log="CPS session required", code=CODE_CPS_REQUIRED)
