"""The demo deck: deterministic cards for the simulated reader and `lunetier card serve`.

People match the demo dataset (core/demo_data.py) and the demo ADRi server (core/engine/demo/rights_data.py)
so that a card read finds its client and ADRi answers coherently. The deck's stories hold on
``DECK_REFERENCE_DATE`` (the manual's "Informations lues le 28/05/24"): the C2S periods are open, DURAND's
card is expired (validity 2023-12-31), every other card is valid. Code never compares these dates with
now(): callers pass a date (FrozenClock in tests, the consultation date in the app).

NIR keys are the standard 97 - (n mod 97) (python-stdnum), checked by the unit tests; DESMAUX
2 55 06 99 999 999 has key 34 (the manual's). The demo CPS codes are public on purpose: code porteur
1234, code de déblocage 12345678 (PROFILE.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from core.card.atr import CardKind
from core.card.models import (AldPeriod, AmcData, AtData, Beneficiary, CpsData, CpsSituation, Identity,
                              MutuelleData, Organisme, Period, Rights, ServiceAmo, VitaleData)
from core.card.virtual import CpsVirtualCard, UnknownVirtualCard, VirtualCard, VitaleVirtualCard
from core.errors import ValidationError

__all__ = ["DeckEntry", "DECK", "DECK_REFERENCE_DATE", "DEMO_CPS_PIN", "DEMO_CPS_PUK", "deck_names", "deck_entry",
           "make_card", "vitale_content", "cps_content"]

DECK_REFERENCE_DATE = date(2024, 5, 28)
DEMO_CPS_PIN = "1234"
DEMO_CPS_PUK = "12345678"

ORG_TEST = Organisme(regime="01", caisse="999", centre="9999", libelle="Caisse de TEST")
ORG_CNDA = Organisme(regime="01", caisse="349", centre="9881", libelle="Flux CNAMTS CNDA")
ORG_MSA = Organisme(regime="02", caisse="349", centre="0000", libelle="Flux MSA CNDA")
ORG_CRPCEN = Organisme(regime="10", caisse="349", centre="0210", libelle="Flux CRPCEN CNDA")

_VALID_UNTIL = date(2031, 12, 31)
_NO_ALD = AldPeriod(code="0", situation="100")          # the manual's "Période couverture ALD" row
_C2S = ServiceAmo(code="01", debut=date(2023, 11, 1), fin=date(2024, 10, 31))   # = rights_data._C2S
_C2S_AMC = AmcData(numero_amc="99999997", gestion="unique", indicateur_traitement="62",
                   debut=date(2023, 11, 1), fin=date(2024, 10, 31))


def _rights(*, amo_from: date = date(2024, 1, 1), amo_to: date | None = None, **kw) -> Rights:
    kw.setdefault("ald", (_NO_ALD,))
    kw.setdefault("service_amo", ServiceAmo(code="00"))
    return Rights(amo_periods=(Period(debut=amo_from, fin=amo_to),), **kw)


def _b(numero: int, nom: str, prenom: str, birth: str, *, qualite: int = 0, rang: int = 1, rights: Rights | None = None,
       adresse: tuple[str, ...] = (), nir: str = "", key: str = "", certif: date | None = None) -> Beneficiary:
    return Beneficiary(
        numero=numero, adresse=adresse, rights=rights or _rights(),
        identity=Identity(nom=nom, prenom=prenom, patronyme=nom, birth_date=birth, rang=rang, qualite=qualite,
                          nir_certifie=nir, nir_certifie_key=key, date_certif=certif,
                          century_missing=len(birth) == 6))


def _card(serial: str, org: Organisme, nir: str, key: str, nom: str, prenom: str, benefs: tuple[Beneficiary, ...],
          *, validite: date = _VALID_UNTIL, **kw) -> VitaleData:
    return VitaleData(type_carte="Vitale 2", numero_serie=serial, validite=validite, organisme=org, nir=nir,
                      nir_key=key, nom_assure=nom, prenom_assure=prenom, code_gestion="10", beneficiaries=benefs, **kw)


_LE_MANS = ("5, BD MARIE ET ALEXANDRE OYON", "72019 LE MANS CEDEX 2")


def _desmaux() -> VitaleData:
    amc = AmcData(numero_amc="1100000000", numero_adherent="000123456", indicateur_traitement="12",
                  gestion="separee", debut=date(2024, 1, 1), fin=date(2024, 12, 31))
    rights = _rights(amo_from=date(2023, 5, 29), medecin_traitant="DR MEDECIN TEST", amc=amc,
                     mutuelle=MutuelleData(identification="1100000000", garanties="OPT", indicateur_traitement="01"),
                     mutuelle_periods=(Period(debut=date(2024, 1, 1), fin=date(2024, 12, 31)),))
    return _card("105500000001", ORG_TEST, "2550699999999", "34", "DESMAUX", "NATHALIE", (
        _b(1, "DESMAUX", "NATHALIE", "19550615", adresse=_LE_MANS, rights=rights, nir="2550699999999", key="34",
           certif=date(2007, 3, 15)),))


def _essai() -> VitaleData:
    # ESSAI Alain (the manual's 1 42 19 62 965 165 96, lunar birth date 01/19/1942) and family; Alexis and
    # Arthur are twins: same birth date, rang 1 and 2 (the FSE tells them apart by the rang).
    c2s = _rights(service_amo=_C2S, amc=_C2S_AMC)
    return _card("104200000002", ORG_CNDA, "1421962965165", "96", "ESSAI", "ALAIN", (
        _b(1, "ESSAI", "ALAIN", "19421901", nir="1421962965165", key="96", certif=date(2005, 6, 1)),
        _b(2, "ESSAI", "ALAINTER", "19440207", qualite=2, rights=c2s),
        _b(3, "ESSAI", "ALEXIS", "20100212", qualite=6, rang=1),
        _b(4, "ESSAI", "ARTHUR", "20100212", qualite=6, rang=2),
        _b(5, "ESSAI", "ALEXANDRE", "20040703", qualite=6, nir="1040799999996", key="80", certif=date(2020, 9, 1)),
    ), at=AtData(gest_risque="013499881", gest_at1="013499881", id_at1="AT24000001"))


def _facture() -> VitaleData:
    # A card without the birth century (DOMAIN.md 1.3): "800101" -> "Forçage Siècle Naissance".
    return _card("108000000003", ORG_CNDA, "2800199999994", "92", "FACTURE", "AMELIE",
                 (_b(1, "FACTURE", "AMELIE", "800101"),))


def _durand() -> VitaleData:
    # Expired card: validity 2023-12-31, AMO rights closed the same day -> ADRi refreshes them.
    return _card("106500000004", ORG_CNDA, "1650499999997", "49", "DURAND", "DENIS",
                 (_b(1, "DURAND", "DENIS", "19650422", rights=_rights(amo_from=date(2022, 1, 1),
                                                                       amo_to=date(2023, 12, 31))),),
                 validite=date(2023, 12, 31))


def _issner() -> VitaleData:
    c2s = _rights(service_amo=_C2S, amc=_C2S_AMC, statut="C2S")
    return _card("107800000005", ORG_CNDA, "2780399999998", "24", "ISSNER", "NATACHA", (
        _b(1, "ISSNER", "NATACHA", "19780312", rights=c2s),
        _b(2, "ISSNER", "NATHALIE", "20080904", qualite=6, rights=c2s),
    ), service_amo_famille=_C2S)


def _legrand() -> VitaleData:
    # ALD exonérante (code "1", situation "100" as the demo engine's long ALD); not in the ADRi server's
    # list, which then answers from the card data.
    ald = AldPeriod(debut=date(2021, 3, 1), fin=None, code="1", situation="100")
    return _card("104400000006", ORG_CNDA, "1440299999992", "81", "LEGRAND", "ROBERT",
                 (_b(1, "LEGRAND", "ROBERT", "19440215", rights=_rights(ald=(ald,))),))


def _castrois() -> VitaleData:
    # MSA (régime 02). His card has no ALD; the ADRi server has one (rights_data.py).
    return _card("105000000007", ORG_MSA, "1500899999995", "74", "CASTROIS", "LUCIEN",
                 (_b(1, "CASTROIS", "LUCIEN", "19500814"),))


def _alexandre() -> VitaleData:
    # CRPCEN (régime 10); his wife's mutuelle is in gestion unique (paid in the CRPCEN virement).
    amc = AmcData(numero_amc="0062013354", numero_adherent="ESS0042", gestion="unique", indicateur_traitement="22")
    return _card("100400000008", ORG_CRPCEN, "1040799999996", "80", "ESSAI", "ALEXANDRE", (
        _b(1, "ESSAI", "ALEXANDRE", "20040703", nir="1040799999996", key="80", certif=date(2020, 9, 1)),
        _b(2, "ESSAI", "ALEXA", "20031121", qualite=2, rights=_rights(amc=amc)),
    ))


def _cps() -> CpsData:
    # Same practitioner as core/demo_data.py (PS_NOM / PS_PRENOM / PS_NUMERO_AM / PS_RPPS): a test checks it.
    return CpsData(
        type_carte="CPS", code_type_carte="0", civilite="M", nom="OPTIQUE DEMO", prenom="LUNETIER",
        type_identification="8", rpps="10100992600", code_profession="28", numero_serie="CPS0000000001",
        validite=date(2031, 12, 31),
        situations=(
            CpsSituation(numero=1, mode_exercice="0", secteur_activite="85", type_structure="4",
                         id_structure="999999999", raison_sociale="OPTIQUE DEMO", numero_am="992604231",
                         code_conventionnel="1", specialite="28", zone_tarifaire="30"),
            CpsSituation(numero=2, mode_exercice="4", secteur_activite="85", type_structure="4",
                         id_structure="999999998", raison_sociale="OPTIQUE DEMO - SECOND MAGASIN",
                         numero_am="992604249", code_conventionnel="1", specialite="28", zone_tarifaire="30",
                         habilitation_lot=False),
        ))


@dataclass(frozen=True)
class DeckEntry:
    name: str
    label_fr: str
    kind: CardKind
    build: Callable[[], VirtualCard]


def _vitale(name: str, content: Callable[[], VitaleData]) -> Callable[[], VirtualCard]:
    return lambda: VitaleVirtualCard(name, content())


DECK: tuple[DeckEntry, ...] = (
    DeckEntry("cps", "CPS OPTIQUE DEMO Lunetier (code 1234, déblocage 12345678)", CardKind.CPS,
              lambda: CpsVirtualCard("cps", _cps(), DEMO_CPS_PIN, DEMO_CPS_PUK)),
    DeckEntry("desmaux", "Vitale DESMAUX Nathalie (01 999 9999, Caisse de TEST)", CardKind.VITALE_2,
              _vitale("desmaux", _desmaux)),
    DeckEntry("essai", "Vitale famille ESSAI Alain (5 bénéficiaires, jumeaux rang 1 et 2)", CardKind.VITALE_2,
              _vitale("essai", _essai)),
    DeckEntry("sans-siecle", "Vitale FACTURE Amélie (date de naissance sans siècle)", CardKind.VITALE_2,
              _vitale("sans-siecle", _facture)),
    DeckEntry("perimee", "Vitale DURAND Denis (carte périmée le 31/12/2023 : ADRi)", CardKind.VITALE_2,
              _vitale("perimee", _durand)),
    DeckEntry("c2s", "Vitale ISSNER Natacha (C2S, service AMO 01)", CardKind.VITALE_2, _vitale("c2s", _issner)),
    DeckEntry("ald", "Vitale LEGRAND Robert (ALD exonérante)", CardKind.VITALE_2, _vitale("ald", _legrand)),
    DeckEntry("msa", "Vitale CASTROIS Lucien (MSA, régime 02)", CardKind.VITALE_2, _vitale("msa", _castrois)),
    DeckEntry("crpcen", "Vitale ESSAI Alexandre (CRPCEN, régime 10)", CardKind.VITALE_2,
              _vitale("crpcen", _alexandre)),
    DeckEntry("inconnue", "Carte inconnue (carte bancaire ou de fidélité)", CardKind.UNKNOWN,
              lambda: UnknownVirtualCard("inconnue")),
)


def deck_names() -> list[str]:
    return [e.name for e in DECK]


def deck_entry(name: str) -> DeckEntry:
    for entry in DECK:
        if entry.name == name:
            return entry
    raise ValidationError(f"Carte « {name} » absente du jeu de démonstration (cartes : {', '.join(deck_names())}).",
                          log=f"unknown deck card {name!r}")


def make_card(name: str) -> VirtualCard:
    """A fresh card object (its own PIN counters)."""
    return deck_entry(name).build()


def vitale_content(name: str) -> VitaleData:
    """What ``read_vitale`` must return for the deck card ``name`` (apdu_count and atr aside)."""
    card = make_card(name)
    if not isinstance(card, VitaleVirtualCard):
        raise ValidationError(f"La carte « {name} » n'est pas une carte Vitale.", log=f"{name} is not a Vitale card")
    return card.content


def cps_content() -> CpsData:
    card = make_card("cps")
    assert isinstance(card, CpsVirtualCard)
    return card.content
