"""Use cases called by screens and CLI. Each runs one transaction and returns frozen DTOs.

`Services` is the container the app factory injects; build it with `build_services(ctx, ...)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.services.base import ServiceContext
from core.services.settings import SettingsService


@dataclass
class Services:
    ctx: ServiceContext
    settings: SettingsService
    engine: Any = None
    reader: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def build_services(ctx: ServiceContext, *, engine: Any = None, reader: Any = None) -> Services:
    return Services(ctx=ctx, settings=SettingsService(ctx), engine=engine, reader=reader)
