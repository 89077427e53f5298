"""Shared fixtures: temp settings, a database per test (SQLite, and PostgreSQL when available), a frozen clock.

PostgreSQL: set LUNETIER_TEST_DB_URL=postgresql://user:pass@host:port/db (CI does). Each test then gets its
own schema on that server. Without it the PostgreSQL variants skip, unless LUNETIER_REQUIRE_POSTGRES=1, in
which case they fail: CI must really run them.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from core.clock import FrozenClock
from core.config import Settings

FROZEN_AT = datetime(2024, 5, 28, 11, 13, 0)


def require_service(env_var: str, reason: str) -> None:
    """Skip a service test, or fail it when CI requires the service."""
    if os.environ.get(env_var) == "1":
        pytest.fail(f"{reason} ({env_var}=1: this service is required here)")
    pytest.skip(reason)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_AT)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir(mode=0o700)
    return d


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, db=str(data_dir / "lunetier.db"), reader="simulated", demo_data=False,
                    theme="lunetier-dark")


def _postgres_url() -> str | None:
    return os.environ.get("LUNETIER_TEST_DB_URL") or None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, data_dir: Path):
    """Database URL for one test: a temp SQLite file, or a fresh schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield str(data_dir / "test.db")
        return
    url = _postgres_url()
    if not url:
        require_service("LUNETIER_REQUIRE_POSTGRES", "no PostgreSQL server: set LUNETIER_TEST_DB_URL")
    import psycopg2

    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg2.connect(url)
    except psycopg2.OperationalError as exc:
        require_service("LUNETIER_REQUIRE_POSTGRES", f"PostgreSQL unreachable: {exc}")
    conn.autocommit = True
    conn.cursor().execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}schema={schema}"
    finally:
        from core.db import close

        close()
        conn.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
        conn.close()


@pytest.fixture
def ctx(db_url: str, data_dir: Path, clock: FrozenClock):
    """A ServiceContext on a migrated database, parametrized over SQLite and PostgreSQL."""
    from core.db import close, connect
    from core.services.base import ServiceContext

    settings = Settings(data_dir=data_dir, db=db_url, reader="simulated", demo_data=False)
    db = connect(db_url)
    yield ServiceContext(db=db, clock=clock, settings=settings)
    close()


@pytest.fixture
def sqlite_ctx(settings: Settings, clock: FrozenClock):
    """SQLite-only context (UI tests, file-permission tests)."""
    from core.db import close, connect
    from core.services.base import ServiceContext

    db = connect(settings.database_url)
    yield ServiceContext(db=db, clock=clock, settings=settings)
    close()


@pytest.fixture
def make_app(settings: Settings, clock: FrozenClock):
    """Factory for a LunetierApp on a temp SQLite database with a frozen clock (Pilot and snapshot tests)."""
    from app.factory import build_app

    created = []

    def _make(*, demo: bool = False, **kw):
        s = settings.model_copy(update={"demo_data": demo})
        app = build_app(s, clock=clock, **kw)
        created.append(app)
        return app

    yield _make
    from core.db import close

    close()
