"""Typed errors. Each carries a French message for the user and an English one for logs."""
from __future__ import annotations


class LunetierError(Exception):
    """Base of every expected failure: shown to the user as one clear line, never a traceback."""

    def __init__(self, message_fr: str, *, log: str | None = None, code: str | None = None) -> None:
        super().__init__(log or message_fr)
        self.message_fr = message_fr
        self.log = log or message_fr
        self.code = code


class ConfigError(LunetierError):
    """Bad settings file, unknown database URL, unusable path."""


class DatabaseError(LunetierError):
    """Database unreachable, locked, read-only, or schema newer than the code."""


class ValidationError(LunetierError):
    """Input refused by a business rule (NIR, dates, amounts...)."""


class CardError(LunetierError):
    """Card reader or card failure (removed, unknown, pcscd down...)."""


class EngineError(LunetierError):
    """The SESAM-Vitale engine refused or failed."""


class FormatError(LunetierError):
    """A file in a public format (B2, NOEMIE, ARL) is malformed; carries the byte offset when known."""

    def __init__(self, message_fr: str, *, log: str | None = None, code: str | None = None,
                 offset: int | None = None) -> None:
        super().__init__(message_fr, log=log, code=code)
        self.offset = offset


class TransportError(LunetierError):
    """Mailbox missing, read-only, foreign file."""


class DocumentError(LunetierError):
    """SCOR document refused (corrupt, unsupported, bomb...)."""
