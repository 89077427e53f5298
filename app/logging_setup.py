"""Logs go to a private file (English messages); the TUI never prints tracebacks on screen."""
from __future__ import annotations

import logging
import os
from pathlib import Path


def setup_file_logging(path: Path, level: int = logging.INFO) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("lunetier")
    root.setLevel(level)
    root.addHandler(handler)
