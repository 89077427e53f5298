"""`lunetier doctor`: one verdict line per component; exit 1 if any fails."""
from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass

from app.cli.common import print_json, settings_from
from core.errors import LunetierError


@dataclass(frozen=True)
class Check:
    component: str
    ok: bool
    message: str


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="vérifier base, lecteur et moteur")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--fix-permissions", action="store_true", help="rendre privés base et dossiers (0700/0600)")
    p.set_defaults(func=doctor)


def check_database(settings) -> Check:
    from app.factory import database_label
    from core.db import is_postgres_url, make_database
    from core.migrations import current_version, latest_version

    try:
        db = make_database(settings.database_url)
        db.connect()
        try:
            version = current_version(db)
        finally:
            db.close()
    except LunetierError as exc:
        return Check("base", False, exc.message_fr)
    except Exception as exc:  # noqa: BLE001 - doctor reports, it never crashes
        return Check("base", False, f"inaccessible : {exc}")
    latest = latest_version()
    label = database_label(settings.database_url)
    if not is_postgres_url(settings.database_url):
        label = f"SQLite {settings.database_url}"
    if version == latest:
        return Check("base", True, f"{label}, schéma {version} à jour")
    if version < latest:
        return Check("base", True, f"{label}, schéma {version} (sera mis à jour en {latest} au démarrage)")
    return Check("base", False, f"{label}, schéma {version} plus récent que Lunetier ({latest})")


def check_reader(settings) -> Check:
    try:
        from core.card.pcsc import pcsc_availability
    except ImportError:
        return Check("lecteur", True, "lecteur simulé (pilote PC/SC absent de cette installation)")
    avail = pcsc_availability()
    if avail.ok:
        return Check("lecteur", True, f"PC/SC : {avail.message_fr}")
    if settings.reader == "pcsc":
        return Check("lecteur", False, f"PC/SC demandé mais indisponible : {avail.message_fr}")
    return Check("lecteur", True, f"lecteur simulé (PC/SC indisponible : {avail.message_fr})")


def check_engine(settings) -> Check:
    return Check("moteur", True, "Flux de démonstration (moteur de démonstration, non agréé CNDA)")


def check_permissions_of(settings, fix: bool) -> Check:
    from core.security import check_permissions, fix_permissions

    if fix:
        fix_permissions(settings)
    findings = check_permissions(settings)
    if not findings:
        return Check("droits", True, "fichiers privés (dossiers 0700, fichiers 0600)")
    return Check("droits", False, "; ".join(f.message_fr for f in findings[:3])
                 + (" (lunetier doctor --fix-permissions corrige)" if not fix else ""))


def doctor(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    checks = [check_database(settings), check_reader(settings), check_engine(settings),
              check_permissions_of(settings, args.fix_permissions)]
    if args.json:
        print_json([asdict(c) for c in checks])
    else:
        for c in checks:
            print(f"{'OK ' if c.ok else 'ÉCHEC'} {c.component:8} {c.message}")
    return 0 if all(c.ok for c in checks) else 1
