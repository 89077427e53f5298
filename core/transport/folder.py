"""Folder mailbox: the default transport, a directory tree shared by the shop and its counterpart.

    <root>/outbox/       shop -> counterpart. "name.pending" = staged by Mettre en fichier (invisible to
                         the counterpart); "name" = sent (the counterpart takes it from here).
    <root>/sent/         the shop's copy of every file it sent ("Renvoyer" re-sends these bytes).
    <root>/inbox/        counterpart -> shop (ARL, RSP).
    <root>/received/     inbox files the shop has processed (ack).
    <root>/quarantine/   refused files, each with "<name>.reason.txt" saying why.

Folders are created mode 0700 (the files carry health data). Writes go to a hidden temporary file in
the target folder, are fsync'ed, then renamed: a reader, or a crash, never sees half a file.
Hidden names (leading dot) and *.tmp / *.pending files are never listed as received.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

from core.errors import TransportError
from core.transport.mailbox import check_name

__all__ = ["FolderMailbox", "FolderCounterpart", "FOLDERS"]

FOLDERS = ("outbox", "sent", "inbox", "received", "quarantine")
_PENDING = ".pending"


def _error(message_fr: str, exc: BaseException | None, log: str, code: str = "transport.io") -> TransportError:
    detail = f": {exc}" if exc else ""
    return TransportError(message_fr, log=f"mailbox: {log}{detail}", code=code)


def _os_error(action_fr: str, path: Path, exc: OSError) -> TransportError:
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        why = "droits insuffisants"
    elif exc.errno == errno.EROFS:
        why = "disque en lecture seule"
    elif exc.errno == errno.ENOSPC:
        why = "disque plein"
    elif exc.errno == errno.ENOENT:
        why = "dossier introuvable"
    else:
        why = exc.strerror or str(exc)
    return _error(f"Boîte aux lettres : impossible de {action_fr} « {path} » ({why}).", exc,
                  f"cannot {action_fr} {path}")


def _atomic_write(folder: Path, name: str, data: bytes) -> None:
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, folder / name)
        _fsync_dir(folder)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise _os_error("écrire dans", folder, exc) from exc


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _listed(folder: Path) -> list[str]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise _os_error("lire", folder, exc) from exc
    return [e.name for e in entries if e.is_file() and not e.name.startswith(".")
            and not e.name.endswith((".tmp", _PENDING))]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _os_error("lire", path, exc) from exc


def _free_name(folder: Path, name: str) -> str:
    """`name`, or `name.1`, `name.2`... so that a move never overwrites an earlier file."""
    candidate, n = name, 0
    while (folder / candidate).exists():
        n += 1
        candidate = f"{name}.{n}"
    return candidate


def _basename(name: str) -> str:
    """Names given back by callers (ack, quarantine) must be plain entries of the folder."""
    if not isinstance(name, str) or name in ("", ".", "..") or any(c in name for c in "/\\\0"):
        raise _error(f"Nom de fichier refusé par la boîte aux lettres : « {name} ».", None,
                     f"invalid entry name {name!r}", "transport.name")
    return name


def _move(src: Path, folder: Path) -> Path:
    target = folder / _free_name(folder, src.name)
    try:
        os.replace(src, target)
    except OSError as exc:
        raise _os_error("déplacer", src, exc) from exc
    _fsync_dir(folder)
    return target


def _quarantine(src: Path, quarantine: Path, reason: str, who: str) -> None:
    if not src.is_file():
        raise _error(f"Boîte aux lettres : fichier « {src.name} » introuvable.", None,
                     f"quarantine: no such file {src}", "transport.missing")
    target = _move(src, quarantine)
    line = " ".join(str(reason).split())
    _atomic_write(quarantine, f"{target.name}.reason.txt", f"{who} : {line}\n".encode("utf-8"))


class FolderMailbox:
    """The shop's end of a folder mailbox (implements `ShopMailbox`)."""

    def __init__(self, root: str | os.PathLike[str], *, create: bool = True) -> None:
        self.root = Path(root).expanduser()
        self.outbox = self.root / "outbox"
        self.sent = self.root / "sent"
        self.inbox = self.root / "inbox"
        self.received = self.root / "received"
        self.quarantine_dir = self.root / "quarantine"
        self._prepare(create)

    def _prepare(self, create: bool) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise _error(f"Boîte aux lettres : « {self.root} » n'est pas un dossier.", None,
                         f"{self.root} is not a directory", "transport.missing")
        for folder in [self.root, *(self.root / n for n in FOLDERS)]:
            if folder.is_dir():
                continue
            if not create:
                raise _error(f"Boîte aux lettres introuvable : le dossier « {folder} » n'existe pas.", None,
                             f"missing folder {folder}", "transport.missing")
            try:
                folder.mkdir(parents=True, mode=0o700, exist_ok=True)
                os.chmod(folder, 0o700)
            except OSError as exc:
                raise _os_error("créer le dossier", folder, exc) from exc
        for folder in (self.root / n for n in FOLDERS):
            if not os.access(folder, os.W_OK | os.X_OK):
                raise _error(f"Boîte aux lettres en lecture seule : Lunetier ne peut pas écrire dans « {folder} ».",
                             None, f"read-only folder {folder}", "transport.readonly")

    # --- ShopMailbox ---------------------------------------------------------------------------------
    def stage(self, name: str, data: bytes) -> None:
        check_name(name)
        _atomic_write(self.outbox, name + _PENDING, bytes(data))

    def send(self, name: str, data: bytes) -> None:
        """Keep the shop's copy first, then deliver: after a crash the copy is always there to re-send."""
        check_name(name)
        data = bytes(data)
        _atomic_write(self.sent, name, data)
        pending = self.outbox / (name + _PENDING)
        try:
            if pending.is_file() and pending.read_bytes() == data:
                os.replace(pending, self.outbox / name)  # release the staged file: atomic, no copy
                _fsync_dir(self.outbox)
                return
        except OSError as exc:
            raise _os_error("envoyer", pending, exc) from exc
        _atomic_write(self.outbox, name, data)
        try:
            pending.unlink(missing_ok=True)
        except OSError as exc:
            raise _os_error("envoyer", pending, exc) from exc

    def read_copy(self, name: str) -> bytes:
        check_name(name)
        for path in (self.outbox / (name + _PENDING), self.sent / name):
            if path.is_file():
                return _read(path)
        raise _error(f"Fichier « {name} » introuvable dans la boîte aux lettres (ni en attente d'envoi, "
                     "ni dans les envoyés).", None, f"no staged or sent copy of {name}", "transport.missing")

    def staged(self) -> list[str]:
        """Names of the staged (not yet sent) files."""
        try:
            return sorted(e.name[:-len(_PENDING)] for e in os.scandir(self.outbox)
                          if e.is_file() and e.name.endswith(_PENDING) and not e.name.startswith("."))
        except OSError as exc:
            raise _os_error("lire", self.outbox, exc) from exc

    def receive(self) -> list[tuple[str, bytes]]:
        return [(name, _read(self.inbox / name)) for name in _listed(self.inbox)]

    def ack(self, name: str) -> None:
        src = self.inbox / _basename(name)
        if src.is_file():
            _move(src, self.received)

    def quarantine(self, name: str, reason: str) -> None:
        _quarantine(self.inbox / _basename(name), self.quarantine_dir, reason, "Lunetier")

    def quarantined(self) -> list[tuple[str, str]]:
        """(name, reason) of every quarantined file."""
        out = []
        for name in _listed(self.quarantine_dir):
            if name.endswith(".reason.txt"):
                continue
            reason_path = self.quarantine_dir / f"{name}.reason.txt"
            reason = _read(reason_path).decode("utf-8", "replace").strip() if reason_path.is_file() else ""
            out.append((name, reason))
        return out

    def counterpart(self) -> "FolderCounterpart":
        """The other end (the simulated caisse): receives the shop's outbox, sends into its inbox."""
        return FolderCounterpart(self)


class FolderCounterpart:
    """The counterpart's end of a folder mailbox (implements `Mailbox`)."""

    def __init__(self, shop: FolderMailbox) -> None:
        self.shop = shop
        self.root = shop.root
        # Where a stateful counterpart (the simulated caisse) keeps its own counters.
        self.state_file = shop.root / ".counterpart-state.json"

    def send(self, name: str, data: bytes) -> None:
        check_name(name)
        _atomic_write(self.shop.inbox, name, bytes(data))

    def receive(self) -> list[tuple[str, bytes]]:
        return [(name, _read(self.shop.outbox / name)) for name in _listed(self.shop.outbox)]

    def ack(self, name: str) -> None:
        """Taken: the shop keeps its own copy in sent/, so the delivered file is simply removed."""
        try:
            (self.shop.outbox / _basename(name)).unlink(missing_ok=True)
        except OSError as exc:
            raise _os_error("retirer", self.shop.outbox / name, exc) from exc

    def quarantine(self, name: str, reason: str) -> None:
        _quarantine(self.shop.outbox / _basename(name), self.shop.quarantine_dir, reason, "Caisse")

    def write_state(self, data: bytes) -> None:
        _atomic_write(self.root, self.state_file.name, data)
