"""Mettre en lot: destinations, numbering (AMO numeric, AMC letters, wrap), no FSE in two lots, blocage."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ConfigError, DatabaseError
from core.models import Counter, Fse, Lot
from core.services import lots as lots_mod
from core.services.lots import (AMC_VALUES, allocate_lot_number, amc_lot_number, amo_lot_number, find_lot,
                                missing_documents, organisme_destinataire)
from core.services.settings import SettingsService, TeletransmissionSettings
from core.services.teletransmission import TeletransmissionService
from core.transport import FolderMailbox
from teletrans_fixtures import make_fse, make_world


def _service(ctx, tmp_path):
    return TeletransmissionService(ctx, FolderMailbox(tmp_path / "mb"))


def assert_db_invariants(db) -> None:
    """Raw SQL, below the ORM: every FSE part is in at most one lot of the right kind, every lot is used."""
    rows = db.execute_sql("SELECT f.id FROM fse f JOIN lot l ON l.id = f.lot_id WHERE l.kind <> 'AMO'").fetchall()
    assert rows == [], "an FSE's AMO part points at a non-AMO lot"
    rows = db.execute_sql("SELECT f.id FROM fse f JOIN lot l ON l.id = f.dre_lot_id WHERE l.kind <> 'AMC'").fetchall()
    assert rows == [], "an FSE's DRE part points at a non-AMC lot"
    empty = db.execute_sql("SELECT l.id FROM lot l WHERE NOT EXISTS (SELECT 1 FROM fse f WHERE f.lot_id = l.id "
                           "OR f.dre_lot_id = l.id)").fetchall()
    assert empty == [], "a lot without FSE"
    total = db.execute_sql("SELECT count(*) FROM fse WHERE lot_id IS NOT NULL").fetchone()[0]
    per_lot = db.execute_sql("SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM fse WHERE lot_id IS NOT NULL "
                             "GROUP BY lot_id) t").fetchone()[0]
    assert total == per_lot
    dup = db.execute_sql("SELECT kind, number FROM lot GROUP BY kind, number HAVING count(*) > 1").fetchall()
    assert dup == [], "a lot number used twice before its counter wrapped"


@pytest.mark.parametrize("regime,caisse,centre,expected", [
    ("01", "349", "9881", "349"),
    ("01", "999", "9999", "999"),
    ("02", "349", "0000", "349"),
    ("04", "751", "0000", "110"),
    ("12", "751", "0000", "001"),
    ("91", "751", "0501", "999"),
    ("91", "751", "0502", "751"),
    ("93", "751", "0512", "512"),
    ("94", "921", "0511", "514"),
    ("94", "380", "0511", "380"),
    ("95", "931", "0000", "751"),
    ("96", "380", "0000", "380"),
])
def test_organisme_destinataire(regime, caisse, centre, expected):
    assert organisme_destinataire(regime, caisse, centre) == expected


def test_lot_number_formats():
    assert [amo_lot_number(n) for n in (1, 25, 999)] == ["001", "025", "999"]
    assert [amc_lot_number(n) for n in (1, 5, 26, 27, AMC_VALUES)] == ["AAA", "AAE", "AAZ", "ABA", "ZZZ"]
    for bad in (0, 1000):
        with pytest.raises(ValueError):
            amo_lot_number(bad)
    for bad in (0, AMC_VALUES + 1):
        with pytest.raises(ValueError):
            amc_lot_number(bad)


@given(st.integers(1, AMC_VALUES), st.integers(1, AMC_VALUES))
def test_amc_numbers_are_distinct_letters(a, b):
    assert amc_lot_number(a).isalpha() and len(amc_lot_number(a)) == 3
    assert (amc_lot_number(a) == amc_lot_number(b)) == (a == b)


def test_numbering_wraps_and_is_never_reused_before(ctx):
    with ctx.write():
        amo = [allocate_lot_number(ctx, "AMO") for _ in range(999)]
        assert allocate_lot_number(ctx, "AMO") == "001"  # wrap
        amc = [allocate_lot_number(ctx, "AMC") for _ in range(5)]
    assert len(set(amo)) == 999 and amo[0] == "001" and amo[-1] == "999"
    assert amc == ["AAA", "AAB", "AAC", "AAD", "AAE"]
    with ctx.write():
        Counter.update(value=AMC_VALUES).where(Counter.name == "lot.AMC").execute()
        assert allocate_lot_number(ctx, "AMC") == "AAA"


def test_duplicate_number_after_wrap_most_recent_wins(ctx, tmp_path, clock):
    world = make_world()
    make_fse(world)
    service = _service(ctx, tmp_path)
    service.mettre_en_lot()
    with ctx.write():
        Counter.update(value=998).where(Counter.name == "lot.AMO").execute()
    make_fse(world)
    service.mettre_en_lot()
    clock.advance(days=1)
    make_fse(world)
    assert service.mettre_en_lot().lots[0].number == "001"  # 999 was used, the counter wrapped
    old, new = Lot.select().where(Lot.number == "001").order_by(Lot.id)
    assert find_lot(ctx, "001").id == new.id
    assert service.lot_par_numero("001").lot_id == new.id
    listed = {r.lot_id: r.superseded for r in service.teletransmis()}
    assert listed[new.id] is False and listed[old.id] is True


def test_grouping_by_destination_mode_and_mutuelle(ctx, tmp_path):
    world = make_world()
    a = make_fse(world)
    b = make_fse(world, organism=world.cpam_other_centre)   # same destination 01 349, other centre
    c = make_fse(world, mode="DEG", pieces=("ORDN", "FSOI"))
    d = make_fse(world, organism=world.msa)
    e = make_fse(world, dre=True)
    result = _service(ctx, tmp_path).mettre_en_lot()
    lots = {(x.kind, x.org_dest, x.mode): x for x in result.lots}
    assert {k: v.fse_count for k, v in lots.items()} == {
        ("AMO", "01 349", "DEG"): 1, ("AMO", "01 349", "SV"): 3, ("AMO", "02 349", "SV"): 1,
        ("AMC", "1100000000", "SV"): 1}
    assert result.fse_count == 6
    sv = lots[("AMO", "01 349", "SV")]
    assert {f.id for f in Fse.select().where(Fse.lot == sv.lot_id)} == {a.id, b.id, e.id}
    assert Lot.get_by_id(sv.lot_id).organism_id is None  # two organisms share this destination
    assert Lot.get_by_id(lots[("AMO", "02 349", "SV")].lot_id).organism_id == world.msa.id
    amc = Lot.get_by_id(lots[("AMC", "1100000000", "SV")].lot_id)
    assert amc.number == "AAA" and amc.mutuelle_id == world.mutuelle.id
    assert Fse.get_by_id(e.id).dre_lot_id == amc.id
    assert Fse.get_by_id(c.id).lot_id == lots[("AMO", "01 349", "DEG")].lot_id
    assert Fse.get_by_id(d.id).lot.org_dest == "02 349"
    assert_db_invariants(ctx.db)


def test_only_secured_fses_and_never_twice(ctx, tmp_path):
    world = make_world()
    good = make_fse(world)
    make_fse(world, state="TP Calculé")
    make_fse(world, state="FSE supprimée")
    service = _service(ctx, tmp_path)
    first = service.mettre_en_lot()
    assert first.fse_count == 1 and Fse.get_by_id(good.id).lot_id == first.lots[0].lot_id
    assert service.mettre_en_lot().lots == ()       # nothing left
    late = make_fse(world)
    second = service.mettre_en_lot()
    assert second.lots[0].number == "002" and Fse.get_by_id(late.id).lot_id == second.lots[0].lot_id
    assert Fse.get_by_id(good.id).lot_id == first.lots[0].lot_id
    assert_db_invariants(ctx.db)


def test_attach_refuses_an_fse_already_in_a_lot(ctx, tmp_path):
    world = make_world()
    fse = make_fse(world)
    _service(ctx, tmp_path).mettre_en_lot()
    with pytest.raises(DatabaseError):
        with ctx.write():
            lot_id = Lot.insert(number="777", org_dest="01 349", created_on=ctx.clock.today(),
                                created_at=ctx.clock.now()).execute()
            lots_mod._attach("AMO", lot_id, "777", [fse.id])
    assert Lot.select().count() == 1  # rolled back
    assert_db_invariants(ctx.db)


def test_lot_size_limit_splits(ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(lots_mod, "MAX_INVOICES_PER_LOT", 2)
    world = make_world()
    for _ in range(5):
        make_fse(world)
    result = _service(ctx, tmp_path).mettre_en_lot()
    assert [(x.number, x.fse_count) for x in result.lots] == [("001", 2), ("002", 2), ("003", 1)]


def test_missing_documents_rule():
    assert missing_documents("SV", [("ORDN", "CONFORME")]) == []
    assert missing_documents("SV", [("ORDN", "MANQUANT")]) == ["ordonnance"]
    assert missing_documents("SV", []) == ["ordonnance"]
    assert missing_documents("DEG", [("ORDN", "CONFORME")]) == ["feuille de soins"]
    assert missing_documents("DEG", [("ORDN", "NON CONFORME"), ("FSOI", "CONFORME")]) == []


def test_blocage_documents_absents(ctx, tmp_path):
    world = make_world()
    ok = make_fse(world, nom="OK")
    no_ordo = make_fse(world, nom="SANSORDO", pieces=())
    missing = make_fse(world, nom="MANQUANT", piece_state="MANQUANT")
    deg_ok = make_fse(world, nom="DEGOK", mode="DEG", pieces=("ORDN", "FSOI"))
    deg_no_fs = make_fse(world, nom="DEGKO", mode="DEG", pieces=("ORDN",))
    service = _service(ctx, tmp_path)
    SettingsService(ctx).update("teletransmission", TeletransmissionSettings(blocage_si_documents_absents=True))
    result = service.mettre_en_lot()
    held = {h.invoice_number: h.reason for h in result.held_back}
    assert set(held) == {no_ordo.invoice.number, missing.invoice.number, deg_no_fs.invoice.number}
    assert held[deg_no_fs.invoice.number] == "document(s) absent(s) : feuille de soins"
    assert held[no_ordo.invoice.number] == "document(s) absent(s) : ordonnance"
    assert result.fse_count == 2
    assert Fse.get_by_id(ok.id).lot_id and Fse.get_by_id(deg_ok.id).lot_id
    assert Fse.get_by_id(no_ordo.id).lot_id is None
    assert any(str(missing.invoice.number) in m for m in result.messages)
    summary = service.auto()
    assert summary.needs_attention and len(summary.mise_en_lot.held_back) == 3
    # Setting off: everything goes.
    SettingsService(ctx).update("teletransmission", TeletransmissionSettings())
    assert service.mettre_en_lot().fse_count == 3


def test_controle_teletransmission_regime(ctx, tmp_path):
    world = make_world()
    world.msa.teletransmission = False
    world.msa.save()
    make_fse(world, organism=world.msa)
    make_fse(world)
    service = _service(ctx, tmp_path)
    SettingsService(ctx).update("teletransmission", TeletransmissionSettings(controle_teletransmission_regime=True))
    result = service.mettre_en_lot()
    assert result.fse_count == 1 and "02 349" in result.held_back[0].reason


def test_no_practitioner_is_a_config_error(ctx, tmp_path):
    world = make_world(ps=False)
    make_fse(world)
    with pytest.raises(ConfigError):
        _service(ctx, tmp_path).mettre_en_lot()
    assert Lot.select().count() == 0
