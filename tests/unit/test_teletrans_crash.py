"""Crash safety: a process building lots and files is SIGKILLed at random points, again and again.

A small fork server (one Python process that imported everything once) forks a worker per trial, so a
trial costs milliseconds of start-up instead of a fresh interpreter. The worker loops: add a few FSEs,
Mettre en lot, Mettre en fichier, on a SQLite file. After each kill the test checks, below the ORM:
no FSE lost or in two lots, no lot without FSE, numbering gap-free and consistent with its counters,
every "Fichier créé" lot has its staged B2 file holding exactly its invoices.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.formats.b2 import read_b2

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TRIALS = 60

_SERVER = r"""
import os, sys
sys.path[:0] = [{root!r}, {here!r}]
import test_teletrans_crash as t
# Import everything the worker needs once, here: a forked worker then starts in milliseconds.
import core.clock, core.config, core.db, core.models, core.services.teletransmission, core.transport
import teletrans_fixtures
for line in sys.stdin:
    seed = int(line)
    pid = os.fork()
    if pid == 0:
        try:
            t.worker({db!r}, {mailbox!r}, seed)
        finally:
            os._exit(3)
    sys.stdout.write(f"{{pid}}\n")
    sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(f"{{status}}\n")
    sys.stdout.flush()
"""


def worker(db: str, mailbox_root: str, seed: int) -> None:
    """Runs until killed: FSEs in, lots and files out."""
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import connect
    from core.models import Invoice, Mutuelle, Organism, Practitioner
    from core.services.base import ServiceContext
    from core.services.teletransmission import TeletransmissionService
    from core.transport import FolderMailbox
    from teletrans_fixtures import AT, World, make_fse

    rng = random.Random(seed)
    database = connect(db)
    ctx = ServiceContext(db=database, clock=FrozenClock(AT), settings=Settings(db=db, demo_data=False))
    orgs = {(o.regime, o.caisse, o.centre): o for o in Organism.select()}
    world = World(ps=Practitioner.get(), cpam=orgs[("01", "349", "9881")],
                  cpam_other_centre=orgs[("01", "349", "0000")],
                  gie_test=orgs[("01", "999", "9999")], msa=orgs[("02", "349", "0000")], mutuelle=Mutuelle.get())
    service = TeletransmissionService(ctx, FolderMailbox(mailbox_root))
    while True:
        with ctx.write():  # one FSE batch = one transaction, invoice numbers allocated inside it
            last = Invoice.select(Invoice.number).order_by(Invoice.number.desc()).scalar() or 0
            for k in range(rng.randint(4, 9)):
                make_fse(world, number=last + 1 + k, organism=rng.choice([world.cpam, world.msa, world.gie_test]),
                         dre=rng.random() < 0.3, lines=rng.randint(1, 3))
        service.mettre_en_lot()
        service.mettre_en_fichier()


def _check(db: str, mailbox_root: Path) -> None:
    from core.db import close, connect
    from core.services.lots import amc_lot_number, amo_lot_number
    from test_teletrans_lots import assert_db_invariants

    database = connect(db)
    try:
        sql = database.execute_sql
        assert sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert_db_invariants(database)
        # FSE batches are atomic: invoice numbers have no gap, one FSE each, nothing half-created.
        numbers = [n for (n,) in sql("SELECT number FROM invoice ORDER BY number")]
        assert numbers == list(range(1, len(numbers) + 1))
        assert sql("SELECT count(*) FROM fse").fetchone()[0] == len(numbers)
        assert sql("SELECT count(*) FROM fse f WHERE NOT EXISTS (SELECT 1 FROM fse_line l WHERE l.fse_id = f.id)"
                   ).fetchone()[0] == 0
        # Numbering: gap-free, consistent with the counters (no wrap in this test).
        counters = dict(sql("SELECT name, value FROM counter"))
        for kind, fmt in (("AMO", amo_lot_number), ("AMC", amc_lot_number)):
            got = sorted(n for (n,) in sql("SELECT number FROM lot WHERE kind = ?", (kind,)))
            value = counters.get(f"lot.{kind}", 0)
            assert got == sorted(fmt(i) for i in range(1, value + 1)), kind
        # Every lot has its creation in the history; states are the two this worker produces.
        assert sql("SELECT count(*) FROM lot l WHERE NOT EXISTS (SELECT 1 FROM lot_state_change c "
                   "WHERE c.lot_id = l.id AND c.to_state = 'Mis en Lot')").fetchone()[0] == 0
        states = {s for (s,) in sql("SELECT DISTINCT state FROM lot")}
        assert states <= {"Mis en Lot", "Fichier créé"}
        # A "Fichier créé" lot has its staged file, readable, holding exactly its invoices.
        files = sql("SELECT id, number, kind, file_name FROM lot WHERE state = 'Fichier créé'").fetchall()
        assert len({f[3] for f in files}) == len(files)
        for lot_id, number, kind, name in files:
            document = read_b2((mailbox_root / "outbox" / f"{name}.pending").read_bytes())
            column = "lot_id" if kind == "AMO" else "dre_lot_id"
            expected = sorted(n for (n,) in sql(f"SELECT i.number FROM fse f JOIN invoice i ON i.id = f.invoice_id "
                                                f"WHERE f.{column} = ?", (lot_id,)))
            assert document.lots[0].number == number
            assert sorted(inv.header["invoice_number"] for inv in document.lots[0].invoices) == expected
    finally:
        close()


@pytest.mark.slow
def test_sigkill_while_building_lots(tmp_path):
    from core.db import close, connect
    from core.transport import FolderMailbox
    from teletrans_fixtures import make_world

    db = str(tmp_path / "crash.db")
    mailbox = tmp_path / "mailbox"
    connect(db)
    make_world()
    close()
    FolderMailbox(mailbox)
    server = subprocess.Popen([sys.executable, "-c", _SERVER.format(root=str(ROOT), here=str(HERE), db=db,
                                                                   mailbox=str(mailbox))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env=dict(os.environ, LUNETIER_CONFIG=str(tmp_path / "absent.toml")))
    rng = random.Random(20240528)
    killed = 0
    try:
        for trial in range(TRIALS):
            server.stdin.write(f"{trial}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            _sleep(rng.uniform(0.005, 0.2))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            status = int(server.stdout.readline())
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
                f"worker ended on its own (status {status}): {server.stderr.read() if server.poll() else ''}"
            killed += 1
            _check(db, mailbox)
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    assert killed == TRIALS
    from core.db import close, connect
    from core.models import Fse, Lot

    connect(db)
    made = (Fse.select().count(), Lot.select().count())
    close()
    assert made[0] > 50 and made[1] > 20, f"the workers did too little to test anything: {made}"
    # Whatever the crash point, the next run finishes the job.
    _resume(db, mailbox)


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _resume(db: str, mailbox: Path) -> None:
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import close, connect
    from core.models import Fse, Lot
    from core.services.base import ServiceContext
    from core.services.teletransmission import TeletransmissionService
    from core.transport import FolderMailbox
    from teletrans_fixtures import AT

    database = connect(db)
    try:
        ctx = ServiceContext(db=database, clock=FrozenClock(AT), settings=Settings(db=db, demo_data=False))
        service = TeletransmissionService(ctx, FolderMailbox(mailbox))
        service.mettre_en_lot()
        service.mettre_en_fichier()
        assert Fse.select().where(Fse.lot.is_null()).count() == 0
        assert Fse.select().where(Fse.has_dre & Fse.dre_lot.is_null()).count() == 0
        assert {lot.state for lot in Lot.select()} == {"Fichier créé"}
    finally:
        close()
    _check(db, mailbox)
