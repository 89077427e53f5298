"""Use cases called by screens and CLI. Each runs one transaction and returns frozen DTOs.

`Services` is the container the app factory injects; build it with `build_services(ctx, ...)`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing a DTO module must not pull every service (and peewee) in: start-up time
    from core.services.base import ServiceContext
    from core.services.counter import CounterServices
    from core.services.mutuelles import MutuelleService
    from core.services.settings import SettingsService


@dataclass
class Services:
    ctx: "ServiceContext"
    settings: "SettingsService"
    counter: "CounterServices"
    mutuelles: "MutuelleService"
    engine: Any = None
    reader: Any = None

    @property
    def scor(self) -> Any:
        from core.services.scor import ScorService

        return ScorService(self.ctx)

    def teletransmission(self, mailbox: Any = None) -> Any:
        """A TeletransmissionService on the shop mailbox (RSP files integrated when the setting says so)."""
        from core.services.rsp_inbox import RspInboxHandler
        from core.services.teletransmission import TeletransmissionService

        return TeletransmissionService(self.ctx, mailbox, inbox_handlers=(RspInboxHandler(self.ctx),),
                                       peer=self._demo_caisse if self.ctx.settings.engine == "demo" else None)

    def _demo_caisse(self, mailbox: Any) -> None:
        """Demo flow: the simulated caisse answers in-process (ARL, then RSP), per the scenario file
        `caisse.toml` in the data dir when present (see `lunetier caisse scenario`)."""
        from core.caisse import SimulatedCaisse
        from core.caisse.rsp import NoemieRspEmitter
        from core.caisse.scenario import Scenario

        path = self.ctx.settings.data_dir / "caisse.toml"
        scenario = Scenario.from_toml(str(path)) if path.exists() else Scenario()
        SimulatedCaisse(mailbox, scenario, clock=self.ctx.clock, rsp=NoemieRspEmitter()).process()


def build_services(ctx: "ServiceContext", *, engine: Any = None, reader: Any = None) -> Services:
    from core.services.counter import build_counter_services
    from core.services.mutuelles import MutuelleService
    from core.services.settings import SettingsService

    if engine is None:
        from core.engine.demo import build_demo_engine

        engine = build_demo_engine(ctx.clock)
    return Services(ctx=ctx, settings=SettingsService(ctx), counter=build_counter_services(ctx, engine),
                    mutuelles=MutuelleService(ctx), engine=engine, reader=reader)
