"""`lunetier noemie ...`: NOEMIE PS return files (RSP).

    lunetier noemie show FICHIER [--json]   entity tree with the spec's zone names and decoded values

Adding a sub-command (e.g. `import`) without editing this file: create a module `app/cli/noemie_<name>.py`
exposing

    def register_subcommand(sub: argparse._SubParsersAction) -> None:
        p = sub.add_parser("import", help="...")
        p.add_argument(...)
        p.set_defaults(func=handler)      # handler(args) -> int, may raise LunetierError

`register` below discovers every `app/cli/noemie_*.py` module (sorted by name) and hands it the `noemie`
sub-parsers object. The top-level CLI only loads `cmd_*` modules, so these modules are not commands of their
own. `add_subcommands(sub)` is the same hook for code that builds a parser by hand (tests).
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

from core.errors import FormatError

__all__ = ["register", "add_subcommands", "show"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("noemie", help="retours NOEMIE (RSP)")
    nsub = p.add_subparsers(dest="noemie_command", required=True, metavar="ACTION")
    add_subcommands(nsub)


def add_subcommands(nsub: argparse._SubParsersAction) -> None:
    s = nsub.add_parser("show", help="afficher l'arbre des entités d'un fichier RSP")
    s.add_argument("file", metavar="FICHIER", help="fichier RSP (ligne unique, blocs de 128 ou lignes)")
    s.add_argument("--json", action="store_true", help="sortie JSON")
    s.set_defaults(func=show)
    import app.cli as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("noemie_"):
            importlib.import_module(f"app.cli.{info.name}").register_subcommand(nsub)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise FormatError(f"Impossible de lire le fichier « {path} » : {exc.strerror or exc}.",
                          log=f"cannot read {path}: {exc}") from exc


def show(args: argparse.Namespace) -> int:
    from core.formats.noemie import read_noemie
    from core.formats.noemie.render import to_jsonable, tree_lines

    model = read_noemie(_read(args.file))
    try:
        if args.json:
            json.dump(to_jsonable(model), sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            sys.stdout.writelines(line + "\n" for line in tree_lines(model))
        sys.stdout.flush()
    except BrokenPipeError:  # `lunetier noemie show big.rsp | head` is normal use
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
