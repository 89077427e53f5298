"""Crash safety of invoicing: a counter process is SIGKILLed at random (seeded) points, again and again.

The child (tests/e2e/workers/crash_worker.py, forked from a server that imported everything once)
invoices forever on a SQLite file: the real counter flow (dossier -> Vérif. taux -> invoice + FSE ->
signature), bare numbered invoices with their audit row, avoirs. After every kill the test checks the
file below the ORM: integrity ok, invoice numbers unique and gap-free and equal to the counter, every
committed invoice complete (FSE with its lines, dossier state, audit row of each signature / avoir /
deletion), and the audit chain intact. At the end a normal run picks up where the killed ones stopped.
"""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SERVER = HERE / "workers" / "crash_worker.py"
sys.path.insert(0, str(HERE / "workers"))

TRIALS = 60
SEED = 20240528
FSE_LINES = 3  # the DESMAUX dossier: frame + 2 lenses reimbursable (supplements are not)


def check_invoices(db: Path) -> dict[str, int]:
    """Every invariant a kill must not break. Returns counts for the final sanity check."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        q = con.execute
        assert q("PRAGMA integrity_check").fetchone()[0] == "ok"
        numbers = [n for (n,) in q("SELECT number FROM invoice ORDER BY number")]
        assert numbers == list(range(1, len(numbers) + 1)), "invoice numbers duplicated or with a gap"
        counter = q("SELECT value FROM counter WHERE name = 'invoice'").fetchone()
        assert (counter[0] if counter else 0) == len(numbers), "a number was allocated without its invoice"

        audit: dict[str, list[dict]] = {}
        for action, entity_id, details in q("SELECT action, entity_id, details FROM audit_log ORDER BY seq"):
            audit.setdefault(action, []).append({"id": entity_id, **json.loads(details)})

        # Counter-flow invoices: one FSE each, with all its lines; the dossier moved with the invoice.
        flow = q("SELECT i.id, i.number, d.state, f.id, f.state, f.signature, f.number, "
                 "(SELECT count(*) FROM fse_line l WHERE l.fse_id = f.id), "
                 "(SELECT count(*) FROM invoice a WHERE a.avoir_of_id = i.id) "
                 "FROM invoice i JOIN dossier d ON d.id = i.dossier_id LEFT JOIN fse f ON f.invoice_id = i.id "
                 "WHERE i.kind = 'facture' AND i.type_facture != ''").fetchall()
        signed = {int(a["id"]) for a in audit.get("fse.securisation", [])}
        deleted = {int(a["id"]) for a in audit.get("fse.suppression", [])}
        for inv_id, number, dossier_state, fse_id, fse_state, signature, fse_number, lines, avoirs in flow:
            assert fse_id is not None and fse_number == number, f"invoice {number} without its FSE"
            assert lines == FSE_LINES, f"FSE {number} has {lines} lines"
            assert dossier_state == ("vente" if avoirs else "facture")
            # A signature is on the FSE exactly when its audit row is: they commit together.
            assert bool(signature) == (fse_id in signed), f"FSE {number}: signature and audit disagree"
            assert fse_state in ("TP Calculé", "Sécurisé", "FSE supprimée")
            if fse_state == "Sécurisé":
                assert signature
            if fse_state == "FSE supprimée":
                assert fse_id in deleted and avoirs == 1, f"FSE {number} deleted without its avoir or audit"
            else:
                assert fse_id not in deleted
        assert len(signed) == len(audit.get("fse.securisation", [])), "a signature audited twice"
        assert signed <= {row[3] for row in flow}

        # Avoirs: numbered like invoices, each with its audit row, and vice versa.
        avoirs = dict(q("SELECT number, avoir_of_id FROM invoice WHERE kind = 'avoir'").fetchall())
        assert sorted(a["avoir"] for a in audit.get("facture.avoir", [])) == sorted(avoirs)
        assert len(set(avoirs.values())) == len(avoirs), "two avoirs for one invoice"

        # Bare numbered invoices: exactly one audit row each.
        raw = sorted(n for (n,) in q("SELECT number FROM invoice WHERE kind = 'facture' AND type_facture = ''"))
        assert sorted(a["numero"] for a in audit.get("facture.creation", [])) == raw
        assert len(numbers) == len(flow) + len(avoirs) + len(raw)
        return {"invoices": len(numbers), "signed": len(signed), "avoirs": len(avoirs), "raw": len(raw)}
    finally:
        con.close()


def check_chain(db: Path) -> None:
    from core.audit import verify_chain
    from core.db import close, connect

    connect(str(db))
    try:
        verdict = verify_chain()
        assert verdict.ok, verdict
    finally:
        close()


@pytest.mark.slow
def test_sigkill_while_invoicing(tmp_path: Path) -> None:
    from shop import Counter, open_ctx, setup_shop

    from core.db import close

    db = tmp_path / "crash.db"
    setup_shop(open_ctx(str(db)))
    close()
    stderr = (tmp_path / "server.err").open("w")
    server = subprocess.Popen([sys.executable, str(SERVER), str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=stderr, text=True, cwd=ROOT,
                              env=dict(os.environ, LUNETIER_CONFIG=str(tmp_path / "absent.toml"),
                                       PYTHONPATH=str(ROOT)))
    rng = random.Random(SEED)
    try:
        for trial in range(TRIALS):
            server.stdin.write(f"{trial}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            time.sleep(rng.uniform(0.02, 0.45))  # where the kill lands: anywhere in the counter's work
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            status = int(server.stdout.readline())
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, \
                f"trial {trial}: the worker ended on its own: {(tmp_path / 'server.err').read_text()[-3000:]}"
            check_invoices(db)
            if trial % 10 == 9:
                check_chain(db)
    finally:
        server.stdin.close()
        server.wait()
        stderr.close()
    counts = check_invoices(db)
    check_chain(db)
    assert counts["invoices"] > 50 and counts["signed"] > 20 and counts["avoirs"] > 3 and counts["raw"] > 5, \
        f"the workers did too little to test anything: {counts}"

    # The next normal run works on the same file and keeps numbering from where it was.
    ctx = open_ctx(str(db))
    try:
        made = Counter(ctx, "after").flow_invoice()
        assert made["number"] == counts["invoices"] + 1 and made["state"] == "Sécurisé"
    finally:
        close()
    check_invoices(db)
    check_chain(db)
