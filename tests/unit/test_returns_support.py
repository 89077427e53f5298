"""Helpers shared by the returns tests (no tests here): a shop whose lots went out, RSP files, snapshots."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.caisse import SimulatedCaisse
from core.caisse.rsp import NoemieRspEmitter
from core.caisse.scenario import Scenario
from core.formats.noemie import builder as b
from core.formats.noemie import write_noemie
from core.models import ALL_MODELS, Fse, Invoice, Lot
from core.services.rsp_inbox import RspInboxHandler
from core.services.teletransmission import TeletransmissionService
from core.transport import FolderMailbox
from teletrans_fixtures import make_fse, make_world

DAY = date(2024, 5, 28)
ALD_NIR, ALD_KEY = "1421962965165", "96"      # ESSAI Alain, the manual's invoice 203


@dataclass
class Shop:
    service: TeletransmissionService
    mailbox: FolderMailbox
    fses: dict                                  # name -> Fse

    def invoice(self, key: str) -> Invoice:
        return Invoice.get_by_id(self.fses[key].invoice_id)

    def lot_of(self, key: str) -> Lot:
        return Lot.get_by_id(Fse.get_by_id(self.fses[key].id).lot_id)


def sent_shop(ctx, tmp_path, *, handlers: bool = True) -> Shop:
    """Four FSEs sent in lots: A paid (2 lines), B with a DRE, C the ALD beneficiary without exo TM, D (MSA)."""
    world = make_world()
    fses = {
        "A": make_fse(world, nom="DESMAUX", lines=2),
        "B": make_fse(world, nom="ISSNER", prenom="Natacha", dre=True, nir="2850675123456", nir_key="12",
                      birth_date="15/06/1985"),
        "C": make_fse(world, nom="ESSAI", prenom="Alain", nir=ALD_NIR, nir_key=ALD_KEY, birth_date="01/19/1942"),
        "D": make_fse(world, organism=world.msa, nom="CASTROIS", prenom="Lucien", nir="1500133123456",
                      nir_key="45"),
    }
    mailbox = FolderMailbox(tmp_path / "mailbox")
    inbox = (RspInboxHandler(ctx),) if handlers else ()
    service = TeletransmissionService(ctx, mailbox, inbox_handlers=inbox)
    service.auto()
    return Shop(service, mailbox, fses)


def caisse(shop: Shop, clock, rsp: dict | None = None, seed: int = 7) -> None:
    SimulatedCaisse(shop.mailbox, Scenario(seed=seed, rsp=rsp or {}), clock=clock, rsp=NoemieRspEmitter()).process()


def counts(db) -> dict[str, int]:
    """Rows of every table of the schema."""
    return {m._meta.table_name: m.select().count() for m in ALL_MODELS}


def snapshot(db) -> tuple:
    """Counts plus the columns an import changes."""
    invoices = [tuple(r) for r in Invoice.select(Invoice.id, Invoice.ro_paid_cents, Invoice.rc_paid_cents,
                                                 Invoice.amo_state, Invoice.amc_state, Invoice.lettree,
                                                 Invoice.updated_at).order_by(Invoice.id).tuples()]
    lots = [tuple(r) for r in Lot.select(Lot.id, Lot.state, Lot.received_on).order_by(Lot.id).tuples()]
    return counts(db), invoices, lots


def facture(number: int, *, nir: str = "2550699999999", key: str = "34", amo=None, amc=None, rejects=()):
    return b.facture(number, nir=nir, nir_key=key, name="DESMAUX", first_name="NATHALIE", birth_date="550615",
                     amo=amo, amc=amc, rejects=rejects)


def rsp_bytes(*reglements, file_id: str = "000900", day: date = DAY, layout: str = "line") -> bytes:
    head = b.header(emitter="01349000", recipient="00000992604231", file_id=file_id, created=day)
    return write_noemie(b.rsp(head, *reglements), layout)


def paid_reglement(lot: str, *factures, label: str = "VIR AMO LIGNE 1 - 1FR", day: date = DAY, items=()):
    return b.reglement(b.lot(lot, day, *factures), *items, recipient="000000992604231", accounting_date=day,
                       label_1=label, label_2="VIR AMO LIGNE 2 - 1FR", payer="01349000")
