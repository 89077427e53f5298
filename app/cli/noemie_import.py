"""`lunetier noemie import FICHIER [--json]`: integrate one NOEMIE return file (RSP) into the database.

Prints the import summary (JSON with --json). Exit 0 when the file was imported or had already been
imported (same bytes: nothing changes); 2 when the file is rejected (malformed, or addressed to another
PS): one French line on stderr with the error and its byte offset, the file recorded as rejected.
"""
from __future__ import annotations

import argparse
import os
import sys

from app.cli.common import context_from, print_json

__all__ = ["register_subcommand", "run_import"]


def register_subcommand(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="intégrer un fichier RSP (paiements, rejets, virements, lettrage)")
    p.add_argument("file", metavar="FICHIER", help="fichier RSP (ligne unique, blocs de 128 ou lignes)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from app.cli.cmd_noemie import _read
    from core.services.returns import ReturnsService

    data = _read(args.file)
    summary = ReturnsService(context_from(args)).import_rsp(os.path.basename(args.file), data, actor="cli")
    if args.json:
        print_json(summary.model_dump(mode="json"))
    elif summary.status != "rejected":
        print(summary.message)
        for label in summary.lots:
            print(f"Lot {label} : RSP")
        for label in summary.lots_unchanged:
            print(f"Lot {label} : état inchangé")
        for item in summary.unmatched:
            number = f"Facture {item.invoice_number.lstrip('0') or item.invoice_number}" if item.invoice_number \
                else "Rejet"
            print(f"{number}" + (f" (lot {item.lot})" if item.lot else "") + f" : {item.reason}")
    if summary.status == "rejected":
        print(f"Erreur : {summary.message}", file=sys.stderr)
        return 2
    return 0
