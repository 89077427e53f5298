"""Simulated caisse: seeded scenario, rules per organism / lot, no ARL, refusal of unreadable files."""
from __future__ import annotations

from datetime import datetime

import pytest

from core.caisse import SimulatedCaisse
from core.caisse.scenario import EXAMPLE_TOML, Rule, Scenario
from core.clock import FrozenClock
from core.errors import ConfigError
from core.formats.arl import ArlVerdict, read_arl
from core.formats.b2 import B2File, B2Invoice, B2Line, B2Lot, write_b2
from core.transport import FolderMailbox

NOW = datetime(2024, 5, 28, 11, 13)
DAY = NOW.date()


def _b2(lot: str = "025", regime: str = "01", organism: str = "349", amc: str = "") -> bytes:
    invoice = B2Invoice(number=254, nir="2550699999999", nir_key="34", birth_date="19550615", invoice_date=DAY,
                        regime="01", caisse="349", centre="9881", amc_number=amc,
                        lines=(B2Line(code="M03", date=DAY, unit_price=41_500, base=15, rate=60, ro_amount=9),))
    b2_lot = B2Lot(number=lot, amc_number=amc, invoices=(invoice,)) if amc else \
        B2Lot(number=lot, regime=regime, organism=organism, invoices=(invoice,))
    return write_b2(B2File(ps_number="992604231", ps_name="OPTIQUE DEMO", file_number=7, created=NOW, lots=(b2_lot,)))


def _run(tmp_path, files: dict[str, bytes], scenario: Scenario):
    shop = FolderMailbox(tmp_path / "mb")
    for name, data in files.items():
        shop.send(name, data)
    report = SimulatedCaisse(shop, scenario, clock=FrozenClock(NOW)).process()
    return shop, report, {read_arl(d).lot_number: read_arl(d) for _, d in shop.receive()}


def test_default_is_arl_positif(tmp_path):
    shop, report, arls = _run(tmp_path, {"B2-000007-025.b2": _b2()}, Scenario())
    arl = arls["025"]
    assert (arl.verdict, arl.code, arl.b2_file_name, arl.b2_file_id, arl.ps_number, arl.emitter_number) == \
        (ArlVerdict.POSITIF, "0000", "B2-000007-025.b2", 7, "992604231", "01349000")
    assert report.answers[0].outcome == "positif" and report.quarantined == ()
    assert shop.counterpart().receive() == []  # taken


def test_rules_per_organism_lot_and_amc(tmp_path):
    scenario = Scenario(rules=(
        Rule(lot="026", outcome="aucun"),
        Rule(organisme="01 349", outcome="rejete", code="4025"),
        Rule(kind="AMC", outcome="negatif", code="12", label="ADHERENT INCONNU"),
    ))
    files = {"B2-000007-025.b2": _b2("025"), "B2-000008-026.b2": _b2("026"),
             "B2-000009-027.b2": _b2("027", organism="999"), "B2-000010-AAE.b2": _b2("AAE", amc="1100000000")}
    _, report, arls = _run(tmp_path, files, scenario)
    assert {a.lot: a.outcome for a in report.answers} == {"025": "rejete", "026": "aucun", "027": "positif",
                                                          "AAE": "negatif"}
    assert set(arls) == {"025", "027", "AAE"}
    assert arls["025"].verdict is ArlVerdict.REJET and arls["025"].libelle.startswith("Code: 4025 ")
    assert arls["AAE"].libelle == "Code: 12 ADHERENT INCONNU" and arls["AAE"].emitter_type == "OC"
    assert arls["AAE"].lot_kind == "AMC" and arls["AAE"].emitter_number == "1100000000"


def test_random_choices_are_seeded_and_order_independent():
    scenario = Scenario(seed=3, rules=(Rule(outcome="rejete", probability=0.5),))
    names = [f"B2-{n:06d}-001.b2" for n in range(200)]
    first = [scenario.decide(file_name=n, lot="001", organisme="01 349", kind="AMO").outcome for n in names]
    again = [scenario.decide(file_name=n, lot="001", organisme="01 349", kind="AMO").outcome
             for n in reversed(names)][::-1]
    assert first == again
    assert 60 < first.count("rejete") < 140  # about half
    other = [Scenario(seed=4, rules=scenario.rules).decide(file_name=n, lot="001", organisme="01 349",
                                                           kind="AMO").outcome for n in names]
    assert other != first


def test_unreadable_files_are_quarantined_by_the_caisse(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    shop.send("B2-000001-001.b2", b"0" * 127)
    shop.send("notes.txt", b"hello")
    report = SimulatedCaisse(shop, clock=FrozenClock(NOW)).process()
    assert {name for name, _ in report.quarantined} == {"B2-000001-001.b2", "notes.txt"}
    assert shop.receive() == []
    assert all(reason.startswith("Caisse : ") for _, reason in shop.quarantined())


def test_resent_file_gets_a_new_arl(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    caisse = SimulatedCaisse(shop, clock=FrozenClock(NOW))
    shop.send("B2-000007-025.b2", _b2())
    caisse.process()
    shop.send("B2-000007-025.b2", _b2())
    SimulatedCaisse(shop, clock=FrozenClock(NOW)).process()  # a new process continues the numbering
    arls = shop.receive()
    assert len(arls) == 2 and arls[0][1] != arls[1][1]
    assert sorted(read_arl(d).arl_id for _, d in arls) == [1, 2]


def test_toml_scenario(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(EXAMPLE_TOML, encoding="utf-8")
    scenario = Scenario.from_toml(path)
    assert scenario.seed == 7 and scenario.rules[1].lot == "027" and scenario.rules[1].outcome == "aucun"
    assert scenario.decide(file_name="x", lot="027", organisme="01 999", kind="AMO").outcome == "aucun"


@pytest.mark.parametrize("text,fragment", [
    ("default = 'peut-etre'", "default"),
    ("[[rules]]\noutcome = 'rejete'\nprobability = 2", "probability"),
    ("[[rules]]\noutcome = 'rejete'\ncouleur = 'bleu'", "couleur"),
    ("seed = [", "TOML"),
])
def test_bad_scenarios_are_config_errors(tmp_path, text, fragment):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Scenario.from_toml(path)
    assert fragment in info.value.message_fr


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ConfigError):
        Scenario.from_toml(tmp_path / "absent.toml")


class _RspRecorder:
    def __init__(self):
        self.calls = []

    def emit(self, *, document, lot, decision, b2_name, now, scenario):
        self.calls.append((b2_name, lot.number, decision.outcome))
        return [(f"RSP-{lot.number}.rsp", b"noemie")] if decision.outcome == "positif" else []


def test_rsp_hook_is_called_per_lot(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    shop.send("B2-000007-025.b2", _b2())
    recorder = _RspRecorder()
    report = SimulatedCaisse(shop, Scenario(), clock=FrozenClock(NOW), rsp=recorder).process()
    assert recorder.calls == [("B2-000007-025.b2", "025", "positif")]
    assert report.answers[0].rsp_names == ("RSP-025.rsp",)
    assert ("RSP-025.rsp", b"noemie") in shop.receive()
