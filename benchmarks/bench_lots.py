"""Télétransmission back office: 10 000 "Sécurisé" FSEs (2 lines each, 20 % with a DRE, 5 destinations)
into lots (Mettre en Lot) and B2 files staged in a folder mailbox (Mettre en Fichier). Target < 3 s.

Baseline, measured in the same run: raw sqlite3 on a file database doing the bare minimum for the same
rows: insert 10 000 FSE rows and their 20 000 lines, then select them grouped by destination and point
each FSE at its lot with UPDATEs (no ORM, no checks, no history, no files).
Each measured run starts from a fresh copy of the seeded database (the copy is not timed).
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from benchmarks.common import Figure

FSES = 10_000
LINES = 2
RUNS = 3
AT = datetime(2024, 5, 28, 10, 0)
DAY = date(2024, 5, 28)


def _seed(db_path: Path) -> None:
    from core.db import close, connect
    from core.models import (Assure, Beneficiaire, Client, Dossier, Fse, FseLine, Invoice, Mutuelle, Organism,
                             Practitioner)

    database = connect(str(db_path))
    with database.atomic():
        Practitioner.create(nom="OPTIQUE DEMO", numero_am="992604231")
        orgs = [Organism.create(regime=r, caisse=c, centre=ce, libelle=f"{r} {c}")
                for r, c, ce in (("01", "349", "9881"), ("01", "999", "9999"), ("02", "349", "0000"),
                                 ("10", "349", "0210"), ("01", "751", "0000"))]
        mutuelle = Mutuelle.create(numero="1100000000", nom="Mut. Test CNDA", numero_prefectoral="1100000000")

        def bulk(model, rows):
            for start in range(0, len(rows), 500):
                model.insert_many(rows[start:start + 500]).execute()

        n = range(1, FSES + 1)
        bulk(Client, [{"id": i, "nom": f"NOM{i}", "prenom": "Test", "birth_date": "15/06/1955"} for i in n])
        bulk(Assure, [{"id": i, "nir": "2550699999999", "nir_key": "34", "nom": f"NOM{i}",
                       "organism": orgs[i % 5].id} for i in n])
        bulk(Beneficiaire, [{"id": i, "assure": i, "client": i, "nom": f"NOM{i}", "prenom": "Test",
                             "birth_date": "15/06/1955"} for i in n])
        bulk(Dossier, [{"id": i, "client": i, "beneficiaire": i, "created_at": AT, "consultation_date": DAY,
                        "tp_ro": True, "tp_rc": i % 5 == 0} for i in n])
        bulk(Invoice, [{"id": i, "number": i, "dossier": i, "date": DAY, "total_cents": 2 * 41_500} for i in n])
        bulk(Fse, [{"id": i, "invoice": i, "number": i, "state": "Sécurisé", "mode": "SV", "created_at": AT,
                    "ro_cents": 18, "rc_cents": 20_000 if i % 5 == 0 else 0, "has_dre": i % 5 == 0,
                    "dre_mutuelle": mutuelle.id if i % 5 == 0 else None, "organism": orgs[i % 5].id, "payload": {}}
                   for i in n])
        bulk(FseLine, [{"fse": i, "position": p, "code_presta": "VU3", "lpp_code": "2203240", "date_exec": DAY,
                        "honoraires_cents": 41_500, "base_cents": 15, "taux": 60, "remb_amo_cents": 9,
                        "remb_amc_cents": 10_000 if i % 5 == 0 else 0} for i in n for p in range(1, LINES + 1)])
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    close()


def _lunetier_run(db_path: Path, mailbox: Path) -> tuple[float, float, int, int]:
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import close, connect
    from core.services.base import ServiceContext
    from core.services.teletransmission import TeletransmissionService
    from core.transport import FolderMailbox

    database = connect(str(db_path))
    ctx = ServiceContext(db=database, clock=FrozenClock(AT), settings=Settings(db=str(db_path), demo_data=False))
    service = TeletransmissionService(ctx, FolderMailbox(mailbox))
    t0 = time.perf_counter()
    lots = service.mettre_en_lot()
    t1 = time.perf_counter()
    files = service.mettre_en_fichier()
    t2 = time.perf_counter()
    close()
    assert lots.fse_count == FSES + FSES // 5 and not files.errors, "benchmark run did not lot everything"
    return t1 - t0, t2 - t1, len(lots.lots), len(files.files)


def _baseline(db_path: Path) -> float:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("CREATE TABLE fse (id INTEGER PRIMARY KEY, number INTEGER, dest TEXT, mode TEXT, lot INTEGER)")
    conn.execute("CREATE TABLE line (id INTEGER PRIMARY KEY, fse INTEGER, code TEXT, amount INTEGER)")
    t0 = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO fse (id, number, dest, mode) VALUES (?, ?, ?, 'SV')",
                         [(i, i, f"01 {i % 5}") for i in range(1, FSES + 1)])
        conn.executemany("INSERT INTO line (fse, code, amount) VALUES (?, 'VU3', 41500)",
                         [(i,) for i in range(1, FSES + 1) for _ in range(LINES)])
    with conn:
        groups: dict[str, list[int]] = {}
        for fse_id, dest in conn.execute("SELECT id, dest FROM fse WHERE lot IS NULL ORDER BY dest, id"):
            groups.setdefault(dest, []).append(fse_id)
        conn.execute("SELECT fse, count(*) FROM line GROUP BY fse").fetchall()
        for lot, ids in enumerate(groups.values(), start=1):
            conn.executemany("UPDATE fse SET lot = ? WHERE id = ?", [(lot, i) for i in ids])
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seeded = root / "seed.db"
        _seed(seeded)
        best = (float("inf"), float("inf"))
        counts = (0, 0)
        for i in range(RUNS):
            db = root / f"run{i}.db"
            shutil.copy(seeded, db)
            lot_s, file_s, n_lots, n_files = _lunetier_run(db, root / f"mailbox{i}")
            if lot_s + file_s < sum(best):
                best, counts = (lot_s, file_s), (n_lots, n_files)
        baseline = min(_baseline(root / f"base{i}.db") for i in range(RUNS))
    total = sum(best)
    detail = f"{counts[0]} lots, {counts[1]} B2 files"
    return [
        Figure(name=f"Mettre en lot x{FSES} FSE", seconds=best[0], baseline="raw sqlite3 insert+group+update",
               baseline_seconds=baseline, extra=f"{FSES / best[0]:,.0f} FSE/s".replace(",", " ")),
        Figure(name=f"Mettre en fichier ({detail})", seconds=best[1], baseline="raw sqlite3 insert+group+update",
               baseline_seconds=baseline, extra=f"{FSES / best[1]:,.0f} FSE/s".replace(",", " ")),
        Figure(name=f"Lots + fichiers x{FSES} FSE", seconds=total, baseline="raw sqlite3 insert+group+update",
               baseline_seconds=baseline, target="< 3 s",
               extra=("OK" if total < 3 else "OVER TARGET") + f"; {detail}"),
    ]
