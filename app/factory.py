"""The composition root: the only place where settings, database, services, card reader, engine and
clock are chosen. Tests call `build_app` with a temp database, the simulated reader and a frozen clock."""
from __future__ import annotations

import logging
from typing import Any

from app.main_app import LunetierApp
from core.clock import Clock, SystemClock
from core.config import Settings, load_settings
from core.db import connect, is_postgres_url
from core.services import Services, build_services
from core.services.base import ServiceContext

log = logging.getLogger("lunetier")


def database_label(url: str) -> str:
    if is_postgres_url(url):
        from urllib.parse import urlparse

        p = urlparse(url)
        return f"PostgreSQL {p.hostname or 'local'}/{p.path.lstrip('/')}"
    from pathlib import Path

    return f"SQLite {Path(url).name}"  # the full path is in `lunetier doctor`; keep the status line short


def open_context(settings: Settings, clock: Clock | None = None) -> ServiceContext:
    db = connect(settings.database_url)
    return ServiceContext(db=db, clock=clock or SystemClock(), settings=settings)


def ensure_first_start(ctx: ServiceContext) -> None:
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


def build_services_for(ctx: ServiceContext, *, reader: Any = None, engine: Any = None) -> Services:
    return build_services(ctx, engine=engine, reader=reader)


def build_app(settings: Settings | None = None, *, clock: Clock | None = None, reader: Any = None,
              engine: Any = None, first_start: bool = True) -> LunetierApp:
    settings = settings or load_settings()
    ctx = open_context(settings, clock)
    if first_start:
        ensure_first_start(ctx)
    services = build_services_for(ctx, reader=reader, engine=engine)
    return LunetierApp(settings=settings, services=services, clock=ctx.clock, reader=services.reader,
                       engine=services.engine, database_label=database_label(settings.database_url))
