"""Benchmark: how close `--find-max-rate` gets to a server's known capacity, and in how many steps.

    python bench/rate_search.py [--slots 4] [--chunks 5] [--interval-ms 50] [--seconds 3]
                                [--precision 0.05] [--steps 10] [--start 2] [--slo ttft_p95_ms=150]

The server is tests/load/capacity_stub.py on loopback: `slots` streams at
once, each holding its slot for `chunks` chunks `interval-ms` apart, so its
capacity is slots / (chunks x interval) requests/s, and offered more it
queues (TTFT grows through a step). Printed: the capacity, the rate the
search found (the highest passing rate below the lowest failing one), that
failing rate, the ratio found / capacity, the steps and the wall time. On a
busy machine the stub's sleeps overrun, which lowers its real capacity: the
ratio then falls below 1, never above.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.load.capacity_stub import serve_stub  # noqa: E402

KEY = "th-bench-rate-search-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--chunks", type=int, default=5)
    parser.add_argument("--interval-ms", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=3.0, help="each step's run time")
    parser.add_argument("--precision", type=float, default=0.05)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--start", type=float, default=2.0)
    parser.add_argument("--slo", default="ttft_p95_ms=150")
    args = parser.parse_args()
    with (
        serve_stub(args.slots, args.chunks, args.interval_ms / 1000) as (base, stub),
        tempfile.TemporaryDirectory() as tmp,
    ):
        command = [
            *(sys.executable, "-m", "chatconform.cli", "load", "--base-url", base, "--skip-preflight"),
            *("--find-max-rate", "--rate", f"{args.start:g}", "--search-steps", str(args.steps)),
            *("--search-precision", f"{args.precision:g}", "-t", f"{args.seconds:g}s", "--slo", args.slo),
            *("--report-dir", str(Path(tmp, "search")), "--only-summary", "--loglevel", "WARNING"),
        ]
        began = time.perf_counter()
        subprocess.run(command, env={**os.environ, "CHATCONFORM_API_KEY": KEY}, capture_output=True, check=True)
        elapsed = time.perf_counter() - began
        result = json.loads(Path(tmp, "search", "sweep.json").read_text(encoding="utf-8"))
    found, above = result["knee"], result["lowest_failing"]
    print(
        f"stub: {args.slots} slots x {args.chunks} chunks x {args.interval_ms:g} ms = capacity {stub.capacity:g} "
        f"requests/s; SLO {args.slo}; steps of {args.seconds:g} s, precision {args.precision:g}"
    )
    print(
        "  steps (rate: pass/fail): "
        + ", ".join(f"{s['load']:g}: {'pass' if s['passed'] else 'FAIL'}" for s in result["steps"])
    )
    if found is None:
        print(
            f"  no knee found (highest passing: {result['max_passing']}); {len(result['steps'])} steps, {elapsed:.0f} s"
        )
        return
    print(
        f"  found {found:g} requests/s (lowest failing {above:g}): {found / stub.capacity:.3f} x capacity; "
        f"{len(result['steps'])} steps in {elapsed:.0f} s"
    )


if __name__ == "__main__":
    main()
