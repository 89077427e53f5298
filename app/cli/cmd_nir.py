"""`lunetier nir NIR [--json] [--strict]`: check and format a NIR.

Exit 0 when valid, 1 when invalid. The NIR may be typed with spaces, in one or several arguments
(`lunetier nir 2 55 06 99 999 999 34`).
"""
from __future__ import annotations

import argparse
import json

from core.domain.nir import check_nir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "nir", help="vérifier et formater un NIR (numéro de sécurité sociale)",
        description="Vérifie la clé et la structure d'un NIR et l'affiche au format « 2 55 06 99 999 999 34 ».",
    )
    parser.add_argument("nir", nargs="+", help="NIR de 15 caractères (espaces permis, 2A/2B pour la Corse)")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.add_argument("--strict", action="store_true",
                        help="refuser aussi les anomalies de structure (mois hors plages INSEE, commune 000...)")
    parser.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    text = " ".join(args.nir)
    verdict = check_nir(text, strict=args.strict)
    if args.json:
        print(json.dumps({"nir": text, "valid": verdict.valid, "formatted": verdict.formatted,
                          "reason_fr": verdict.reason_fr, "notes_fr": list(verdict.notes_fr)},
                         ensure_ascii=False))
    else:
        shown = verdict.formatted or text
        print(f"{shown} : NIR valide" if verdict.valid else f"{shown} : {verdict.reason_fr}")
        for note in verdict.notes_fr:
            print(note)
    return 0 if verdict.valid else 1
