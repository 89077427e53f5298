"""Time to first screen and peak RSS of `lunetier` vs a minimal Textual app, both in fresh processes.

Each run is a new interpreter that imports, builds and mounts the app headless, then exits right after the
first refresh: that is what a user waits for at the counter. Lunetier runs on a prepared database (the first
start, which loads the demo data, is not what a user sees every morning).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure

MINIMAL = """
from textual.app import App
from textual.widgets import Footer, Static
class Minimal(App):
    def compose(self):
        yield Static("hello"); yield Footer()
    def on_mount(self):
        self.call_after_refresh(self._painted)
    def _painted(self):
        import sys, time
        print(f"PAINT {time.time()}", flush=True)
        self.exit()
Minimal().run(headless=True, size=(80, 24))
"""

# Exactly what `lunetier` does (app/cli/tui.py), minus the terminal.
LUNETIER = """
from app.factory import build_app, preflight
from core.config import load_settings
settings = load_settings()
preflight(settings)
app = build_app(settings, eager=False)
def _painted():
    import sys, time
    print(f"PAINT {time.time()}", flush=True)
    app.exit()
def _ready():
    app.call_after_refresh(_painted)
app.call_later(_ready)
app.run(headless=True, size=(80, 24))
"""


def _run(code: str, env: dict) -> tuple[float, int]:
    """Wall time from process start to the first paint (printed by the child), and the child's peak RSS.
    Process exit is not counted: Lunetier keeps opening the database in the background after the paint."""
    t0 = time.time()
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=Path(__file__).resolve().parent.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(proc.stderr.read().decode()[-500:])
    painted = float(next(line.split()[1] for line in out.splitlines() if line.startswith("PAINT")))
    return painted - t0, usage.ru_maxrss // 1024


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LUNETIER_DATA_DIR=tmp, LUNETIER_CONFIG=str(Path(tmp) / "none.toml"))
        _run(LUNETIER, env)  # first start: creates the database and loads the demo data
        lun = [_run(LUNETIER, env) for _ in range(5)]
        base = [_run(MINIMAL, env) for _ in range(5)]
    t_lun, rss_lun = min(t for t, _ in lun), max(r for _, r in lun)
    t_base, rss_base = min(t for t, _ in base), max(r for _, r in base)
    fig = Figure("first screen (process start to first paint)", t_lun, "minimal Textual app", t_base,
                 target="ratio <= 1.5", extra=f"RSS {rss_lun} MiB vs {rss_base} MiB")
    return [fig]
