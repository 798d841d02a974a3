"""The load summary: built from recorded results, valid against schemas/load.summary.json."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import pytest

from chatconform.load import report, summary
from chatconform.load.recorder import Recorder
from tests.load.test_recorder import record, result

RUN = summary.RunInfo(
    id="20250101-000000-stream",
    started_at="2025-01-01T00:00:00+00:00",
    target="built-in mock",
    is_mock=True,
    profile="tokenhub",
    models=["claude-haiku-4-5"],
    scenario="stream",
    load={"arrival": "closed", "users": 4, "spawn_rate": 4.0, "rate": None, "stages": None},
    bounds={
        "run_time_s": 10,
        "max_requests": 1000,
        "request_timeout_s": 60.0,
        "stop_timeout_s": 60.0,
        "max_response_bytes": 8388608,
    },
    stopped_by="run_time",
    workers=2,
    locust_version="2.47.0",
)


@pytest.fixture()
def built() -> dict[str, Any]:
    return summary.build(record(range(40)), RUN, {"ttft_p95_ms": 800.0, "error_rate": 0.05})


def test_summary_is_valid(built: dict[str, Any]) -> None:
    assert summary.validate(built) is None


def test_requests_add_up_and_rates_follow(built: dict[str, Any]) -> None:
    req = built["requests"]
    assert req["sent"] == req["succeeded"] + req["failed_total"] + req["interrupted"] == 40
    assert req["failed"] == {"http_429": 4} and req["error_rate"] == pytest.approx(0.1)


def test_throughput_is_over_the_first_send_to_last_end_window() -> None:
    rec = Recorder()
    rec.on_send("stream")
    rec.first_send = 1000.0
    rec.succeeded, rec.completion_tokens, rec.last_end = 10, 500, 1004.0
    thr = summary.build(rec, RUN, {})["throughput"]
    assert thr == {"duration_s": 4.0, "requests_per_s": 2.5, "output_tokens_per_s": 125.0}


def test_verdict_is_in_the_summary(built: dict[str, Any]) -> None:
    assert built["slo"]["passed"] is False  # 10% errors against 5%
    assert [v["slo"] for v in built["slo"]["violations"]] == ["error_rate"]


def test_every_metric_has_the_documented_fields(built: dict[str, Any]) -> None:
    for name in ("ttft_ms", "itl_ms", "tpot_ms", "e2e_ms"):
        assert set(built["metrics"][name]) >= {"count", "mean", "p50", "p90", "p95", "p99", "max"}
    assert built["metrics"]["ttft_ms"]["count"] == 36


def test_an_empty_run_is_still_valid() -> None:
    empty = summary.build(Recorder(), RUN, {"ttft_p95_ms": 1.0})
    assert summary.validate(empty) is None
    assert empty["slo"]["passed"] is False


MUTATIONS = {
    "missing-metric": lambda s: s["metrics"].pop("itl_ms"),
    "count-as-string": lambda s: s["metrics"]["ttft_ms"].update(count="36"),
    "unknown-failure-kind": lambda s: s["requests"]["failed"].update(oops=1),
    "error-rate-above-one": lambda s: s["requests"].update(error_rate=1.5),
    "no-verdict": lambda s: s.pop("slo"),
    "bad-arrival": lambda s: s["run"]["load"].update(arrival="burst"),
}


@pytest.mark.parametrize("mutate", MUTATIONS.values(), ids=list(MUTATIONS))
def test_schema_rejects_broken_summaries(built: dict[str, Any], mutate: Any) -> None:
    broken = copy.deepcopy(built)
    mutate(broken)
    assert summary.validate(broken) is not None


def failing(n: int, kind: str = "http_401") -> Recorder:
    rec = Recorder()
    for i in range(n):
        rec.on_send("stream")
        rec.on_result(result(i, kind))
    return rec


def test_no_alarm_when_some_requests_succeeded(built: dict[str, Any]) -> None:
    assert built["alarm"] is None


def test_a_run_where_nothing_succeeded_raises_the_alarm_with_advice() -> None:
    built = summary.build(failing(12), RUN, {})
    assert summary.validate(built) is None
    assert built["alarm"] == {
        "kind": "all_failed",
        "message": "not one of the 12 finished requests succeeded",
        "advice": "the key was refused: check --api-key (or CHATCONFORM_API_KEY)",
    }


def test_a_tripped_breaker_is_the_alarm_even_after_some_successes() -> None:
    rec = record(range(5))
    built = summary.build(rec, RUN, {}, "200 of the last 200")
    assert built["alarm"]["kind"] == "circuit_breaker"
    assert built["alarm"]["message"] == "circuit breaker: 200 of the last 200; the run was stopped early"


def test_the_report_of_a_failed_run_opens_in_red_and_draws_without_a_warning(tmp_path: Path) -> None:
    rec = failing(60, "http_404")
    built = summary.build(rec, RUN, {}, "the first 50 requests all failed (http_404: 50)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "No artists with labels" used to reach the terminal
        page = report.write(tmp_path, built, rec).read_text(encoding="utf-8")
    banner = page.index("<div class='alarm'>")
    assert banner < page.index("No SLO was given")
    assert "the first 50 requests all failed (http_404: 50)" in page and "does it end in /v1?" in page


def test_the_throughput_figure_of_a_run_without_latency_draws_without_a_warning() -> None:
    from chatconform.load import plots

    rows = report.series_rows(failing(30, "timeout"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (plots.over_time(rows) or "").startswith("<svg")
