"""`python -m benchmarks [NAME ...]`: run every benchmarks/bench_*.py (or the named ones), each in its own
process so that its peak RSS is its own, and print one table of ratios to same-run baselines."""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def discover() -> list[str]:
    import benchmarks

    return sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))


def run_module(name: str) -> tuple[list[dict], int, str]:
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.run_one", name], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    if proc.returncode != 0:
        return [], 0, (err.strip().splitlines() or ["failed"])[-1]
    return json.loads(out.strip().splitlines()[-1]), 0, ""


def main(argv: list[str]) -> int:
    names = [f"bench_{n}" if not n.startswith("bench_") else n for n in argv] or discover()
    header = f"{'figure':44} {'time':>9} {'baseline':>9} {'ratio':>7}  {'peak RSS':>9}  target / detail"
    print(header)
    print("-" * len(header))
    failed = False
    for name in names:
        t0 = time.perf_counter()
        figures, rss_kib, error = run_module(name)
        if error:
            failed = True
            print(f"{name:44} FAILED: {error}")
            continue
        peak = _peak_of(name, figures)
        for f in figures:
            ratio = f["seconds"] / f["baseline_seconds"] if f["baseline_seconds"] else float("inf")
            detail = "; ".join(x for x in (f.get("target", ""), f.get("extra", ""), f"baseline: {f['baseline']}")
                               if x)
            print(f"{f['name'][:44]:44} {_fmt(f['seconds']):>9} {_fmt(f['baseline_seconds']):>9} "
                  f"{ratio:7.2f}  {peak:>6} MiB  {detail}")
        print(f"{'':44} ({name}: {time.perf_counter() - t0:.1f} s)")
    return 1 if failed else 0


def _peak_of(name: str, figures: list[dict]) -> str:
    peaks = [f.get("peak_rss_mib") for f in figures if f.get("peak_rss_mib")]
    return str(max(peaks)) if peaks else "?"


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f}ms" if seconds < 1 else f"{seconds:.2f}s"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
