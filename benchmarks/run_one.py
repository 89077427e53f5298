"""Run one benchmark module in this process and print its figures as JSON (last line of stdout)."""
from __future__ import annotations

import dataclasses
import importlib
import json
import resource
import sys


def main(name: str) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    figures = module.run()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    children_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    out = []
    for f in figures:
        d = dataclasses.asdict(f)
        d.setdefault("peak_rss_mib", getattr(f, "peak_rss_mib", None) or max(peak_mib, children_mib))
        out.append(d)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
