"""Folder mailbox: layout, private folders, atomic writes, staging/sending, clear errors."""
from __future__ import annotations

import errno
import os
import stat

import pytest

from core.errors import TransportError
from core.transport import FOLDERS, FolderMailbox, Mailbox, ShopMailbox
from core.transport import folder as folder_mod


def test_layout_is_created_private(tmp_path):
    mailbox = FolderMailbox(tmp_path / "a" / "mailbox")
    for name in FOLDERS:
        path = tmp_path / "a" / "mailbox" / name
        assert path.is_dir() and stat.S_IMODE(path.stat().st_mode) == 0o700
    assert isinstance(mailbox, ShopMailbox) and isinstance(mailbox.counterpart(), Mailbox)


def test_stage_send_receive_cycle(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    caisse = shop.counterpart()
    shop.stage("B2-000001-001.b2", b"lot")
    assert caisse.receive() == [] and shop.staged() == ["B2-000001-001.b2"]  # staged is invisible
    assert shop.read_copy("B2-000001-001.b2") == b"lot"
    shop.send("B2-000001-001.b2", b"lot")
    assert shop.staged() == [] and caisse.receive() == [("B2-000001-001.b2", b"lot")]
    assert (shop.sent / "B2-000001-001.b2").read_bytes() == b"lot"
    caisse.ack("B2-000001-001.b2")
    assert caisse.receive() == [] and shop.read_copy("B2-000001-001.b2") == b"lot"  # the shop's copy stays
    caisse.send("ARL-1.arl", b"arl")
    assert shop.receive() == [("ARL-1.arl", b"arl")]
    shop.ack("ARL-1.arl")
    assert shop.receive() == [] and (shop.received / "ARL-1.arl").read_bytes() == b"arl"
    caisse.send("ARL-1.arl", b"arl")
    shop.ack("ARL-1.arl")
    assert (shop.received / "ARL-1.arl.1").is_file()  # never overwrites an earlier file


def test_quarantine_keeps_the_file_and_its_reason(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    shop.counterpart().send("x.arl", b"junk")
    shop.quarantine("x.arl", "ARL invalide\nà l'octet 0")
    assert shop.receive() == []
    assert shop.quarantined() == [("x.arl", "Lunetier : ARL invalide à l'octet 0")]
    with pytest.raises(TransportError):
        shop.quarantine("x.arl", "again")  # no longer in the inbox


def test_hidden_and_temporary_files_are_ignored(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    (shop.inbox / ".x.arl.123.tmp").write_bytes(b"half")
    (shop.inbox / "y.tmp").write_bytes(b"half")
    os.mkdir(shop.inbox / "sub")
    assert shop.receive() == []


@pytest.mark.parametrize("name", ["../evil", "a/b", ".hidden", "", "x.tmp", "x.pending", "é.b2"])
def test_bad_names_are_refused(tmp_path, name):
    shop = FolderMailbox(tmp_path / "mb")
    with pytest.raises(TransportError):
        shop.send(name, b"x")


@pytest.mark.parametrize("name", ["../evil", "a/b", "", ".."])
def test_bad_entry_names_on_ack_and_quarantine(tmp_path, name):
    shop = FolderMailbox(tmp_path / "mb")
    with pytest.raises(TransportError):
        shop.quarantine(name, "r")
    with pytest.raises(TransportError):
        shop.counterpart().ack(name)


def test_missing_folder_without_create(tmp_path):
    with pytest.raises(TransportError) as info:
        FolderMailbox(tmp_path / "absent", create=False)
    assert "introuvable" in info.value.message_fr
    shop = FolderMailbox(tmp_path / "mb")
    os.rmdir(shop.inbox)
    with pytest.raises(TransportError) as info:
        FolderMailbox(tmp_path / "mb", create=False)
    assert "inbox" in info.value.message_fr


def test_root_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(TransportError) as info:
        FolderMailbox(tmp_path / "f")
    assert "n'est pas un dossier" in info.value.message_fr


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_folder_by_permissions(tmp_path):
    FolderMailbox(tmp_path / "mb")
    os.chmod(tmp_path / "mb" / "outbox", 0o500)
    try:
        with pytest.raises(TransportError) as info:
            FolderMailbox(tmp_path / "mb")
        assert "lecture seule" in info.value.message_fr
    finally:
        os.chmod(tmp_path / "mb" / "outbox", 0o700)


def test_read_only_folder_detected(tmp_path, monkeypatch):
    FolderMailbox(tmp_path / "mb")
    real = os.access
    monkeypatch.setattr(folder_mod.os, "access", lambda p, mode: False if str(p).endswith("outbox") else real(p, mode))
    with pytest.raises(TransportError) as info:
        FolderMailbox(tmp_path / "mb")
    assert "lecture seule" in info.value.message_fr


def test_write_failure_is_clear_and_leaves_nothing(tmp_path, monkeypatch):
    shop = FolderMailbox(tmp_path / "mb")

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(folder_mod.os, "replace", refuse)
    with pytest.raises(TransportError) as info:
        shop.stage("B2-000001-001.b2", b"lot")
    assert "lecture seule" in info.value.message_fr
    assert os.listdir(shop.outbox) == []  # the temporary file was removed


def test_send_releases_the_staged_file_or_writes_fresh_bytes(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    shop.stage("f.b2", b"one")
    shop.send("f.b2", b"two")  # different bytes: written anew, the stale staged copy goes
    assert shop.staged() == [] and shop.counterpart().receive() == [("f.b2", b"two")]
    with pytest.raises(TransportError):
        shop.read_copy("absent.b2")
