"""`lunetier` command line. Each sub-command lives in app/cli/cmd_<name>.py and exposes
`register(subparsers)`; the parser sets `func(args) -> int` (the exit code).

Exit codes: 0 ok, 1 a verdict was negative (invalid NIR, broken audit chain, doctor failure),
2 bad input or unusable environment (one clear line on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from core.errors import LunetierError

log = logging.getLogger("lunetier")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lunetier")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+src"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lunetier",
        description="Lunetier: SESAM-Vitale et tiers payant pour opticiens (flux de démonstration).",
    )
    parser.add_argument("--version", action="version", version=f"lunetier {_version()}")
    parser.add_argument("--db", help="database URL or SQLite path (default: LUNETIER_DB or the user data dir)")
    parser.add_argument("--config", help="settings TOML file (default: the user config dir)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import app.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"app.cli.{info.name}")
            module.register(sub)
    _add_global_options(sub)
    return parser


def _add_global_options(sub: argparse._SubParsersAction) -> None:
    """Accept --db/--config after the sub-command too (`lunetier demo --db x.db`), at every depth."""
    for child in set(sub.choices.values()):
        known = {o for a in child._actions for o in a.option_strings}
        if "--db" not in known:
            child.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        if "--config" not in known:
            child.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        for action in child._actions:
            if isinstance(action, argparse._SubParsersAction):
                _add_global_options(action)


def _quiet_logging() -> None:
    """English logs go to the log file (TUI) or nowhere on the CLI: the user gets one French line."""
    root = logging.getLogger("lunetier")
    if not root.handlers:
        root.addHandler(logging.NullHandler())


def main(argv: list[str] | None = None) -> int:
    _quiet_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from app.cli.tui import run_tui

        func = run_tui
    try:
        code = int(func(args) or 0)
    except LunetierError as exc:
        log.error("%s", exc.log)
        print(f"Erreur : {exc.message_fr}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    if argv is None:
        sys.exit(code)
    return code
