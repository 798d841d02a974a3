"""Latency distributions that keep sub-millisecond resolution and merge across workers.

A `Sketch` is a log-bucketed histogram (the DDSketch idea): a value v goes to
bucket ceil(log(v) / log(gamma)), so every quantile it returns lies within
`RELATIVE_ERROR` (0.05%) of a sample that was recorded: 0.01 ms at 20 ms,
0.1 ms at 200 ms. Count, sum, minimum and maximum are exact. Two sketches
merge by adding bucket counts, so the percentiles of a run split over any
number of Locust workers are the percentiles of the whole run, not an average
of per-worker percentiles.

Locust's own statistics round response times to whole milliseconds (and
coarser above 100 ms); that is why these exist beside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

RELATIVE_ERROR = 0.0005
_GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
_LOG_GAMMA = math.log(_GAMMA)
ZERO_BELOW = 1e-6  # values under a nanosecond (in ms) count as exactly zero: same-read chunk gaps
QUANTILES = {"p50": 0.50, "p90": 0.90, "p95": 0.95, "p99": 0.99}


@dataclass
class Sketch:
    bins: dict[int, int] = field(default_factory=dict)
    zeros: int = 0
    count: int = 0
    total: float = 0.0
    low: float = math.inf
    high: float = -math.inf

    def add(self, value: float) -> None:
        if value != value or value < 0:  # NaN or negative: a clock bug upstream, never a sample
            raise ValueError(f"a latency sample must be a non-negative number, got {value!r}")
        self.count += 1
        self.total += value
        self.low = min(self.low, value)
        self.high = max(self.high, value)
        if value < ZERO_BELOW:
            self.zeros += 1
        else:
            key = math.ceil(math.log(value) / _LOG_GAMMA)
            self.bins[key] = self.bins.get(key, 0) + 1

    def add_many(self, values: list[float]) -> None:
        """`add` for a batch (a stream's gaps): the same result, less interpreter work per value."""
        if not values:
            return
        if not min(values) >= 0:  # also false for NaN
            raise ValueError(f"a latency sample must be a non-negative number, got {min(values)!r}")
        bins, log, ceil = self.bins, math.log, math.ceil
        for value in values:
            if value < ZERO_BELOW:
                self.zeros += 1
            else:
                key = ceil(log(value) / _LOG_GAMMA)
                bins[key] = bins.get(key, 0) + 1
        self.count += len(values)
        self.total += sum(values)
        self.low = min(self.low, min(values))
        self.high = max(self.high, max(values))

    def merge(self, other: Sketch) -> None:
        for key, n in other.bins.items():
            self.bins[key] = self.bins.get(key, 0) + n
        self.zeros += other.zeros
        self.count += other.count
        self.total += other.total
        self.low = min(self.low, other.low)
        self.high = max(self.high, other.high)

    def quantile(self, q: float) -> float | None:
        """The nearest-rank q-quantile (0 < q <= 1), or None without samples."""
        if not self.count:
            return None
        rank = max(1, math.ceil(q * self.count))
        if rank >= self.count:
            return self.high
        if rank <= self.zeros:
            return 0.0
        seen = self.zeros
        for key in sorted(self.bins):
            seen += self.bins[key]
            if seen >= rank:
                return min(self.high, max(self.low, _value(key)))
        return self.high

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def stats(self) -> dict[str, float | int | None]:
        """count, mean, p50, p90, p95, p99, max (and min): the summary's shape for one metric."""
        out: dict[str, float | int | None] = {"count": self.count, "mean": _round(self.mean)}
        for name, q in QUANTILES.items():
            out[name] = _round(self.quantile(q))
        out["max"] = _round(self.high if self.count else None)
        out["min"] = _round(self.low if self.count else None)
        return out

    def cdf(self) -> list[tuple[float, float]]:
        """(value, fraction of samples <= value) points, for plotting."""
        points: list[tuple[float, float]] = [(0.0, self.zeros / self.count)] if self.zeros else []
        seen = self.zeros
        for key in sorted(self.bins):
            seen += self.bins[key]
            points.append((min(self.high, max(self.low, _value(key))), seen / self.count))
        return points

    def to_wire(self) -> dict[str, Any]:
        """A JSON- and msgpack-safe form (string keys) for worker reports."""
        return {
            "bins": {str(k): n for k, n in self.bins.items()},
            "zeros": self.zeros,
            "count": self.count,
            "total": self.total,
            "low": self.low if self.count else None,
            "high": self.high if self.count else None,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Sketch:
        sketch = cls(
            {int(k): int(n) for k, n in data["bins"].items()},
            int(data["zeros"]),
            int(data["count"]),
            float(data["total"]),
        )
        if sketch.count:
            sketch.low, sketch.high = float(data["low"]), float(data["high"])
        return sketch


def _value(key: int) -> float:
    """The value that represents a bucket: within RELATIVE_ERROR of anything in it."""
    return 2 * _GAMMA**key / (_GAMMA + 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
