"""DemoService: idempotency, reset, refusal to mix with real data, one transaction, audit chain."""
from __future__ import annotations

import pytest

from core import demo_data as D
from core.audit import verify_chain
from core.errors import DatabaseError
from core.models import Arl, AuditLog, Client, Invoice, Lot, Setting
from core.services import demo as demo_module
from core.services.base import ServiceContext
from core.services.demo import COUNT_FIELDS, DemoService


def _other_store(ctx: ServiceContext, store: str) -> ServiceContext:
    return ServiceContext(ctx.db, ctx.clock, ctx.settings.model_copy(update={"store": store}))


def test_first_load_writes_the_dataset(ctx):
    summary = DemoService(ctx).load()
    assert summary.status == "loaded" and summary.store == "MAG01"
    assert summary.invoices == 60 and summary.lots == len(D.LOTS) == 24
    assert summary.pieces_jointes == 23 and summary.virements == 5 and summary.operations == 3
    assert summary.rejects == 18 and summary.mouvements == 2
    assert summary.conventions == len(D.CONVENTIONS)
    assert set(summary.counts()) == set(COUNT_FIELDS)
    assert DemoService(ctx).is_loaded()


def test_loading_twice_changes_nothing(ctx):
    first = DemoService(ctx).load()
    audit_rows = AuditLog.select().count()
    second = DemoService(ctx).load()
    assert second.status == "already_loaded"
    assert second.counts() == first.counts()
    assert AuditLog.select().count() == audit_rows          # nothing written, not even an audit row
    numbers = [i.number for i in Invoice.select().where(Invoice.store == "MAG01")]
    assert len(numbers) == len(set(numbers)) == 60


def test_reset_reloads_the_same_dataset_and_audits_it(ctx):
    first = DemoService(ctx).load()
    with ctx.write():
        Invoice.update(amo_state="Payé").where(Invoice.number == 203).execute()
        Setting.create(store="MAG01", key="teletransmission", value={"top_m": False})
    again = DemoService(ctx).load(reset=True)
    assert again.status == "reset"
    assert again.counts() == first.counts()
    assert Invoice.get(Invoice.number == 203).amo_state == "Rejeté"
    # shop settings survive a reset; only the marker is rewritten
    assert Setting.get(Setting.key == "teletransmission").value == {"top_m": False}
    actions = [row.action for row in AuditLog.select().order_by(AuditLog.seq)]
    assert actions == ["demo.load", "demo.reset", "demo.load"]
    verdict = verify_chain()
    assert verdict.ok and verdict.rows == 3


def test_audit_chain_valid_after_load(ctx):
    DemoService(ctx).load()
    verdict = verify_chain()
    assert verdict.ok and verdict.rows == 1
    row = AuditLog.get(AuditLog.seq == 1)
    assert row.action == "demo.load" and row.at == ctx.clock.now()


def test_store_with_real_data_is_left_alone(ctx):
    with ctx.write():
        Client.create(store="MAG01", nom="VRAI", prenom="CLIENT")
    summary = DemoService(ctx).load()
    assert summary.status == "skipped"
    assert summary.invoices == 0 and summary.clients == 1
    assert not DemoService(ctx).is_loaded()
    assert AuditLog.select().count() == 0


def test_reset_only_touches_its_own_store(ctx):
    DemoService(ctx).load()
    other = _other_store(ctx, "MAG02")
    loaded = DemoService(other).load()
    assert loaded.status == "loaded" and loaded.invoices == 60
    DemoService(other).load(reset=True)
    assert Invoice.select().where(Invoice.store == "MAG01").count() == 60
    assert Lot.select().where(Lot.store == "MAG01").count() == 24
    # shared reference rows are upserted, not duplicated
    assert DemoService(ctx).summary().conventions == len(D.CONVENTIONS)
    assert DemoService(ctx).summary().organisms == 4


def test_failure_midway_writes_nothing(ctx, monkeypatch):
    def boom(self):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(demo_module._Loader, "_pieces", boom)
    with pytest.raises(RuntimeError):
        DemoService(ctx).load()
    assert Invoice.select().count() == 0 and Client.select().count() == 0
    assert AuditLog.select().count() == 0 and not DemoService(ctx).is_loaded()


def test_integrity_conflict_becomes_a_french_error_and_rolls_back(ctx):
    with ctx.write():   # an unrelated ARL file whose digest collides with the demo's first one
        Arl.create(lot=None, received_at=ctx.clock.now(), positive=True,
                   sha256=demo_module._sha("MAG01", "arl", "001"))
    with pytest.raises(DatabaseError) as info:
        DemoService(ctx).load()
    assert "Rien n'a été modifié" in info.value.message_fr
    assert Invoice.select().count() == 0 and AuditLog.select().count() == 0


def test_counters_give_the_next_numbers(ctx):
    DemoService(ctx).load()
    with ctx.write():
        assert ctx.next_number(D.COUNTER_INVOICE) == 260
        assert ctx.next_number(D.COUNTER_LOT_AMO, start=1, wrap=999) == 38
        assert ctx.next_number(D.COUNTER_LOT_AMC) == 6            # AAF
        assert ctx.next_number(D.COUNTER_VENTE) == 879
