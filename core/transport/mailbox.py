"""The mailbox port: how lot files leave the shop and ARL/RSP files come back.

Two protocols, so that a network transport (SMTP/POP, an OCT's web service) can replace the folder
mailbox without touching the services:

- `Mailbox`: the four operations every end of a mailbox has (send, receive, ack, quarantine). The
  simulated caisse holds one of these (the counterpart end).
- `ShopMailbox`: the shop's end, which also spools files before they are sent ("Mettre en fichier"
  writes the B2 file, "Envoyer" sends it later) and keeps a copy of what it sent ("Renvoyer" re-sends
  the very same bytes).

Every write is atomic (a reader sees a whole file or nothing); failures raise `TransportError` with a
French message.
"""
from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from core.errors import TransportError

__all__ = ["Mailbox", "ShopMailbox", "check_name", "NAME_RE"]

# Plain base names only: no path separators, no leading dot (hidden names are the mailbox's own).
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or name.endswith((".tmp", ".pending")):
        raise TransportError(f"Nom de fichier refusé par la boîte aux lettres : « {name} ».",
                             log=f"mailbox: invalid file name {name!r}", code="transport.name")
    return name


@runtime_checkable
class Mailbox(Protocol):
    def send(self, name: str, data: bytes) -> None:
        """Deliver `data` to the other end under `name` (atomic; same name again replaces it)."""

    def receive(self) -> list[tuple[str, bytes]]:
        """Files waiting for this end, sorted by name."""

    def ack(self, name: str) -> None:
        """A received file was processed: take it out of the waiting list."""

    def quarantine(self, name: str, reason: str) -> None:
        """A received file was refused: set it aside with the reason (French, one line)."""


@runtime_checkable
class ShopMailbox(Mailbox, Protocol):
    def stage(self, name: str, data: bytes) -> None:
        """Spool an outgoing file without delivering it (atomic; same name again replaces it)."""

    def read_copy(self, name: str) -> bytes:
        """The bytes of a staged or already sent file (TransportError if neither exists)."""
