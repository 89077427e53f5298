"""`lunetier backup [DEST] [--json]` and `lunetier backup --restore FILE` (see docs/OPERATIONS.md).

SQLite: online backup while counters keep working; restore keeps the current base as
<name>.before-restore-<timestamp>. PostgreSQL: prints the pg_dump / pg_restore commands (exit 0).
"""
from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from app.cli.common import print_json, settings_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="sauvegarder ou restaurer la base de données")
    p.add_argument("dest", nargs="?", type=Path,
                   help="fichier ou dossier de destination (défaut : dossier backups des données)")
    p.add_argument("--restore", metavar="FICHIER", type=Path,
                   help="remplacer la base par cette sauvegarde (l'actuelle est conservée à côté)")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.set_defaults(func=backup)


def _jsonable(data: dict) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}


def backup(args: argparse.Namespace) -> int:
    from core import backup as bk
    from core.db import is_postgres_url
    from core.errors import ValidationError

    settings = settings_from(args)
    url = settings.database_url
    now = datetime.now()
    if args.restore is not None and args.dest is not None:
        raise ValidationError("Indiquez soit une destination de sauvegarde, soit --restore FICHIER, pas les deux.",
                              log="backup: both DEST and --restore")
    if is_postgres_url(url):
        cmds = bk.postgres_commands(url, args.restore or args.dest, now=now)
        if args.json:
            print_json({"kind": "postgresql", **asdict(cmds)})
        else:
            print(f"Base PostgreSQL {cmds.url} : la sauvegarde se fait avec les outils de PostgreSQL.")
            print(f"Sauvegarde  : {cmds.dump}")
            print(f"Restauration : {cmds.restore}")
            print(cmds.note_fr)
        return 0
    if args.restore is not None:
        result = bk.restore_database(url, args.restore, now=now)
        if args.json:
            print_json({"kind": "restore", **_jsonable(asdict(result))})
        else:
            print(f"Base restaurée depuis {result.restored_from} (schéma {result.schema_version}).")
            if result.previous is not None:
                print(f"L'ancienne base est conservée dans {result.previous}.")
        return 0
    made = bk.backup_database(url, args.dest, data_dir=settings.data_dir, now=now)
    if args.json:
        print_json({"kind": "sqlite", **_jsonable(asdict(made))})
    else:
        print(f"Sauvegarde enregistrée : {made.dest} ({made.bytes} octets, schéma {made.schema_version}, "
              "intégrité vérifiée).")
    return 0
