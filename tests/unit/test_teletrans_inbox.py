"""Recevoir: ARL integration is atomic per file, idempotent, and refuses what it cannot place."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from core.caisse import SimulatedCaisse
from core.errors import ValidationError
from core.formats.arl import ArlFile, ArlVerdict, read_arl, write_arl
from core.models import Arl, Lot, LotStateChange
from core.services.teletransmission import InboxFileResult, TeletransmissionService
from core.transport import FolderMailbox
from teletrans_fixtures import PS_NUMBER, make_fse, make_world


@pytest.fixture
def sent(ctx, tmp_path, clock):
    """One lot sent and answered by the caisse; the ARL waits in the inbox."""
    world = make_world()
    make_fse(world)
    mailbox = FolderMailbox(tmp_path / "mb")
    service = TeletransmissionService(ctx, mailbox)
    service.auto()
    SimulatedCaisse(mailbox, clock=clock).process()
    return service, mailbox


def _snapshot():
    return ([(lot.id, lot.state, lot.arl_label, lot.received_on) for lot in Lot.select().order_by(Lot.id)],
            LotStateChange.select().count(), Arl.select().count())


def _arl(**changes) -> bytes:
    lot = Lot.get()
    base = ArlFile(ps_number=PS_NUMBER, emitter_number="01349000", arl_id=77, created=datetime(2024, 5, 28, 12),
                   b2_file_id=1, b2_file_name=lot.file_name, lot_number=lot.number, lot_kind="AMO",
                   verdict=ArlVerdict.POSITIF)
    return write_arl(replace(base, **changes))


def test_same_arl_twice_changes_nothing(sent):
    service, mailbox = sent
    ((name, data),) = mailbox.receive()
    first = service.recevoir_uniquement()
    assert [f.status for f in first.files] == ["intégré"]
    before = _snapshot()
    (mailbox.inbox / "copie.arl").write_bytes(data)  # the very same bytes again
    second = service.recevoir_uniquement()
    assert [(f.name, f.status) for f in second.files] == [("copie.arl", "doublon")]
    assert _snapshot() == before
    assert mailbox.receive() == [] and (mailbox.received / "copie.arl").is_file()
    assert second.attention == 0


@pytest.mark.parametrize("name,data,reason", [
    ("abime.arl", b"A0LUNARL01 tronque", "ARL invalide"),
    ("bruit.bin", b"\x00\x01 pas un fichier Lunetier", "Fichier inconnu"),
    ("vide.arl", b"", "ARL invalide"),
])
def test_foreign_or_corrupt_files_are_quarantined(sent, name, data, reason):
    service, mailbox = sent
    (mailbox.inbox / name).write_bytes(data)
    before = _snapshot()
    result = service.recevoir_uniquement()
    statuses = {f.name: (f.status, f.message) for f in result.files}
    assert statuses[name][0] == "quarantaine" and reason in statuses[name][1]
    assert (mailbox.quarantine_dir / name).read_bytes() == data
    assert reason in (mailbox.quarantine_dir / f"{name}.reason.txt").read_text(encoding="utf-8")
    assert result.attention >= 1
    # The genuine ARL of the same batch was still integrated.
    assert Lot.get().state == "ARL positif reçu" and before[2] + 1 == Arl.select().count()


def test_arl_for_unknown_lot_or_other_ps_is_quarantined(sent):
    service, mailbox = sent
    mailbox.ack(mailbox.receive()[0][0])  # drop the genuine ARL
    (mailbox.inbox / "inconnu.arl").write_bytes(_arl(lot_number="888"))
    (mailbox.inbox / "autre-fichier.arl").write_bytes(_arl(b2_file_name="B2-999999-001.b2"))
    (mailbox.inbox / "autre-ps.arl").write_bytes(_arl(ps_number="123456789"))
    before = _snapshot()
    result = service.recevoir_uniquement()
    assert {f.name: f.status for f in result.files} == {
        "autre-fichier.arl": "quarantaine", "autre-ps.arl": "quarantaine", "inconnu.arl": "quarantaine"}
    messages = " ".join(f.message for f in result.files)
    assert "lot inconnu : lot 888" in messages and "autre professionnel de santé" in messages
    assert _snapshot() == before
    assert len(mailbox.quarantined()) == 3


def test_arl_with_an_illegal_transition_is_quarantined(sent):
    service, mailbox = sent
    service.recevoir_uniquement()
    assert Lot.get().state == "ARL positif reçu"
    (mailbox.inbox / "tardif.arl").write_bytes(_arl(verdict=ArlVerdict.NEGATIF, code="4025", arl_id=78))
    before = _snapshot()
    result = service.recevoir_uniquement()
    assert result.files[0].status == "quarantaine" and "ARL négatif reçu" in result.files[0].message
    assert _snapshot() == before


def test_repeated_answer_in_the_same_state_is_recorded_without_transition(sent):
    service, mailbox = sent
    service.recevoir_uniquement()
    changes = LotStateChange.select().count()
    (mailbox.inbox / "second.arl").write_bytes(_arl(arl_id=79))
    result = service.recevoir_uniquement()
    assert result.files[0].status == "intégré"
    assert LotStateChange.select().count() == changes and Arl.select().count() == 2


def test_arl_proves_a_sending_that_did_not_commit(ctx, tmp_path, clock):
    """Crash between delivering a file and recording it: the ARL moves the lot through "Lot expédié"."""
    world = make_world()
    make_fse(world)
    mailbox = FolderMailbox(tmp_path / "mb")
    service = TeletransmissionService(ctx, mailbox)
    service.mettre_en_lot()
    service.mettre_en_fichier()
    lot = Lot.get()
    mailbox.send(lot.file_name, mailbox.read_copy(lot.file_name))  # delivered, state still "Fichier créé"
    SimulatedCaisse(mailbox, clock=clock).process()
    service.recevoir_uniquement()
    lot = Lot.get()
    assert lot.state == "ARL positif reçu" and lot.send_count == 1
    assert service.envoyer().sent == ()


class _RspStub:
    kind = "RSP"

    def __init__(self):
        self.seen = []

    def accepts(self, name, data):
        return name.endswith(".rsp")

    def handle(self, name, data):
        if data == b"bad":
            raise ValidationError("RSP illisible.")
        self.seen.append(name)
        return InboxFileResult(name=name, kind="RSP", status="intégré", message="1 facture")


def test_rsp_files_wait_for_their_handler(ctx, tmp_path):
    make_world()
    mailbox = FolderMailbox(tmp_path / "mb")
    (mailbox.inbox / "retour.rsp").write_bytes(b"000...")
    result = TeletransmissionService(ctx, mailbox).recevoir_uniquement()
    assert [(f.name, f.status) for f in result.files] == [("retour.rsp", "en attente")]
    assert result.attention == 0 and (mailbox.inbox / "retour.rsp").is_file()
    stub = _RspStub()
    (mailbox.inbox / "z.rsp").write_bytes(b"bad")
    result = TeletransmissionService(ctx, mailbox, inbox_handlers=[stub]).recevoir_uniquement()
    assert {f.name: f.status for f in result.files} == {"retour.rsp": "intégré", "z.rsp": "quarantaine"}
    assert stub.seen == ["retour.rsp"] and mailbox.receive() == []


def test_arl_read_back_matches_caisse_answer(sent):
    _, mailbox = sent
    ((name, data),) = mailbox.receive()
    arl = read_arl(data)
    lot = Lot.get()
    assert (arl.lot_number, arl.b2_file_name, arl.verdict, arl.ps_number) == \
        (lot.number, lot.file_name, ArlVerdict.POSITIF, PS_NUMBER)
    assert name.endswith(".arl")
