"""Crash safety of the NOEMIE returns import: a process importing RSP files is SIGKILLed at random points.

A fork server (one Python process that imported everything once) forks a worker per trial. The worker
loops on a SQLite file: build a RSP paying a few hundred random invoices of the shop (some payments
negative: régularisations), import it, sometimes import an earlier file again (must change nothing) or a
corrupted one (recorded as rejected), sometimes letter an invoice by hand. After every kill the test checks
the file below the ORM: integrity ok; every imported file has all its payments and its virement and its
audit row, a rejected one none; every invoice's paid amount is exactly the sum of its payments (no payment
counted twice, none lost); and, regularly, the audit hash chain.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TRIALS = 50
SEED = 20240529
INVOICES = 2_000
PER_LOT = 100
AT = datetime(2024, 5, 28, 11, 13)
DAY = AT.date()

_SERVER = r"""
import os, sys
sys.path[:0] = [{root!r}, {here!r}]
import test_crash_rsp_import as t
# Import everything the worker needs once: a forked worker then starts in milliseconds.
import core.clock, core.config, core.db, core.models, core.services.returns, core.formats.noemie
for line in sys.stdin:
    seed = int(line)
    pid = os.fork()
    if pid == 0:
        try:
            t.worker({db!r}, seed)
        except BaseException:
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(3)
    sys.stdout.write(f"{{pid}}\n")
    sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(f"{{status}}\n")
    sys.stdout.flush()
"""


def seed_shop(db: str) -> None:
    """2 000 invoices with their FSE, 100 per lot, lots waiting for their return (ARL positif reçu)."""
    from core.db import close, connect
    from core.models import Assure, Beneficiaire, Client, Dossier, Fse, Invoice, Lot, Organism, Practitioner

    database = connect(db)
    with database.atomic():
        Practitioner.create(nom="OPTIQUE DEMO", numero_am="992604231")
        org = Organism.create(regime="01", caisse="349", centre="9881", libelle="Caisse de TEST")
        n = range(1, INVOICES + 1)

        def bulk(model, rows):
            for start in range(0, len(rows), 400):
                model.insert_many(rows[start:start + 400]).execute()

        bulk(Lot, [{"id": k, "number": f"{k:03d}", "org_dest": "01 349", "organism": org.id, "created_on": DAY,
                    "created_at": AT, "state": "ARL positif reçu"} for k in range(1, INVOICES // PER_LOT + 1)])
        bulk(Client, [{"id": i, "nom": f"NOM{i}"} for i in n])
        bulk(Assure, [{"id": i, "nir": f"{1550699000000 + i}", "nir_key": "34", "nom": f"NOM{i}",
                       "organism": org.id} for i in n])
        bulk(Beneficiaire, [{"id": i, "assure": i, "client": i, "nom": f"NOM{i}", "birth_date": "15/06/1955"}
                            for i in n])
        bulk(Dossier, [{"id": i, "client": i, "beneficiaire": i, "created_at": AT, "consultation_date": DAY}
                       for i in n])
        bulk(Invoice, [{"id": i, "number": i, "dossier": i, "date": DAY, "total_cents": 41_500,
                        "ro_expected_cents": 900 + i % 7} for i in n])
        bulk(Fse, [{"id": i, "invoice": i, "number": i, "created_at": AT, "ro_cents": 900 + i % 7,
                    "organism": org.id, "lot": (i - 1) // PER_LOT + 1} for i in n])
    close()


def _rsp(rng: random.Random, file_id: int) -> bytes:
    from core.formats.noemie import builder as b
    from core.formats.noemie import write_noemie

    lots = rng.sample(range(1, INVOICES // PER_LOT + 1), 2)
    groups = []
    for k in lots:
        factures = []
        for i in sorted(rng.sample(range((k - 1) * PER_LOT + 1, k * PER_LOT + 1), rng.randint(60, PER_LOT))):
            expected = 900 + i % 7
            paid = rng.choice([expected, expected, -expected, 1])
            state = rng.choice("PPPPRD")
            factures.append(b.facture(i, nir=f"{1550699000000 + i}", nir_key="34", name="NOM", first_name="",
                                      birth_date="550615", amo=b.amo_part(expected, state,
                                                                          paid if state == "P" else 0)))
        groups.append(b.lot(f"{k:03d}", DAY, *factures))
    retenue = b.mouvement(debt_reference=f"D{file_id % 10 ** 9}", debt_date=DAY, debt_nature="ODL", operation="RPR",
                          amount=-rng.randint(1, 500))
    reglement = b.reglement(*groups, retenue,
                            recipient="000000992604231", accounting_date=DAY, label_1=f"VIR {file_id}",
                            payer="01349000")
    head = b.header(emitter="01349000", recipient="00000992604231", file_id=f"{file_id % 1_000_000:06d}",
                    created=DAY)
    return write_noemie(b.rsp(head, reglement), rng.choice(["line", "blocks"]))


def worker(db: str, seed: int) -> None:
    """Runs until killed: RSP files in."""
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import connect
    from core.errors import ValidationError
    from core.services.base import ServiceContext
    from core.services.returns import ReturnsService

    rng = random.Random(seed)
    database = connect(db)
    ctx = ServiceContext(db=database, clock=FrozenClock(AT), settings=Settings(db=db, demo_data=False))
    service = ReturnsService(ctx)
    made: list[bytes] = []
    k = 0
    while True:
        k += 1
        roll = rng.random()
        if made and roll < 0.2:
            summary = service.import_rsp("again.rsp", rng.choice(made))
            assert summary.status == "already_imported", summary
        elif roll < 0.3:
            data = bytearray(_rsp(rng, seed * 1000 + k))
            data[rng.randrange(len(data))] = ord("#")
            service.import_rsp("corrupt.rsp", bytes(data))
        elif roll < 0.35:
            try:
                service.lettrer(rng.randint(1, INVOICES), actor="crash")
            except ValidationError:
                pass
        else:
            data = _rsp(rng, seed * 1000 + k)
            made.append(data)
            assert service.import_rsp(f"rsp-{seed}-{k}.rsp", data).status == "imported"


def check(db: str) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        q = con.execute
        assert q("PRAGMA integrity_check").fetchone()[0] == "ok"
        imports = q("SELECT id, status, invoices, payments_cents FROM rsp_import").fetchall()
        payments = {i: (n, s) for i, n, s in q("SELECT rsp_import_id, count(*), sum(paid_cents) FROM payment "
                                               "GROUP BY rsp_import_id")}
        virements = dict(q("SELECT rsp_import_id, count(*) FROM virement GROUP BY rsp_import_id").fetchall())
        audited = [int(e) for (e,) in q("SELECT entity_id FROM audit_log WHERE action = 'retours.import'")]
        imported = [i for i, status, _, _ in imports if status == "imported"]
        for import_id, status, invoices, cents in imports:
            if status == "imported":  # all or nothing: every facture of the file has its payment
                assert payments.get(import_id) == (invoices, cents), f"import {import_id} partly written"
                assert virements.get(import_id) == 1
            else:
                assert status == "rejected" and import_id not in payments and import_id not in virements
        assert sorted(audited) == sorted(imported), "an import without its audit row, or audited twice"
        # No payment counted twice, none lost: the invoice total is the sum of its payment rows.
        wrong = q("SELECT i.number, i.ro_paid_cents, coalesce(sum(p.paid_cents), 0) FROM invoice i "
                  "LEFT JOIN payment p ON p.invoice_id = i.id AND p.part = 'AMO' GROUP BY i.id "
                  "HAVING i.ro_paid_cents != coalesce(sum(p.paid_cents), 0)").fetchall()
        assert not wrong, f"invoice totals differ from their payments: {wrong[:5]}"
        lettrees = q("SELECT count(*) FROM invoice WHERE lettree").fetchone()[0]
        letter_audits = q("SELECT count(*) FROM audit_log WHERE action = 'retours.lettrage_manuel'").fetchone()[0]
        assert letter_audits <= lettrees
        return {"imported": len(imported), "rejected": len(imports) - len(imported),
                "payments": sum(n for n, _ in payments.values())}
    finally:
        con.close()


def check_chain(db: str) -> None:
    from core.audit import verify_chain
    from core.db import close, connect

    connect(db)
    try:
        verdict = verify_chain()
        assert verdict.ok, verdict
    finally:
        close()


@pytest.mark.slow
def test_sigkill_while_importing_rsp(tmp_path: Path) -> None:
    db = str(tmp_path / "crash.db")
    seed_shop(db)
    errors = tmp_path / "server.err"
    stderr = errors.open("w")
    server = subprocess.Popen([sys.executable, "-c", _SERVER.format(root=str(ROOT), here=str(HERE), db=db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
                              cwd=ROOT, env=dict(os.environ, LUNETIER_CONFIG=str(tmp_path / "absent.toml")))
    rng = random.Random(SEED)
    try:
        for trial in range(TRIALS):
            server.stdin.write(f"{SEED + trial}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            _sleep(rng.uniform(0.02, 0.4))  # where the kill lands: anywhere in the import
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            status = int(server.stdout.readline())
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
                f"trial {trial}: the worker ended on its own (status {status}): {errors.read_text()[-3000:]}"
            check(db)
            if trial % 10 == 9:
                check_chain(db)
    finally:
        server.stdin.close()
        server.wait(timeout=60)
        stderr.close()
    counts = check(db)
    check_chain(db)
    assert counts["imported"] > 20 and counts["payments"] > 2_000, f"the workers did too little: {counts}"

    # The next normal run imports a new file on the same database.
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import close, connect
    from core.services.base import ServiceContext
    from core.services.returns import ReturnsService

    database = connect(db)
    try:
        ctx = ServiceContext(db=database, clock=FrozenClock(AT), settings=Settings(db=db, demo_data=False))
        summary = ReturnsService(ctx).import_rsp("apres.rsp", _rsp(random.Random(1), 999_999))
        assert summary.status == "imported" and not [u for u in summary.unmatched if u.invoice_id is None]
    finally:
        close()
    check(db)
    check_chain(db)


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)
