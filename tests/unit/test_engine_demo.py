"""The demo engine on its own: port conformance, ADRi server, CPS code, conventions, PEC, rates, FSE, signature."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from core.clock import FrozenClock
from core.engine.demo import DemoCardReader, DemoEngine, DemoRightsServer, adri_window
from core.engine.demo.conventions import OVERFLOW_CARD, OVERFLOW_PREFECTORAL
from core.engine.errors import (CODE_ADRI_UNKNOWN, CODE_CARD_ABSENT, CODE_CARD_MISMATCH, CODE_RIGHTS_CLOSED,
                                TOO_MANY_MESSAGE, AdriUnavailable, CpsRequired, TooManyResults)
from core.engine.port import SesamVitaleEngine
from core.engine.types import (AdriQuery, AldPeriod, ConventionQuery, FseBeneficiary, FseLineInput, FseRequest,
                               PecQuery, Period, RateLine, RateQuery, Rights, ServiceAmo)
from core.errors import CardError, EngineError
from tests.unit import counter_support as S

NOW = datetime(2024, 5, 28, 11, 13)
ON = date(2024, 5, 28)


@pytest.fixture
def engine() -> DemoEngine:
    return DemoEngine(FrozenClock(NOW))


def test_demo_engine_implements_the_port(engine):
    assert isinstance(engine, SesamVitaleEngine)
    assert engine.flux_label == "Flux de Démonstration"


@pytest.mark.parametrize(("on", "start"), [
    (date(2024, 5, 28), date(2023, 5, 29)),      # the manual's example
    (date(2024, 5, 29), date(2023, 5, 30)),      # next day: re-queried window
    (date(2024, 2, 29), date(2023, 3, 1)),       # leap day: 28/02/2023 + 1
    (date(2024, 1, 1), date(2023, 1, 2)),
])
def test_adri_window_is_one_year_ending_on_the_query_date(on, start):
    assert adri_window(on) == (start, on)


def _query(nir="2550699999999", key="34", birth="19550615", rang=1, **kw) -> AdriQuery:
    return AdriQuery(nir=nir, nir_key=key, birth_date=birth, rang=rang, on=ON, **kw)


def test_adri_needs_an_open_cps_session(engine):
    with pytest.raises(CpsRequired) as exc:
        engine.query_rights(_query())
    assert "code" in exc.value.message_fr and exc.value.code == "CPS_REQUISE"


def test_adri_answers_with_the_server_rights_and_the_window(engine):
    engine.open_session(S.reader(), S.PIN, ON)
    answer = engine.query_rights(_query())
    assert (answer.window_start, answer.window_end) == (date(2023, 5, 29), date(2024, 5, 28))
    assert answer.rights.amo_periods == (Period(debut=date(2023, 5, 29), fin=date(2024, 5, 28)),)
    assert answer.organisme.code == "01-999-9999" and answer.identity.nom == "DESMAUX"
    castrois = engine.query_rights(_query("1500899999995", "74", "19500814"))
    assert castrois.rights.ald_on(ON) is not None        # an ALD the card does not carry


def test_adri_outage_is_switchable(engine):
    engine.open_session(S.reader(), S.PIN, ON)
    engine.rights_server.set_outage(True)
    with pytest.raises(AdriUnavailable) as exc:
        engine.query_rights(_query())
    assert exc.value.message_fr.startswith("Consultation ADRi impossible")
    engine.rights_server.set_outage(False)
    assert engine.query_rights(_query()).identity.prenom == "NATHALIE"


def test_adri_unknown_person_and_mirror_of_a_card(engine):
    engine.open_session(S.reader(), S.PIN, ON)
    with pytest.raises(EngineError) as exc:
        engine.query_rights(_query("1990199999990", "00", "19990101"))
    assert exc.value.code == CODE_ADRI_UNKNOWN and "NIR" in exc.value.message_fr
    card = S.desmaux_card().beneficiaries[0]
    mirrored = DemoRightsServer(people=()).query(_query(card=card, organisme=S.ORG_TEST))
    assert mirrored.rights.amo_open_on(ON) and mirrored.organisme == S.ORG_TEST


def test_cps_code_counts_down_then_blocks_and_is_never_echoed(engine):
    rdr = DemoCardReader(None, S.CPS, cps_pin="4321")
    messages = []
    for _ in range(3):
        with pytest.raises(CardError) as exc:
            engine.open_session(rdr, "1234", ON)
        messages.append(exc.value.message_fr + exc.value.log)
    assert "il reste 2 essais" in messages[0] and "il reste 1 essai " in messages[1]
    assert "bloquée" in messages[2] and "8 chiffres" in messages[2]
    assert all("1234" not in m and "4321" not in m for m in messages)
    assert "4321" not in repr(rdr)
    with pytest.raises(CardError):
        engine.open_session(rdr, "4321", ON)             # blocked even with the right code
    assert engine.session(ON) is None


@pytest.mark.parametrize("pin", ["123", "12345", "abcd", "12 4", ""])
def test_cps_code_must_be_four_digits(engine, pin):
    with pytest.raises(CardError) as exc:
        engine.open_session(S.reader(), pin, ON)
    assert exc.value.message_fr == "Le code porteur de la CPS compte 4 chiffres."


def test_session_is_for_the_day(engine):
    engine.open_session(S.reader(), S.PIN, ON)
    assert engine.session(ON).numero_am == "992604231"
    assert engine.session(date(2024, 5, 29)) is None


def test_conventions_too_many_results_is_code_1300(engine):
    with pytest.raises(TooManyResults) as exc:
        engine.search_conventions(ConventionQuery(numero_prefectoral=OVERFLOW_PREFECTORAL))
    assert exc.value.code == "-1300" and exc.value.message_fr == TOO_MANY_MESSAGE
    assert "Type Conv." in exc.value.guidance_fr and "Crit. Secondaire" in exc.value.guidance_fr
    by_type = engine.search_conventions(ConventionQuery(numero_prefectoral=OVERFLOW_PREFECTORAL, type_conv="SP"))
    assert len(by_type) == 20
    one = engine.search_conventions(ConventionQuery(numero_prefectoral=OVERFLOW_PREFECTORAL, type_conv=OVERFLOW_CARD[0],
                                                    crit_secondaire=OVERFLOW_CARD[1]))
    assert len(one) == 1 and one[0].crit_secondaire == "07"


@pytest.mark.parametrize(("text", "expected"), [
    ("Mut. Test CNDA", "1100000000"), ("mut test cnda", "1100000000"), ("isante", "0775659923"),
    ("iSanté", "0775659923"), ("almerys", "0442155012"), ("almerris", "0442155012"), ("11000", "1100000000"),
    ("Zz1", "1100000000"),
])
def test_conventions_fuzzy_search(engine, text, expected):
    rows = engine.search_conventions(ConventionQuery(text=text))
    assert rows and rows[0].numero_amc == expected


def _pec(**kw) -> PecQuery:
    base = dict(reference_dossier="MAG01-1-1", numero_amc="1100000000", numero_adherent="A123",
                consentement_imprime=True, rc_requested_cents=10000, on=ON)
    base.update(kw)
    return PecQuery(**base)


def test_pec_platform_answers(engine):
    credit = engine.pec_credit()
    accord = engine.request_pec(_pec())
    assert accord.state == "accord" and accord.numero_pec.startswith("PEC") and accord.montant_cents == 10000
    assert accord.codes == (accord.numero_pec,) and accord.que_faire
    assert engine.pec_credit() == credit - 1 == accord.credit
    refus = engine.request_pec(_pec(reference_dossier="MAG01-1-2", consentement_imprime=False))
    assert refus.state == "refus" and "Consentement" in refus.message_plateforme and "Imprimez" in refus.que_faire
    unknown = engine.request_pec(_pec(reference_dossier="MAG01-1-3", numero_amc="0000000001"))
    assert unknown.state == "refus"
    pending = engine.request_pec(_pec(reference_dossier="MAG01-1-4", numero_amc="7777777777"))
    assert pending.state == "en attente"
    assert engine.poll_pec("MAG01-1-4").state == "accord"
    quote = engine.request_pec(_pec(reference_dossier="MAG01-1-5", kind="cotation", rc_requested_cents=80000))
    assert quote.state == "cotation" and quote.montant_cents == 50000


def _rate(lines, **kw) -> RateQuery:
    rights = kw.pop("rights", Rights(amo_periods=(Period(debut=date(2023, 5, 29), fin=ON),)))
    return RateQuery(lines=tuple(lines), acte=ON, ordo=date(2024, 5, 26), rights=rights, **kw)


DESMAUX = [RateLine(libelle="MADELE", unit_price_cents=20900, lpp_code="7211674"),
           RateLine(libelle="V", unit_price_cents=10300, lpp_code="7230795"),
           RateLine(libelle="V", unit_price_cents=10300, lpp_code="7230795")]
FRAME_A = [RateLine(libelle="Monture A", unit_price_cents=3000, lpp_code="7990101")]
ALD = Rights(amo_periods=(Period(debut=date(2023, 5, 29), fin=ON),), ald=(AldPeriod(debut=date(2020, 1, 1), code="1",
                                                                                  situation="100"),))
C2S = Rights(amo_periods=(Period(debut=date(2023, 5, 29), fin=ON),), service_amo=ServiceAmo(code="01"))


@pytest.mark.parametrize(("lines", "kw", "taux", "ro", "etm"), [
    (DESMAUX, {}, 60, 9, "0"),                                       # manual §III.A: 3 x 0,03
    (DESMAUX, {"ald": True, "rights": ALD}, 100, 15, "4"),
    (FRAME_A, {}, 60, 540, "0"),                                     # 30,00 frame: RO 5,40
    (FRAME_A, {"rights": C2S}, 100, 900, "9"),
    (FRAME_A, {"nature_assurance": "maternite"}, 100, 900, "3"),
    (FRAME_A, {"nature_assurance": "at"}, 100, 900, "5"),
    (FRAME_A, {"nature_assurance": "smg"}, 100, 900, "0"),
    (FRAME_A, {"alsace_moselle": True}, 90, 810, "0"),
    (FRAME_A, {"piece_justif_amo": "aucune", "taux_exoneration": "15", "rights": None}, 60, 540, "0"),
    (FRAME_A, {"piece_justif_amo": "aucune", "taux_exoneration": "42", "rights": None}, 100, 900, "4"),
])
def test_verify_rates_situations(engine, lines, kw, taux, ro, etm):
    answer = engine.verify_rates(_rate(lines, **kw))
    assert answer.taux == taux and answer.total.rbt_ro_cents == ro
    assert {l.etm for l in answer.lines} == {etm}


def test_verify_rates_classe_a_fills_rc_to_zero_rest(engine):
    answer = engine.verify_rates(_rate(FRAME_A, tiers_payant_rc=True))
    assert (answer.total.rbt_ro_cents, answer.total.rbt_rc_cents, answer.total.reste_a_charge_cents) == (540, 2460, 0)


def test_verify_rates_ald_flag_without_ald_right_keeps_maladie(engine):
    answer = engine.verify_rates(_rate(DESMAUX, ald=True))
    assert answer.taux == 60 and "aucune exonération ALD" in answer.messages[0]


def test_verify_rates_refuses_closed_rights_and_missing_taux(engine):
    closed = Rights(amo_periods=(Period(debut=date(2020, 1, 1), fin=date(2023, 12, 31)),))
    with pytest.raises(EngineError) as exc:
        engine.verify_rates(_rate(DESMAUX, rights=closed))
    assert exc.value.code == CODE_RIGHTS_CLOSED and "28/05/2024" in exc.value.message_fr
    with pytest.raises(EngineError) as exc:
        engine.verify_rates(_rate(DESMAUX, piece_justif_amo="attestation_droits"))
    assert "Taux Exonération" in exc.value.message_fr


def _fse(mode="SESAM_VITALE", **kw) -> FseRequest:
    line = FseLineInput(code_presta="M03", date_exec=ON, honoraires_cents=20900, base_cents=5, taux=60,
                        remb_amo_cents=3, **kw)
    return FseRequest(numero_facture=253, date_facture=ON, mode=mode, lines=(line, line),
                      beneficiary=FseBeneficiary(nom="DESMAUX", prenom="NATHALIE", birth_date="19550615",
                                                 nir="2550699999999", nir_key="34", organisme=S.ORG_TEST))


def test_create_fse_totals_and_checks(engine):
    draft = engine.create_fse(_fse())
    t = draft.totals
    assert (t.honoraires_cents, t.avance_amo_cents, t.avance_amc_cents, t.restant_du_cents) == (41800, 6, 0, 41794)
    with pytest.raises(EngineError):
        engine.create_fse(_fse(remb_amc_cents=30000))           # AMO + AMC above the honoraires
    with pytest.raises(EngineError):
        engine.create_fse(_fse().model_copy(update={"lines": ()}))


def test_sign_fse_modes_card_and_integrity(engine):
    draft = engine.create_fse(_fse())
    with pytest.raises(EngineError) as exc:
        engine.sign_fse(draft, S.CPS, None, "SESAM_VITALE")
    assert exc.value.code == CODE_CARD_ABSENT
    with pytest.raises(EngineError) as exc:
        engine.sign_fse(draft, S.CPS, S.issner_card(), "SESAM_VITALE")
    assert exc.value.code == CODE_CARD_MISMATCH
    sv = engine.sign_fse(draft, S.CPS, S.desmaux_card(), "SESAM_VITALE")
    assert sv.vitale_serial == "VIT0001" and len(sv.signature) == 64
    assert engine.sign_fse(draft, S.CPS, S.desmaux_card(), "SESAM_VITALE").signature == sv.signature
    deg = engine.sign_fse(engine.create_fse(_fse("DEGRADE")), S.CPS, None, "DEGRADE")
    assert deg.mode == "DEGRADE" and deg.signature != sv.signature
    other_cps = S.CPS.model_copy(update={"numero_am": "992604232"})
    assert engine.sign_fse(draft, other_cps, S.desmaux_card(), "SESAM_VITALE").signature != sv.signature
    tampered = draft.model_copy(update={"request": _fse().model_copy(update={"numero_facture": 254})})
    with pytest.raises(EngineError):
        engine.sign_fse(tampered, S.CPS, S.desmaux_card(), "SESAM_VITALE")


def test_lot_file_and_decode_roundtrip(engine):
    from core.formats.b2 import B2File, B2Invoice, B2Line

    inv = B2Invoice(number=253, nir="2550699999999", nir_key="34", birth_date="19550615", invoice_date=ON,
                    regime="01", caisse="999", centre="9999",
                    lines=(B2Line(code="M03", date=ON, unit_price=20900, base=5, rate=60, ro_amount=3),))
    lot = engine.build_lot("027", [inv], regime="01", organism="999", created=ON)
    assert len(lot.certification) == 32
    data = engine.build_file(B2File(ps_number="992604231", ps_name="OPTIQUE DEMO", file_number=1, created=NOW,
                                    lots=(lot,)))
    decoded = engine.decode_return("lot_027.b2", data)
    assert decoded.kind == "b2"
