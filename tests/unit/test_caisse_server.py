"""The simulated caisse as a process: `serve` loop, `lunetier caisse serve` in a subprocess."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from core.caisse import SimulatedCaisse
from core.caisse.server import serve
from core.clock import FrozenClock
from core.formats.arl import read_arl
from core.transport import FolderMailbox
from test_caisse_scenario import _b2

ROOT = Path(__file__).resolve().parents[2]


def test_serve_once_and_until_stopped(tmp_path):
    shop = FolderMailbox(tmp_path / "mb")
    caisse = SimulatedCaisse(shop, clock=FrozenClock(datetime(2024, 5, 28, 11, 13)))
    reports = []
    assert serve(caisse, once=True, on_cycle=reports.append) == 1 and reports[0].answers == ()

    stop = threading.Event()
    shop.send("B2-000007-025.b2", _b2())

    def on_cycle(report):
        reports.append(report)
        if len(reports) >= 3:
            stop.set()

    assert serve(caisse, interval=0.01, stop=stop, on_cycle=on_cycle) == 2
    assert [len(r.answers) for r in reports] == [0, 1, 0]
    assert len(shop.receive()) == 1


def test_caisse_serve_as_its_own_process(tmp_path):
    """The caisse runs in its own process, answers what arrives, and stops cleanly on SIGTERM."""
    shop = FolderMailbox(tmp_path / "mb")
    env = dict(os.environ, PYTHONPATH=str(ROOT), LUNETIER_CONFIG=str(tmp_path / "absent.toml"))
    proc = subprocess.Popen([sys.executable, "-c", "from app.cli import main; raise SystemExit(main())", "caisse",
                             "serve", "--mailbox", str(shop.root), "--interval", "0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        shop.send("B2-000007-025.b2", _b2())
        for _ in range(600):  # bounded wait for the answer (no timing assertion)
            if shop.receive():
                break
            time.sleep(0.05)
        received = dict(shop.receive())
        arl = [data for name, data in received.items() if name.endswith(".arl")]
        assert len(arl) == 1 and read_arl(arl[0]).lot_number == "025"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "B2-000007-025.b2 lot 025" in out
