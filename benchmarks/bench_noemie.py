"""NOEMIE RSP throughput: read_noemie on a return holding 100 000 invoices.

The file: one règlement, 100 lots of 1 000 invoices; each invoice is 100, 110, 120, 150, 198, 199, one 210
line and its 990 (8 entities, ~400 bytes), so ~800 000 entities and ~40 MB.

Baseline, measured in the same run on the same bytes: `data.split(b"@")` and a bare loop over the pieces
(the floor for anything that looks at each entity). Target for the whole returns import: >= 20 000
invoices/s, so the parse alone must be well above that.
"""
from __future__ import annotations

import time
from datetime import date
from typing import Callable

from benchmarks.common import Figure, best_of
from core.formats.noemie import Entity, Group, Layout, read_noemie, write_noemie
from core.formats.noemie import builder as b
from core.formats.noemie.physical import to_physical
from core.formats.noemie.views import build_views

INVOICES = 100_000
PER_LOT = 1_000  # the 999 counts lots in 3 digits
DAY = date(2024, 5, 29)


def build_data(invoices: int = INVOICES, layout: str = "line") -> bytes:
    template = b.facture(
        1, nir="2550699999999", nir_key="34", name="DESMAUX", first_name="NATHALIE", birth_date="550615",
        amo=b.amo_part(9, "P", 9), amc=b.amc_part(10_000, "P", 10_000, amc_number="0099999997"),
        lines=[b.act_line(1, care_date=DAY, prestation="OPT", reimbursed=9, base=15, rate=60, expense=25_000)])
    tail = template.items[1:]
    n = b.NIVEAU_FACTURE
    factures = [Group(n, (Entity("100", f"10005{i:09d}"),) + tail) for i in range(1, invoices + 1)]
    lots = [b.lot(f"{k:03d}", DAY, *factures[start:start + PER_LOT])
            for k, start in enumerate(range(0, invoices, PER_LOT), start=1)]
    model = b.rsp(b.header(emitter="10349000", recipient="00000992604231", file_id="000001", created=DAY),
                  b.reglement(*lots, recipient="000000992604231", accounting_date=DAY, label_1="VIR AMO",
                              payer="01349000"))
    return write_noemie(model, layout)


def _bare_split(data: bytes) -> int:
    count = 0
    for _part in data.split(b"@"):
        count += 1
    return count


def _rate(seconds: float) -> str:
    return f"{INVOICES / seconds:,.0f} invoices/s".replace(",", " ")


def _best_kept(fn: Callable[[], object], repeat: int) -> float:
    """Like best_of, but the result (a million objects) is freed outside the timed window: an import keeps
    the tree while it works, so freeing it is not part of the parse."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        del result
    return best


def run() -> list[Figure]:
    line = build_data()
    blocks = to_physical(line.decode("latin-1"), Layout.BLOCKS)  # same file, 128-byte blocks
    entities = _bare_split(line) - 1
    baseline_s = best_of(lambda: _bare_split(line), repeat=3)

    read_s = _best_kept(lambda: read_noemie(line), repeat=2)
    blocks_s = _best_kept(lambda: read_noemie(blocks), repeat=1)
    parsed = read_noemie(line)
    views_s = _best_kept(lambda: build_views(parsed), repeat=1)
    assert len(parsed.payments) == INVOICES and parsed.payments[-1].invoice_number_int == INVOICES
    base = f"bytes.split(b'@') + bare loop ({entities} entities)"
    target = ">= 20 000 invoices/s (full import)"
    return [
        Figure(name=f"read_noemie: {INVOICES} invoices, one line ({len(line) // 1_000_000} MB)",
               seconds=read_s, baseline=base, baseline_seconds=baseline_s, target=target, extra=_rate(read_s)),
        Figure(name=f"read_noemie: {INVOICES} invoices, 128-byte blocks", seconds=blocks_s, baseline=base,
               baseline_seconds=baseline_s, target=target, extra=_rate(blocks_s)),
        Figure(name=f"typed views (payments...): {INVOICES} invoices", seconds=views_s, baseline=base,
               baseline_seconds=baseline_s, target=target,
               extra=f"{_rate(views_s)}; parse + views {_rate(read_s + views_s)}"),
    ]


if __name__ == "__main__":
    for fig in run():
        print(f"{fig.name:55} {fig.seconds:8.3f}s  baseline {fig.baseline_seconds:7.3f}s  x{fig.ratio:6.1f}  "
              f"{fig.extra}")
