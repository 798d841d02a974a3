"""Sketches: percentiles within their stated relative error, exact merges, wire round trips."""

from __future__ import annotations

import math
import random

import pytest

from chatconform.load.metrics import RELATIVE_ERROR, Sketch


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def sketch_of(values: list[float]) -> Sketch:
    sketch = Sketch()
    for v in values:
        sketch.add(v)
    return sketch


SAMPLES = {
    "lognormal-ms": [random.Random(1).lognormvariate(3, 1) for _ in range(5000)],
    "sub-millisecond": [random.Random(2).uniform(0.001, 0.9) for _ in range(2000)],
    "two-modes": [20.0 + random.Random(3).random() for _ in range(900)] + [800.0] * 100,
}


@pytest.mark.parametrize("values", SAMPLES.values(), ids=list(SAMPLES))
@pytest.mark.parametrize("q", [0.5, 0.9, 0.95, 0.99], ids=["p50", "p90", "p95", "p99"])
def test_quantile_within_relative_error_of_the_exact_one(values: list[float], q: float) -> None:
    exact = nearest_rank(values, q)
    assert sketch_of(values).quantile(q) == pytest.approx(exact, rel=RELATIVE_ERROR * 1.0001)


def test_count_mean_min_max_are_exact() -> None:
    values = SAMPLES["lognormal-ms"]
    stats = sketch_of(values).stats()
    assert stats["count"] == len(values)
    assert stats["mean"] == pytest.approx(sum(values) / len(values), abs=1e-4)
    assert stats["max"] == pytest.approx(max(values), abs=1e-4)
    assert stats["min"] == pytest.approx(min(values), abs=1e-4)


def test_merged_halves_equal_the_whole() -> None:
    values = SAMPLES["lognormal-ms"]
    left, right = sketch_of(values[::2]), sketch_of(values[1::2])
    left.merge(right)
    assert left.stats() == pytest.approx(sketch_of(values).stats())
    assert left.bins == sketch_of(values).bins


def test_zero_gaps_are_counted_as_zero() -> None:
    sketch = sketch_of([0.0, 0.0, 0.0, 5.0])
    assert sketch.quantile(0.5) == 0.0
    assert sketch.quantile(1.0) == 5.0


def test_empty_sketch_has_no_percentiles() -> None:
    stats = Sketch().stats()
    assert stats["count"] == 0 and stats["p50"] is None and stats["max"] is None


@pytest.mark.parametrize("bad", [-1.0, float("nan")], ids=["negative", "nan"])
def test_a_bad_sample_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        Sketch().add(bad)


def test_wire_round_trip_keeps_everything() -> None:
    sketch = sketch_of([0.0, *SAMPLES["two-modes"]])
    again = Sketch.from_wire(sketch.to_wire())
    assert again == sketch
    assert all(isinstance(k, str) for k in sketch.to_wire()["bins"])  # msgpack-safe keys


def test_cdf_ends_at_one_and_never_decreases() -> None:
    points = sketch_of(SAMPLES["lognormal-ms"]).cdf()
    fractions = [f for _, f in points]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
