"""Goodput: per-request objectives, which requests meet them, and the share and rate in the summary."""

from __future__ import annotations

import pytest

from chatconform.load import goodput, summary
from chatconform.load.recorder import Recorder, Result
from chatconform.load.timing import Timing
from tests.load.test_summary import RUN


def timing(ttft_ms: float, gaps_ms: list[float], tokens: int) -> Timing:
    """A stream that starts at 0: first token at ttft_ms, then one chunk after each gap, ending at the last."""
    times = [ttft_ms / 1000]
    for gap in gaps_ms:
        times.append(times[-1] + gap / 1000)
    return Timing(0.0, times[-1], times, 4 * tokens, tokens, 10)


def test_objectives_parse_and_bad_ones_are_named() -> None:
    assert goodput.parse("ttft_ms=500, tpot_ms=50") == {"ttft_ms": 500.0, "tpot_ms": 50.0}
    assert goodput.parse("") == {} and goodput.parse(None) == {}
    for text, message in (
        ("ttft=500", "NAME=MS"),
        ("ttft_ms", "NAME=MS"),
        ("ttft_ms=fast", "not a number"),
        ("ttft_ms=0", "positive"),
        ("e2e_ms=nan", "positive"),
    ):
        with pytest.raises(goodput.GoodputError, match=message):
            goodput.parse(text)


def test_a_request_is_judged_on_each_objective() -> None:
    objectives = {"ttft_ms": 500.0, "tpot_ms": 50.0, "itl_max_ms": 200.0, "e2e_ms": 2000.0}
    fast = timing(100, [20, 20, 20], 4)
    assert goodput.missed(objectives, fast, True) == ()
    slow_start = timing(600, [20, 20, 20], 4)
    assert goodput.missed(objectives, slow_start, True) == ("ttft_ms",)
    stall = timing(100, [20, 300, 20], 4)  # TPOT (340 / 3 = 113 ms) and the longest gap both miss
    assert goodput.missed(objectives, stall, True) == ("tpot_ms", "itl_max_ms")
    assert goodput.missed({}, stall, True) == ()


def test_figures_a_request_does_not_have_are_not_judged() -> None:
    objectives = {"ttft_ms": 500.0, "tpot_ms": 1.0, "itl_max_ms": 1.0}
    one_chunk = timing(100, [], 1)  # no TPOT (one token), no gap
    assert goodput.missed(objectives, one_chunk, True) == ()
    # A whole answer: its first token arrives with the body (TTFT = E2E); TPOT and gaps are unknown.
    whole = Timing(0.0, 0.7, [], 400, 100, 10)
    assert goodput.missed(objectives, whole, False) == ("ttft_ms",)


def test_share_and_rate_in_the_summary() -> None:
    rec = Recorder()
    objectives = {"ttft_ms": 500.0}
    for n in range(10):
        rec.on_send("stream")
        t = timing(600 if n < 3 else 100, [20], 2)
        failure = "http_500" if n == 9 else None
        missed = goodput.missed(objectives, t, True) if failure is None else ()
        rec.on_result(Result("stream", "m", True, t, failure, 1000.0 + n / 10, 0.0, missed))
    rec.first_send, rec.last_end = 1000.0, 1002.0
    good = summary.build(rec, RUN, {"min_goodput_share": 0.5}, objectives=objectives)
    assert summary.validate(good) is None
    # 9 succeeded, 3 of them too slow to start: 6 good of 10 finished, over a 2 s window.
    assert good["goodput"] == {
        "objectives": objectives,
        "good": 6,
        "share": 0.6,
        "requests_per_s": 3.0,
        "output_tokens_per_s": 6.0,
        "missed": {"ttft_ms": 3, "failed": 1},
    }
    assert good["slo"]["passed"] is True
    assert summary.build(rec, RUN, {})["goodput"] is None
