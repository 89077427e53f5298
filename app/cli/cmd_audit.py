"""`lunetier audit verify`: check the audit log hash chain."""
from __future__ import annotations

import argparse

from app.cli.common import context_from, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="journal d'audit")
    asub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    v = asub.add_parser("verify", help="vérifier la chaîne de hachage du journal d'audit")
    v.add_argument("--json", action="store_true", help="sortie JSON")
    v.set_defaults(func=verify)


def verify(args: argparse.Namespace) -> int:
    from core.audit import verify_chain

    context_from(args)
    verdict = verify_chain()
    if args.json:
        print_json({"ok": verdict.ok, "rows": verdict.rows, "first_broken_seq": verdict.first_broken_seq,
                    "reason": verdict.reason})
    elif verdict.ok:
        print(f"Journal d'audit intègre : {verdict.rows} lignes vérifiées.")
    else:
        print(f"Journal d'audit ROMPU à la ligne {verdict.first_broken_seq} : {verdict.reason}.")
    return 0 if verdict.ok else 1
