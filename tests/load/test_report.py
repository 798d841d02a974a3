"""The load report reads right: continuous per-second lines, one axis per quantity, every objective, failures
by scenario and kind."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from chatconform.load import plots, report, summary
from chatconform.load.recorder import Recorder, Result
from tests.load.test_recorder import result
from tests.load.test_summary import RUN


def sparse_run() -> Recorder:
    """Long requests, as a closed loop with few users makes them: completions at seconds 3, 4, 7 and 8 only,
    the first request sent at second 0."""
    rec = Recorder()
    for n, (second, failure) in enumerate([(3, None), (4, "http_429"), (4, None), (7, None), (8, "timeout")]):
        rec.on_send("stream" if n % 2 else "tools")
        rec.on_result(Result("stream" if n % 2 else "tools", "m", True, result(n).timing, failure, 1000.0 + second))
    rec.first_send = 1000.2
    return rec


def test_rows_run_from_the_first_send_and_quiet_seconds_are_zeros() -> None:
    rows = report.series_rows(sparse_run())
    assert [r["t_s"] for r in rows] == list(range(9))
    assert [r["requests"] for r in rows] == [0, 0, 0, 1, 2, 0, 0, 1, 1]
    assert [r["ttft_p50_ms"] is not None for r in rows] == [False, False, False, True, True, False, False, True, False]


def test_latency_is_one_line_through_every_second_that_has_it_and_quiet_seconds_are_shaded() -> None:
    figure = plots.over_time_figure(report.series_rows(sparse_run()))
    try:
        ttft, e2e, requests, tokens = figure.axes
        for ax in (ttft, e2e):
            for line in ax.lines:
                xs, ys = list(line.get_xdata()), list(line.get_ydata())
                assert xs == [3, 4, 7] and not any(math.isnan(y) for y in ys)  # one line, no gap breaks it
            assert len(ax.patches) == 6  # seconds 0, 1, 2, 5, 6 and 8: no request succeeded in them
        # Requests and tokens each have an axis of their own: tokens/s (hundreds) cannot flatten requests/s.
        assert [line.get_label() for line in requests.lines] == ["succeeded/s", "succeeded/s, 5 s mean", "failed/s"]
        assert [line.get_label() for line in tokens.lines] == ["output tokens/s", "output tokens/s, 5 s mean"]
        assert list(requests.lines[0].get_ydata()) == [0, 0, 0, 1, 1, 0, 0, 1, 0]
        # The mean of the 5 seconds around each one (fewer at the ends): it shows a rate where waves of
        # completions alternate with quiet seconds.
        assert list(requests.lines[1].get_ydata()) == pytest.approx(
            [0, 1 / 4, 2 / 5, 2 / 5, 2 / 5, 3 / 5, 2 / 5, 1 / 4, 1 / 3]
        )
    finally:
        plt.close(figure)


def test_a_run_with_one_completion_still_draws_a_point() -> None:
    rec = Recorder()
    rec.on_send("stream")
    rec.on_result(result(1))
    figure = plots.over_time_figure(report.series_rows(rec))
    try:
        line = figure.axes[0].lines[0]
        assert line.get_marker() == "o" and len(line.get_xdata()) == 1
    finally:
        plt.close(figure)


def test_the_page_lists_met_objectives_with_values_and_failures_by_scenario(tmp_path: Path) -> None:
    rec = sparse_run()
    built = summary.build(rec, RUN, {"ttft_p95_ms": 800.0, "error_rate": 0.1})
    page = report.write(tmp_path, built, rec).read_text(encoding="utf-8")
    assert "SLO FAILED</b>: 1 of 2 objective(s) missed" in page
    assert "error_rate: 0.4 &gt; 0.1" in page  # missed, with its value
    assert "<td>met</td><td>ttft_p95_ms</td><td>800</td>" in page and "ttft_p95_ms: 103 ms &lt;= 800 ms" in page
    # One row per scenario, one column per failure kind, and the total.
    assert "<th>failed: http_429</th><th>failed: timeout</th>" in page
    assert "<tr><td>stream</td><td>2</td><td>1</td><td>1</td><td>1</td><td>0</td><td>0</td></tr>" in page
    assert "<tr><td>tools</td><td>3</td><td>2</td><td>1</td><td>0</td><td>1</td><td>0</td></tr>" in page
    assert "<tr><td>all</td><td>5</td><td>3</td><td>2</td><td>1</td><td>1</td><td>0</td></tr>" in page
    assert page.index("Objectives") < page.index("Requests by scenario") < page.index("Figures")
