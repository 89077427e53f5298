"""Per-machine UI preferences (theme): a small JSON file in the data dir, written atomically."""
from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger("lunetier")


def load_preferences(data_dir: Path) -> dict:
    path = data_dir / "preferences.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:  # a broken preferences file must never stop the counter
        log.warning("ignoring unreadable preferences %s: %s", path, exc)
        return {}


def save_preference(data_dir: Path, key: str, value: object) -> None:
    prefs = load_preferences(data_dir)
    prefs[key] = value
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".prefs-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(prefs, fh)
        os.replace(tmp, data_dir / "preferences.json")
    except OSError as exc:
        log.warning("cannot save preferences in %s: %s", data_dir, exc)
