"""Pairing the mock's send times with the client's arrival times, and the check built on it."""

from __future__ import annotations

from typing import Any

import pytest

from chatconform.pacing import Arrivals, Pacing, Sent, pace, percentile
from chatconform.sse import Event
from tests.checks.handmade import chunk, profile_with, run, stream, titles

PACE_S = 0.02


def sent(times: list[float], keep: int = 8) -> dict[str, Any]:
    """A journal entry's `sent` field for content events sent at these times (first and last `keep`)."""
    return {
        "clock": "CLOCK_MONOTONIC",
        "received": times[0] - 0.01,
        "head": times[0] - 0.005,
        "end": times[-1] + 0.001,
        "content_events": len(times),
        "first": times[:keep],
        "last": times[-keep:],
    }


def paced(n: int, start: float = 100.0) -> list[float]:
    return [start + PACE_S * i for i in range(n)]


def pair(arrivals: list[float], entry: dict[str, Any] | None) -> Pacing | None:
    """One stream's pacing, as the check computes it (arrival times already on the monotonic clock)."""
    sent = Sent.parse({"sent": entry} if entry is not None else None)
    return pace(Arrivals.of("", arrivals, offset=0.0), sent) if sent is not None else None


def test_a_faithful_relay_adds_what_it_adds_to_every_event() -> None:
    sends = paced(20)
    pacing = pair([t + 0.003 for t in sends], sent(sends))
    assert pacing is not None
    assert pacing.ttft_added_ms == pytest.approx(3.0, abs=0.01)
    assert len(pacing.chunk_added_ms) == 16  # the first 8 and the last 8 of 20
    assert all(v == pytest.approx(3.0, abs=0.01) for v in pacing.chunk_added_ms)
    assert not pacing.held and pacing.coalesced == 0 and pacing.gaps == 14  # consecutive pairs only


def test_a_buffered_stream_is_held_and_coalesced() -> None:
    sends = paced(20)
    flush = sends[-1] + 0.002
    pacing = pair([flush] * 20, sent(sends))
    assert pacing is not None and pacing.held
    assert pacing.coalesced_ratio == 1.0
    assert pacing.ttft_added_ms == pytest.approx((flush - sends[0]) * 1000, abs=0.01)


def test_merged_events_pair_only_the_first_and_the_last() -> None:
    sends = paced(10)
    arrivals = [sends[1] + 0.001, sends[3] + 0.001, sends[9] + 0.001]  # three reads for ten events
    pacing = pair(arrivals, sent(sends))
    assert pacing is not None
    assert pacing.chunk_added_ms == pytest.approx((21.0, 1.0), abs=0.01)
    assert not pacing.held


@pytest.mark.parametrize(
    "entry",
    [
        None,
        {},
        {"clock": "CLOCK_MONOTONIC", "first": [], "last": [], "content_events": 0},
        {"clock": "CLOCK_MONOTONIC", "first": ["x"], "last": [1.0], "content_events": 1},
        {"clock": "wall", "first": [1.0], "last": [1.0], "content_events": 1},
    ],
)
def test_nothing_to_pair_is_none_not_a_figure(entry: Any) -> None:
    assert pair([1.0, 2.0], entry) is None


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0


def timed(arrivals: list[float]) -> Any:
    """A stream of one role chunk, a content chunk per arrival time, a finish chunk and [DONE]."""
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": f"w{i} "}) for i in range(len(arrivals))]
    chunks.append(chunk({}, "stop"))
    ex = stream(chunks)
    times = [arrivals[0], *arrivals, arrivals[-1], arrivals[-1]]
    ex.events = [Event(e.data, t=t) for e, t in zip(ex.events, times, strict=True)]
    ex.t_start, ex.t_end = arrivals[0] - 1.0, arrivals[-1] + 0.01
    return ex


def test_the_check_passes_a_relay_and_fails_a_flush_at_the_end() -> None:
    sends = paced(12)
    assert run(timed([t + 0.002 for t in sends]), "gateway.stream_pacing", upstream={"sent": sent(sends)}) == []
    held = run(timed([sends[-1] + 0.001] * 12), "gateway.stream_pacing", upstream={"sent": sent(sends)})
    assert titles(held) == [
        "the gateway held the stream back: its first token arrived after the upstream had sent its last"
    ]


def test_the_check_holds_the_delay_per_chunk_to_the_profiles_bound() -> None:
    sends = paced(12)
    slow = timed([t + 0.08 for t in sends])
    [finding] = run(slow, "gateway.stream_pacing", upstream={"sent": sent(sends)})
    assert finding.title.startswith("the gateway adds 80.0 ms per chunk (p95), above the profile's 50 ms")
    lenient = profile_with(gateway_chunk_added_p95_ms=100.0)
    assert run(slow, "gateway.stream_pacing", upstream={"sent": sent(sends)}, profile=lenient) == []


def test_an_upstream_without_send_times_is_inconclusive_and_no_upstream_is_silent() -> None:
    ex = timed(paced(4))
    [finding] = run(ex, "gateway.stream_pacing", upstream={"body": {}})
    assert finding.inconclusive
    assert run(ex, "gateway.stream_pacing") == []


def test_times_from_two_clocks_are_inconclusive_not_a_verdict() -> None:
    sends = paced(12)
    other_host = timed([t - 3600.0 for t in sends])  # arrived "before" it was sent
    far_ahead = timed([t + 7200.0 for t in sends])  # added more than the request took
    for ex in (other_host, far_ahead):
        [finding] = run(ex, "gateway.stream_pacing", upstream={"sent": sent(sends)})
        assert finding.inconclusive and "not on one clock" in finding.title
