"""The composition root: the only place where settings, database, services, card reader, engine and
clock are chosen. Tests call `build_app` with a temp database, the simulated reader and a frozen clock."""
from __future__ import annotations

import logging
from typing import Any

from typing import TYPE_CHECKING

from app.main_app import LunetierApp
from core.clock import Clock, SystemClock
from core.config import Settings, load_settings

if TYPE_CHECKING:  # peewee and the services are imported when the database is opened, not before
    from core.services import Services
    from core.services.base import ServiceContext

log = logging.getLogger("lunetier")


def database_label(url: str) -> str:
    if url.startswith("sqlcipher://"):
        return "SQLCipher (chiffrée)"
    if url.startswith(("postgres://", "postgresql://")):
        from urllib.parse import urlparse

        p = urlparse(url)
        return f"PostgreSQL {p.hostname or 'local'}/{p.path.lstrip('/')}"
    from pathlib import Path

    return f"SQLite {Path(url).name}"  # the full path is in `lunetier doctor`; keep the status line short


def open_context(settings: Settings, clock: Clock | None = None) -> "ServiceContext":
    from core.db import connect
    from core.services.base import ServiceContext

    db = connect(settings.database_url)
    return ServiceContext(db=db, clock=clock or SystemClock(), settings=settings)


def ensure_first_start(ctx: "ServiceContext") -> None:
    """Load the demo dataset once, on the first start of a new database (if settings allow)."""
    from core.models import Setting

    if not ctx.settings.demo_data:
        return
    if Setting.select().where((Setting.store == ctx.store) & (Setting.key == "app.first_start")).exists():
        return
    from core.services.demo import DemoService

    DemoService(ctx).load()
    with ctx.write():
        Setting.insert(store=ctx.store, key="app.first_start", value={"at": ctx.clock.now().isoformat()}) \
            .on_conflict_ignore().execute()


def make_reader(settings: Settings) -> Any:
    """settings.reader: 'simulated', 'pcsc', or 'auto' (PC/SC when pcscd answers with a reader, else the
    simulated reader with the demo deck, so a counter without hardware still works)."""
    from core.card.simulated import SimulatedReader

    if settings.reader == "simulated":
        return SimulatedReader()
    from core.card.pcsc import PcscReader, pcsc_availability

    if settings.reader == "pcsc":
        return PcscReader()
    avail = pcsc_availability()
    if avail.ok:
        return PcscReader()
    log.info("PC/SC unavailable (%s): using the simulated reader", avail.reason_code)
    return SimulatedReader()


def make_services(settings: Settings, clock: Clock, *, reader: Any = None, engine: Any = None,
                  first_start: bool = True) -> "Services":
    """Open the database, load the demo data on a first start, choose reader and engine."""
    from core.services import build_services

    ctx = open_context(settings, clock)
    if first_start:
        ensure_first_start(ctx)
    return build_services(ctx, engine=engine, reader=reader if reader is not None else make_reader(settings))


def build_app(settings: Settings | None = None, *, clock: Clock | None = None, reader: Any = None,
              engine: Any = None, first_start: bool = True, eager: bool = True) -> LunetierApp:
    """eager=True (tests, scripts): services are built now. eager=False (the TUI): they are built in a
    thread after the first paint; call `preflight(settings)` first so bad settings fail before the UI."""
    settings = settings or load_settings()
    clock = clock or SystemClock()
    label = database_label(settings.database_url)
    if eager:
        services = make_services(settings, clock, reader=reader, engine=engine, first_start=first_start)
        return LunetierApp(settings=settings, clock=clock, services=services, database_label=label)
    return LunetierApp(settings=settings, clock=clock, database_label=label,
                       services_factory=lambda: make_services(settings, clock, reader=reader, engine=engine,
                                                              first_start=first_start))


def preflight(settings: Settings) -> None:
    """Cheap checks before the TUI starts (stdlib only): unknown URL scheme, unusable SQLite path, schema
    newer than the code. Each raises one clear LunetierError; nothing is written."""
    import sqlite3
    from pathlib import Path
    from urllib.parse import urlparse

    from core.errors import ConfigError, DatabaseError

    url = settings.database_url
    if url.startswith(("postgres://", "postgresql://", "sqlcipher://")):
        return  # checked when the database is opened (server / key needed)
    scheme = urlparse(url).scheme
    if scheme and scheme != "sqlite" and len(scheme) > 1:
        raise ConfigError(f"Adresse de base de données non reconnue : « {scheme}:// » "
                          "(attendu : chemin SQLite, sqlite:/// ou postgresql://).",
                          log=f"unknown database URL scheme {scheme!r}")
    path = Path(urlparse(url).path if scheme == "sqlite" else url).expanduser()
    if str(path) in (":memory:", "/:memory:") or not path.exists():
        return
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            has = con.execute("SELECT 1 FROM sqlite_master WHERE name='schema_version'").fetchone()
            version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0] if has else 0
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError("Le fichier de base de données est endommagé ou n'est pas une base SQLite.",
                            log=f"not a database {path}: {exc}") from exc
    from core.migrations import latest_version

    if (version or 0) > latest_version():
        raise DatabaseError(
            f"Cette base a été créée par une version plus récente de Lunetier (schéma {version}, "
            f"cette version connaît le schéma {latest_version()}). Mettez Lunetier à jour.",
            log=f"database schema {version} is newer than code schema {latest_version()}")
