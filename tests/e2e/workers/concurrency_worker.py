"""One counter process of tests/e2e/test_concurrency.py.

    python concurrency_worker.py URL NAME FLOW RAW LOTS SEED OUT.json

Prints "ready" once connected and set up, waits for "go" on stdin (so the four counters really start
together), then runs FLOW counter-flow invoices, RAW raw invoices and LOTS "Mettre en lot" in a seeded
order. Every exception is recorded (never raised): the test asserts there are none.
"""
from __future__ import annotations

import json
import random
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from shop import Counter, open_ctx  # noqa: E402


def main(argv: list[str]) -> int:
    url, name, flow, raw, lots, seed, out = argv
    result: dict = {"name": name, "flow": [], "raw": [], "lots": [], "failures": []}
    ctx = open_ctx(url)
    counter = Counter(ctx, name)
    ops = ["flow"] * int(flow) + ["raw"] * int(raw) + ["lots"] * int(lots)
    random.Random(int(seed)).shuffle(ops)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 3
    for op in ops:
        try:
            if op == "flow":
                result["flow"].append(counter.flow_invoice())
            elif op == "raw":
                result["raw"].append(counter.raw_invoice())
            else:
                result["lots"] += counter.build_lots()
        except Exception as exc:  # noqa: BLE001 - recorded for the test to assert on
            result["failures"].append({"op": op, "type": type(exc).__name__,
                                       "message": getattr(exc, "message_fr", str(exc)),
                                       "trace": traceback.format_exc(limit=6)})
    ctx.db.close()
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
