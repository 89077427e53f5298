"""A counter of the shop, as the concurrency and crash tests run it in separate processes.

Invoices go through the real counter services (core/services/counter.py: dossier -> Vérif. taux ->
invoice + FSE -> signature with the CPS code), on the demo engine with an in-memory card reader. The
"raw" path is what a service does in its smallest form: number from Counter "invoice", Invoice row and
audit row in one ctx.write() - it adds contention on the numbering without the flow's CPU cost.
"""
from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AT = datetime(2024, 5, 28, 11, 13, 0)   # tests/conftest.py FROZEN_AT
DAY = date(2024, 5, 28)


def open_ctx(url: str) -> Any:
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import connect
    from core.services.base import ServiceContext

    db = connect(url)
    return ServiceContext(db=db, clock=FrozenClock(AT), settings=Settings(db=url, demo_data=False))


def setup_shop(ctx: Any) -> None:
    """What a shop has before its first invoice: the practitioner and the card's AMO organism."""
    from core.models import Organism, Practitioner

    with ctx.write():
        Practitioner.create(store=ctx.store, nom="OPTIQUE DEMO", numero_am="992604231", id_ps="99260423100")
        Organism.create(regime="01", caisse="999", centre="9999", libelle="Caisse de TEST")


class Counter:
    """One counter (poste): services, a reader holding the DESMAUX card and the CPS, the CPS unlocked."""

    def __init__(self, ctx: Any, name: str) -> None:
        from tests.unit import counter_support as S

        self.ctx, self.name, self.S = ctx, name, S
        self.svc = S.services(ctx)
        self.reader = S.reader(S.desmaux_card())
        S.open_cps(self.svc, self.reader)
        self._raw_dossier: int | None = None

    def flow_invoice(self) -> dict:
        """Counter flow for one client; returns what was created."""
        S = self.S
        dossier_id = S.desmaux_ready(self.svc, self.reader)
        S.verify(self.svc, dossier_id)
        made = self.svc.invoicing.invoice(dossier_id)
        signed = self.svc.invoicing.sign_fse(made.fse.fse_id, S.PIN, self.reader)
        return {"number": made.invoice.number, "fse_id": made.fse.fse_id, "state": signed.fse.state}

    def raw_invoice(self) -> int:
        """Numbering exactly as a service does it: one transaction, number + row + audit."""
        from core.models import Client, Dossier, Invoice

        ctx = self.ctx
        with ctx.write():
            if self._raw_dossier is None:
                client = Client.create(store=ctx.store, nom=f"COMPTOIR {self.name}")
                self._raw_dossier = Dossier.create(store=ctx.store, client=client, created_at=AT,
                                                   consultation_date=DAY, state="facture").id
            number = ctx.next_number("invoice")
            invoice = Invoice.create(store=ctx.store, number=number, dossier=self._raw_dossier, date=DAY,
                                     total_cents=1000, type_facture="", amo_state="N/A", amc_state="N/A")
            ctx.audit("facture.creation", entity="invoice", entity_id=invoice.id,
                      details={"numero": number, "poste": self.name})
        return number

    def avoir(self, invoice_number: int) -> int:
        from core.models import Invoice

        invoice = Invoice.get((Invoice.store == self.ctx.store) & (Invoice.number == invoice_number))
        return self.svc.invoicing.create_avoir(invoice.id, f"test {self.name}").avoir.number

    def build_lots(self) -> list[str]:
        from core.services.lots import mettre_en_lot

        return [f"{lot.kind}:{lot.number}" for lot in mettre_en_lot(self.ctx).lots]
