"""Benchmark: the capacity model's knee, predicted by the formula in docs/mock.md and measured over HTTP.

    python bench/mock_capacity.py [--tokens-per-s 1000] [--prefill-ms 0.1] [--output-words 40]
                                  [--step-s 5] [--steps 6] [--slo-ms 100]

Starts `chatconform mock` (zero latency, the capacity model on) in its own
process, asks once for the request's token counts, and predicts the highest
sustainable rate, 1 / W with W = P * prefill_ms / 1000 + C / tokens_per_s.
Then measures it two ways, open-loop (requests sent on a fixed schedule,
whatever the answers do), streamed:

  saturated   the completion rate while offering 1.5x the prediction: the
              engine's throughput
  search      bisection between 0.5x and 2x the prediction for the highest
              rate whose step (`--step-s` long) keeps the client's p95 time to
              first content within `--slo-ms` of the unloaded p95, with no
              refusal; `--steps` bisections, each step bounded in time

Prints predicted and measured rates and their ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from chatconform.mock.capacity import CapacitySettings  # noqa: E402
from chatconform.target import mock_subprocess  # noqa: E402

KEY = "th-bench-mock-capacity-0123456789"
MAX_QUEUE_S = 5.0


@dataclass
class Step:
    rate: float
    sent: int
    completed: int
    refused: int
    p95_ttft_s: float
    completions_per_s: float


def body(words: int) -> dict[str, object]:
    text = "Reply with exactly: " + " ".join(f"w{i % 10}" for i in range(words))
    return {"model": "claude-haiku-4-5", "stream": True, "messages": [{"role": "user", "content": text}]}


async def one(http: httpx.AsyncClient, payload: dict[str, object], sent_at: float) -> tuple[int, float, float]:
    """(status, seconds to the first content chunk, when the answer ended) of one streamed request."""
    first = float("nan")
    async with http.stream("POST", "/v1/chat/completions", json=payload) as response:
        async for line in response.aiter_lines():
            if first != first and line.startswith("data: ") and '"content": "' in line and '"content": ""' not in line:
                first = time.monotonic() - sent_at
    return response.status_code, first, time.monotonic()


async def step(root: str, payload: dict[str, object], rate: float, seconds: float) -> Step:
    """Offer `rate` requests per second for `seconds`, open loop; wait for every answer (bounded)."""
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=2000)
    headers = {"authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=root, headers=headers, timeout=MAX_QUEUE_S + 30, limits=limits) as http:
        count = max(1, int(rate * seconds))
        start = time.monotonic()
        tasks = []
        for n in range(count):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(one(http, payload, time.monotonic())))
        results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + MAX_QUEUE_S + 60)
    ok = [r for r in results if r[0] == 200]
    ttfts = sorted(r[1] for r in ok)
    p95 = ttfts[min(len(ttfts) - 1, int(0.95 * len(ttfts)))] if ttfts else float("inf")
    # Completion rate over the second half of the step: the queue, if any, has formed by then.
    ends = sorted(r[2] for r in ok)
    half = [e for e in ends if e >= start + seconds / 2]
    span = (half[-1] - half[0]) if len(half) > 1 else 0.0
    rate_done = (len(half) - 1) / span if span > 0 else 0.0
    return Step(rate, count, len(ok), len(results) - len(ok), p95, rate_done)


def unloaded_p95(root: str, payload: dict[str, object], rate: float, seconds: float) -> float:
    return asyncio.run(step(root, payload, rate, seconds)).p95_ttft_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens-per-s", type=float, default=1000.0)
    parser.add_argument("--prefill-ms", type=float, default=0.1)
    parser.add_argument("--output-words", type=int, default=40)
    parser.add_argument("--step-s", type=float, default=5.0)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--slo-ms", type=float, default=100.0)
    args = parser.parse_args()
    settings = CapacitySettings(args.tokens_per_s, args.prefill_ms, MAX_QUEUE_S)
    flags = ["--api-key", KEY, "--capacity-tokens-per-s", f"{args.tokens_per_s:g}"]
    flags += ["--prefill-ms-per-token", f"{args.prefill_ms:g}", "--max-queue-s", f"{MAX_QUEUE_S:g}"]
    payload = body(args.output_words)
    with mock_subprocess(flags) as (root, _):
        usage = httpx.post(
            root + "/v1/chat/completions",
            json={**payload, "stream": False},
            headers={"authorization": f"Bearer {KEY}"},
            timeout=30,
        ).json()["usage"]
        prompt, completion = usage["prompt_tokens"], usage["completion_tokens"]
        predicted = settings.knee_rps(prompt, completion)
        print(
            f"capacity {settings.describe()}; request: {prompt} prompt + {completion} completion tokens; "
            f"W = {settings.work_s(prompt, completion) * 1000:.1f} ms; predicted max rate {predicted:.2f} req/s"
        )
        # Twice, the lower kept: the first step also pays for connection set-up and warm caches.
        base = min(unloaded_p95(root, payload, 0.3 * predicted, args.step_s) for _ in range(2))
        bound = base + args.slo_ms / 1000
        print(f"unloaded p95 time to first content {base * 1000:.1f} ms at 0.3x; SLO p95 <= {bound * 1000:.1f} ms")
        saturated = asyncio.run(step(root, payload, 1.5 * predicted, args.step_s))
        print(
            f"saturated (offered {saturated.rate:.2f} req/s): {saturated.completions_per_s:.2f} completions/s, "
            f"{saturated.refused} refused; ratio to predicted {saturated.completions_per_s / predicted:.3f}"
        )
        time.sleep(MAX_QUEUE_S)  # the backlog the saturated step left
        low, high = 0.5 * predicted, 2.0 * predicted
        for _ in range(args.steps):
            rate = (low + high) / 2
            result = asyncio.run(step(root, payload, rate, args.step_s))
            met = result.refused == 0 and result.p95_ttft_s <= bound
            print(
                f"  step {rate:7.2f} req/s: p95 {result.p95_ttft_s * 1000:8.1f} ms, {result.refused} refused, "
                f"{'meets' if met else 'misses'} the SLO"
            )
            low, high = (rate, high) if met else (low, rate)
            time.sleep(min(MAX_QUEUE_S, max(0.5, result.p95_ttft_s)))  # let the queue empty
    print(
        f"predicted max rate {predicted:.2f} req/s; search: highest rate meeting the SLO {low:.2f} req/s "
        f"(bracket {low:.2f}-{high:.2f}, ratio {low / predicted:.3f}); saturated throughput "
        f"{saturated.completions_per_s:.2f} completions/s (ratio {saturated.completions_per_s / predicted:.3f})"
    )


if __name__ == "__main__":
    main()
