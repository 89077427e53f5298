"""What the simulated RO rights server (ADRi) knows: the demo shop's insured people.

Identities match the demo dataset (core/demo_data.py: the manual's DESMAUX Nathalie 2 55 06 99 999 999 34,
ESSAI Alain 1 42 19 62 965 165 96 with his lunar birth date, the ISSNER C2S family, the ESSAI twins...).
Deliberate differences with what their cards say, so that ADRi visibly matters (DOMAIN.md 9: ADRi is
more recent than the card and keeps the garantie de paiement):
- CASTROIS Lucien (MSA) has an ALD on the server that his card lacks;
- DURAND Denis' card is expired (core/card demo deck), the server still has open rights.
Anyone not listed here is answered from the card data sent with the query (the server "knows" every
demo card); an ApCV query (no card data) for an unlisted person gets "inconnu".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.engine.types import AldPeriod, AmcData, Organisme, Period, ServiceAmo

__all__ = ["RoPerson", "DEMO_PEOPLE", "ORG_TEST", "ORG_CNDA", "ORG_MSA", "ORG_CRPCEN"]

ORG_TEST = Organisme(regime="01", caisse="999", centre="9999", libelle="Caisse de TEST")
ORG_CNDA = Organisme(regime="01", caisse="349", centre="9881", libelle="Flux CNAMTS CNDA")
ORG_MSA = Organisme(regime="02", caisse="349", centre="0000", libelle="Flux MSA CNDA")
ORG_CRPCEN = Organisme(regime="10", caisse="349", centre="0210", libelle="Flux CRPCEN CNDA")


@dataclass(frozen=True)
class RoPerson:
    nir: str                       # the assuré's NIR body (13)
    birth_date: str                # AAAAMMJJ (lunar allowed)
    rang: int
    qualite: int
    nom: str
    prenom: str
    organisme: Organisme
    nom_assure: str
    prenom_assure: str
    adresse: tuple[str, ...] = ()
    amo_open: bool = True
    ald: tuple[AldPeriod, ...] = ()
    service_amo: ServiceAmo | None = None
    maternite: Period | None = None
    amc_gu: AmcData | None = None  # ADRi returns AMC rights in gestion unique only (DOMAIN.md 9)
    medecin_traitant: str = ""
    statut: str = ""


_C2S = ServiceAmo(code="01", debut=date(2023, 11, 1), fin=date(2024, 10, 31))
_C2S_AMC = AmcData(numero_amc="99999997", gestion="unique", indicateur_traitement="62")
_LONG_ALD = AldPeriod(debut=date(2022, 3, 1), fin=None, code="1", situation="100")


def _p(nir: str, birth: str, nom: str, prenom: str, org: Organisme, nom_assure: str, prenom_assure: str, *,
       rang: int = 1, qualite: int = 0, **kw) -> RoPerson:
    return RoPerson(nir, birth, rang, qualite, nom, prenom, org, nom_assure, prenom_assure, **kw)


DEMO_PEOPLE: tuple[RoPerson, ...] = (
    _p("2550699999999", "19550615", "DESMAUX", "NATHALIE", ORG_TEST, "DESMAUX", "NATHALIE",
       adresse=("5, BD MARIE ET ALEXANDRE OYON", "72019 LE MANS CEDEX 2")),
    _p("2780399999998", "19780312", "ISSNER", "NATACHA", ORG_CNDA, "ISSNER", "NATACHA", service_amo=_C2S,
       amc_gu=_C2S_AMC),
    _p("2780399999998", "20080904", "ISSNER", "NATHALIE", ORG_CNDA, "ISSNER", "NATACHA", qualite=6,
       service_amo=_C2S, amc_gu=_C2S_AMC),
    _p("1650499999997", "19650422", "DURAND", "DENIS", ORG_CNDA, "DURAND", "DENIS"),
    _p("1421962965165", "19421901", "ESSAI", "ALAIN", ORG_CNDA, "ESSAI", "ALAIN"),
    _p("1421962965165", "19440207", "ESSAI", "ALAINTER", ORG_CNDA, "ESSAI", "ALAIN", qualite=2,
       service_amo=_C2S, amc_gu=_C2S_AMC),
    _p("1421962965165", "20100212", "ESSAI", "ALEXIS", ORG_CNDA, "ESSAI", "ALAIN", qualite=6, rang=1),
    _p("1421962965165", "20100212", "ESSAI", "ARTHUR", ORG_CNDA, "ESSAI", "ALAIN", qualite=6, rang=2),
    _p("1421962965165", "20040703", "ESSAI", "ALEXANDRE", ORG_CNDA, "ESSAI", "ALAIN", qualite=6),
    _p("1040799999996", "20040703", "ESSAI", "ALEXANDRE", ORG_CRPCEN, "ESSAI", "ALEXANDRE"),
    _p("1040799999996", "20031121", "ESSAI", "ALEXA", ORG_CRPCEN, "ESSAI", "ALEXANDRE", qualite=2,
       amc_gu=AmcData(numero_amc="0062013354", gestion="unique", indicateur_traitement="22")),
    _p("1500899999995", "19500814", "CASTROIS", "LUCIEN", ORG_MSA, "CASTROIS", "LUCIEN", ald=(_LONG_ALD,)),
    _p("2800199999994", "19800101", "FACTURE", "AMELIE", ORG_CNDA, "FACTURE", "AMELIE"),
)
