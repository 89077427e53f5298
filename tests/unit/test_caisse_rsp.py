"""The simulated caisse's RSP emitter: seeded decisions, ALD rule, virements, mouvements, ponctuels."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from core.caisse import SimulatedCaisse
from core.caisse.rsp import ALD_REJECT, NoemieRspEmitter, RSP_EXAMPLE_TOML, rsp_file_name, rsp_options
from core.caisse.scenario import Decision, Rule, Scenario
from core.clock import FrozenClock
from core.errors import ConfigError
from core.formats.b2 import B2File, B2Invoice, B2Line, B2Lot, read_b2, write_b2
from core.formats.noemie import PaymentState, read_noemie
from core.transport import FolderMailbox

NOW = datetime(2024, 5, 28, 11, 13)
DAY = NOW.date()
POSITIF = Decision(outcome="positif", code="0000", label="FICHIER CONFORME")


def _invoice(number: int, *, nir: str = "2550699999999", key: str = "34", exo: str = "0", amc: str = "",
             rc: int = 0, birth: str = "19550615") -> B2Invoice:
    return B2Invoice(number=number, nir=nir, nir_key=key, birth_date=birth, invoice_date=DAY, regime="01",
                     caisse="349", centre="9881", amc_number=amc, exoneration=exo,
                     lines=(B2Line(code="M03", date=DAY, unit_price=41_500, base=15, rate=60, ro_amount=9,
                                   rc_amount=rc),
                            B2Line(code="VU3", date=DAY, unit_price=10_000, base=12, rate=60, ro_amount=7)))


def _document(*invoices: B2Invoice, lot: str = "025", amc: str = "", more_lots: int = 0):
    lots = [B2Lot(number=lot, amc_number=amc, invoices=invoices) if amc else
            B2Lot(number=lot, regime="01", organism="349", invoices=invoices)]
    lots += [B2Lot(number=f"{900 + k}", regime="01", organism="349", invoices=invoices) for k in range(more_lots)]
    return read_b2(write_b2(B2File(ps_number="992604231", ps_name="OPTIQUE DEMO", file_number=7, created=NOW,
                                   lots=tuple(lots))))


def _emit(document, rsp: dict | None = None, *, seed: int = 7, decision: Decision = POSITIF, lot: int = 0,
          name: str = "B2-000007-025.b2"):
    return NoemieRspEmitter().emit(document=document, lot=document.lots[lot], decision=decision, b2_name=name,
                                   now=NOW, scenario=Scenario(seed=seed, rsp=rsp or {}))


def _read(files):
    ((_, data),) = files
    return read_noemie(data)


def test_everything_paid_by_default():
    rsp = _read(_emit(_document(_invoice(253), _invoice(254))))
    assert (rsp.reference, rsp.file_id, rsp.created, rsp.recipient) == ("576", "000007", DAY, "00000992604231")
    assert [(p.invoice_number_int, p.lot_number, p.amo.state, p.amo.requested, p.amo.paid, p.amc) for p in
            rsp.payments] == [(253, "025", PaymentState.PAID, 16, 16, None), (254, "025", PaymentState.PAID, 16, 16,
                                                                               None)]
    (virement,) = rsp.virements
    assert (virement.payer, virement.total, virement.accounting_date, virement.return_type) == \
        ("01349000", 32, DAY, "01")
    assert [(ln.prestation, ln.reimbursed, ln.base, ln.rate) for ln in rsp.payments[0].lines] == \
        [("M03", 9, 15, 60), ("VU3", 7, 12, 60)]
    assert (rsp.payments[0].nir, rsp.payments[0].nir_key, rsp.payments[0].birth_date) == \
        ("2550699999999", "34", "550615")


def test_same_files_same_bytes_and_the_seed_matters():
    invoices = [_invoice(n) for n in range(300, 340)]
    options = {"reject_probability": 0.3, "deferred_probability": 0.2}
    first = _emit(_document(*invoices), options)
    assert first == _emit(_document(*invoices), options)
    other = _emit(_document(*invoices), options, seed=8)
    assert other != first
    states = [p.amo.state for p in _read(first).payments]
    assert {PaymentState.PAID, PaymentState.REJECTED, PaymentState.DEFERRED} == set(states)


def test_rejected_and_deferred_invoices():
    rsp = _read(_emit(_document(_invoice(1), _invoice(2), _invoice(3)), {"invoices": [
        {"invoice": 1, "state": "rejete"}, {"invoice": 2, "state": "differe", "code": "05000001", "label": "PJ"},
        {"invoice": 3, "state": "paye", "paid": 10}]}))
    by = {p.invoice_number_int: p for p in rsp.payments}
    assert by[1].amo.state is PaymentState.REJECTED and by[1].amo.paid == 0 and by[1].virement_index is None
    assert [(r.display_code, r.label) for r in by[1].rejects] == [("0100 0512",
                                                                   "PARTENAIRE DE SANTE INCONNU OU NON HABILITE A LA "
                                                                   "DATE DES SOINS")]
    assert by[2].amo.state is PaymentState.DEFERRED and [(r.code, r.label) for r in by[2].rejects] == \
        [("05000001", "PJ")]
    assert by[2].comments == ("PJ",) and by[2].virement_index == 0 and by[2].lines == ()
    assert (by[3].amo.requested, by[3].amo.paid) == (16, 10)
    assert rsp.virements[0].total == 10


def test_ald_reject_when_the_fse_did_not_carry_the_exoneration():
    ald = {"ald": [{"nir": "1421962965165", "nir_key": "96"}]}
    without = _invoice(203, nir="1421962965165", key="96", birth="19421901")
    with_exo = _invoice(204, nir="1421962965165", key="96", exo="4", birth="19421901")
    other = _invoice(205)
    rsp = _read(_emit(_document(without, with_exo, other), ald))
    by = {p.invoice_number_int: p for p in rsp.payments}
    assert by[203].amo.state is PaymentState.REJECTED
    assert [(r.code, r.display_code, r.label) for r in by[203].rejects] == \
        [(ALD_REJECT[0], "0450 0561", "L EXONERATION DU TICKET MODERATEUR CONNUE AU REFERENTIEL N A PAS ETE TRANSMISE")]
    assert by[203].birth_date == "421901"  # lunar month kept
    assert by[204].amo.state is PaymentState.PAID and by[205].amo.state is PaymentState.PAID
    # The rule compares the birth date when the referential gives one.
    rsp = _read(_emit(_document(without), {"ald": [{"nir": "1421962965165", "birth_date": "010101"}]}))
    assert rsp.payments[0].amo.state is PaymentState.PAID


def test_virements_group_payments_by_size():
    rsp = _read(_emit(_document(*[_invoice(n) for n in range(1, 6)]), {"virement_size": 2}))
    assert [len(v.payments) for v in rsp.virements] == [2, 2, 1]
    assert [v.label_2 for v in rsp.virements] == ["VIR AMO LIGNE 2 - 1/3", "VIR AMO LIGNE 2 - 2/3",
                                                 "VIR AMO LIGNE 2 - 3/3"]
    assert sum(v.total for v in rsp.virements) == rsp.amount == 5 * 16


def test_mouvements_and_ponctuels_follow_their_rules():
    options = {"movements": [{"lot": "025", "debt_reference": "DETTE9FR", "amount": -230},
                             {"lot": "999", "debt_reference": "AUTRE", "amount": -1}],
               "one_off": [{"lot": "025", "amount": 30_000, "period_start": "2023-01-01",
                            "period_end": "2023-12-31"}]}
    rsp = _read(_emit(_document(_invoice(1)), options))
    (mv,) = rsp.movements
    assert (mv.debt_reference, mv.amount, mv.is_retenue, mv.debt_nature, mv.virement_index) == \
        ("DETTE9FR", -230, True, "ODL", 0)
    (aide,) = rsp.one_off_payments
    (detail,) = aide.details
    assert (aide.amount, aide.return_type, detail.code, detail.label, detail.period_label) == \
        (30_000, "03", "AIDSV", "AIDE ANNUELLE SESAM-VITALE", "Annuel")
    assert (detail.period_start, detail.period_end) == (date(2023, 1, 1), date(2023, 12, 31))
    assert [v.total for v in rsp.virements] == [16 - 230, 30_000]
    # Every invoice rejected: the retenue still goes out, in a règlement of its own.
    rsp = _read(_emit(_document(_invoice(1)), {**options, "reject_probability": 1.0}))
    assert [(v.return_type, v.total) for v in rsp.virements] == [("05", -230), ("03", 30_000)]


def test_dre_lot_answers_the_amc_part():
    rsp = _read(_emit(_document(_invoice(254, amc="1100000000", rc=10_000), lot="AAA", amc="1100000000"),
                      name="B2-000002-AAA.b2"))
    (p,) = rsp.payments
    assert p.amo is None and (p.amc.requested, p.amc.paid, p.amc.organism) == (10_000, 10_000, "1100000000")
    assert rsp.header.value("emitter_type") == "OC" and rsp.virements[0].payer == "1100000000"
    # ALD rules are the AMO's referential: a DRE lot is not concerned.
    rsp = _read(_emit(_document(_invoice(254, amc="1100000000", rc=10_000), lot="AAA", amc="1100000000"),
                      {"ald": [{"nir": "2550699999999"}]}, name="B2-000002-AAA.b2"))
    assert rsp.payments[0].amc.state is PaymentState.PAID


def test_amc_part_in_the_amo_return_on_request():
    rsp = _read(_emit(_document(_invoice(1, rc=500, amc="1100000000")), {"amc_in_amo": True}))
    (p,) = rsp.payments
    assert (p.amo.paid, p.amc.paid, p.amc.organism) == (16, 500, "1100000000")


def test_no_return_for_a_lot_not_accepted_or_when_disabled():
    doc = _document(_invoice(1))
    assert _emit(doc, decision=Decision(outcome="rejete", code="4025", label="X")) == []
    assert _emit(doc, decision=Decision(outcome="aucun", code="", label="")) == []
    assert _emit(doc, {"enabled": False}) == []


def test_file_names():
    assert rsp_file_name("B2-000007-025.b2", "025") == "RSP-B2-000007-025.rsp"
    doc = _document(_invoice(1), more_lots=1)
    ((name, _),) = _emit(doc, lot=1, name="GROS.b2")
    assert name == "RSP-GROS-900.rsp"


def test_bad_options_are_a_config_error():
    with pytest.raises(ConfigError) as exc:
        rsp_options(Scenario(rsp={"reject_probability": 2}))
    assert "rsp.reject_probability" in exc.value.message_fr
    with pytest.raises(ConfigError) as exc:
        rsp_options(Scenario(rsp={"ald": [{"nir": "12"}]}))
    assert "rsp.ald.0.nir" in exc.value.message_fr
    with pytest.raises(ConfigError):
        rsp_options(Scenario(rsp={"inconnu": 1}))


def test_example_toml_is_valid(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("seed = 3\n" + RSP_EXAMPLE_TOML, encoding="utf-8")
    options = rsp_options(Scenario.from_toml(path))
    assert options.ald[0].nir == "1421962965165" and options.movements[0].amount == -230


def test_caisse_sends_the_rsp_after_the_arl(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    data = write_b2(B2File(ps_number="992604231", ps_name="OPTIQUE DEMO", file_number=7, created=NOW,
                           lots=(B2Lot(number="025", regime="01", organism="349", invoices=(_invoice(1),)),)))
    shop.send("B2-000007-025.b2", data)
    scenario = Scenario(rules=(Rule(lot="026", outcome="rejete"),))
    report = SimulatedCaisse(shop, scenario, clock=FrozenClock(NOW), rsp=NoemieRspEmitter()).process()
    (answer,) = report.answers
    assert answer.rsp_names == ("RSP-B2-000007-025.rsp",)
    assert [name for name, _ in shop.receive()] == ["ARL-00000001-B2-000007-025.arl", "RSP-B2-000007-025.rsp"]
