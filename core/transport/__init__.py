"""Transport of lot files and returns: the mailbox port and its folder implementation.

Public API:
    Mailbox, ShopMailbox          protocols (core/transport/mailbox.py)
    FolderMailbox(root, create=True)   the shop's end of a folder mailbox; .counterpart() gives the other end
    FolderCounterpart             the counterpart's end (used by the simulated caisse)
"""
from core.transport.folder import FOLDERS, FolderCounterpart, FolderMailbox
from core.transport.mailbox import Mailbox, ShopMailbox, check_name

__all__ = ["Mailbox", "ShopMailbox", "FolderMailbox", "FolderCounterpart", "FOLDERS", "check_name"]
