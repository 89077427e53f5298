"""write_noemie: every entity, the three physical layouts, computed controls, refusals."""
from __future__ import annotations

from datetime import date

import pytest

from core.errors import FormatError
from core.formats.noemie import Entity, Group, Layout, NoemieFile, read_noemie, write_noemie
from core.formats.noemie import builder as b
from core.formats.noemie.entities import ENTITIES

try:
    from .noemie_samples import DAY, EXO_LABEL, every_entity_model, fixture
except ImportError:
    from noemie_samples import DAY, EXO_LABEL, every_entity_model, fixture

SPEC_CODES = {code for code, spec in ENTITIES.items() if spec.known_layout}
LAYOUTS = [Layout.LINE, Layout.BLOCKS, Layout.BLOCK_LINES]


def _views(f: NoemieFile) -> tuple:
    return f.payments, f.rejects, f.virements, f.movements, f.one_off_payments


def _strip_offsets(views: tuple) -> str:
    """Offsets differ between layouts; everything else must not."""
    import re

    return re.sub(r"offset=-?\d+", "offset=?", repr(views))


def test_writer_fixture_covers_every_entity_and_is_stable():
    data = write_noemie(every_entity_model())
    assert data == fixture("toutes_entites_writer.rsp")  # regenerate deliberately if the model changes
    f = read_noemie(data)
    assert {e.code for e in f.entities()} == SPEC_CODES
    assert len(SPEC_CODES) == 25


@pytest.mark.parametrize("layout", LAYOUTS)
def test_round_trip_in_every_layout(layout):
    model = every_entity_model()
    data = write_noemie(model, layout)
    f = read_noemie(data)
    assert f.layout is layout
    assert write_noemie(f, layout) == data
    reference = read_noemie(write_noemie(model))
    assert _strip_offsets(_views(f)) == _strip_offsets(_views(reference))
    written = [e.raw for g in model.groups for e in g.walk()]
    read_back = [e.raw for e in f.entities() if e.code not in ("000", "990", "999")]
    assert read_back == written


def test_views_of_the_writer_fixture():
    f = read_noemie(fixture("toutes_entites_writer.rsp"))
    assert [p.invoice_number for p in f.payments] == ["000000213", "000000215", "000000203"]
    rejected = f.payments[2]
    assert [r.display_code for r in rejected.rejects] == ["0100 0512", "0450 0561", "0561"]
    assert rejected.rejects[1].label == EXO_LABEL
    assert rejected.virement_index is None and rejected.accounting_date == DAY
    detailed = f.payments[1]
    assert (detailed.lot_number, detailed.invoice_type, detailed.beneficiary_first_name) == ("016", "F", "ALEXANDRE")
    assert detailed.amo.state.label_fr == "Différé"
    assert [v.total for v in f.virements] == [322, 9448]
    assert f.trailer.value("total") == 9770 and f.trailer.value("lot_count") == 2


def test_block_layout_shape():
    data = write_noemie(every_entity_model(), "blocks")
    assert len(data) % 128 == 0
    flags = data[128:-128:128]
    assert flags == b"0" * (len(flags) - 1) + b"1"
    assert data[:3] == b"000" and data[-128:-125] == b"999"
    lines = write_noemie(every_entity_model(), "block-lines").split(b"\n")
    assert lines[-1] == b"" and all(len(line) == 128 for line in lines[:-1])


def test_empty_file_round_trips_in_every_layout():
    f = b.rsp(b.header(emitter="1", recipient="2", file_id="000001", created=DAY))
    for layout in LAYOUTS:
        data = write_noemie(f, layout)
        back = read_noemie(data)
        assert back.groups == () and back.trailer.value("record_count") == 2
        assert back.layout is (Layout.LINE if layout is Layout.BLOCKS else layout)


def test_controls_are_computed_not_copied():
    model = every_entity_model()
    f = read_noemie(write_noemie(model))
    counts = [(g.kind, g.control.value("count"), g.control.value("total"), g.control.value("sign"))
              for g in f.groups[0].children]
    assert counts == [("reglement", 2, 322, "P"), ("reglement", 3, 9448, "P"), ("reglement", 1, 0, "P")]
    mouvement = f.groups[0].children[0].children[1]
    assert (mouvement.control.value("total"), mouvement.control.value("sign")) == (230, "N")


def test_negative_file_total_is_signed():
    f = b.rsp(b.header(emitter="1", recipient="2", file_id="000001", created=DAY),
              b.reglement(b.mouvement(debt_reference="D1", debt_date=DAY, debt_nature="IND", operation="RPR",
                                      amount=-1234), recipient="9", accounting_date=DAY, label_1="X"))
    back = read_noemie(write_noemie(f))
    assert back.amount == -1234
    assert (back.trailer.value("total"), back.trailer.value("sign")) == (1234, "N")
    assert back.movements[0].amount == -1234


def test_regularisation_negative_payment():
    fac = b.facture(259, nir="1", nir_key="01", name="ESSAI", first_name="ALEXA", birth_date="000101",
                    amo=b.amo_part(469, "P", -469), amc=b.amc_part(83, "P", -83, amc_number="0062013354"))
    f = read_noemie(write_noemie(b.rsp(b.header(emitter="1", recipient="2", file_id="1", created=DAY),
                                       b.reglement(b.lot("001", DAY, fac), recipient="9",
                                                   accounting_date=DAY, label_1="REGUL"))))
    p = f.payments[0]
    assert (p.amo.paid, p.amc.paid, p.paid) == (-469, -83, -552)


def test_raw_only_entity_from_psm1_is_kept():
    n = b.NIVEAU_FACTURE
    fac = Group.of(n, Entity.make("100", n, invoice_number=7), Entity.make("010", n, data="12345678"),
                   b.amo_part(10, "P", 10))
    f = read_noemie(write_noemie(b.rsp(b.header(emitter="1", recipient="2", file_id="1", created=DAY),
                                       b.reglement(fac, recipient="9", accounting_date=DAY, label_1="X"))))
    raw = [e for e in f.entities() if e.code == "010"][0]
    assert raw.value("data") == "12345678" and raw.title == "Organisme complémentaire"


@pytest.mark.parametrize("build", [
    lambda: Entity.make("120", 5, name="X" * 26),
    lambda: Entity.make("290", 5, label="A@B"),
    lambda: Entity.make("198", 5, requested=-1),
    lambda: Entity.make("198", 5, requested=123456789),
    lambda: Entity.make("198", 5, state="X"),
    lambda: Entity.make("100", 5, invoice_number="ABC"),
    lambda: Entity.make("070", 2, accounting_date="2024"),
])
def test_make_refuses_values_that_do_not_fit(build):
    with pytest.raises(FormatError) as exc:
        build()
    assert "zone" in exc.value.message_fr


def test_make_refuses_unknown_zone():
    with pytest.raises(KeyError):
        Entity.make("100", 5, facture=1)


def test_make_folds_accents_to_ascii():
    e = Entity.make("120", 5, name="BÉNÉDICTE", first_name="Zoë")
    assert e.value("name") == "BENEDICTE" and e.value("first_name") == "Zoe"


@pytest.mark.parametrize("groups, words", [
    ((Group.of(3, Entity.make("080", 3, lot_date=DAY, lot_number="1"),
               Group.of(2, Entity.make("040", 2, settlement_recipient=1))),), "niveau 02"),
    ((Group.of(2, Entity.make("080", 3, lot_date=DAY, lot_number="001")),), "entité 080"),
    ((Group.of(2, Group.of(3, Entity.make("080", 3, lot_date=DAY, lot_number="1"))),), "commencer"),
    ((Group.of(2),), "commencer"),
    ((Group.of(2, Entity("100", "10002ABC")),), "invalide"),
    ((Group.of(5, Entity.make("010", 5, data="A@B")),), "invalide"),
    ((Group.of(5, Entity.make("100", 5, invoice_number=1), Entity.make("990", 5, count=0, total=0)),), "990"),
])
def test_writer_refuses_trees_it_could_not_read_back(groups, words):
    f = NoemieFile(b.header(emitter="1", recipient="2", file_id="1", created=DAY), groups)
    with pytest.raises(FormatError) as exc:
        write_noemie(f)
    assert words in exc.value.message_fr


def test_writer_refuses_more_than_999_lots():
    lots = [b.lot(f"{i % 1000:03d}", DAY) for i in range(1000)]
    f = b.rsp(b.header(emitter="1", recipient="2", file_id="1", created=DAY),
              b.reglement(*lots, recipient="9", accounting_date=DAY, label_1="X"))
    with pytest.raises(FormatError, match="lots"):
        write_noemie(f)


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        write_noemie(every_entity_model(), "text-lines")


def test_header_reference_position_matches_psm1():
    h = b.header(emitter="1", recipient="2", file_id="1", created=date(2024, 1, 9), reference="908")
    assert h.raw[61:64] == "908" and len(h.raw) == 128
