"""Helpers shared by sub-commands: settings + database from the global options, JSON output."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from core.clock import SystemClock
from core.config import Settings, load_settings
from core.services.base import ServiceContext


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "config", None), db=getattr(args, "db", None))


def context_from(args: argparse.Namespace) -> ServiceContext:
    from app.factory import open_context

    return open_context(settings_from(args), SystemClock())


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
