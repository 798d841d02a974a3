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
answers charges them. The same accounting is kept per scenario (`tallies`),
so a mix shows which scenario failed, and how; per second (`series`), for the
time plots; and per turn of a conversation (`turns`). Those parts are in
counts.py.

Goodput (goodput.py): a succeeded request that met every per-request
objective is good; `missed` counts, per objective, the succeeded requests
that missed it.

Gateway mode (overhead.py): each succeeded stream's reference and its first
and last token arrival times (`arrivals`, bounded), paired with the upstream
mock's send times once the run is over.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chatconform.load.counts import Second, Tally, TurnFigures
from chatconform.load.metrics import Sketch
from chatconform.load.timing import Timing
from chatconform.pacing import Arrivals

METRICS = ("ttft_ms", "itl_ms", "tpot_ms", "e2e_ms", "output_tokens_per_s", "send_lag_ms")
# Gateway mode keeps a few arrival times per succeeded stream until the run ends (about 200 bytes each):
# the bound caps a long run's memory; the mock's journal holds far fewer entries than this anyway.
MAX_ARRIVALS = 50_000
_COUNTS = (
    "sent",
    "succeeded",
    "interrupted",
    "prompt_tokens",
    "completion_tokens",
    "estimated_outputs",
    "good",
    "good_tokens",
)


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
    missed: tuple[str, ...] = ()  # goodput objectives this (succeeded) request missed
    turn: int = 0  # the turn within a conversation (1, 2, ...); 0 outside one
    ref: str | None = None  # gateway mode: the reference in its prompt (overhead.py)


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
    tallies: dict[str, Tally] = field(default_factory=dict)  # by scenario
    good: int = 0
    good_tokens: int = 0
    missed: Counter[str] = field(default_factory=Counter)
    turns: dict[int, TurnFigures] = field(default_factory=dict)  # conversations, by turn number
    arrivals: list[Arrivals] = field(default_factory=list)  # gateway mode: succeeded streams, to pair after the run
    arrivals_dropped: int = 0  # beyond MAX_ARRIVALS

    def tally(self, scenario: str) -> Tally:
        found = self.tallies.get(scenario)
        if found is None:
            found = self.tallies[scenario] = Tally()
        return found

    def on_send(self, scenario: str, lag_s: float | None = None) -> None:
        """A request is going out now; `lag_s` is how late it is against an open-loop schedule."""
        self.sent += 1
        self.tally(scenario).sent += 1
        now = time.time()
        self.first_send = now if self.first_send is None else min(self.first_send, now)
        if lag_s is not None:
            self.sketches["send_lag_ms"].add(max(0.0, lag_s) * 1000)

    def on_interrupted(self, scenario: str) -> None:
        self.interrupted += 1
        self.tally(scenario).interrupted += 1

    def on_result(self, result: Result) -> None:
        self.last_end = result.wall_end if self.last_end is None else max(self.last_end, result.wall_end)
        second = self.series.setdefault(int(result.wall_end), Second())
        second.requests += 1
        tally = self.tally(result.scenario)
        if result.failure is not None:
            self.failed[result.failure] += 1
            tally.failed[result.failure] += 1
            second.failed += 1
            return
        self.succeeded += 1
        tally.succeeded += 1
        t = result.timing
        if result.missed:
            self.missed.update(result.missed)
        else:
            self.good += 1
            self.good_tokens += t.output_tokens
            second.good += 1
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
            if result.ref is not None and t.token_times:
                self._keep(Arrivals.of(result.ref, t.token_times))
        if result.turn:
            figures = self.turns.setdefault(result.turn, TurnFigures())
            figures.requests += 1
            figures.prompt_tokens += t.usage_prompt_tokens or 0
            if t.ttft_ms is not None:
                figures.ttft.add(t.ttft_ms)

    def _streamed(self, t: Timing, second: Second) -> None:
        if t.ttft_ms is not None:
            self._add("ttft_ms", t.ttft_ms, second)
        self.sketches["itl_ms"].add_many(t.itl_ms())
        if t.tpot_ms is not None:
            self.sketches["tpot_ms"].add(t.tpot_ms)

    def _keep(self, arrived: Arrivals) -> None:
        if len(self.arrivals) < MAX_ARRIVALS:
            self.arrivals.append(arrived)
        else:
            self.arrivals_dropped += 1

    def _add(self, name: str, value: float, second: Second) -> None:
        self.sketches[name].add(value)
        second.sketches[name].add(value)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    def merge(self, other: Recorder) -> None:
        for name, sketch in other.sketches.items():
            self.sketches[name].merge(sketch)
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed.update(other.failed)
        self.missed.update(other.missed)
        for scenario, tally in other.tallies.items():
            self.tally(scenario).merge(tally)
        for number, figures in other.turns.items():
            self.turns.setdefault(number, TurnFigures()).merge(figures)
        self.cost_usd += other.cost_usd
        self.first_send = _pick(min, self.first_send, other.first_send)
        self.last_end = _pick(max, self.last_end, other.last_end)
        for key, second in other.series.items():
            self.series.setdefault(key, Second()).merge(second)
        room = max(0, MAX_ARRIVALS - len(self.arrivals))
        self.arrivals += other.arrivals[:room]
        self.arrivals_dropped += other.arrivals_dropped + max(0, len(other.arrivals) - room)

    def to_wire(self) -> dict[str, Any]:
        counts = {k: getattr(self, k) for k in (*_COUNTS, "cost_usd", "first_send", "last_end")}
        return {
            **counts,
            "failed": dict(self.failed),
            "missed": dict(self.missed),
            "tallies": {k: t.to_wire() for k, t in self.tallies.items()},
            "turns": {str(k): f.to_wire() for k, f in self.turns.items()},
            "sketches": {k: s.to_wire() for k, s in self.sketches.items()},
            "series": {str(k): s.to_wire() for k, s in self.series.items()},
            "arrivals": [a.to_wire() for a in self.arrivals],
            "arrivals_dropped": self.arrivals_dropped,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Recorder:
        rec = cls(
            sketches={k: Sketch.from_wire(s) for k, s in data["sketches"].items()},
            failed=Counter({str(k): int(n) for k, n in data["failed"].items()}),
            missed=Counter({str(k): int(n) for k, n in data["missed"].items()}),
            tallies={str(k): Tally.from_wire(t) for k, t in data["tallies"].items()},
            turns={int(k): TurnFigures.from_wire(f) for k, f in data["turns"].items()},
        )
        for key in _COUNTS:
            setattr(rec, key, int(data[key]))
        rec.cost_usd, rec.first_send, rec.last_end = float(data["cost_usd"]), data["first_send"], data["last_end"]
        rec.series = {int(key): Second.from_wire(s) for key, s in data["series"].items()}
        rec.arrivals = [Arrivals.from_wire(a) for a in data["arrivals"]]
        rec.arrivals_dropped = int(data["arrivals_dropped"])
        return rec


def _pick(choose: Any, a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else choose(a, b)
