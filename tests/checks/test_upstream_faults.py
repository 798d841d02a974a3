"""Fault-path checks on hand-built exchanges: what a client sees when the upstream fails."""

from __future__ import annotations

from typing import Any

import pytest

from chatconform.checks import registry
from chatconform.exchange import Exchange
from chatconform.profile import load_profile
from chatconform.sse import Event
from tests.checks.handmade import URL, chunk, profile_with, request, run, stream, text_answer, titles

PROFILE = load_profile("tokenhub")
ERROR = {"error": {"message": "Overloaded", "type": "server_error", "param": None, "code": "upstream_error"}}


def failed(status: int, headers: dict[str, str] | None = None, t: float = 0.5) -> Exchange:
    ex = Exchange(
        "POST", URL, {}, request(), status=status, headers={"content-type": "application/json", **(headers or {})}
    )
    ex.body = {"error": {"message": "x", "type": "server_error", "param": None, "code": None}}
    ex.t_start, ex.t_headers, ex.t_end = 0.0, t, t
    return ex


def timed_stream(chunks: list[Any], done: bool, error: str | None = None, t_end: float = 1.0) -> Exchange:
    ex = stream(chunks, done=done)
    ex.events = [Event(e.data, t=0.1 * (n + 1)) for n, e in enumerate(ex.events)]
    ex.error, ex.t_start, ex.t_end = error, 0.0, t_end
    return ex


START = chunk({"role": "assistant", "content": "1"})


@pytest.mark.parametrize(
    ("upstream", "status", "wanted"),
    [
        (429, 429, []),
        (529, 503, []),
        (529, 529, []),
        (500, 502, []),
        (500, 500, []),
        (529, 500, ["an upstream 529 became a 500"]),
        (429, 500, ["an upstream 429 became a 500"]),
    ],
    ids=["429", "529-503", "529-529", "500-502", "500-500", "529-500", "429-500"],
)
def test_error_status_accepts_the_profiles_statuses(upstream: int, status: int, wanted: list[str]) -> None:
    assert titles(run(failed(status), "upstream.error_status", upstream_status=upstream, profile=PROFILE)) == wanted


def test_error_status_follows_a_profile_expectation_and_never_accepts_200() -> None:
    profile = profile_with(upstream_status_529=[529])
    assert titles(run(failed(503), "upstream.error_status", upstream_status=529, profile=profile)) == [
        "an upstream 529 became a 503"
    ]
    assert titles(run(text_answer("ok"), "upstream.error_status", upstream_status=529, profile=PROFILE)) == [
        "an upstream 529 became a 200 answer"
    ]


def test_retry_after_must_be_the_upstreams() -> None:
    assert titles(run(failed(429, {"retry-after": "7"}), "upstream.retry_after", upstream_retry_after="7")) == []
    assert titles(run(failed(429), "upstream.retry_after", upstream_retry_after="7")) == [
        "the upstream's Retry-After: 7 was dropped"
    ]
    assert titles(run(failed(429, {"retry-after": "1"}), "upstream.retry_after", upstream_retry_after="7")) == [
        "Retry-After is not the upstream's"
    ]


def test_an_error_frame_is_required_after_a_midstream_error() -> None:
    assert titles(run(timed_stream([START, ERROR], done=False), "upstream.error_frame")) == []
    clean = timed_stream([START, chunk({}, "stop")], done=True)
    assert titles(run(clean, "upstream.error_frame")) == [
        "the upstream's error did not reach the client as an error frame"
    ]
    bad = timed_stream([START, {"error": "Overloaded"}], done=False)
    assert titles(run(bad, "upstream.error_frame")) == ["the error frame is not {error: {message, type, ...}}"]
    assert titles(run(failed(500), "upstream.error_frame")) == []  # an error status says it too


@pytest.mark.parametrize(
    ("ex", "clean"),
    [
        (timed_stream([START, chunk({}, "stop")], done=True), True),
        (timed_stream([START, chunk({}, "stop")], done=False, error="disconnect: RemoteProtocolError"), True),
        (timed_stream([START], done=True), True),
        (timed_stream([START, ERROR], done=True), False),
        (timed_stream([START], done=False, error="disconnect: RemoteProtocolError"), False),
        (timed_stream([START], done=False), False),
        (text_answer("1, 2"), True),
        (failed(502), False),
    ],
    ids=["stop-and-done", "stop-then-cut", "done-alone", "error-frame", "cut", "no-ending", "200-body", "502"],
)
def test_no_clean_ending(ex: Exchange, clean: bool) -> None:
    found = titles(run(ex, "upstream.no_clean_ending"))
    assert found == (["a broken upstream answer was passed off as complete"] if clean else [])


def test_timeout_within_the_gateways_own_bound() -> None:
    quick = failed(504, t=3.2)
    assert titles(run(quick, "upstream.timeout", upstream_timeout_s=3, slack_s=1, profile=PROFILE)) == []
    late = failed(504, t=4.5)
    assert titles(run(late, "upstream.timeout", upstream_timeout_s=3, slack_s=1, profile=PROFILE)) == [
        "the timeout came later than the gateway's own"
    ]
    odd = failed(500, t=3.1)
    assert titles(run(odd, "upstream.timeout", upstream_timeout_s=3, slack_s=1, profile=PROFILE)) == [
        "a timeout answered with status 500"
    ]
    framed = timed_stream([START, ERROR], done=False, t_end=9.0)  # the frame came at 0.2 s
    assert titles(run(framed, "upstream.timeout", upstream_timeout_s=3, profile=PROFILE)) == []
    waited = timed_stream([START, chunk({}, "stop")], done=True, t_end=8.0)
    assert titles(run(waited, "upstream.timeout", upstream_timeout_s=3, profile=PROFILE)) == [
        "the gateway waited out the stalled upstream: no timeout"
    ]
    gave_up = timed_stream([START], done=False, error="timeout", t_end=30.0)
    assert titles(run(gave_up, "upstream.timeout", upstream_timeout_s=3, profile=PROFILE)) == [
        "the client gave up before the gateway reported the stall"
    ]


def test_cancelled_reads_the_upstream_outcome() -> None:
    ex = timed_stream([START], done=False, error="abandoned")
    assert titles(run(ex, "upstream.cancelled", upstream={"outcome": "cancelled"}, waited_s=2)) == []
    assert titles(run(ex, "upstream.cancelled", upstream={"outcome": "pending"}, waited_s=2)) == [
        "the gateway kept the upstream request running after the client left"
    ]
    assert titles(run(ex, "upstream.cancelled", upstream=None)) == ["no upstream request carried the test's marker"]


def test_a_stream_that_just_ends_is_a_silent_truncation() -> None:
    silent = timed_stream([START, chunk({"content": ", 2"})], done=False)
    assert titles(run(silent, "upstream.no_silent_end")) == [
        "the stream ended silently after an upstream fault: no [DONE], no error frame"
    ]
    cut = timed_stream([START], done=False, error="disconnect")
    framed = timed_stream([START, {"error": {"message": "upstream broke"}}], done=False)
    whole_stream = timed_stream([START, chunk({}, "stop")], done=True)
    for ex in (cut, framed, whole_stream, failed(502)):
        assert run(ex, "upstream.no_silent_end") == []


def test_a_silent_end_after_a_stall_is_named_once() -> None:
    silent = timed_stream([START], done=False, t_end=9.0)
    found = registry.run(silent, ["upstream.timeout", "upstream.no_silent_end"], upstream_timeout_s=1.0)
    names = [f.check for f in found]
    assert names == ["upstream.no_silent_end"]
