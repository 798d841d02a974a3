"""Everything one load-generating process measured, in a form that merges exactly.

Each process (the only one, or each Locust worker) records its requests into
a `Recorder`. A worker ships what it recorded since its last report to the
master (as `to_wire` data, then starts a fresh recorder), and the master
merges it into its own: counts add and sketches merge, so the master's
recorder describes the whole run.

Accounting: `sent` is counted when a request goes out, independently of its
outcome, and every sent request ends as exactly one of: succeeded, failed
(by kind), or interrupted (cut by the end of the run). Tokens and cost are
summed over succeeded requests only, as a gateway that bills only completed
answers charges them.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chatconform.load.metrics import Sketch
from chatconform.load.timing import Timing

METRICS = ("ttft_ms", "itl_ms", "tpot_ms", "e2e_ms", "output_tokens_per_s", "send_lag_ms")
SERIES_METRICS = ("ttft_ms", "e2e_ms")  # per second; not ITL: a sample per chunk would double its cost


@dataclass
class Result:
    """One finished request."""

    scenario: str
    model: str
    streamed: bool
    timing: Timing
    failure: str | None  # None when it succeeded
    wall_end: float  # time.time() at the end, for the per-second series
    cost_usd: float = 0.0


@dataclass
class Second:
    requests: int = 0
    failed: int = 0
    output_tokens: int = 0
    sketches: dict[str, Sketch] = field(default_factory=lambda: {m: Sketch() for m in SERIES_METRICS})

    def merge(self, other: Second) -> None:
        self.requests += other.requests
        self.failed += other.failed
        self.output_tokens += other.output_tokens
        for name, sketch in other.sketches.items():
            self.sketches[name].merge(sketch)


@dataclass
class Recorder:
    sketches: dict[str, Sketch] = field(default_factory=lambda: {m: Sketch() for m in METRICS})
    sent: int = 0
    succeeded: int = 0
    interrupted: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated_outputs: int = 0  # succeeded requests whose output tokens were estimated (no usage)
    cost_usd: float = 0.0
    first_send: float | None = None  # time.time() of the first request sent
    last_end: float | None = None
    series: dict[int, Second] = field(default_factory=dict)

    def on_send(self, lag_s: float | None = None) -> None:
        """A request is going out now; `lag_s` is how late it is against an open-loop schedule."""
        self.sent += 1
        now = time.time()
        self.first_send = now if self.first_send is None else min(self.first_send, now)
        if lag_s is not None:
            self.sketches["send_lag_ms"].add(max(0.0, lag_s) * 1000)

    def on_interrupted(self) -> None:
        self.interrupted += 1

    def on_result(self, result: Result) -> None:
        self.last_end = result.wall_end if self.last_end is None else max(self.last_end, result.wall_end)
        second = self.series.setdefault(int(result.wall_end), Second())
        second.requests += 1
        if result.failure is not None:
            self.failed[result.failure] += 1
            second.failed += 1
            return
        self.succeeded += 1
        t = result.timing
        self._add("e2e_ms", t.e2e_ms, second)
        tokens = t.output_tokens
        second.output_tokens += tokens
        self.completion_tokens += tokens
        self.prompt_tokens += t.usage_prompt_tokens or 0
        self.estimated_outputs += t.output_tokens_estimated
        self.cost_usd += result.cost_usd
        if t.e2e_ms > 0:
            self.sketches["output_tokens_per_s"].add(tokens / (t.e2e_ms / 1000))
        if result.streamed:
            self._streamed(t, second)

    def _streamed(self, t: Timing, second: Second) -> None:
        if t.ttft_ms is not None:
            self._add("ttft_ms", t.ttft_ms, second)
        self.sketches["itl_ms"].add_many(t.itl_ms())
        if t.tpot_ms is not None:
            self.sketches["tpot_ms"].add(t.tpot_ms)

    def _add(self, name: str, value: float, second: Second) -> None:
        self.sketches[name].add(value)
        second.sketches[name].add(value)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    def merge(self, other: Recorder) -> None:
        for name, sketch in other.sketches.items():
            self.sketches[name].merge(sketch)
        for name in ("sent", "succeeded", "interrupted", "prompt_tokens", "completion_tokens", "estimated_outputs"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed.update(other.failed)
        self.cost_usd += other.cost_usd
        self.first_send = _pick(min, self.first_send, other.first_send)
        self.last_end = _pick(max, self.last_end, other.last_end)
        for key, second in other.series.items():
            self.series.setdefault(key, Second()).merge(second)

    def to_wire(self) -> dict[str, Any]:
        counts = {
            k: getattr(self, k)
            for k in (
                "sent",
                "succeeded",
                "interrupted",
                "prompt_tokens",
                "completion_tokens",
                "estimated_outputs",
                "cost_usd",
                "first_send",
                "last_end",
            )
        }
        return {
            **counts,
            "failed": dict(self.failed),
            "sketches": {k: s.to_wire() for k, s in self.sketches.items()},
            "series": {str(k): _second_wire(s) for k, s in self.series.items()},
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Recorder:
        rec = cls(
            sketches={k: Sketch.from_wire(s) for k, s in data["sketches"].items()},
            failed=Counter({str(k): int(n) for k, n in data["failed"].items()}),
        )
        for key in ("sent", "succeeded", "interrupted", "prompt_tokens", "completion_tokens", "estimated_outputs"):
            setattr(rec, key, int(data[key]))
        rec.cost_usd, rec.first_send, rec.last_end = float(data["cost_usd"]), data["first_send"], data["last_end"]
        for key, s in data["series"].items():
            rec.series[int(key)] = Second(
                s["requests"],
                s["failed"],
                s["output_tokens"],
                {k: Sketch.from_wire(v) for k, v in s["sketches"].items()},
            )
        return rec


def _second_wire(second: Second) -> dict[str, Any]:
    return {
        "requests": second.requests,
        "failed": second.failed,
        "output_tokens": second.output_tokens,
        "sketches": {k: v.to_wire() for k, v in second.sketches.items()},
    }


def _pick(choose: Any, a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else choose(a, b)
