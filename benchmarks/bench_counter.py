"""The counter flow through the services, on a temporary SQLite database with the demo engine.

Measured: N complete counter flows for the manual's DESMAUX dossier (card read, bénéficiaire, dossier,
ordonnance, 5 lines, vente, Vérif. taux with ADRi, invoice + FSE, signature): 13 write transactions,
each service call also rebuilding its DTO. Baseline: raw sqlite3 on the same kind of file (WAL) doing
N x 13 transactions of one small insert each, i.e. the storage cost alone without rules, engine or DTOs.
The builders come from tests/unit/counter_support.py (the same rows as the service tests).
"""
from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from benchmarks.common import Figure, best_of

N = 20
CALLS_PER_FLOW = 13    # write transactions of one flow (card read ... signature)


def _flows(n: int) -> None:
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import close, connect
    from core.services.base import ServiceContext
    from tests.unit import counter_support as S

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        settings = Settings(data_dir=d, db=str(d / "bench.db"), reader="simulated", demo_data=False)
        ctx = ServiceContext(db=connect(str(d / "bench.db")), clock=FrozenClock(datetime(2024, 5, 28, 11, 13)),
                             settings=settings)
        try:
            svc = S.services(ctx)
            rdr = S.reader(S.desmaux_card())
            S.open_cps(svc, rdr)
            for _ in range(n):
                dossier_id = S.desmaux_ready(svc, rdr)
                S.verify(svc, dossier_id)
                recap = svc.invoicing.invoice(dossier_id).fse
                svc.invoicing.sign_fse(recap.fse_id, S.PIN, rdr)
        finally:
            close()


def _baseline(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        con = sqlite3.connect(str(Path(tmp) / "raw.db"), isolation_level=None)
        con.execute("PRAGMA journal_mode=wal")
        con.execute("PRAGMA synchronous=normal")
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)")
        for i in range(n * CALLS_PER_FLOW):
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO t (a, b) VALUES (?, ?)", ("row", i))
            con.execute("COMMIT")
        con.close()


def run() -> list[Figure]:
    seconds = best_of(lambda: _flows(N), repeat=2)
    base = best_of(lambda: _baseline(N), repeat=2)
    return [Figure(name=f"counter flow card -> signed FSE x{N}", seconds=seconds,
                   baseline=f"raw sqlite3, {N * CALLS_PER_FLOW} one-insert transactions", baseline_seconds=base,
                   extra=f"{seconds / N * 1000:.0f} ms per dossier")]


if __name__ == "__main__":
    for f in run():
        print(f"{f.name}: {f.seconds:.3f} s (baseline {f.baseline}: {f.baseline_seconds:.3f} s, x{f.ratio:.1f}) {f.extra}")
