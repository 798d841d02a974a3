"""Benchmark: does the load generator measure what the target really did?

    python bench/load_accuracy.py [--seconds 20] [--users 50] [--output-words 50]

The built-in mock is set to a known truth: time to first token 200 ms and
20 ms between tokens, no jitter, one token per chunk. `chatconform load`
then holds 50 concurrent streams against it, and the measured TTFT and ITL
medians are compared with the truth (targets: TTFT p50 within 3 ms, ITL p50
within 1 ms). The users start spread over a few seconds (-r), so their
requests do not all land on the mock in the same millisecond; what remains
of the error is network, scheduling and the generator's own delay.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from chatconform.target import mock_subprocess

KEY = "th-bench-accuracy-0123456789"
TTFT_MS, ITL_MS = 200.0, 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--output-words", type=int, default=50)
    args = parser.parse_args()
    truth = ["--ttft-ms", f"{TTFT_MS:g}", "--itl-ms", f"{ITL_MS:g}", "--jitter-ms", "0", "--tokens-per-chunk", "1"]
    with mock_subprocess(["--api-key", KEY, *truth]) as (root, _), tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "chatconform.cli",
            "load",
            "--base-url",
            root + "/v1",
            "-u",
            str(args.users),
            "-r",
            str(max(1, args.users // 5)),
            "-t",
            f"{args.seconds}s",
            "--output-words",
            str(args.output_words),
            "--report-dir",
            tmp,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, "CHATCONFORM_API_KEY": KEY})
        summary = json.loads(Path(tmp, "summary.json").read_text(encoding="utf-8"))
    m, req = summary["metrics"], summary["requests"]
    print(
        f"accuracy: mock TTFT {TTFT_MS:g} ms, ITL {ITL_MS:g} ms, no jitter; {args.users} concurrent streams, "
        f"{args.seconds} s, {req['succeeded']} requests ({req['failed_total']} failed), "
        f"{m['itl_ms']['count']} gaps"
    )
    for name, truth_ms, target in (("ttft_ms", TTFT_MS, 3.0), ("itl_ms", ITL_MS, 1.0)):
        p50 = m[name]["p50"]
        error = p50 - truth_ms
        verdict = "ok" if abs(error) <= target else "MISSED"
        print(
            f"  {name[:-3].upper():4s} p50 {p50:8.3f} ms  error {error:+7.3f} ms (target within {target:g} ms: "
            f"{verdict});  p90 {m[name]['p90']:.3f}  p99 {m[name]['p99']:.3f}"
        )
    print(
        f"  TPOT p50 {m['tpot_ms']['p50']:.3f} ms, E2E p50 {m['e2e_ms']['p50']:.1f} ms "
        f"(truth {TTFT_MS + ITL_MS * args.output_words:g} ms)"
    )


if __name__ == "__main__":
    main()
