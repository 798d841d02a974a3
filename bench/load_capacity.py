"""Benchmark: the load generator's streamed-chunk capacity per process, against a bare read loop.

    python bench/load_capacity.py [--seconds 5] [--rounds 3] [--users 32] [--output-words 50]

Both loops run as one Locust process each (no workers) against the same
built-in mock with zero latency, in alternating rounds:

  chatconform   chatconform's StreamingChatUser: SSE parsing, per-chunk timing,
                usage, the run recorder, and TTFT/ITL/TPOT rows in Locust's stats
  read-bytes    a minimal Locust user that POSTs the same request and only
                reads the bytes (bench/capacity_baseline.py)

A probe in each process (bench/capacity_probe.py) counts responses and the
process's CPU time between test start and stop. Printed: requests/s and
chunks/s (SSE events) for both, and two ratios: wall-clock rates (what this
run saw; the mock may be the limit) and CPU-bound capacity (chunks per CPU
second of the generator: what one process can drive; holds on a busy
machine). Target: chatconform >= 80% of read-bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
from chatconform.load.payloads import build  # noqa: E402
from chatconform.target import mock_subprocess  # noqa: E402

KEY = "th-bench-capacity-0123456789"
LOOPS = {
    "chatconform": [str(ROOT / "chatconform" / "load" / "locustfile.py"), "StreamingChatUser"],
    "read-bytes": [str(HERE / "capacity_baseline.py"), "ReadBytesUser"],
}


def events_per_response(base_url: str, output_words: int) -> int:
    body = build("stream", "claude-haiku-4-5", 50, output_words)
    raw = httpx.post(base_url + "/chat/completions", json=body, headers={"authorization": f"Bearer {KEY}"}).content
    return raw.count(b"data: ")


def one_run(loop: str, base_url: str, args: argparse.Namespace, folder: Path) -> dict[str, float]:
    locustfile, user_class = LOOPS[loop]
    out = folder / f"{loop}.json"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        f"{locustfile},{HERE / 'capacity_probe.py'}",
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(args.users),
        "-t",
        f"{args.seconds:g}s",
        "--host",
        base_url,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
        user_class,
    ]
    if loop == "chatconform":
        command += [
            "--report-dir",
            str(folder / "report"),
            "--output-words",
            str(args.output_words),
            "--prompt-words",
            "50",
            "--models",
            "claude-haiku-4-5",
        ]
    env = {
        **os.environ,
        "CHATCONFORM_API_KEY": KEY,
        "CAPACITY_PROBE_OUT": str(out),
        "CAPACITY_OUTPUT_WORDS": str(args.output_words),
    }
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=args.seconds + 120)
    result: dict[str, float] = json.loads(out.read_text(encoding="utf-8"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--output-words", type=int, default=50)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in LOOPS}
    with mock_subprocess(["--api-key", KEY, "--latency", "none"]) as (root, _), tempfile.TemporaryDirectory() as tmp:
        base_url = root + "/v1"
        chunks = events_per_response(base_url, args.output_words)
        for _ in range(args.rounds):
            for name in LOOPS:
                runs[name].append(one_run(name, base_url, args, Path(tmp)))
    print(
        f"generator capacity, one Locust process, {args.users} users, zero-latency mock, {chunks} SSE events "
        f"per response, median of {args.rounds} x {args.seconds:g}s:"
    )
    rates, capacity = {}, {}
    for name, results in runs.items():
        rps = statistics.median(r["requests"] / r["wall_s"] for r in results)
        cpu_per_request = statistics.median(r["cpu_s"] / max(1, r["requests"]) for r in results)
        rates[name], capacity[name] = rps, 1 / cpu_per_request
        print(
            f"  {name:12s} {rps:8.1f} requests/s {rps * chunks:10.0f} chunks/s   "
            f"{cpu_per_request * 1e6:7.0f} us CPU per request = {chunks / cpu_per_request:8.0f} chunks per CPU-s"
        )
    print(f"  ratio chatconform/read-bytes, wall-clock chunks/s: {rates['chatconform'] / rates['read-bytes']:.3f}")
    print(
        f"  ratio chatconform/read-bytes, CPU-bound capacity:  "
        f"{capacity['chatconform'] / capacity['read-bytes']:.3f} (target >= 0.80)"
    )


if __name__ == "__main__":
    main()
