"""Stream timing from hand-made arrival times: what TTFT, ITL, TPOT and E2E measure, and failure kinds."""

from __future__ import annotations

import json

import pytest

from chatconform.load.timing import StreamObserver, observe_body
from tests.load.helpers import ROLE, chunk, event, usage

START = 100.0


def observe(reads: list[tuple[float, bytes]], end: float, transport_error: str | None = None) -> StreamObserver:
    observer = StreamObserver(START)
    for t, data in reads:
        observer.feed(data, t)
    observer.finish(end, transport_error)
    return observer


def text_stream(with_usage: bool = True) -> list[tuple[float, bytes]]:
    """Role chunk at +50 ms, tokens at +200, +220, +245, +265 ms, finish, usage, [DONE] at +300 ms."""
    reads = [
        (100.050, chunk(ROLE)),
        (100.200, chunk({"content": "Hello"})),
        (100.220, chunk({"content": " big"})),
        (100.245, chunk({"content": " wide"})),
        (100.265, chunk({"content": " world"})),
        (100.270, chunk({}, "stop")),
    ]
    if with_usage:
        reads.append((100.280, usage(12, 4)))
    return [*reads, (100.300, event("[DONE]"))]


def test_ttft_is_the_first_content_chunk_not_the_role_chunk() -> None:
    timing = observe(text_stream(), 100.300).timing
    assert timing.ttft_ms == pytest.approx(200.0)


def test_itl_is_one_gap_per_pair_of_content_chunks() -> None:
    assert observe(text_stream(), 100.300).timing.itl_ms() == pytest.approx([20.0, 25.0, 20.0])


def test_tpot_uses_usage_output_tokens() -> None:
    timing = observe(text_stream(), 100.300).timing
    assert timing.output_tokens == 4 and not timing.output_tokens_estimated
    assert timing.tpot_ms == pytest.approx((300.0 - 200.0) / 3)
    assert timing.e2e_ms == pytest.approx(300.0)
    assert timing.usage_prompt_tokens == 12


def test_without_usage_output_tokens_are_estimated_from_characters() -> None:
    timing = observe(text_stream(with_usage=False), 100.300).timing
    assert timing.output_tokens_estimated
    assert timing.output_tokens == 5  # "Hello big wide world": 20 characters / 4


def test_sub_millisecond_gaps_are_kept() -> None:
    reads = [(100.2000, chunk({"content": "a"})), (100.2004, chunk({"content": "b"})), (100.3, event("[DONE]"))]
    assert observe(reads, 100.3).timing.itl_ms() == pytest.approx([0.4])


def test_a_tool_call_delta_counts_as_the_first_token() -> None:
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
    reads = [
        (100.05, chunk(ROLE)),
        (100.150, chunk({"tool_calls": [call]})),
        (100.170, chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Paris"}'}}]})),
        (100.2, chunk({}, "tool_calls")),
        (100.21, event("[DONE]")),
    ]
    observer = observe(reads, 100.21)
    assert observer.failure is None
    assert observer.timing.ttft_ms == pytest.approx(150.0)
    assert observer.timing.itl_ms() == pytest.approx([20.0])


def test_a_complete_stream_has_no_failure() -> None:
    assert observe(text_stream(), 100.3).failure is None


FAILURES = {
    "malformed-json": (
        [(100.2, chunk({"content": "a"})), (100.21, b'data: {"choices": [\n\n'), (100.3, event("[DONE]"))],
        None,
        "malformed",
    ),
    "error-event-mid-stream": (
        [
            (100.2, chunk({"content": "a"})),
            (100.21, event({"error": {"message": "upstream failed", "type": "server_error"}})),
        ],
        None,
        "stream_error",
    ),
    "clean-end-without-done": ([(100.2, chunk({"content": "a"}))], None, "truncated"),
    "connection-dropped": ([(100.2, chunk({"content": "a"}))], "disconnect", "disconnect"),
    "unterminated-last-event": ([(100.2, chunk({"content": "a"})), (100.3, b"data: [DONE]")], None, "malformed"),
}


@pytest.mark.parametrize(("reads", "transport", "kind"), FAILURES.values(), ids=list(FAILURES))
def test_failure_kinds(reads: list[tuple[float, bytes]], transport: str | None, kind: str) -> None:
    assert observe(reads, 100.4, transport).failure == kind


def test_events_split_across_reads_keep_the_arrival_of_the_read_that_completed_them() -> None:
    data = chunk({"content": "Hello"})
    reads = [(100.1, data[:10]), (100.2, data[10:]), (100.3, event("[DONE]"))]
    assert observe(reads, 100.3).timing.ttft_ms == pytest.approx(200.0)


def test_whole_body_timing_and_usage() -> None:
    body = {
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi there"}}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
    }
    timing, failure = observe_body(10.0, 10.5, json.dumps(body).encode())
    assert failure is None
    assert timing.e2e_ms == pytest.approx(500.0) and timing.ttft_ms is None
    assert (timing.usage_prompt_tokens, timing.output_tokens) == (9, 3)


@pytest.mark.parametrize("raw", [b'{"choices": [', b'{"choices": []}', b"[]"], ids=["cut", "no-choice", "not-object"])
def test_whole_body_that_is_not_a_completion_is_malformed(raw: bytes) -> None:
    assert observe_body(0.0, 1.0, raw)[1] == "malformed"
