"""The recorder: accounting per outcome, and merging workers' figures into the whole run's."""

from __future__ import annotations

import pytest

from chatconform.load.recorder import Recorder, Result
from chatconform.load.timing import Timing


def result(n: int, failure: str | None = None, streamed: bool = True) -> Result:
    """Request n: TTFT 100+n ms, three tokens 10 ms apart, 4 output tokens from usage, ends at second 1000+n%3."""
    start = float(n)
    timing = Timing(start, start + 0.2 + n / 1000, [start + 0.1 + n / 1000 + 0.01 * i for i in range(3)], 12, 4, 7)
    return Result("stream", "claude-haiku-4-5", streamed, timing, failure, 1000.0 + n % 3, 0.001)


def record(numbers: range, recorder: Recorder | None = None) -> Recorder:
    recorder = recorder or Recorder()
    for n in numbers:
        recorder.on_send("stream")
        recorder.on_result(result(n, "http_429" if n % 10 == 0 else None))
    return recorder


def test_every_sent_request_has_one_outcome() -> None:
    rec = record(range(40))
    rec.on_send("stream")
    rec.on_interrupted("stream")
    assert rec.sent == 41
    assert rec.succeeded + rec.failed_total + rec.interrupted == rec.sent
    assert rec.failed == {"http_429": 4}


def test_tokens_and_cost_count_succeeded_requests_only() -> None:
    rec = record(range(40))
    assert rec.completion_tokens == 4 * 36 and rec.prompt_tokens == 7 * 36
    assert rec.cost_usd == pytest.approx(0.036)


def test_streamed_metrics_come_only_from_streams() -> None:
    rec = Recorder()
    rec.on_result(result(1, streamed=False))
    assert rec.sketches["e2e_ms"].count == 1
    assert rec.sketches["ttft_ms"].count == 0 and rec.sketches["itl_ms"].count == 0


def test_two_workers_merge_into_the_same_figures_as_one_process() -> None:
    whole = record(range(60))
    master = Recorder()
    parts = (record(range(0, 60, 2)), record(range(1, 60, 2)))
    for part in parts:
        master.merge(Recorder.from_wire(part.to_wire()))  # through the wire format, as Locust ships it
    assert (master.sent, master.succeeded, master.failed) == (whole.sent, whole.succeeded, whole.failed)
    assert (master.prompt_tokens, master.completion_tokens) == (whole.prompt_tokens, whole.completion_tokens)
    for name, sketch in whole.sketches.items():
        assert master.sketches[name].stats() == pytest.approx(sketch.stats()), name
    assert sorted(master.series) == sorted(whole.series)
    assert {k: s.requests for k, s in master.series.items()} == {k: s.requests for k, s in whole.series.items()}
    assert master.last_end == whole.last_end
    assert master.first_send == min(p.first_send or 0.0 for p in parts)


def test_send_lag_is_recorded_for_open_loop_sends() -> None:
    rec = Recorder()
    rec.on_send("stream", 0.0125)
    rec.on_send("stream", -0.001)  # early by a hair: counts as on time
    assert rec.sketches["send_lag_ms"].quantile(1.0) == pytest.approx(12.5)
    assert rec.sketches["send_lag_ms"].quantile(0.5) == 0.0


def test_outcomes_are_kept_per_scenario_and_merge() -> None:
    rec = Recorder()
    for n, (scenario, failure) in enumerate([("stream", None), ("stream", "http_429"), ("tools", "disconnect")]):
        rec.on_send(scenario)
        rec.on_result(Result(scenario, "m", True, result(n).timing, failure, 1000.0))
    rec.on_send("tools")
    rec.on_interrupted("tools")
    merged = Recorder()
    merged.merge(Recorder.from_wire(rec.to_wire()))
    merged.merge(Recorder.from_wire(rec.to_wire()))
    stream, tools = merged.tallies["stream"], merged.tallies["tools"]
    assert (stream.sent, stream.succeeded, dict(stream.failed), stream.interrupted) == (4, 2, {"http_429": 2}, 0)
    assert (tools.sent, tools.succeeded, dict(tools.failed), tools.interrupted) == (4, 0, {"disconnect": 2}, 2)
    assert sum(t.sent for t in merged.tallies.values()) == merged.sent


def test_good_requests_are_counted_per_run_and_per_second() -> None:
    rec = Recorder()
    for n, missed in enumerate([(), ("ttft_ms",), ("ttft_ms", "tpot_ms"), ()]):
        rec.on_send("stream")
        rec.on_result(Result("stream", "m", True, result(n).timing, None, 1000.0 + n // 2, 0.0, missed))
    again = Recorder.from_wire(rec.to_wire())
    assert (again.good, again.good_tokens, dict(again.missed)) == (2, 8, {"ttft_ms": 2, "tpot_ms": 1})
    assert {k: s.good for k, s in again.series.items()} == {1000: 1, 1001: 1}
