"""SLO thresholds: parsing from flags and TOML, and the verdict naming each violation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatconform.load import slo


def summary(
    ttft_p95: float | None = 500.0,
    error_rate: float | None = 0.0,
    tokens_per_s: float | None = 120.0,
) -> dict[str, Any]:
    metric: dict[str, Any] = {"count": 1, "mean": 1.0, "p50": 1.0, "p90": 1.0, "p95": 1.0, "p99": 1.0, "max": 1.0}
    metrics = {f"{m}_ms": dict(metric) for m in ("ttft", "itl", "tpot", "e2e", "send_lag")}
    metrics["ttft_ms"]["p95"] = ttft_p95
    return {
        "metrics": metrics,
        "requests": {"error_rate": error_rate},
        "throughput": {"output_tokens_per_s": tokens_per_s, "requests_per_s": 2.0},
    }


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("ttft_p95_ms=800", ("ttft_p95_ms", 800.0)),
        (" itl_p99_ms = 50.5", ("itl_p99_ms", 50.5)),
        ("error_rate=0.01", ("error_rate", 0.01)),
        ("min_output_tokens_per_s=100", ("min_output_tokens_per_s", 100.0)),
    ],
    ids=["ttft", "spaces", "error-rate", "min-tokens"],
)
def test_flags_parse(text: str, parsed: tuple[str, float]) -> None:
    assert slo.parse_flag(text) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ttft_p95_ms", "NAME=VALUE"),
        ("ttft_p42_ms=1", "unknown SLO"),
        ("latency=3", "unknown SLO"),
        ("error_rate=lots", "not a number"),
        ("e2e_max_ms=-1", "non-negative"),
    ],
    ids=["no-value", "bad-stat", "bad-name", "not-number", "negative"],
)
def test_bad_flags_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(slo.SLOError, match=message):
        slo.parse_flag(text)


def test_toml_file_and_flags_merge_with_flags_winning(tmp_path: Path) -> None:
    path = tmp_path / "slo.toml"
    path.write_text("[slo]\nttft_p95_ms = 800\nerror_rate = 0.05\n", encoding="utf-8")
    assert slo.thresholds(["ttft_p95_ms=500"], str(path)) == {"ttft_p95_ms": 500.0, "error_rate": 0.05}


def test_toml_file_with_a_bad_value_names_it(tmp_path: Path) -> None:
    path = tmp_path / "slo.toml"
    path.write_text('ttft_p95_ms = "fast"\n', encoding="utf-8")
    with pytest.raises(slo.SLOError, match="ttft_p95_ms must be a number"):
        slo.thresholds([], str(path))


def test_all_met_passes() -> None:
    verdict = slo.evaluate({"ttft_p95_ms": 800, "error_rate": 0.01, "min_output_tokens_per_s": 100}, summary())
    assert verdict.passed and verdict.violations == []


def test_each_missed_objective_is_named() -> None:
    limits = {"ttft_p95_ms": 800, "error_rate": 0.01, "min_output_tokens_per_s": 100}
    verdict = slo.evaluate(limits, summary(ttft_p95=912.5, error_rate=0.2, tokens_per_s=40))
    assert not verdict.passed
    assert [v.slo for v in verdict.violations] == ["ttft_p95_ms", "error_rate", "min_output_tokens_per_s"]
    assert "912.5 ms > 800 ms" in verdict.violations[0].message
    assert "ttft_p95_ms" in slo.describe(verdict)


def test_no_samples_is_a_violation_not_a_pass() -> None:
    verdict = slo.evaluate({"ttft_p95_ms": 800, "error_rate": 0.5}, summary(ttft_p95=None, error_rate=None))
    assert [v.observed for v in verdict.violations] == [None, None]
    assert "no samples" in verdict.violations[0].message


def test_no_objectives_pass_and_say_so() -> None:
    verdict = slo.evaluate({}, summary())
    assert verdict.passed and slo.describe(verdict) == "SLO: none given"


def test_every_objective_is_judged_with_its_value_met_ones_too() -> None:
    limits = {"ttft_p95_ms": 800, "error_rate": 0.01, "min_output_tokens_per_s": 100}
    verdict = slo.evaluate(limits, summary(ttft_p95=912.5, error_rate=0.0, tokens_per_s=120))
    assert [(j.slo, j.passed, j.observed) for j in verdict.judgements] == [
        ("ttft_p95_ms", False, 912.5),
        ("error_rate", True, 0.0),
        ("min_output_tokens_per_s", True, 120),
    ]
    lines = slo.describe(verdict).splitlines()
    assert lines[0] == "SLO FAILED (1 of 3 missed):"
    assert lines[1].startswith("  MISSED ttft_p95_ms: 912.5 ms > 800 ms")
    assert "  met    error_rate: 0 <= 0.01" in lines and "  met    min_output_tokens_per_s: 120 >= 100" in lines
    again = slo.Verdict.from_json(verdict.to_json())  # as finish.py reads it back from the summary
    assert again == verdict


def test_a_passing_verdict_still_lists_each_value() -> None:
    text = slo.describe(slo.evaluate({"ttft_p95_ms": 800}, summary(ttft_p95=612.25)))
    assert text == "SLO passed (1 objective(s) met)\n  met    ttft_p95_ms: 612.2 ms <= 800 ms"


def test_goodput_objectives_read_the_goodput_figures() -> None:
    data = summary()
    data["goodput"] = {"share": 0.9, "requests_per_s": 4.5}
    verdict = slo.evaluate({"min_goodput_share": 0.95, "min_goodput_per_s": 4}, data)
    assert [(j.slo, j.passed) for j in verdict.judgements] == [
        ("min_goodput_share", False),
        ("min_goodput_per_s", True),
    ]
    data["goodput"] = None  # a run without --goodput has no figure: never a pass
    assert not slo.evaluate({"min_goodput_per_s": 0}, data).passed
