"""File permission checks: patient data and logs must stay private to the Lunetier user.

`check_permissions(settings)` lists what other users of the machine could read or change: the database
file (and its -wal / -shm companions) and its folder, the documents folder (SCOR scans of ordonnances)
with everything inside it, the mailbox folder (lots and NOEMIE returns) with its content, and the log file.
Expected modes: 0700 for folders, 0600 for files, owned by the current user. Missing paths are not
findings (they are created private on first use). `fix_permissions` applies those modes and returns what
it could not fix (e.g. a file owned by someone else).

Why no group access even for the mailbox: a shop that shares a mailbox with another account should do it
through the transport, not by opening the folder; `lunetier doctor` shows the finding so it is a choice.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from core.config import Settings

DIR_MODE = 0o700
FILE_MODE = 0o600
_OTHERS = 0o077   # any group or world bit
_MAX_ENTRIES = 200_000  # bound the walk of very large folders; doctor stays quick


@dataclass(frozen=True)
class Finding:
    path: Path
    what: str          # French label: "base de données", "dossier des documents"...
    mode: int          # current permission bits
    expected: int
    owner_ok: bool = True

    @property
    def fixable(self) -> bool:
        return self.owner_ok

    @property
    def message_fr(self) -> str:
        if not self.owner_ok:
            return f"{self.what} {self.path} appartient à un autre utilisateur."
        who = []
        if self.mode & 0o070:
            who.append("le groupe")
        if self.mode & 0o007:
            who.append("les autres utilisateurs")
        return (f"{self.what} {self.path} accessible par {' et '.join(who)} (droits {self.mode:04o}, "
                f"attendu {self.expected:04o}).")


def _log_file(settings: Settings) -> Path:
    # Mirrors app.main_app.default_log_file (core never imports app).
    return settings.log_file or settings.data_dir / "lunetier.log"


def _database_file(settings: Settings) -> Path | None:
    from core.db import _sqlite_path, is_postgres_url
    from core.db_sqlcipher import is_sqlcipher_url, parse_sqlcipher_url

    url = settings.database_url
    if is_postgres_url(url):
        return None  # the server's files are the server's business
    if is_sqlcipher_url(url):
        try:
            return Path(parse_sqlcipher_url(url)[0]).expanduser()
        except Exception:  # noqa: BLE001 - a bad URL is reported by the database check, not here
            return None
    path = _sqlite_path(url)
    return None if path == ":memory:" else Path(path).expanduser()


def _check(path: Path, what: str, uid: int) -> Finding | None:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return None  # never follow links found inside folders; the configured roots are resolved first
    mode = stat.S_IMODE(st.st_mode)
    expected = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
    owner_ok = st.st_uid == uid
    if mode & _OTHERS or not owner_ok:
        return Finding(path=path, what=what, mode=mode, expected=expected, owner_ok=owner_ok)
    return None


def _walk(root: Path) -> Iterator[Path]:
    """Every entry under root (not root itself), without following symlinks."""
    stack = [root]
    seen = 0
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > _MAX_ENTRIES:
                return
            yield Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))


def _targets(settings: Settings) -> Iterator[tuple[Path, str, bool]]:
    """(path, label, walk inside) for every place that must stay private."""
    db = _database_file(settings)
    if db is not None:
        yield db.parent.resolve(), "dossier de la base", False
        yield db.resolve(), "base de données", False
        for suffix in ("-wal", "-shm", "-journal"):
            yield db.resolve().with_name(db.name + suffix), "journal de la base", False
    yield settings.documents_path.resolve(), "dossier des documents", True
    yield settings.mailbox_path.resolve(), "boîte aux lettres", True
    yield _log_file(settings).resolve(), "fichier journal", False


def check_permissions(settings: Settings) -> list[Finding]:
    """Everything that other users could read or change. Empty list = all private."""
    uid = os.getuid()
    findings: list[Finding] = []
    seen: set[Path] = set()
    for root, what, walk in _targets(settings):
        if root in seen:
            continue
        seen.add(root)
        found = _check(root, what, uid)
        if found:
            findings.append(found)
        if walk and root.is_dir():
            for child in _walk(root):
                if child not in seen:
                    found = _check(child, f"{what} :", uid)
                    if found:
                        findings.append(found)
    return findings


def fix_permissions(settings: Settings) -> list[Finding]:
    """Set 0700 on folders and 0600 on files found open; returns the findings left (not fixable)."""
    left: list[Finding] = []
    for f in check_permissions(settings):
        if not f.fixable:
            left.append(f)
            continue
        try:
            os.chmod(f.path, f.expected)  # findings never name a symlink (see _check)
        except OSError:
            left.append(f)
    return left
