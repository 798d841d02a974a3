"""Benchmark: does `load --upstream-url` attribute a gateway's latency right? (issue 11 item 1)

    python bench/gateway_overhead.py [--delay-ms 25] [--requests 100] [--users 4]
                                     [--chunks 20] [--interval-ms 5] [--upstream auto|mock|fake]

Four bounded runs of `chatconform load --scenario stream`, each reading the
upstream's journal afterwards:

  straight   the target is the upstream itself: the added TTFT is the
             transport's own (Done when: p50 under 1 ms)
  relay      through a loopback pass-through gateway with no delay: what
             relaying itself costs (parsing, a second hop, the machine's load)
  delay      through the same gateway, sleeping --delay-ms
             before relaying the first content event (Done when: p50 within
             2 ms of the delay)
  buffer     through a gateway that reads the whole upstream stream and sends
             it at the end in one write: coalesced_ratio near 1, chunk_added large

The upstream is the built-in mock (its latency set to --interval-ms per
event) when its journal carries the `sent` send times; until then (`auto`),
tests/load/gateway_stub.py's FakeUpstream, which journals the same shape,
and the output says which. The gateways are tests/load/gateway_stub.py's,
each in its own process, like a real gateway.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from chatconform.target import mock_subprocess  # noqa: E402
from tests.load.gateway_stub import serve_child  # noqa: E402
from tests.load.runs import KEY, run_load  # noqa: E402


def mock_has_send_times(root: str) -> bool:
    """One request straight to the mock, then its journal: does the entry carry `sent`?"""
    body = {"model": "claude-haiku-4-5", "stream": True, "messages": [{"role": "user", "content": "Say hi."}]}
    auth = {"authorization": f"Bearer {KEY}"}
    with httpx.Client(timeout=15) as http:
        http.post(root + "/v1/chat/completions", json=body, headers=auth).read()
        entries = http.get(root + "/mock/journal", params={"limit": 1}, headers=auth).json()["data"]
    return bool(entries) and isinstance(entries[-1].get("sent"), dict)


@contextmanager
def upstream(kind: str, chunks: int, interval_ms: float) -> Iterator[tuple[str, str]]:
    """The upstream's root URL and what it is."""
    with ExitStack() as stack:
        if kind in ("auto", "mock"):
            latency = ["--ttft-ms", f"{interval_ms:g}", "--itl-ms", f"{interval_ms:g}", "--jitter-ms", "0"]
            root, _ = stack.enter_context(mock_subprocess(latency, api_keys=[KEY]))
            if mock_has_send_times(root):
                yield root, f"the built-in mock (every event {interval_ms:g} ms apart)"
                return
            if kind == "mock":
                raise SystemExit(
                    "the built-in mock's journal has no `sent` send times on this branch: use --upstream fake"
                )
            stack.close()
        fake = ["--key", KEY, "--chunks", str(chunks), "--interval-ms", f"{interval_ms:g}"]
        root = stack.enter_context(serve_child("upstream", *fake))
        yield (
            root,
            f"tests/load/gateway_stub.py FakeUpstream ({chunks} events {interval_ms:g} ms apart; "
            "the mock's journal has no `sent` yet)",
        )


def load(target: str, upstream_root: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    done = run_load(
        folder,
        *("--base-url", target + "/v1", "--upstream-url", upstream_root, "--scenario", "stream"),
        *("-u", str(args.users), "--max-requests", str(args.requests), "-t", "60s"),
        *("--output-words", str(args.chunks), "--skip-preflight"),
        timeout=180,
        env={"CHATCONFORM_UPSTREAM_KEY": KEY},
    )
    if done.returncode not in (0, 3):  # 3: an SLO missed, none is given here
        raise SystemExit(f"the {folder.name} run failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    summary: dict[str, Any] = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return summary


def line(name: str, summary: dict[str, Any]) -> str:
    g, ttft = summary["gateway"], summary["metrics"]["ttft_ms"]
    a, c = g["ttft_added_ms"], g["chunk_added_ms"]
    ratio = "-" if g["coalesced_ratio"] is None else f"{g['coalesced_ratio']:.3f}"
    return (
        f"  {name:<9} added TTFT p50 {a['p50']:7.2f} p95 {a['p95']:7.2f} ms | per chunk p50 {c['p50']:7.2f} "
        f"p95 {c['p95']:7.2f} max {c['max']:7.2f} ms | coalesced {ratio} | client TTFT p50 {ttft['p50']:7.2f} ms | "
        f"{g['paired']} paired, {g['unpaired']} unpaired, {g['reshaped']} reshaped"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay-ms", type=float, default=25.0)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--chunks", type=int, default=20, help="content events per stream (the fake upstream's)")
    parser.add_argument("--interval-ms", type=float, default=5.0, help="between the upstream's events")
    parser.add_argument("--upstream", choices=("auto", "mock", "fake"), default="auto")
    args = parser.parse_args()
    with upstream(args.upstream, args.chunks, args.interval_ms) as (up, what), tempfile.TemporaryDirectory() as tmp:
        print(f"upstream: {what}; {args.requests} requests, {args.users} users, each run reading its journal after")
        results = {"straight": load(up, up, args, Path(tmp, "straight"))}
        with serve_child("gateway", "--upstream", up, "--mode", "delay", "--delay-ms", "0") as gw:
            results["relay"] = load(gw, up, args, Path(tmp, "relay"))
        with serve_child("gateway", "--upstream", up, "--mode", "delay", "--delay-ms", f"{args.delay_ms:g}") as gw:
            results["delay"] = load(gw, up, args, Path(tmp, "delay"))
        with serve_child("gateway", "--upstream", up, "--mode", "buffer") as gw:
            results["buffer"] = load(gw, up, args, Path(tmp, "buffer"))
    for name, summary in results.items():
        print(line(name, summary))
    added = {name: summary["gateway"]["ttft_added_ms"]["p50"] for name, summary in results.items()}
    straight, delayed = added["straight"], added["delay"]
    print(
        f"  straight p50 {straight:.3f} ms (done when < 1 ms: {'yes' if straight < 1 else 'NO'}); "
        f"delay p50 - {args.delay_ms:g} ms = {delayed - args.delay_ms:+.3f} ms "
        f"(done when within 2 ms: {'yes' if abs(delayed - args.delay_ms) <= 2 else 'NO'}); "
        f"of which the relay itself (the same gateway, no delay): {added['relay']:.3f} ms"
    )


if __name__ == "__main__":
    main()
