"""The real PC/SC stack for the e2e tests and benchmarks/bench_card.py: pcscd + vsmartcard-vpcd + demo cards.

Recipe and pitfalls: shared/reference/PCSC.md.
- pcscd is started as ``pcscd --foreground`` (never --auto-exit) when none runs, and stopped by its PID at
  the end; a pcscd started by someone else is reused and left alone.
- Readiness is checked *through PC/SC* (the vpcd readers are listed / a slot reports PRESENT): a TCP probe
  of port 35963 would itself be a card insertion.
- One test session at a time on a machine (a single pcscd owns /run/pcscd and ports 35963/35964): an
  exclusive file lock is held while the stack is in use.
- Missing pieces (pcscd binary, vpcd driver, pyscard, libpcsclite): ``pytest.fail`` when
  LUNETIER_REQUIRE_PCSC=1, else ``pytest.skip`` with the reason.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

READER_0, READER_1 = "Virtual PCD 00 00", "Virtual PCD 00 01"
PORT_0, PORT_1 = 35963, 35964
VPCD_CONF = Path("/etc/reader.conf.d/vpcd")
PID_FILE = Path("/run/pcscd/pcscd.pid")
SOCKET = Path("/run/pcscd/pcscd.comm")
LOCK_FILE = Path(tempfile.gettempdir()) / "lunetier-pcsc-tests.lock"
READY_TIMEOUT = 15.0
# After a removal, pcscd's event thread only notices at its next presence poll (400 ms). A card that
# vanished during an APDU makes the *public* state EMPTY at once while that thread still thinks the old
# card is there: a new card connected before the poll is then taken for the old one and never reported.
# So removals settle for one poll (not a performance limit: a person never swaps cards that fast).
POLL_SETTLE = 0.5


def pcscd_binary() -> str | None:
    return shutil.which("pcscd") or next((p for p in ("/usr/sbin/pcscd", "/sbin/pcscd") if os.path.exists(p)), None)


def stack_problem() -> str | None:
    """Why the stack cannot run here, or None."""
    try:
        import smartcard  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        return f"pyscard not importable ({exc})"
    import ctypes.util

    if ctypes.util.find_library("pcsclite") is None:
        return "libpcsclite.so.1 not installed (apt-get install libpcsclite1)"
    if pcscd_binary() is None:
        return "pcscd not installed (apt-get install pcscd)"
    if not VPCD_CONF.exists():
        return f"vsmartcard-vpcd not installed ({VPCD_CONF} missing: apt-get install vsmartcard-vpcd)"
    return None


def require(reason: str) -> None:
    """Skip, or fail when LUNETIER_REQUIRE_PCSC=1 (CI must really run these tests)."""
    if os.environ.get("LUNETIER_REQUIRE_PCSC") == "1":
        pytest.fail(f"PC/SC stack required (LUNETIER_REQUIRE_PCSC=1) but unavailable: {reason}")
    pytest.skip(f"PC/SC stack unavailable: {reason}")


def running_pcscd_pid() -> int | None:
    """PID of a live pcscd owning /run/pcscd (its pid file ends with a NUL: keep the digits)."""
    try:
        digits = "".join(ch for ch in PID_FILE.read_text(errors="ignore") if ch.isdigit())
    except OSError:
        return None
    if not digits or not SOCKET.exists():
        return None
    try:
        os.kill(int(digits), 0)
    except (ProcessLookupError, PermissionError):
        return None
    return int(digits)


class PcscStack:
    """pcscd (owned or reused) and helpers to insert demo cards into the vpcd slots."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.gettempdir()) / f"lunetier-pcscd-{os.getpid()}.log"
        self._lock_fd: int | None = None
        self._servers: list = []
        self._children: list[subprocess.Popen] = []

    # --- pcscd -------------------------------------------------------------------------------------------
    @property
    def owned(self) -> bool:
        return self.process is not None

    def lock(self) -> None:
        self._lock_fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)

    def unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def start_pcscd(self) -> None:
        """Reuse a running pcscd, else start ``pcscd --foreground``; wait until PC/SC lists the vpcd readers.
        Raises RuntimeError with the reason when the stack does not come up."""
        if running_pcscd_pid() is None:
            args = [pcscd_binary() or "pcscd", "--foreground"]
            if "--disable-polkit" in subprocess.run([args[0], "--help"], capture_output=True, text=True).stdout:
                args.append("--disable-polkit")  # pcsc-lite >= 2 without polkitd (PCSC.md P8)
            log = open(self.log_path, "ab")
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
            log.close()
        self.wait_ready()

    def wait_ready(self) -> None:
        from core.card.pcsc import pcsc_availability

        deadline = time.monotonic() + READY_TIMEOUT
        avail = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"pcscd exited with {self.process.returncode}: {self.log_tail()}")
            avail = pcsc_availability(READER_0)
            if avail.ok:
                return
            time.sleep(0.1)
        raise RuntimeError(f"vpcd readers never appeared ({avail.message_fr if avail else '?'}); "
                           f"port 35963 busy? {self.log_tail()}")

    def stop_pcscd(self) -> None:
        """Stop the pcscd we started (by PID: TERM, then KILL after 5 s)."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        with contextlib.suppress(OSError):
            self.log_path.unlink()   # kept only while pcscd runs (its tail goes into failure messages)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return " | ".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # --- cards --------------------------------------------------------------------------------------------
    def wait_slot(self, reader: str, present: bool, timeout: float = 10.0) -> None:
        from core.card.pcsc import PcscReader

        if not PcscReader().wait_for(reader, present, timeout):
            raise AssertionError(f"{reader} never became {'present' if present else 'empty'}")

    def insert(self, name: str, port: int = PORT_0, *, remove_after_apdus: int | None = None, wait: bool = True):
        """Insert a deck card in-process (a VpcdCardServer thread); returns the server (``.remove()``)."""
        from core.card.deck import make_card
        from core.card.vpcd import VpcdCardServer

        # vpcd hides a swap faster than one pcscd poll: the slot must be seen empty first
        self.wait_slot(READER_0 if port == PORT_0 else READER_1, False)
        server = VpcdCardServer(make_card(name), port=port, remove_after_apdus=remove_after_apdus).insert()
        self._servers.append(server)
        if wait:
            self.wait_slot(READER_0 if port == PORT_0 else READER_1, True)
        return server

    def remove(self, server) -> None:
        """Pull out a card inserted with ``insert`` and wait until pcscd sees the slot empty."""
        server.remove()
        self.wait_slot(READER_0 if server.port == PORT_0 else READER_1, False)
        time.sleep(POLL_SETTLE)

    def serve_cli(self, name: str, port: int = PORT_0, *extra: str, wait: bool = True) -> subprocess.Popen:
        """Insert a deck card with ``lunetier card serve`` in a child process (removed by terminating it)."""
        self.wait_slot(READER_0 if port == PORT_0 else READER_1, False)
        code = "import sys; from app.cli import main; sys.exit(main(sys.argv[1:]))"
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        proc = subprocess.Popen([sys.executable, "-c", code, "card", "serve", "--card", name, "--port", str(port),
                                 *extra], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        self._children.append(proc)
        if wait:
            self.wait_slot(READER_0 if port == PORT_0 else READER_1, True, timeout=30)
        return proc

    def stop_child(self, proc: subprocess.Popen) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def remove_all(self) -> None:
        """Remove every card inserted by this stack and wait until both slots are empty."""
        removed = bool(self._servers or self._children)
        for server in self._servers:
            server.remove()
        self._servers.clear()
        for proc in self._children:
            self.stop_child(proc)
            if proc.stdout is not None:
                proc.stdout.close()
        self._children.clear()
        if running_pcscd_pid() is not None:
            for reader in (READER_0, READER_1):
                with contextlib.suppress(Exception):
                    self.wait_slot(reader, False)
            if removed:
                time.sleep(POLL_SETTLE)


_STACKS: list[PcscStack] = []   # one per test process, shared by the test modules that import the fixtures


def _process_stack() -> PcscStack:
    problem = stack_problem()
    if problem:
        require(problem)
    if not _STACKS:
        _STACKS.append(PcscStack())
    return _STACKS[0]


@pytest.fixture(scope="session")
def pcsc_session() -> Iterator[PcscStack]:
    """The process's stack. At the end, the pcscd this process started is stopped, under the lock so that
    another test process (pytest-xdist) is never cut off mid-test; it restarts one if it needs it."""
    stack = _process_stack()
    yield stack
    if stack.owned:
        stack.lock()
        try:
            stack.stop_pcscd()
        finally:
            stack.unlock()


@pytest.fixture
def pcsc(pcsc_session: PcscStack) -> Iterator[PcscStack]:
    """Per test: exclusive use of pcscd and the vpcd slots (file lock), pcscd running (started if needed),
    and every card the test inserted removed afterwards."""
    stack = pcsc_session
    stack.lock()
    try:
        try:
            if running_pcscd_pid() is None:
                stack.stop_pcscd()      # reap ours if it died
                stack.start_pcscd()
            else:
                stack.wait_ready()
        except (RuntimeError, OSError) as exc:
            stack.stop_pcscd()
            require(str(exc))
        yield stack
        stack.remove_all()
    finally:
        stack.unlock()
