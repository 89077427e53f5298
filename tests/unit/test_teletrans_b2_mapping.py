"""FSE rows -> B2 input model (pure mapping) and lot files read back with the B2 reader."""
from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from pydantic import ValidationError as PydanticValidationError

from core.errors import FormatError
from core.formats.b2 import read_b2, write_b2
from core.models import Fse, Lot, Ordonnance, Prescriber
from core.services.b2_mapping import FseData, LineData, build_file, file_id_of, fse_to_invoice
from core.services.teletransmission import TeletransmissionService
from core.transport import FolderMailbox
from teletrans_fixtures import DAY, make_fse, make_world


def _fse(**kw) -> FseData:
    base = dict(invoice_number=254, invoice_date=DAY, mode="SV", nir="2550699999999", nir_key="34",
                birth_date="15/06/1955", rang=1, qualite=0, regime="01", caisse="349", centre="9881", tp_ro=True,
                tp_rc=False, lines=(LineData("M03", "2203240", DAY, 1, 41_500, 15, 60, 9, 0),))
    base.update(kw)
    return FseData(**base)


def test_invoice_mapping_defaults():
    inv = fse_to_invoice(_fse())
    assert (inv.number, inv.birth_date, inv.payee, inv.rights_proof, inv.secure_mode, inv.centre) == \
        (254, "19550615", "05", "4", "SV", "9881")
    assert inv.lines[0].unit_price == 41_500 and inv.lines[0].lpp.code == "2203240"
    assert fse_to_invoice(_fse(tp_rc=True)).payee == "15"
    assert fse_to_invoice(_fse(tp_ro=False)).payee == "00"
    assert fse_to_invoice(_fse(mode="DEG")).rights_proof == "2"
    assert fse_to_invoice(_fse(payload={"rights_proof": "1", "insurance_nature": "30"})).insurance_nature == "30"
    assert fse_to_invoice(_fse(birth_date="00/19/1985")).birth_date == "19851900"  # lunar date kept


def test_quantity_splits_the_amount_or_refuses():
    line = LineData("VU3", "", DAY, 2, 10_000, 15, 60, 9, 0)
    inv = fse_to_invoice(_fse(lines=(line,)))
    assert (inv.lines[0].quantity, inv.lines[0].unit_price, inv.lines[0].lpp) == (2, 5_000, None)
    with pytest.raises(FormatError):
        fse_to_invoice(_fse(lines=(LineData("VU3", "", DAY, 3, 10_000, 15, 60, 9, 0),)))
    with pytest.raises(FormatError):
        fse_to_invoice(_fse(birth_date="1955"))


def test_build_file_amo_and_amc():
    model = build_file(ps_number="992604231", ps_name="OPTIQUE DEMO", file_number=12, created=datetime(2024, 5, 28),
                       lot_number="025", kind="AMO", org_dest="01 349", lot_date=DAY, fses=[_fse()])
    document = read_b2(write_b2(model))
    assert document.is_demo and document.lots[0].header["organism"] == "349"
    assert document.lots[0].header["pivot_regime"] == "01" and document.header["file_id"] == "000012"
    amc = build_file(ps_number="992604231", ps_name="OPTIQUE DEMO", file_number=13, created=datetime(2024, 5, 28),
                     lot_number="AAE", kind="AMC", org_dest="1100000000", lot_date=DAY, fses=[_fse(tp_rc=True)])
    lot = read_b2(write_b2(amc)).lots[0]
    assert lot.is_amc and lot.invoices[0].header["amc_number"] == "1100000000"
    assert file_id_of("B2-000012-025.b2") == 12 and file_id_of("autre.b2") is None


def test_prescriber_and_lines_reach_the_file(ctx, tmp_path):
    world = make_world()
    fse = make_fse(world, lines=3)
    doctor = Prescriber.create(nom="OPHTALMO", numero_am="751234567")
    Ordonnance.create(dossier=fse.invoice.dossier, date=date(2024, 5, 2), prescriber=doctor)
    mailbox = FolderMailbox(tmp_path / "mb")
    service = TeletransmissionService(ctx, mailbox)
    progress = []
    service.mettre_en_lot(on_progress=lambda *a: progress.append(a))
    service.mettre_en_fichier(on_progress=lambda *a: progress.append(a))
    assert progress == [("Mettre en Lot", 1, 1), ("Mettre en Fichier", 1, 1)]
    lot = Lot.get()
    invoice = read_b2(mailbox.read_copy(lot.file_name)).lots[0].invoices[0]
    assert invoice.header["prescriber"] == "751234567" and invoice.header["prescription_date"] == date(2024, 5, 2)
    assert len(invoice.lines) == 3 and all(node.lpp is not None for node in invoice.lines)
    assert invoice.totals["total_ro"] == 27 and invoice.totals["total_amount"] == 3 * 41_500


def test_dtos_are_frozen(ctx, tmp_path):
    world = make_world()
    make_fse(world)
    service = TeletransmissionService(ctx, FolderMailbox(tmp_path / "mb"))
    service.mettre_en_lot()
    row = service.teletransmis()[0]
    with pytest.raises(PydanticValidationError):
        row.etat_lot = "RSP"


def test_concurrent_mettre_en_lot_never_shares_an_fse(ctx, tmp_path):
    """Two counters lotting while a third adds FSEs: each FSE lands in exactly one lot, numbers unique."""
    world = make_world()
    for _ in range(10):
        make_fse(world)
    errors: list[BaseException] = []

    def lotter() -> None:
        try:
            service = TeletransmissionService(ctx, FolderMailbox(tmp_path / "mb"))
            for _ in range(6):
                service.mettre_en_lot()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            ctx.db.close()

    def adder() -> None:
        try:
            for _ in range(6):
                with ctx.write():
                    for _ in range(3):
                        make_fse(world)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            ctx.db.close()

    threads = [threading.Thread(target=t) for t in (lotter, lotter, adder)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    TeletransmissionService(ctx, FolderMailbox(tmp_path / "mb")).mettre_en_lot()
    assert Fse.select().where(Fse.lot.is_null()).count() == 0
    numbers = [lot.number for lot in Lot.select()]
    assert len(numbers) == len(set(numbers))
    from test_teletrans_lots import assert_db_invariants

    assert_db_invariants(ctx.db)
