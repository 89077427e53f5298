from core.audit import verify_chain
from core.models import AuditLog


def test_chain_verifies_and_detects_tampering(ctx):
    with ctx.write():
        for i in range(5):
            ctx.audit("forcage.maternite", entity="dossier", entity_id=i, details={"fin_forcee": "2024-06-01"})
    ok = verify_chain()
    assert ok.ok and ok.rows == 5
    AuditLog.update(details='{"fin_forcee": "2030-01-01"}').where(AuditLog.seq == 3).execute()
    broken = verify_chain()
    assert not broken.ok
    assert broken.first_broken_seq == 3


def test_deleted_row_is_detected(ctx):
    with ctx.write():
        for i in range(4):
            ctx.audit("suppression", entity="pj", entity_id=i)
    AuditLog.delete().where(AuditLog.seq == 2).execute()
    verdict = verify_chain()
    assert not verdict.ok and verdict.first_broken_seq == 3


def test_audit_rolls_back_with_its_transaction(ctx):
    try:
        with ctx.write():
            ctx.audit("traitement.manuel", entity="facture", entity_id=203)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert AuditLog.select().count() == 0


def test_counters_are_sequential_and_wrap(ctx):
    with ctx.write():
        values = [ctx.next_number("lot.AMO", start=1, wrap=3) for _ in range(5)]
    assert values == [1, 2, 3, 1, 2]
