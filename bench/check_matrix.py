"""Benchmark: how long the full conformance matrix takes against a target with a real model's latency.

    python bench/check_matrix.py [--concurrency N]

The built-in mock runs in its own process with its realistic latency preset (per model tier: 350 to
900 ms to the first token, 12 to 35 ms between tokens, with jitter), and `chatconform check` runs every
suite against it as it would against a gateway: with its default concurrency unless --concurrency is
given. It prints the wall time, the concurrency and the outcome counts. Target: under 3 minutes on two
cores with the defaults. (Sequentially the same matrix takes about 25 minutes of waiting.)
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

KEY = "th-bench-matrix-0123456789abcdef"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=None, help="default: chatconform check's own")
    args = parser.parse_args()
    with mock_subprocess(["--latency", "realistic"], api_keys=[KEY]) as (root, _), tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "chatconform.cli",
            "check",
            "--base-url",
            root + "/v1",
            "-q",
            "--report-dir",
            tmp,
        ]
        if args.concurrency:
            command += ["--concurrency", str(args.concurrency)]
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}, "CHATCONFORM_API_KEY": KEY}
        started = time.monotonic()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        seconds = time.monotonic() - started
        data = json.loads((Path(tmp) / "compat.json").read_text())
    counts = Counter(c["outcome"] for c in data["cases"])
    concurrency = data.get("meta", {}).get("concurrency", args.concurrency or "default")
    print(
        f"full matrix against the realistic mock: {seconds:.1f} s wall, concurrency {concurrency}, "
        f"exit {done.returncode}, verdict {data['verdict']}"
    )
    print("outcomes: " + ", ".join(f"{n} {o}" for o, n in counts.most_common()))
    print(f"sum of test durations: {sum(c['duration_s'] for c in data['cases']):.0f} s")
    for case in (c for c in data["cases"] if c["outcome"] in ("fail", "error")):
        first = (case["findings"] or [{"check": "", "title": case["detail"]}])[0]
        print(f"  {case['outcome']}: {case['nodeid']}: [{first['check']}] {first['title'][:100]}")


if __name__ == "__main__":
    main()
