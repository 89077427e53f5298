"""`lunetier b2 show FILE [--json]`: a B2 invoice file as an indented tree of named zones.

A malformed file is a FormatError: `app.cli.main` prints it as one French line and exits 2.
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from app.cli.common import print_json
from core.domain.money import format_euros
from core.errors import FormatError
from core.formats.b2 import RECORDS, B2Document, B2Record, read_b2

_INDENT = "  "


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("b2", help="fichiers de factures B2 (télétransmission)")
    bsub = p.add_subparsers(dest="b2_command", required=True, metavar="ACTION")
    show = bsub.add_parser("show", help="afficher un fichier B2 zone par zone")
    show.add_argument("file", metavar="FICHIER", help="fichier B2 à afficher")
    show.add_argument("--json", action="store_true", help="sortie JSON")
    show.set_defaults(func=show_file)


def show_file(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FormatError(f"Fichier B2 introuvable : « {path} ».", log=f"b2 show: no such file {path}",
                          code="b2.io") from None
    except OSError as exc:
        raise FormatError(f"Impossible de lire le fichier B2 « {path} » : {exc.strerror or exc}.",
                          log=f"b2 show: cannot read {path}: {exc}", code="b2.io") from None
    document = read_b2(data)
    if args.json:
        print_json(document.to_dict())
    else:
        print("\n".join(render_tree(document)))
    return 0


def render_tree(document: B2Document) -> list[str]:
    """Text lines of the tree; blank filler zones are left out, every named zone is shown."""
    count = sum(1 for _ in document.records())
    flow = "flux de démonstration" if document.is_demo else "flux de test"
    out = [f"Fichier B2 — {flow} — {len(document.lots)} lot(s), {count} enregistrements"]
    _record(out, document.header, 0)
    for lot in document.lots:
        _record(out, lot.header, 1, f"lot {lot.number}")
        for invoice in lot.invoices:
            _record(out, invoice.header, 2, f"facture n° {invoice.header['invoice_number']}")
            for node in invoice.lines:
                _record(out, node.line, 3, f"ligne {node.line['sequence']}")
                if node.lpp is not None:
                    _record(out, node.lpp, 4, f"LPP {node.lpp['lpp_code']}")
            _record(out, invoice.totals, 3)
        _record(out, lot.trailer, 1)
    _record(out, document.trailer, 0)
    return out


def _record(out: list[str], record: B2Record, depth: int, label: str = "") -> None:
    pad = _INDENT * depth
    suffix = f" — {label}" if label else ""
    out.append(f"{pad}[{record.kind}] {record.title}{suffix} (octet {record.offset})")
    kinds = {f.key: f.kind for f in RECORDS[record.kind].fields}
    for f in record.fields:
        kind = kinds[f.key]
        if kind == "B" and not f.value:
            continue
        out.append(f"{pad}{_INDENT}{f.start:03d}-{f.end:03d} {f.name} : {_display(kind, f.value, f.raw)}")


def _display(kind: str, value: object, raw: str) -> str:
    if kind == "M":
        return f"{format_euros(value)} €"
    if kind == "D":
        return value.strftime("%d/%m/%Y") if isinstance(value, date) else "—"
    if kind in "AB":
        return f"« {value} »" if value else "(vide)"
    return raw
