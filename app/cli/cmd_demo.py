"""`lunetier demo [--reset] [--json]`: load the manual's demo dataset into the current store.

Exit 0 when the dataset is loaded (now or before), 1 when the store already holds other data and
--reset was not given (nothing is written then).
"""
from __future__ import annotations

import argparse

from app.cli.common import print_json

LABELS = (
    ("practitioners", "Praticiens"), ("organisms", "Organismes AMO"), ("mutuelles", "Mutuelles"),
    ("conventions", "Conventions AMC"), ("prescribers", "Prescripteurs"), ("clients", "Clients"),
    ("assures", "Assurés"), ("beneficiaires", "Bénéficiaires"), ("vitale_reads", "Lectures Vitale"),
    ("dossiers", "Dossiers"), ("ordonnances", "Ordonnances"), ("articles", "Articles"),
    ("rate_checks", "Vérifications de taux"), ("invoices", "Factures"), ("fses", "FSE"),
    ("fse_lines", "Lignes de FSE"), ("lots", "Lots"), ("lot_state_changes", "Historique des lots"),
    ("arls", "ARL"), ("rsp_imports", "Fichiers RSP"), ("virements", "Virements"),
    ("payments", "Paiements / régularisations"), ("rejects", "Rejets"), ("mouvements", "Mouvements financiers"),
    ("operations", "Opérations ponctuelles"), ("pieces_jointes", "Pièces jointes"), ("counters", "Compteurs"),
)

MESSAGES = {
    "loaded": "Jeu de démonstration chargé dans le magasin {store}.",
    "reset": "Données du magasin {store} effacées, jeu de démonstration rechargé.",
    "already_loaded": "Jeu de démonstration déjà chargé dans le magasin {store} : rien n'a été modifié.",
    "skipped": "Le magasin {store} contient déjà des données : rien n'a été chargé. "
               "Utilisez « lunetier demo --reset » pour les remplacer par le jeu de démonstration.",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="charger le jeu de démonstration du manuel",
        description="Charge les exemples du manuel (clients, factures 200-259, lots 001-037, rejets, virements, "
                    "opérations ponctuelles) dans le magasin courant. Sans effet s'il est déjà chargé.",
    )
    parser.add_argument("--reset", action="store_true",
                        help="effacer d'abord toutes les données du magasin (le journal d'audit est conservé)")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    from core.clock import SystemClock
    from core.config import load_settings
    from core.db import connect
    from core.services.base import ServiceContext
    from core.services.demo import DemoService

    settings = load_settings(getattr(args, "config", None), db=getattr(args, "db", None))
    db = connect(settings.database_url)
    summary = DemoService(ServiceContext(db, SystemClock(), settings)).load(reset=args.reset)
    if args.json:
        print_json({"store": summary.store, "status": summary.status, "counts": summary.counts()})
    else:
        print(MESSAGES[summary.status].format(store=summary.store))
        if summary.status != "skipped":
            counts = summary.counts()
            for key, label in LABELS:
                print(f"  {label:<30} {counts[key]:>5}")
    return 1 if summary.status == "skipped" else 0
