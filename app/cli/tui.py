"""`lunetier` with no sub-command: open the terminal application."""
from __future__ import annotations

import argparse

from app.factory import build_app, preflight
from app.logging_setup import setup_file_logging
from app.main_app import default_log_file
from core.config import load_settings


def run_tui(args: argparse.Namespace) -> int:
    settings = load_settings(args.config, db=args.db)
    setup_file_logging(default_log_file(settings))
    preflight(settings)
    app = build_app(settings, eager=False)
    app.run()
    return 0
