"""NOEMIE returns import: one RSP holding 100 000 invoices into a SQLite database holding those invoices.

The database: 100 000 invoices with their FSE, 100 lots of 1 000 in "ARL positif reçu" (seeded with raw
sqlite3, not timed; each measured run starts from a fresh copy). The file: one virement, 100 lots, each
invoice paid in full (100, 110, 120, 150, 198, one 210 line), ~35 MB.

Measured: `ReturnsService.import_rsp` end to end - parse, views, matching, 100 000 Payment rows, 100 000
invoice updates, lettrage auto, 100 lot transitions, audit, one transaction; best of 2 runs, each on a fresh
copy of the database. Target >= 20 000 invoices/s.
Baseline, same run: raw sqlite3 `executemany` inserting the same 100 000 payment rows in one transaction
(the floor for writing what the import writes, without reading the file or touching the invoices).
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from benchmarks.common import Figure

INVOICES = 100_000
PER_LOT = 1_000
EXPECTED = 9
AT = datetime(2024, 5, 28, 11, 13)
DAY = date(2024, 5, 28)
TARGET = 20_000
RUNS = 2


def _seed(db_path: Path) -> None:
    from core.db import close, connect

    connect(str(db_path)).execute_sql("SELECT 1")  # schema by the migrations
    close()
    conn = sqlite3.connect(db_path)
    n = range(1, INVOICES + 1)
    at, day = AT.isoformat(" "), DAY.isoformat()
    with conn:
        conn.execute("INSERT INTO practitioner (store, nom, prenom, numero_am, rpps, specialite, id_ps) "
                     "VALUES ('MAG01', 'OPTIQUE DEMO', '', '992604231', '', '28', '')")
        conn.execute("INSERT INTO organism (id, regime, caisse, centre, libelle, teletransmission) "
                     "VALUES (1, '01', '349', '9881', 'Caisse de TEST', 1)")
        conn.executemany(
            "INSERT INTO lot (id, store, number, kind, organism_id, org_dest, created_on, created_at, state, "
            "arl_label, error_treatment, manual, rsp_treatment, id_ps, file_name, send_count) "
            "VALUES (?, 'MAG01', ?, 'AMO', 1, '01 349', ?, ?, 'ARL positif reçu', '', '', 0, '', '', '', 1)",
            [(k, f"{k:03d}", day, at) for k in range(1, INVOICES // PER_LOT + 1)])
        conn.executemany("INSERT INTO client (id, store, nom, prenom, patronyme, birth_date, sexe, adresse, "
                         "code_postal, ville, telephone, email) VALUES (?, 'MAG01', ?, '', '', '', '', '', '', '', "
                         "'', '')", [(i, f"NOM{i}") for i in n])
        conn.executemany("INSERT INTO assure (id, store, nir, nir_key, nom, prenom, organism_id, medecin_traitant) "
                         "VALUES (?, 'MAG01', '2550699999999', '34', ?, '', 1, '')", [(i, f"NOM{i}") for i in n])
        conn.executemany("INSERT INTO beneficiaire (id, assure_id, client_id, nom, prenom, birth_date, rang, qualite, "
                         "nir_individuel, service_amo, ald) VALUES (?, ?, ?, ?, '', '15/06/1955', 1, 0, '', '', '[]')",
                         [(i, i, i, f"NOM{i}") for i in n])
        conn.executemany(
            "INSERT INTO dossier (id, store, client_id, beneficiaire_id, created_at, consultation_date, state, tp_ro, "
            "tp_rc, teletrans_ro, teletrans_rc, generer_fse, card_present, forcages) "
            "VALUES (?, 'MAG01', ?, ?, ?, ?, 'facture', 1, 0, 1, 0, 1, 1, '{}')", [(i, i, i, at, day) for i in n])
        conn.executemany(
            "INSERT INTO invoice (id, store, number, kind, dossier_id, date, total_cents, ro_expected_cents, "
            "rc_expected_cents, ro_paid_cents, rc_paid_cents, amo_state, amc_state, type_facture, manual_treatment, "
            "manual_reason, lettree) VALUES (?, 'MAG01', ?, 'facture', ?, ?, 41500, ?, 0, 0, 0, '', '', "
            "'FSE Seule', 0, '', 0)", [(i, i, i, day, EXPECTED) for i in n])
        conn.executemany(
            "INSERT INTO fse (id, invoice_id, number, state, mode, created_at, ro_cents, rc_cents, has_dre, "
            "organism_id, lot_id, payload, signature) VALUES (?, ?, ?, 'Sécurisé', 'SV', ?, ?, 0, 0, 1, ?, '{}', '')",
            [(i, i, i, at, EXPECTED, (i - 1) // PER_LOT + 1) for i in n])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _rsp() -> bytes:
    from core.formats.noemie import Entity, Group, write_noemie
    from core.formats.noemie import builder as b

    template = b.facture(
        1, nir="2550699999999", nir_key="34", name="DESMAUX", first_name="NATHALIE", birth_date="550615",
        amo=b.amo_part(EXPECTED, "P", EXPECTED),
        lines=[b.act_line(1, care_date=DAY, prestation="M03", reimbursed=EXPECTED, base=15, rate=60, expense=41_500)])
    tail = template.items[1:]
    n = b.NIVEAU_FACTURE
    factures = [Group(n, (Entity("100", f"10005{i:09d}"),) + tail) for i in range(1, INVOICES + 1)]
    lots = [b.lot(f"{k:03d}", DAY, *factures[start:start + PER_LOT])
            for k, start in enumerate(range(0, INVOICES, PER_LOT), start=1)]
    model = b.rsp(b.header(emitter="01349000", recipient="00000992604231", file_id="000001", created=DAY),
                  b.reglement(*lots, recipient="000000992604231", accounting_date=DAY, label_1="VIR AMO",
                              payer="01349000"))
    return write_noemie(model)


def _import(db_path: Path, data: bytes) -> tuple[float, object]:
    from core.clock import FrozenClock
    from core.config import Settings
    from core.db import close, connect
    from core.services.base import ServiceContext
    from core.services.returns import ReturnsService

    database = connect(str(db_path))
    ctx = ServiceContext(db=database, clock=FrozenClock(AT), settings=Settings(db=str(db_path), demo_data=False))
    t0 = time.perf_counter()
    summary = ReturnsService(ctx).import_rsp("RSP-100000.rsp", data)
    elapsed = time.perf_counter() - t0
    close()
    return elapsed, summary


def _baseline(db_path: Path) -> float:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA synchronous=normal")
    rows = [(i, None, None, "AMO", "01349000", EXPECTED, EXPECTED, "Payé", DAY.isoformat())
            for i in range(1, INVOICES + 1)]
    t0 = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO payment (invoice_id, rsp_import_id, virement_id, part, organisme, billed_cents, "
                         "paid_cents, state, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seeded = root / "seed.db"
        _seed(seeded)
        data = _rsp()
        seconds = float("inf")
        for k in range(RUNS):
            db = root / f"run{k}.db"
            shutil.copy(seeded, db)
            elapsed, summary = _import(db, data)
            seconds = min(seconds, elapsed)
        assert summary.status == "imported" and summary.paid == INVOICES and summary.payments == INVOICES, summary
        assert summary.lettrees == INVOICES and len(summary.lots) == INVOICES // PER_LOT and not summary.unmatched
        base = root / "base.db"
        shutil.copy(seeded, base)
        baseline = _baseline(base)
    rate = INVOICES / seconds
    return [Figure(name=f"import RSP x{INVOICES} invoices ({len(data) // 1_000_000} MB)", seconds=seconds,
                   baseline=f"raw sqlite3 executemany of the {INVOICES} payment rows", baseline_seconds=baseline,
                   target=f">= {TARGET:,} invoices/s".replace(",", " "),
                   extra=f"{rate:,.0f} invoices/s".replace(",", " ") + ("" if rate >= TARGET else " (OVER TARGET)"))]


if __name__ == "__main__":
    for fig in run():
        print(f"{fig.name:55} {fig.seconds:8.3f}s  baseline {fig.baseline_seconds:7.3f}s  x{fig.ratio:6.1f}  "
              f"{fig.extra}")
