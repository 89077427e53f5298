"""Demo AMC platform answering prise en charge (PEC) and cotation requests (PEC tab of the manual).

Rules (INFERRED, deterministic; real platforms - Almerys, Viamédis, SP Santé... - are not reachable):
- every request uses one unit of "Crédit PEC" (245 at start, the manual's figure); none left -> error;
- cotation: the platform quotes the RC amount asked (capped at ``CEILING_CENTS``), state "cotation";
- prise en charge, in this order:
  consentement not printed -> "refus"; N° adhérent missing -> "refus"; N° AMC not served by the
  platform -> "refus"; N° AMC in ``PENDING_AMC`` -> "en attente" (the next poll gives the accord);
  otherwise "accord" with a n° PEC and the amount (capped: partial accord above the ceiling).
Each answer carries the platform and mutuelle messages and the "Que faire ?" advice.
"""
from __future__ import annotations

from core.engine.errors import CODE_PEC
from core.engine.types import PecAnswer, PecQuery
from core.errors import EngineError

__all__ = ["DemoPecPlatform", "SERVED_AMC", "PENDING_AMC", "CEILING_CENTS", "INITIAL_CREDIT"]

INITIAL_CREDIT = 245
CEILING_CENTS = 50_000
SERVED_AMC = frozenset({"1100000000", "7777777777", "0775659923", "0442155012"})
PENDING_AMC = frozenset({"7777777777"})


class DemoPecPlatform:
    def __init__(self, credit: int = INITIAL_CREDIT) -> None:
        self.credit = credit
        self._seq = 0
        self._pending: dict[str, PecQuery] = {}
        self._answers: dict[str, PecAnswer] = {}

    def request(self, q: PecQuery) -> PecAnswer:
        if self.credit <= 0:
            raise EngineError("Crédit PEC épuisé : rechargez le crédit auprès de votre plateforme.",
                              log="demo PEC platform: no credit left", code=CODE_PEC)
        self.credit -= 1
        self._seq += 1
        # The shop's "Réf. Dossier" is the platform's key too (it is unique per request).
        reference = q.reference_dossier or f"DEMO{q.on:%y%m%d}{self._seq:05d}"
        answer = self._decide(reference, q, first=True)
        self._answers[reference] = answer
        return answer

    def poll(self, reference: str) -> PecAnswer:
        if reference not in self._answers:
            raise EngineError("Demande de prise en charge inconnue de la plateforme.",
                              log=f"demo PEC: unknown reference {reference}", code=CODE_PEC)
        if reference in self._pending:
            answer = self._decide(reference, self._pending.pop(reference), first=False)
            self._answers[reference] = answer
        return self._answers[reference]

    def _decide(self, reference: str, q: PecQuery, *, first: bool) -> PecAnswer:
        amount = min(max(q.rc_requested_cents, 0), CEILING_CENTS)
        base = {"reference": reference, "credit": self.credit}
        if q.kind == "cotation":
            return PecAnswer(**base, state="cotation", montant_cents=amount,
                             message_plateforme="Cotation effectuée.",
                             message_mutuelle=f"Montant proposé par la mutuelle : {amount / 100:.2f} €".replace(".", ","),
                             que_faire="Vérifiez le montant puis faites une « Nouvelle prise en charge ».")
        if not q.consentement_imprime:
            return PecAnswer(**base, state="refus", message_plateforme="Consentement du patient non imprimé.",
                             que_faire="Imprimez le consentement, faites-le signer au patient puis relancez "
                                       "« Nouvelle prise en charge ».")
        if not q.numero_adherent.strip():
            return PecAnswer(**base, state="refus", message_plateforme="N° adhérent absent.",
                             que_faire="Saisissez le N° adhérent indiqué sur la carte mutuelle puis relancez "
                                       "la demande.")
        if q.numero_amc not in SERVED_AMC:
            return PecAnswer(**base, state="refus", message_plateforme="Organisme complémentaire non géré par la "
                             "plateforme.", message_mutuelle="Adhérent inconnu.",
                             que_faire="Vérifiez le N° AMC sur la carte mutuelle, ou facturez la part RC hors "
                                       "tiers payant (le patient avance la part mutuelle).")
        if first and q.numero_amc in PENDING_AMC:
            self._pending[reference] = q
            return PecAnswer(**base, state="en attente", message_plateforme="Demande transmise à la mutuelle.",
                             que_faire="Attendez la réponse de la mutuelle puis actualisez la demande.")
        numero = f"PEC{q.on:%y%m%d}{self._seq:05d}"
        partial = q.rc_requested_cents > CEILING_CENTS
        return PecAnswer(**base, state="accord", numero_pec=numero, montant_cents=amount, codes=(numero,),
                         message_plateforme="Prise en charge acceptée.",
                         message_mutuelle="Accord partiel : montant plafonné." if partial else "Accord.",
                         que_faire="Utilisez le n° de PEC pour facturer la part RC (Télétransmission RC).")
