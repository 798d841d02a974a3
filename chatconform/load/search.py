"""Which load to try next: a fixed sweep, or a search for the highest open-loop rate that meets the SLOs.

Both are plans over the steps run so far (sweep.py runs each step as a whole
bounded run and reads back whether it passed). A step *passes* when its run
met every objective and the target did not fail it.

  Sweep      the given loads in increasing order, stopping at the first step
             that does not pass.
  RateSearch `--find-max-rate`: bracketing, then bisection. From the start
             rate it doubles while steps pass; once a step fails, it bisects
             between the highest passing rate below the lowest failing one and
             that failing rate, until the two are within `precision` of each
             other (relative) or the step budget is spent. If the start rate
             already fails, it halves (at most MAX_HALVINGS times) to find a
             passing rate to bracket from.

The outcome (`Outcome`) says what the steps proved: the highest passing load,
and whether a failing load lies above it. Only then is there a knee; when
every step passed, the highest load tried is a lower bound, never a knee.
Nothing here runs anything: these are pure functions of the points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

MAX_HALVINGS = 3  # a start rate that fails: try down to 1/8 of it, then give up
DEFAULT_STEPS = 12
DEFAULT_PRECISION = 0.05


class Plan(Protocol):
    def next(self, points: list[dict[str, Any]]) -> float | None:
        """The next load to run, or None when the plan is done; `points` are the steps run so far."""


@dataclass(frozen=True)
class Sweep:
    loads: list[float]

    def next(self, points: list[dict[str, Any]]) -> float | None:
        if points and not points[-1]["passed"]:
            return None
        return self.loads[len(points)] if len(points) < len(self.loads) else None


@dataclass(frozen=True)
class RateSearch:
    start: float
    steps: int = DEFAULT_STEPS
    precision: float = DEFAULT_PRECISION

    def next(self, points: list[dict[str, Any]]) -> float | None:
        if not points:
            return self.start
        if len(points) >= self.steps:
            return None
        low, high = bracket(points)
        if high is None:  # nothing failed yet: go up
            return 2 * float(max(p["load"] for p in points))
        if low is None:  # even the lowest rate failed: go down, a bounded number of times
            return high / 2 if high > self.start / 2**MAX_HALVINGS else None
        if high - low <= self.precision * low:
            return None
        middle = (low + high) / 2
        return None if any(p["load"] == middle for p in points) else middle


def bracket(points: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    """(the highest passing load below the lowest failing one, the lowest failing load); None where there is none.

    A noisy machine can make a lower load fail after a higher one passed: the
    lowest failure bounds the answer, and only passes below it count.
    """
    judged = [p for p in points if not p.get("interrupted")]  # a step cut by Ctrl-C proves nothing
    failing = [p["load"] for p in judged if not p["passed"]]
    high = min(failing) if failing else None
    passing = [p["load"] for p in judged if p["passed"] and (high is None or p["load"] < high)]
    return (max(passing) if passing else None), high


@dataclass(frozen=True)
class Outcome:
    best: float | None  # the highest passing load (below the lowest failing one)
    failed_above: float | None  # the lowest failing load, when one lies above `best`
    tried: float  # the highest load run

    @property
    def knee(self) -> float | None:
        """The highest passing load, when a higher load failed: only then did the steps find a limit."""
        return self.best if self.failed_above is not None and self.best is not None else None


def outcome(points: list[dict[str, Any]]) -> Outcome:
    best, high = bracket(points)
    return Outcome(best, high if best is not None else None, max(p["load"] for p in points))
