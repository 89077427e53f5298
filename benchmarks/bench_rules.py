"""Rate computation ("Détail remboursements") throughput.

Measured: 10,000 computations of a 3-line dossier (the manual's MADELE + 2 x VU3) with the packaged
LPP catalogue. Baseline: a bare loop doing the same number of integer multiplications and half-up
roundings (3 per dossier), i.e. the arithmetic alone without lookups, validation or DTOs.
"""
from __future__ import annotations

from datetime import date

from benchmarks.common import Figure, best_of
from core.domain.lpp import load_catalogue
from core.domain.tarification import BillingLine, TarificationRequest, compute

N = 10_000


def run() -> list[Figure]:
    catalogue = load_catalogue()
    request = TarificationRequest(
        lines=(BillingLine("MADELE", 20900, lpp_code="7211674", prestation="M03"),
               BillingLine("V Airwear Cz EasyP Chrono", 10300, lpp_code="7230795", prestation="VU3"),
               BillingLine("V Airwear Cz EasyP Chrono", 10300, lpp_code="7230795", prestation="VU3")),
        on=date(2024, 5, 28),
    )
    bases, rate = (5, 5, 5), 60

    def measured() -> None:
        for _ in range(N):
            compute(request, catalogue)

    def baseline() -> int:
        total = 0
        for _ in range(N):
            for base in bases:
                total += (base * rate + 50) // 100
        return total

    assert compute(request, catalogue).total.rbt_ro_cents == 9
    seconds = best_of(measured)
    base_seconds = best_of(baseline)
    return [Figure(
        name=f"rate computation of a 3-line dossier x{N}",
        seconds=seconds,
        baseline="bare loop: same count of int multiply + half-up rounding",
        baseline_seconds=base_seconds,
        extra=f"{N / seconds:,.0f} calculs/s".replace(",", " "),
    )]


if __name__ == "__main__":
    for figure in run():
        print(f"{figure.name}: {figure.seconds:.3f} s, baseline {figure.baseline_seconds:.4f} s "
              f"(x{figure.ratio:.0f}), {figure.extra}")
