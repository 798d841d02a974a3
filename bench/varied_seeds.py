"""Benchmark: the full suites against the mock with varied answers, one run per seed.

    python bench/varied_seeds.py [--seeds 20] [--first 0] [-k EXPR]

For each seed, `chatconform mock --answers varied --seed N` runs in its own process and `chatconform check`
runs every suite against it as against a gateway. A correct mock words its answers differently per seed
but never departs from the contract, so every seed must show 0 failed; inconclusive outcomes (a model's
legitimate choice left a test undecided) are allowed and counted. Prints one line per seed and a total,
and the node ids of any failure. Exit status 1 when any seed had a failure or an error.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from chatconform.target import mock_subprocess

KEY = "th-bench-varied-0123456789abcdef"
COLUMNS = ("pass", "policy", "fail", "inconclusive", "unsupported", "error")


def run_seed(seed: int, select: str | None) -> tuple[Counter[str], list[str], float]:
    """Outcome counts, the failed node ids (with their first finding) and the wall time of one seed."""
    args = ["--answers", "varied", "--seed", str(seed)]
    with mock_subprocess(args, api_keys=[KEY]) as (root, _), tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "chatconform.cli", "check", "--base-url", root + "/v1", "-q"]
        command += ["--report-dir", tmp, "--retries-inconclusive", "0"]
        command += ["-k", select] if select else []
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}, "CHATCONFORM_API_KEY": KEY}
        started = time.monotonic()
        subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=1800)
        seconds = time.monotonic() - started
        data = json.loads((Path(tmp) / "compat.json").read_text())
    counts = Counter(c["outcome"] for c in data["cases"])
    bad = [f"{c['nodeid']}: {_first_finding(c)}" for c in data["cases"] if c["outcome"] in ("fail", "error")]
    return counts, bad, seconds


def _first_finding(case: dict[str, object]) -> str:
    findings = case.get("findings") or []
    if isinstance(findings, list) and findings:
        first = findings[0]
        return str(first.get("title", first) if isinstance(first, dict) else first)[:200]
    return str(case.get("message") or case.get("longrepr") or "")[:200]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20, help="how many seeds (default 20)")
    parser.add_argument("--first", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("-k", dest="select", help="a pytest -k expression, to run part of the suites")
    args = parser.parse_args()
    total: Counter[str] = Counter()
    failures: list[str] = []
    print(f"{'seed':>4}  " + "  ".join(f"{c:>12}" for c in COLUMNS) + "  wall s")
    for seed in range(args.first, args.first + args.seeds):
        counts, bad, seconds = run_seed(seed, args.select)
        total.update(counts)
        failures += [f"seed {seed}: {line}" for line in bad]
        print(f"{seed:>4}  " + "  ".join(f"{counts.get(c, 0):>12}" for c in COLUMNS) + f"  {seconds:6.1f}", flush=True)
    print("total " + "  ".join(f"{total.get(c, 0):>12}" for c in COLUMNS))
    for line in failures:
        print("FAILED " + line)
    return 1 if total.get("fail", 0) or total.get("error", 0) else 0


if __name__ == "__main__":
    raise SystemExit(main())
