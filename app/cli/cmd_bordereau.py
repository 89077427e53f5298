"""`lunetier bordereau LOT [LOT...] [--out FILE]`: (re)print the bordereau de télétransmission of lots.

Manual VI "Impression Lot N°": a lot is named by its number; after a wrap of the numbering the most recent
lot with that number is taken ("seul le plus récent sera pris en compte"). Several lots make one bordereau.
Prints the path of the PDF (0600, under the data folder's "bordereaux" unless --out is given).

Exit codes: 0 ok; 2 unknown lot, unwritable file or unusable environment.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import context_from, print_json
from core.errors import ValidationError
from core.reports.bordereau import lot_number_from_text, write_bordereau
from core.services.teletransmission import TeletransmissionService


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bordereau", help="éditer le bordereau de télétransmission d'un lot (PDF)")
    p.add_argument("lots", nargs="+", metavar="LOT", help="n° de lot (ex. 027, AAE) ; plusieurs : un seul bordereau")
    p.add_argument("--out", metavar="FICHIER", help="fichier PDF à écrire (défaut : dossier « bordereaux »)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ctx = context_from(args)
    service = TeletransmissionService(ctx)
    lot_ids = []
    for number in args.lots:
        wanted = lot_number_from_text(number)
        row = service.lot_par_numero(wanted) if wanted else None
        if row is None:
            raise ValidationError(f"Lot {number} introuvable.", log=f"bordereau: no lot {number!r}",
                                  code="lot.unknown")
        lot_ids.append(row.lot_id)
    result = write_bordereau(ctx, lot_ids, out=Path(args.out) if args.out else None)
    if args.json:
        print_json(result.model_dump(mode="json"))
    else:
        print(f"Bordereau des lots {', '.join(result.lots)} ({result.invoice_count} facture(s), "
              f"{result.pages} page(s)) : {result.path}")
    return 0
