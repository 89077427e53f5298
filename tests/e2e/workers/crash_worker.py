"""Fork server for tests/e2e/test_crash_invoices.py.

    python crash_worker.py DB

Imports everything once, then for every seed read on stdin forks a child that invoices forever on the
SQLite file DB (until the test SIGKILLs it), prints the child's pid, waits for it and prints its wait
status. Forking an interpreter that already imported the services makes a trial cost milliseconds.
The server never opens the database itself: a forked child must not inherit a live SQLite connection.
"""
from __future__ import annotations

import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shop import Counter, open_ctx  # noqa: E402


def run(db: str, seed: int) -> None:
    """One counter's day, until killed: counter-flow invoices (signed or not), bare numbered invoices, avoirs."""
    from core.models import Invoice

    rng = random.Random(seed)
    ctx = open_ctx(db)
    counter = Counter(ctx, f"K{seed}")
    while True:
        roll = rng.random()
        if roll < 0.7:
            counter.flow_invoice()
        elif roll < 0.85:
            counter.raw_invoice()
        else:
            candidates = [n for (n,) in Invoice.select(Invoice.number).where(
                (Invoice.kind == "facture") & Invoice.type_facture.in_(["FSE Seule", "FSE + DRE"])
                & ~Invoice.id.in_(Invoice.select(Invoice.avoir_of).where(Invoice.avoir_of.is_null(False)))
            ).tuples()]
            if candidates:
                counter.avoir(rng.choice(candidates))


def serve(db: str) -> None:
    # Import what the child needs before forking (the counter services, the demo engine and its catalogue).
    import core.services.counter  # noqa: F401
    import core.engine.demo  # noqa: F401
    import tests.unit.counter_support  # noqa: F401

    for line in sys.stdin:
        seed = int(line)
        pid = os.fork()
        if pid == 0:
            try:
                run(db, seed)
            finally:
                os._exit(3)  # reached only if run() raised: the test reports "ended on its own"
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(f"{status}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(sys.argv[1])
