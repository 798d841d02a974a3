"""The SSE reader accepts everything the spec allows and records what it cannot parse."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatconform.sse import SSEReader, parse

STREAM = b'data: {"a": 1}\n\ndata: {"b": 2}\n\ndata: [DONE]\n\n'
EXPECTED = ['{"a": 1}', '{"b": 2}', "[DONE]"]

BENIGN = {
    "lf": STREAM,
    "crlf": STREAM.replace(b"\n", b"\r\n"),
    "cr": STREAM.replace(b"\n", b"\r"),
    "no-space": STREAM.replace(b"data: ", b"data:"),
    "comments": b": keep-alive\n\n" + STREAM.replace(b"\n\n", b"\n: ping\n\n"),
    "bom": b"\xef\xbb\xbf" + STREAM,
    "event-and-id-fields": STREAM.replace(b"data: ", b"id: 7\nretry: 100\ndata: "),
    "unknown-field": STREAM.replace(b"data: ", b"foo: bar\ndata: "),
    "blank-lines-between": STREAM.replace(b"\n\n", b"\n\n\n\n"),
}


@pytest.mark.parametrize("raw", BENIGN.values(), ids=list(BENIGN))
def test_benign_variations_read_the_same(raw: bytes) -> None:
    reader = parse(raw)
    assert [e.data for e in reader.events] == EXPECTED
    assert reader.problems == []


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(STREAM.replace(b"\n", b"\r\n"))), max_size=12))
def test_split_anywhere_reads_the_same(cuts: list[int]) -> None:
    raw = STREAM.replace(b"\n", b"\r\n")  # CRLF split across reads is the hard case
    reader = SSEReader()
    edges = [0, *sorted(set(cuts)), len(raw)]
    for start, end in itertools.pairwise(edges):
        reader.feed(raw[start:end])
    reader.close()
    assert [e.data for e in reader.events] == EXPECTED
    assert reader.problems == []


def test_multibyte_utf8_split_across_reads() -> None:
    raw = "data: héllo ☃\n\n".encode()
    reader = SSEReader()
    for i in range(len(raw)):
        reader.feed(raw[i : i + 1])
    assert [e.data for e in reader.events] == ["héllo ☃"]
    assert reader.problems == []


def test_multiline_data_joins_with_newline() -> None:
    assert [e.data for e in parse(b"data: a\ndata: b\n\n").events] == ["a\nb"]


def test_named_events_keep_their_type() -> None:
    events = parse(b"event: message_start\ndata: {}\n\nevent: ping\ndata: {}\n\n").events
    assert [e.event for e in events] == ["message_start", "ping"]


def test_arrival_time_is_that_of_the_completing_read() -> None:
    reader = SSEReader()
    reader.feed(b"data: a", t=1.0)
    reader.feed(b"\n\ndata: b\n", t=2.0)
    reader.feed(b"\n", t=3.0)
    assert [(e.data, e.t) for e in reader.events] == [("a", 2.0), ("b", 3.0)]


def test_unterminated_last_event_is_a_problem() -> None:
    reader = parse(b"data: a\n\ndata: cut")
    assert [e.data for e in reader.events] == ["a"]
    assert reader.problems and "ended inside an event" in reader.problems[0]


def test_invalid_utf8_is_a_problem() -> None:
    assert parse(b"data: \xff\n\n").problems == ["stream is not valid UTF-8"]


def test_comment_count() -> None:
    assert parse(b": a\n: b\ndata: x\n\n").comments == 2
