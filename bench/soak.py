"""Soak benchmark: mixed traffic with seeded faults against `chatconform mock`; memory over time, and the books.

    python bench/soak.py [--minutes 1] [--workers 16] [--seed 7]      (at most 10 minutes)

The mock runs as a user runs it (its own process, keys by environment) with seeded faults (errors,
dropped connections, cut chunks, mid-stream errors) and a small latency. Workers send a mix: both
faces, streamed and whole, tools, JSON schemas, unique prompts (nothing memoised), 1 MB prompts
(the large-body path), clients that leave half-way, hostile bodies (lone surrogates, oversized
schemas) and journal searches. Every few seconds the mock's resident memory is printed; at the end,
its growth after warm-up (flat: under 10 %), and the ledger next to what the clients counted as
delivered whole (requests and tokens), which the ledger's rule says must agree.

Hook for the load generator: `ledger_comparison(ledger, Counted(...))` compares the mock's ledger
with any other count, e.g. a `chatconform load` summary; `start_mock` gives the mock to point it at.
Figures are printed; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

MAX_MINUTES = 10.0
KEY = "th-soak-" + secrets.token_hex(8)
ADMIN = "admin-" + secrets.token_hex(8)
FAULTS = ["error_rate=0.05", "disconnect_rate=0.03", "malformed_rate=0.03", "midstream_error_rate=0.03"]
SAMPLE_S = 5.0


@dataclass
class Counted:
    """Answers delivered whole, as a client saw them: what the ledger should have charged."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def note(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def whole(self, prompt: int, completion: int) -> None:
        self.requests += 1
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.note("whole")


def start_mock(seed: int) -> tuple[subprocess.Popen[str], str]:
    """`chatconform mock` with seeded faults and a little latency; (process, root URL)."""
    env = {**os.environ, "CHATCONFORM_MOCK_API_KEYS": KEY, "CHATCONFORM_MOCK_ADMIN_KEY": ADMIN}
    args = ["--port", "0", "--seed", str(seed), "--ttft-ms", "20", "--itl-ms", "2", "--jitter-ms", "1"]
    args += [part for fault in FAULTS for part in ("--fault", fault)]
    command = [sys.executable, "-m", "chatconform.cli", "mock", *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "serving" in line:
            return proc, line.split("serving ")[1].split()[0].removesuffix("/v1")
    raise SystemExit("the mock did not start")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ledger_comparison(ledger: dict[str, Any], counted: Counted) -> str:
    """The mock's ledger (GET /mock/ledger) next to another count of whole answers; one line each."""
    totals = ledger["totals"]
    pairs = [("requests", counted.requests), ("prompt_tokens", counted.prompt_tokens)]
    pairs.append(("completion_tokens", counted.completion_tokens))
    lines = [
        f"  {name:18s} ledger {totals[name]:>9}  counted {mine:>9}  {'equal' if totals[name] == mine else 'DIFFERENT'}"
        for name, mine in pairs
    ]
    lines.append(f"  cost               ledger ${totals['cost_usd']:.6f}")
    return "\n".join(lines)


def _body(rng: random.Random, face: str, stream: bool) -> dict[str, Any]:
    kind = rng.choice(["text", "text", "count", "tool", "schema", "unique", "large"])
    prompt = {
        "text": "Explain CAP theorem in 3 bullets.",
        "count": f"Count from 1 to {rng.randint(5, 40)}",
        "tool": "Use get_weather for city='Paris'",
        "schema": "Answer in JSON",
        "unique": f"Write {rng.randint(5, 60)} words about soak run {secrets.token_hex(6)}",
        "large": "lorem ipsum " * 90_000 + "Reply with exactly: large-ok",
    }[kind]
    body: dict[str, Any] = {
        "model": "claude-haiku-4-5",
        "messages": [{"role": "user", "content": prompt}],
        "stream": stream,
    }
    params = {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}
    if face == "openai":
        if stream:
            body["stream_options"] = {"include_usage": True}
        if kind == "tool":
            body["tools"] = [{"type": "function", "function": {"name": "get_weather", "parameters": params}}]
        if kind == "schema":
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "o", "schema": params}}
        return body
    body["max_tokens"] = 400
    if kind == "tool":
        body["tools"] = [{"name": "get_weather", "input_schema": params}]
    if kind == "schema":
        body["output_format"] = {"type": "json_schema", "schema": params}
    return body


async def _one(client: httpx.AsyncClient, rng: random.Random, counted: Counted) -> None:
    face, stream = rng.choice(["openai", "anthropic"]), rng.random() < 0.6
    roll = rng.random()
    if roll < 0.03:
        raw = json.dumps({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "X"}]}).replace(
            '"X"', '"\\ud800"'
        )
        counted.note(f"hostile:{(await client.post('/v1/chat/completions', content=raw)).status_code}")
        return
    if roll < 0.05:
        counted.note(f"journal:{(await client.get('/mock/journal', params={'contains': 'never'})).status_code}")
        return
    path, headers = (
        ("/v1/chat/completions", {}) if face == "openai" else ("/v1/messages", {"anthropic-version": "2023-06-01"})
    )
    body, leave_after = _body(rng, face, stream), None
    if stream and rng.random() < 0.1:
        # A client that leaves a slow stream after its first bytes: the stream is paced so that it
        # cannot be over by then, or the client would have left an answer already delivered whole.
        leave_after, headers = 1, {**headers, "x-chatconform-fault": "pace_ms=50"}
        body["messages"][0]["content"] = "Count from 1 to 20"
    try:
        async with client.stream("POST", path, json=body, headers=headers) as response:
            if response.status_code != 200:
                await response.aread()
                counted.note(f"status:{response.status_code}")
                return
            data = b""
            async for chunk in response.aiter_bytes():
                data += chunk
                if leave_after is not None and (leave_after := leave_after - 1) == 0:
                    break
            else:
                leave_after = None
            if leave_after is not None and _whole_usage(face, stream, data) is None:
                counted.note("left")  # gone before the end: not charged
                return
    except httpx.HTTPError as exc:
        counted.note(type(exc).__name__)
        return
    usage = _whole_usage(face, stream, data)
    if usage is None:
        counted.note("spoilt")
    else:
        counted.whole(*usage)


def _whole_usage(face: str, stream: bool, data: bytes) -> tuple[int, int] | None:
    """(prompt, completion) tokens of an answer that arrived whole and clean; None for a spoilt one."""
    try:
        if not stream:
            body = json.loads(data)
            usage = body["usage"]
            return (
                (usage["prompt_tokens"], usage["completion_tokens"])
                if face == "openai"
                else (usage["input_tokens"], usage["output_tokens"])
            )
        events = [
            json.loads(line[6:])
            for line in data.decode().splitlines()
            if line.startswith("data: ") and line != "data: [DONE]"
        ]
    except (ValueError, KeyError):
        return None
    if face == "openai":
        if not data.endswith(b"data: [DONE]\n\n") or any("error" in e for e in events):
            return None
        return events[-1]["usage"]["prompt_tokens"], events[-1]["usage"]["completion_tokens"]
    if not events or events[-1].get("type") != "message_stop":
        return None
    start = next(e for e in events if e["type"] == "message_start")["message"]["usage"]
    delta = next(e for e in events if e["type"] == "message_delta")["usage"]
    return start["input_tokens"], delta["output_tokens"]


async def traffic(root: str, seconds: float, workers: int, seed: int, counted: Counted) -> None:
    deadline = time.monotonic() + seconds

    async def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        async with httpx.AsyncClient(base_url=root, headers={"authorization": f"Bearer {KEY}"}, timeout=60) as client:
            while time.monotonic() < deadline:
                await _one(client, rng, counted)

    await asyncio.gather(*(worker(n) for n in range(workers)))


async def soak(minutes: float, workers: int, seed: int) -> None:
    proc, root = start_mock(seed)
    counted, samples = Counted(), []
    seconds = min(minutes, MAX_MINUTES) * 60
    try:
        load = asyncio.ensure_future(traffic(root, seconds, workers, seed, counted))
        began = time.monotonic()
        while not load.done():
            await asyncio.wait({load}, timeout=SAMPLE_S)
            elapsed, rss = time.monotonic() - began, rss_mb(proc.pid)
            samples.append((elapsed, rss))
            print(
                f"  t={elapsed:6.1f}s  rss={rss:7.1f} MB  outcomes so far={sum(counted.outcomes.values())}", flush=True
            )
        await load
        await asyncio.sleep(1.0)  # let the last cancellations settle in the mock's books
        async with httpx.AsyncClient(base_url=root, headers={"authorization": f"Bearer {ADMIN}"}) as admin:
            ledger = (await admin.get("/mock/ledger")).json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    report(samples, counted, ledger, seconds)


def report(samples: list[tuple[float, float]], counted: Counted, ledger: dict[str, Any], seconds: float) -> None:
    warm = [rss for t, rss in samples if t >= seconds * 0.2] or [samples[-1][1]]
    growth = warm[-1] - warm[0]
    print(
        f"memory: after warm-up {warm[0]:.1f} MB -> end {warm[-1]:.1f} MB (peak {max(r for _, r in samples):.1f} MB), "
        f"growth {growth:+.1f} MB ({100 * growth / warm[0]:+.1f} %): {'flat' if growth < 0.1 * warm[0] else 'GROWING'}"
    )
    print("client outcomes:", dict(sorted(counted.outcomes.items())))
    print("ledger vs answers the clients received whole:")
    print(ledger_comparison(ledger, counted))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=1.0, help=f"duration, at most {MAX_MINUTES:g} (default 1)")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    minutes = min(args.minutes, MAX_MINUTES)
    print(f"soak: {minutes:g} min, {args.workers} workers, seed {args.seed}, faults {', '.join(FAULTS)}")
    asyncio.run(soak(args.minutes, args.workers, args.seed))


if __name__ == "__main__":
    main()
