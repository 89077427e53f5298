"""Several counters at once: 4 processes invoice and build lots on the same database, at the same time.

Each process (tests/e2e/workers/concurrency_worker.py) runs the real counter flow (dossier -> Vérif. taux
-> invoice + FSE -> signature, core/services/invoicing.py), the bare numbering transaction a service
runs (Counter "invoice" + Invoice + audit row in one ctx.write()), and "Mettre en lot"
(core/services/lots.py), in a seeded order, after a start barrier. On SQLite (WAL, a temp file) and on
PostgreSQL (a fresh schema; fails instead of skipping when LUNETIER_REQUIRE_POSTGRES=1).

Verdict: invoice and lot numbers unique and gap-free, counters equal to the rows (no lost update),
every FSE complete and in exactly one lot, the audit chain intact, and no worker saw any error
(in particular no "database is locked").
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WORKER = HERE / "workers" / "concurrency_worker.py"
sys.path.insert(0, str(HERE / "workers"))

PROCESSES = 4
FLOW = 6       # counter-flow invoices per process (each signed: one audit row)
RAW = 25       # bare numbering transactions per process (one audit row each)
LOTS = 3       # "Mettre en lot" per process
HANG_GUARD_S = 600  # not a performance limit: only stops a deadlocked run from blocking CI forever


def _run_workers(url: str, tmp_path: Path) -> list[dict]:
    env = dict(os.environ, LUNETIER_CONFIG=str(tmp_path / "absent.toml"), PYTHONPATH=str(ROOT))
    procs = []
    for i in range(PROCESSES):
        out = tmp_path / f"worker{i}.json"
        procs.append((subprocess.Popen(
            [sys.executable, str(WORKER), url, f"P{i}", str(FLOW), str(RAW), str(LOTS), str(1000 + i), str(out)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env),
            out))
    try:
        for proc, _ in procs:  # start barrier: everyone connected and set up
            line = proc.stdout.readline().strip()
            assert line == "ready", f"worker failed to start: {proc.communicate(timeout=HANG_GUARD_S)[1]}"
        for proc, _ in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc, out in procs:
            _, err = proc.communicate(timeout=HANG_GUARD_S)
            assert proc.returncode == 0, f"worker crashed: {err}"
            results.append(json.loads(out.read_text(encoding="utf-8")))
        return results
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_four_counters_at_once(db_url: str, tmp_path: Path) -> None:
    from shop import open_ctx, setup_shop

    from core.audit import verify_chain
    from core.db import close
    from core.models import AuditLog, Counter, Dossier, Fse, FseLine, Invoice, Lot
    from core.services.lots import mettre_en_lot

    ctx = open_ctx(db_url)
    setup_shop(ctx)
    close()

    results = _run_workers(db_url, tmp_path)

    failures = [f"{r['name']} {f['op']}: {f['type']}: {f['message']}\n{f['trace']}"
                for r in results for f in r["failures"]]
    assert not [f for f in failures if "locked" in f.lower() or "occupée" in f], failures
    assert failures == []

    ctx = open_ctx(db_url)
    try:
        # Invoice numbers: unique, gap-free, each handed to exactly one counter, counter = rows.
        total = PROCESSES * (FLOW + RAW)
        numbers = sorted(n for (n,) in Invoice.select(Invoice.number).tuples())
        assert numbers == list(range(1, total + 1))
        handed = [i["number"] for r in results for i in r["flow"]] + [n for r in results for n in r["raw"]]
        assert sorted(handed) == numbers
        assert Counter.get((Counter.store == ctx.store) & (Counter.name == "invoice")).value == total

        # Counter-flow invoices are complete: FSE secured with its 3 lines, dossier invoiced.
        flow_numbers = {i["number"] for r in results for i in r["flow"]}
        fses = list(Fse.select())
        assert len(fses) == PROCESSES * FLOW
        assert {f.invoice.number for f in fses} == flow_numbers
        assert all(f.state == "Sécurisé" and f.signature for f in fses)
        for f in fses:
            assert FseLine.select().where(FseLine.fse == f.id).count() == 3
            assert Dossier.get_by_id(f.invoice.dossier_id).state == "facture"

        # Lots: what is left goes into a last lot; every FSE in exactly one lot; numbers gap-free.
        mettre_en_lot(ctx)
        assert Fse.select().where(Fse.lot.is_null()).count() == 0
        lots = list(Lot.select().where(Lot.kind == "AMO"))
        lot_numbers = sorted(lot.number for lot in lots)
        assert lot_numbers == [f"{i:03d}" for i in range(1, len(lots) + 1)]
        assert Counter.get((Counter.store == ctx.store) & (Counter.name == "lot.AMO")).value == len(lots)
        reported = [lot for r in results for lot in r["lots"]]
        assert len(reported) == len(set(reported))
        assert set(reported) <= {f"AMO:{n}" for n in lot_numbers}
        assert all(Fse.select().where(Fse.lot == lot.id).count() >= 1 for lot in lots)

        # Audit: one row per signature, per bare invoice, per lot-building transaction; chain intact.
        verdict = verify_chain()
        assert verdict.ok, verdict
        actions = [a for (a,) in AuditLog.select(AuditLog.action).tuples()]
        assert actions.count("fse.securisation") == PROCESSES * FLOW
        assert actions.count("facture.creation") == PROCESSES * RAW
        assert actions.count("teletransmission.mise_en_lot") == len(lots)
        assert verdict.rows == len(actions)
    finally:
        close()
