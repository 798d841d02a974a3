"""The sweep's exit code: the knee when one was found, else why the lowest load failed; Ctrl-C always says so."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chatconform.load import exits, search, summary, sweep
from tests.load.test_recorder import record
from tests.load.test_summary import RUN


@pytest.mark.parametrize(
    ("codes", "expected", "knee"),
    [
        ([0, 0, 3], exits.OK, 2.0),
        ([0, exits.TARGET_FAILED], exits.OK, 1.0),
        ([exits.TARGET_FAILED], exits.TARGET_FAILED, None),
        ([3], exits.SLO_FAILED, None),
        ([0, exits.INTERRUPTED], exits.INTERRUPTED, None),  # stopped by Ctrl-C, not by a failing load
    ],
    ids=["knee", "target-fails-past-the-knee", "target-fails-at-once", "slo-at-once", "interrupted"],
)
def test_sweep_exit_codes(tmp_path: Path, codes: list[int], expected: int, knee: float | None) -> None:
    def step(load: float, folder: Path) -> int:
        folder.mkdir(parents=True)
        built = summary.build(record(range(20)), RUN, {})  # an SLO that passes: only the code decides
        (folder / "summary.json").write_text(json.dumps(built), encoding="utf-8")
        return codes[int(load) - 1]

    assert sweep.run(search.Sweep([1.0, 2.0, 3.0, 4.0][: len(codes) + 1]), step, tmp_path, "users") == expected
    result = json.loads((tmp_path / "sweep.json").read_text(encoding="utf-8"))
    assert len(result["steps"]) == len(codes) and result["knee"] == knee


def simulate(plan: search.Plan, passes: Callable[[float], bool]) -> list[dict[str, Any]]:
    """Run a plan against a target whose steps pass exactly when `passes(load)`."""
    points: list[dict[str, Any]] = []
    while (load := plan.next(points)) is not None:
        assert len(points) < 50, "a plan must end"
        points.append({"load": load, "passed": passes(load)})
    return points


@pytest.mark.parametrize("capacity", [0.3, 1.0, 7.5, 19.9, 100.0])
def test_the_search_brackets_then_bisects_to_the_precision(capacity: float) -> None:
    plan = search.RateSearch(start=1.0, steps=20, precision=0.05)
    points = simulate(plan, lambda load: load <= capacity)
    found = search.outcome(points)
    assert found.knee is not None and found.failed_above is not None
    assert found.knee <= capacity < found.failed_above  # the answer passed, the bound above it failed
    assert found.failed_above - found.knee <= 0.05 * found.knee
    assert len(points) <= 20


def test_the_search_keeps_to_its_step_budget_and_then_claims_no_knee() -> None:
    points = simulate(search.RateSearch(start=1.0, steps=4), lambda load: True)
    assert [p["load"] for p in points] == [1.0, 2.0, 4.0, 8.0]
    found = search.outcome(points)
    assert found.knee is None and found.best == 8.0 and found.tried == 8.0


def test_a_start_rate_that_fails_is_halved_a_bounded_number_of_times() -> None:
    points = simulate(search.RateSearch(start=8.0, steps=20), lambda load: False)
    assert [p["load"] for p in points] == [8.0, 4.0, 2.0, 1.0]
    assert search.outcome(points).best is None


def test_a_noisy_failure_below_a_pass_bounds_the_answer() -> None:
    points = [{"load": 4.0, "passed": True}, {"load": 8.0, "passed": True}, {"load": 6.0, "passed": False}]
    assert search.bracket(points) == (4.0, 6.0)
    interrupted = [{"load": 4.0, "passed": True}, {"load": 8.0, "passed": False, "interrupted": True}]
    assert search.outcome(interrupted).knee is None  # Ctrl-C is not a failing load


def test_a_sweep_where_every_step_passed_finds_no_knee(tmp_path: Path) -> None:
    def step(load: float, folder: Path) -> int:
        folder.mkdir(parents=True)
        (folder / "summary.json").write_text(json.dumps(summary.build(record(range(20)), RUN, {})), encoding="utf-8")
        return exits.OK

    assert sweep.run(search.Sweep([2.0, 4.0, 8.0]), step, tmp_path, "users") == exits.OK
    result = json.loads((tmp_path / "sweep.json").read_text(encoding="utf-8"))
    assert result["knee"] is None and result["max_passing"] == 8.0 and result["highest_tried"] == 8.0
    text = sweep.describe(result)
    assert text.startswith("sweep: no knee within the loads tried: every step up to users = 8 met the SLO")
    assert "knee:" not in text and "no knee within the loads tried" in (tmp_path / "sweep.html").read_text("utf-8")
