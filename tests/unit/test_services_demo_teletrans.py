"""The demo build answers télétransmissions in-process: sending gets its ARL and RSP at once."""
from core.models import Invoice
from core.services import build_services
from core.services.demo import DemoService


def test_demo_send_gets_arl_then_rsp(ctx):
    DemoService(ctx).load()
    svc = build_services(ctx).teletransmission()
    summary = svc.auto()
    assert not summary.needs_attention
    rows = {r.lot: r for r in svc.teletransmis() if r.kind == "AMO"}
    assert rows["038"].etat_lot == "RSP"
    kinds = [f.kind for f in summary.reception.files]
    assert kinds == ["ARL", "RSP"]
    paid = Invoice.get(Invoice.number == 250)
    assert paid.amo_state == "Payé" and paid.ro_paid_cents == paid.ro_expected_cents
    # sending again finds nothing new and changes nothing
    again = svc.auto()
    assert again.mise_en_lot.fse_count == 0
