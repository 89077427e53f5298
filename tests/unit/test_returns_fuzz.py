"""Random byte corruption of a valid RSP: the import either happens fully or leaves no partial write."""
from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.formats.noemie import PaymentState, read_noemie
from core.formats.noemie import builder as b
from core.models import AuditLog, Invoice, Payment, Practitioner, RspImport, Virement
from core.services.returns import ReturnsService
from test_returns_support import facture, paid_reglement, rsp_bytes, snapshot

DAY = date(2024, 5, 28)
NUMBERS = (253, 254, 255)


def _shop() -> None:
    if Practitioner.select().exists():
        return
    from teletrans_fixtures import make_fse, make_world

    world = make_world()
    for number in NUMBERS:
        make_fse(world, number=number)


def _valid(layout: str) -> bytes:
    factures = [facture(253, amo=b.amo_part(9, "P", 9)), facture(254, amo=b.amo_part(9, "R"),
                                                               rejects=[b.reject("04500561", "EXO")]),
                facture(255, amo=b.amo_part(9, "D")), facture(999, amo=b.amo_part(3, "P", 3))]
    return rsp_bytes(
        paid_reglement("001", *factures, items=[b.mouvement(debt_reference="DETTE9FR", debt_date=DAY,
                                                            debt_nature="ODL", operation="RPR", amount=-2)]),
        b.reglement(b.ponctuel("00001", 4000, b.ponctuel_detail(amount=4000, code="CODE1", label="AIDE")),
                    recipient="000000992604231", accounting_date=DAY, label_1="VIR PONCTUEL", payer="01349000",
                    return_type="03"),
        layout=layout)


_edits = st.lists(st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True),
                            st.sampled_from(["replace", "delete", "insert"]), st.integers(0, 255)),
                  min_size=1, max_size=3)


def _corrupt(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for where, how, byte in edits:
        i = int(where * len(out))
        if how == "replace":
            out[i] = byte
        elif how == "delete":
            del out[i]
        else:
            out.insert(i, byte)
    return bytes(out)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.sampled_from(["line", "blocks", "block-lines"]), edits=_edits)
def test_corrupted_rsp_imports_fully_or_not_at_all(sqlite_ctx, layout, edits):
    _shop()
    data = _corrupt(_valid(layout), edits)
    before_counts, before_invoices, before_lots = snapshot(sqlite_ctx.db)
    paid_before = {i.number: i.ro_paid_cents for i in Invoice.select()}

    summary = ReturnsService(sqlite_ctx).import_rsp("fuzz.rsp", data)

    counts, invoices, lots = snapshot(sqlite_ctx.db)
    if summary.status in ("rejected", "already_imported"):
        assert invoices == before_invoices and lots == before_lots
        diff = {t: n - before_counts[t] for t, n in counts.items() if n != before_counts[t]}
        assert diff in ({}, {"rsp_import": 1}) and (not diff or summary.status == "rejected")
        if summary.status == "rejected":
            assert summary.error and RspImport.get(RspImport.sha256 == summary.sha256).status == "rejected"
        return
    # Imported: every part of every known invoice, every virement, the audit row, all in.
    parsed = read_noemie(data)
    row = RspImport.get_by_id(summary.import_id)
    assert row.status == "imported" and row.invoices == len(parsed.payments)
    known = {n for (n,) in Invoice.select(Invoice.number).tuples()}
    expected_parts = [(p, part) for p in parsed.payments if p.invoice_number_int in known
                      for part in (p.amo, p.amc) if part is not None and part.state is not PaymentState.NOT_PROCESSED]
    assert Payment.select().where(Payment.rsp_import == row.id).count() == len(expected_parts)
    assert Virement.select().where(Virement.rsp_import == row.id).count() == len(parsed.virements)
    assert AuditLog.select().where((AuditLog.action == "retours.import")
                                   & (AuditLog.entity_id == str(row.id))).count() == 1
    delta = Counter()
    for p, part in expected_parts:
        if part is p.amo:
            delta[p.invoice_number_int] += part.paid
    for inv in Invoice.select():
        assert inv.ro_paid_cents == paid_before[inv.number] + delta[inv.number]
