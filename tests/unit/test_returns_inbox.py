"""RSP files through "Recevoir": the inbox handler, the setting, quarantine, doublons, "Récupération auto"."""
from __future__ import annotations

from core.models import Invoice, Lot, Payment, RspImport
from core.services.returns import PAYE, ReturnsService
from core.services.rsp_inbox import RspInboxHandler, looks_like_rsp
from core.services.settings import SettingsService, TeletransmissionSettings
from core.services.teletransmission import TeletransmissionService
from test_returns_support import caisse, sent_shop


def _statuses(result) -> dict[str, str]:
    return {f.name: f.status for f in result.files}


def test_setting_off_leaves_rsp_waiting_until_recuperation(ctx, tmp_path, clock):
    SettingsService(ctx).update("teletransmission", TeletransmissionSettings(integrer_rsp_apres_teletransmission=False))
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock)
    first = shop.service.recevoir_uniquement()
    assert [s for n, s in _statuses(first).items() if n.endswith(".rsp")] == ["en attente"] * 3
    assert first.left_in_inbox == 3 and Payment.select().count() == 0
    assert {lot.state for lot in Lot.select()} == {"ARL positif reçu"}
    assert len(shop.mailbox.receive()) == 3

    # "Récupération automatique Lots/RSPs" integrates them whatever the setting.
    second = ReturnsService(ctx).recuperer(shop.mailbox)
    assert set(_statuses(second).values()) == {"intégré"} and second.integrated == 3
    assert {lot.state for lot in Lot.select()} == {"RSP"} and shop.mailbox.receive() == []
    assert Invoice.select().where(Invoice.amo_state == PAYE).count() == 4


def test_auto_integrates_arl_then_rsp_in_one_reception(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock)
    summary = shop.service.auto()
    messages = summary.reception.messages
    assert [m.split(" ")[0] for m in messages][:3] == ["ARL-00000001-B2-000001-001.arl",
                                                      "ARL-00000002-B2-000002-002.arl",
                                                      "ARL-00000003-B2-000003-AAA.arl"]
    assert "RSP-B2-000001-001.rsp (RSP) : intégré — lot 001 : RSP" in messages
    assert {lot.state for lot in Lot.select()} == {"RSP"}


def test_same_rsp_again_is_a_doublon_and_a_broken_one_is_quarantined(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock)
    shop.service.recevoir_uniquement()
    good = (shop.mailbox.received / "RSP-B2-000001-001.rsp").read_bytes()
    (shop.mailbox.inbox / "copie.rsp").write_bytes(good)
    (shop.mailbox.inbox / "abime.rsp").write_bytes(good[:-50])
    payments = Payment.select().count()

    result = shop.service.recevoir_uniquement()

    assert _statuses(result) == {"abime.rsp": "quarantaine", "copie.rsp": "doublon"}
    assert Payment.select().count() == payments
    reason = (shop.mailbox.quarantine_dir / "abime.rsp.reason.txt").read_text(encoding="utf-8")
    assert "Fichier tronqué" in reason and "octet" in reason
    assert RspImport.select().where(RspImport.status == "rejected").count() == 1
    assert shop.mailbox.receive() == [] and result.quarantined == 1 and result.attention == 1


def test_without_handler_rsp_files_stay_in_the_inbox(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path, handlers=False)
    caisse(shop, clock)
    result = shop.service.recevoir_uniquement()
    assert result.left_in_inbox == 3 and Payment.select().count() == 0


def test_noemie_files_are_recognised_without_their_extension(ctx, tmp_path, clock):
    shop = sent_shop(ctx, tmp_path)
    caisse(shop, clock)
    for name, data in shop.mailbox.receive():
        if name.endswith(".rsp"):
            (shop.mailbox.inbox / name).rename(shop.mailbox.inbox / name.replace(".rsp", ".noemie"))
    assert looks_like_rsp("x.noemie", (shop.mailbox.inbox / "RSP-B2-000001-001.noemie").read_bytes())
    assert not looks_like_rsp("x.bin", b"\x00\x01 pas un fichier")
    service = TeletransmissionService(ctx, shop.mailbox, inbox_handlers=(RspInboxHandler(ctx),))
    result = service.recevoir_uniquement()
    assert result.integrated == 6 and {lot.state for lot in Lot.select()} == {"RSP"}
