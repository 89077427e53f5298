"""`lunetier export invoices|payments|lots --format csv|json [--out FILE] [--from DATE --to DATE]`.

CSV: ";" separated, euros with a decimal comma ("5,40"), dates JJ/MM/AAAA, UTF-8 with BOM (for a French
spreadsheet). JSON: amounts in cents under keys ending in "_cents", ISO dates. Without --out the export goes
to the standard output (no BOM); with --out the file is written whole (temporary file + rename), mode 0600.
Dates: JJ/MM/AAAA or AAAA-MM-JJ; the range is on the invoice date, the payment date or the lot date.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from app.cli.common import context_from
from core.errors import ValidationError


def parse_date(text: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"Date invalide : « {text} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ).",
                          log=f"export: bad date {text!r}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="exporter factures, paiements ou lots (CSV ou JSON)",
                       description="Exporte les factures, les paiements (RSP) ou les lots du magasin. CSV : "
                                   "séparateur « ; », montants en euros « 5,40 ». JSON : montants en centimes.")
    p.add_argument("what", choices=("invoices", "payments", "lots"), help="ce qu'il faut exporter")
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="format (défaut : csv)")
    p.add_argument("--out", help="fichier de sortie (défaut : sortie standard)")
    p.add_argument("--from", dest="date_from", help="date de début (JJ/MM/AAAA)")
    p.add_argument("--to", dest="date_to", help="date de fin (JJ/MM/AAAA)")
    p.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from core.services.exports import export_table, write_file

    date_from = parse_date(args.date_from) if args.date_from else None
    date_to = parse_date(args.date_to) if args.date_to else None
    if date_from and date_to and date_from > date_to:
        raise ValidationError("La date de début (--from) est après la date de fin (--to).",
                              log="export: reversed range")
    ctx = context_from(args)

    def produce(out) -> int:  # noqa: ANN001 - a text stream
        return export_table(ctx, args.what, args.format, out, date_from=date_from, date_to=date_to)

    if not args.out:
        produce(sys.stdout)
        return 0
    count = write_file(args.out, produce, bom=args.format == "csv")
    print(f"{count} ligne(s) exportée(s) dans {args.out}.", file=sys.stderr)
    return 0
