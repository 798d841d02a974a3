"""The SSE reader's fast path for LF-only streams reads exactly what the general path reads.

The load generator relies on the fast path (tens of thousands of events a
second); the general path is the one tests/test_sse.py pins to the spec. A
stream that has a CR anywhere takes the general path, so the same stream
with CRLF line ends is the reference.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from chatconform.sse import SSEReader

LINES = st.sampled_from(
    [
        'data: {"a": 1}',
        'data:{"b": 2}',
        "data",
        "data: ",
        "data:  two spaces",
        "event: ping",
        "id: 7",
        "retry: 100",
        ": comment",
        "",
        "",
        "foo: bar",
        "data: [DONE]",
        "data: caf\u00e9",
    ]
)


def read(raw: bytes, cuts: list[int]) -> SSEReader:
    reader = SSEReader()
    edges = [0, *sorted({c for c in cuts if 0 < c < len(raw)}), len(raw)]
    for n, (start, end) in enumerate(itertools.pairwise(edges)):
        reader.feed(raw[start:end], float(n))
    reader.close(float(len(edges)))
    return reader


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(LINES, max_size=30), cuts=st.lists(st.integers(0, 400), max_size=8))
def test_lf_fast_path_matches_the_general_path(lines: list[str], cuts: list[int]) -> None:
    text = "\n".join(lines) + "\n"
    fast = read(text.encode(), [])
    general = read(text.replace("\n", "\r\n").encode(), [])
    split = read(text.encode(), cuts)
    assert [(e.data, e.event, e.id, e.retry) for e in fast.events] == [
        (e.data, e.event, e.id, e.retry) for e in general.events
    ]
    assert [(e.data, e.event, e.id) for e in split.events] == [(e.data, e.event, e.id) for e in fast.events]
    assert fast.problems == general.problems and fast.comments == general.comments
