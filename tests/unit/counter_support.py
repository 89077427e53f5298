"""Builders shared by the counter tests: demo-like cards, a CPS, a shop (mutuelles, prescriber) and the
DESMAUX dossier of the manual. Tests build their own rows (the demo dataset is not loaded)."""
from __future__ import annotations

from datetime import date

from core.engine.demo import DemoCardReader, DemoEngine
from core.engine.types import (AldPeriod, AmcData, CardBeneficiary, CpsIdentity, Identity, Organisme, Period, Rights,
                               ServiceAmo, VitaleCard)
from core.models import Mutuelle
from core.services.counter import CounterServices, build_counter_services
from core.services.counter_dto import ArticleInput, OrdonnanceInput, PrescriberInput, RateCheckParams

PIN = "1234"
CPS = CpsIdentity(nom="OPTIQUE DEMO", prenom="Lunetier", numero_am="992604231", rpps="10100992600",
                  numero_serie="CPS0001")
ORG_TEST = Organisme(regime="01", caisse="999", centre="9999", libelle="Caisse de TEST")
ORG_CNDA = Organisme(regime="01", caisse="349", centre="9881", libelle="Flux CNAMTS CNDA")
ORG_MSA = Organisme(regime="02", caisse="349", centre="0000", libelle="Flux MSA CNDA")
OPEN = (Period(debut=date(2023, 1, 1), fin=date(2024, 12, 31)),)
PRESCRIBER = PrescriberInput(nom="CNDA", rpps="00991000696", numero_am="991000696", specialite="15")
ORDO = date(2024, 5, 26)
TODAY = date(2024, 5, 28)


def _benef(nom: str, prenom: str, birth: str, *, rang: int = 1, qualite: int = 0, rights: Rights | None = None,
           adresse: tuple[str, ...] = ()) -> CardBeneficiary:
    return CardBeneficiary(identity=Identity(nom=nom, prenom=prenom, patronyme=nom, birth_date=birth, rang=rang,
                                             qualite=qualite), adresse=adresse,
                           rights=rights or Rights(amo_periods=OPEN, ald=(AldPeriod(code="0", situation="100"),)))


def desmaux_card() -> VitaleCard:
    return VitaleCard(numero_serie="VIT0001", validite=date(2027, 1, 31), organisme=ORG_TEST, nir="2550699999999",
                      nir_key="34", nom_assure="DESMAUX", prenom_assure="NATHALIE",
                      beneficiaries=(_benef("DESMAUX", "NATHALIE", "19550615",
                                            adresse=("5, BD MARIE ET ALEXANDRE OYON", "72019 LE MANS CEDEX 2")),))


def castrois_card() -> VitaleCard:
    """MSA card without ALD; the RO server holds an ALD (core/engine/demo/rights_data.py)."""
    return VitaleCard(numero_serie="VIT0002", validite=date(2027, 1, 31), organisme=ORG_MSA, nir="1500899999995",
                      nir_key="74", nom_assure="CASTROIS", prenom_assure="LUCIEN",
                      beneficiaries=(_benef("CASTROIS", "LUCIEN", "19500814"),))


def issner_card() -> VitaleCard:
    """C2S family: mother and daughter."""
    c2s = Rights(amo_periods=OPEN, service_amo=ServiceAmo(code="01", debut=date(2023, 11, 1), fin=date(2024, 10, 31)),
                 amc=AmcData(numero_amc="99999997", gestion="unique"))
    return VitaleCard(numero_serie="VIT0003", validite=date(2027, 1, 31), organisme=ORG_CNDA, nir="2780399999998",
                      nir_key="24", nom_assure="ISSNER", prenom_assure="NATACHA",
                      beneficiaries=(_benef("ISSNER", "NATACHA", "19780312", rights=c2s),
                                     _benef("ISSNER", "NATHALIE", "20080904", qualite=6, rights=c2s)))


def essai_family_card() -> VitaleCard:
    """ESSAI Alain (lunar birth date) with his wife and the twins Alexis (rang 1) and Arthur (rang 2)."""
    return VitaleCard(numero_serie="VIT0004", validite=date(2027, 1, 31), organisme=ORG_CNDA, nir="1421962965165",
                      nir_key="96", nom_assure="ESSAI", prenom_assure="ALAIN",
                      beneficiaries=(_benef("ESSAI", "ALAIN", "19421901"),
                                     _benef("ESSAI", "ALAINTER", "19440207", qualite=2),
                                     _benef("ESSAI", "ALEXIS", "20100212", qualite=6, rang=1),
                                     _benef("ESSAI", "ARTHUR", "20100212", qualite=6, rang=2)))


def durand_expired_card() -> VitaleCard:
    closed = Rights(amo_periods=(Period(debut=date(2022, 1, 1), fin=date(2023, 12, 31)),))
    return VitaleCard(numero_serie="VIT0005", validite=date(2023, 12, 31), organisme=ORG_CNDA, nir="1650499999997",
                      nir_key="49", nom_assure="DURAND", prenom_assure="DENIS",
                      beneficiaries=(_benef("DURAND", "DENIS", "19650422", rights=closed),))


def services(ctx) -> CounterServices:
    return build_counter_services(ctx, DemoEngine(ctx.clock))


def reader(card: VitaleCard | None = None) -> DemoCardReader:
    return DemoCardReader(card, CPS, cps_pin=PIN)


def add_mutuelle(ctx, numero: str = "1100000000", nom: str = "Mut. Test CNDA", *, gestion: str = "separee",
                 prefectoral: str | None = None, pec_obligatoire: bool = False) -> int:
    with ctx.write():
        row = Mutuelle.create(store=ctx.store, numero=numero, nom=nom, numero_prefectoral=prefectoral or numero,
                              mode_gestion_sv=gestion, pec_obligatoire=pec_obligatoire, teletransmission_defaut=True)
    return row.id


def open_cps(svc: CounterServices, rdr: DemoCardReader) -> None:
    svc.vitale.unlock_cps(rdr, PIN)


def dossier_for(svc: CounterServices, rdr: DemoCardReader, index: int = 1, *, card_present: bool = True) -> int:
    read = svc.vitale.read_card(rdr)
    choice = read.beneficiaires[index - 1]
    svc.vitale.select_beneficiary(choice.beneficiaire_id)
    return svc.dossiers.create(choice.beneficiaire_id, card_present=card_present).id


def with_ordonnance(svc: CounterServices, dossier_id: int, *, ald: bool = False, day: date = ORDO) -> None:
    svc.dossiers.set_ordonnance(dossier_id, OrdonnanceInput(date=day, prescriber=PRESCRIBER, ald_mention=ald))


def desmaux_lines(svc: CounterServices, dossier_id: int) -> None:
    """Détail remboursements of manual §III: MADELE + 2 x V Airwear (+ 2 supplements S Cz EasyP, not Rb)."""
    lens = "V Airwear Cz EasyP Chrono"
    svc.dossiers.add_article(dossier_id, ArticleInput(libelle="MADELE", unit_price_cents=20900, lpp_code="7211674"))
    for side in ("OD", "OG"):
        svc.dossiers.add_article(dossier_id, ArticleInput(libelle=lens, unit_price_cents=10300, kind="verre",
                                                          side=side, lpp_code="7230795"))
        svc.dossiers.add_article(dossier_id, ArticleInput(libelle="S Cz EasyP", unit_price_cents=0, kind="supplement",
                                                          side=side, remboursable=False))


def frame_a(svc: CounterServices, dossier_id: int, rc1_cents: int = 0) -> None:
    svc.dossiers.add_article(dossier_id, ArticleInput(libelle="Monture classe A 100% Santé", unit_price_cents=3000,
                                                      lpp_code="7990101", rc1_cents=rc1_cents))


def desmaux_ready(svc: CounterServices, rdr: DemoCardReader, *, card_present: bool = True) -> int:
    """DESMAUX dossier with ordonnance and lines, in vente, TP RO."""
    dossier_id = dossier_for(svc, rdr, card_present=card_present)
    with_ordonnance(svc, dossier_id)
    desmaux_lines(svc, dossier_id)
    svc.dossiers.to_vente(dossier_id)
    return dossier_id


def verify(svc: CounterServices, dossier_id: int, **changes) -> object:
    params: RateCheckParams = svc.rates.default_params(dossier_id)
    return svc.rates.verify_rates(dossier_id, params.model_copy(update=changes) if changes else params)
