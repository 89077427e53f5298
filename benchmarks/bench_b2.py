"""B2 throughput: write_b2 / read_b2 on 10 000 invoices of 3 lines (each with its LPP detail).

Baselines, measured in the same run on the same number of 128-character records:
- writing: plain f-strings with the same number of zero-padded zones per record, joined and encoded;
- reading: cutting the bytes into 128-byte records and int()-ing the same number of numeric zones.
"""
from __future__ import annotations

from datetime import date, datetime

from benchmarks.common import Figure, best_of
from core.formats.b2 import B2File, B2Invoice, B2Line, B2Lot, B2Lpp, read_b2, write_b2

INVOICES = 10_000
LINES = 3
PER_LOT = 500  # a lot counts its invoices in 3 digits (max 999)
DAY = date(2024, 5, 28)


def build_model(invoices: int = INVOICES) -> B2File:
    def line(i: int) -> B2Line:
        price = 10_000 + i
        return B2Line(code="VU3", date=DAY, unit_price=price, base=5, rate=60, ro_amount=3, rc_amount=2500,
                      lpp=B2Lpp(code="7230795", quantity=1, unit_price=price, tariff=5, base=5))

    all_invoices = [
        B2Invoice(number=n, nir="2550699999999", nir_key="34", birth_date="19550615", invoice_date=DAY,
                  regime="01", caisse="349", centre="9881", prescriber="991234567", prescription_date=DAY,
                  lines=tuple(line(n + k) for k in range(LINES)), payee="15")
        for n in range(1, invoices + 1)
    ]
    lots = tuple(
        B2Lot(number=f"{k + 1:03d}", regime="01", organism="349",
              invoices=tuple(all_invoices[start:start + PER_LOT]))
        for k, start in enumerate(range(0, invoices, PER_LOT))
    )
    return B2File(ps_number="992604231", ps_name="Optique Demo", file_number=1,
                  created=datetime(2024, 5, 28, 18, 0), lots=lots)


def _fstring_records(count: int) -> bytes:
    """Same number of records, ~13 zero-padded zones each, no checks: the floor for pure formatting."""
    out = []
    for i in range(count):
        out.append(
            f"4{992604231:09d} {'2550699999999':13}{34:02d}{i:09d} {i % 99:02d}{0:02d}{0:03d}{0:06d}9   "
            f"{992604231:09d}{0:02d}{28:02d}{240528:06d}{'VU3':5}{1:02d}{100:06d}{0:02d}{i % 10_000_000:07d}"
            f"{5:07d}{60:03d}{3:07d}{i % 10_000_000:07d}  0{2500:07d}"
        )
    return "".join(out).encode("ascii")


_ZONES = (slice(1, 10), slice(26, 35), slice(88, 95), slice(95, 102), slice(105, 112), slice(112, 119))


def _slice_records(data: bytes) -> int:
    total = 0
    for pos in range(0, len(data), 128):
        record = data[pos:pos + 128]
        for zone in _ZONES:
            text = record[zone]
            if text.isdigit():
                total += int(text)
    return total


def run() -> list[Figure]:
    model = build_model()
    data = write_b2(model)
    records = len(data) // 128
    assert len(_fstring_records(records)) == len(data)

    write_s = best_of(lambda: write_b2(model), repeat=3)
    fstring_s = best_of(lambda: _fstring_records(records), repeat=3)
    read_s = best_of(lambda: read_b2(data), repeat=3)
    slice_s = best_of(lambda: _slice_records(data), repeat=3)
    return [
        Figure(
            name=f"write_b2: {INVOICES} invoices x {LINES} lines ({records} records)",
            seconds=write_s,
            baseline=f"plain f-strings, {records} records of 128 characters",
            baseline_seconds=fstring_s,
            extra=f"{INVOICES / write_s:,.0f} invoices/s (baseline {INVOICES / fstring_s:,.0f} invoices/s)",
        ),
        Figure(
            name=f"read_b2: {INVOICES} invoices x {LINES} lines ({records} records), all checks",
            seconds=read_s,
            baseline=f"bare slicing + int() of 6 zones per record, {records} records",
            baseline_seconds=slice_s,
            extra=f"{INVOICES / read_s:,.0f} invoices/s (baseline {INVOICES / slice_s:,.0f} invoices/s)",
        ),
    ]


if __name__ == "__main__":
    for fig in run():
        print(f"{fig.name}: {fig.seconds:.3f} s vs {fig.baseline} {fig.baseline_seconds:.3f} s "
              f"(x{fig.ratio:.1f}) — {fig.extra}")
