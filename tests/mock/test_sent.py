"""The journal's `sent` field: when the mock handed each part of an answer to the server (issue 11).

Times are CLOCK_MONOTONIC seconds, the clock this test process reads with `time.monotonic()`: each
one must fall inside the window in which the client sent and read the request, in order, and the
content events counted must be the content chunks (OpenAI) or `content_block_delta` events
(Anthropic) the client received.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chatconform.mock.config import MockConfig
from chatconform.mock.latency import LatencySettings
from chatconform.mock.sent import KEEP
from chatconform.sse import parse
from tests.conftest import RunningMock
from tests.mock.running import ANTHROPIC_HEADERS, CHAT, MESSAGES, ask, message, running

KEY = "th-sent-0123456789"
SENT_KEYS = {"clock", "received", "head", "end", "content_events", "first", "last"}
TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {"type": "object", "properties": {"term": {"type": "string"}}, "required": ["term"]},
    },
}


@pytest.fixture(scope="module", params=["instant", "paced"])
def mock(request: pytest.FixtureRequest) -> Iterator[RunningMock]:
    """At zero latency (the burst path) and paced (one frame at a time, 2 ms apart)."""
    latency = LatencySettings(ttft_ms=5, itl_ms=2) if request.param == "paced" else LatencySettings()
    with running(MockConfig(api_keys=(KEY,), latency=latency)) as running_mock:
        yield running_mock


def _entry(mock: RunningMock, marker: str) -> dict[str, Any]:
    with mock.client() as http:
        for _ in range(100):  # the entry is settled once the last byte has gone out: a bounded wait
            entries = http.get("/mock/journal", params={"contains": marker}).json()["data"]
            if entries and entries[-1]["outcome"] != "pending":
                return dict(entries[-1])
            time.sleep(0.02)
    raise AssertionError(f"no settled journal entry holds {marker!r}")


def _exchange(
    mock: RunningMock, path: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[float, float, bytes]:
    with mock.client() as http:
        before = time.monotonic()
        response = http.post(path, json=body, headers=headers)
        after = time.monotonic()
    return before, after, response.content


def _check_order(sent: dict[str, Any], before: float, after: float, events: int) -> None:
    assert set(sent) == SENT_KEYS and sent["clock"] == "CLOCK_MONOTONIC"
    assert sent["content_events"] == events
    assert len(sent["first"]) == min(events, KEEP) and len(sent["last"]) == min(events, KEEP)
    stamps = [sent["received"], sent["head"], *sent["first"]]
    if events > KEEP:
        stamps += sent["last"]  # every kept time after the first KEEP comes later still
    stamps.append(sent["end"])
    assert before <= stamps[0] and stamps[-1] <= after
    assert stamps == sorted(stamps)
    if events <= KEEP:
        assert sent["first"] == sent["last"]  # few events: both lists hold them all


def _openai_content_chunks(raw: bytes) -> int:
    chunks = [json.loads(e.data) for e in parse(raw).events if e.data != "[DONE]"]
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    return sum(1 for d in deltas if d.get("content") or d.get("tool_calls"))


@pytest.mark.parametrize("words", [3, 40])
def test_openai_stream_times_each_content_chunk(mock: RunningMock, words: int) -> None:
    marker = f"sent-openai-{words}-{mock.root[-5:]}"
    body = ask(f"{marker} Reply with exactly: " + " ".join(["word"] * words), stream=True)
    before, after, raw = _exchange(mock, CHAT, body, {})
    events = _openai_content_chunks(raw)
    assert events >= words  # the long answer keeps the first and the last KEEP times only
    _check_order(_entry(mock, marker)["sent"], before, after, events)


def test_openai_tool_call_deltas_are_content(mock: RunningMock) -> None:
    marker = f"sent-tools-{mock.root[-5:]}"
    body = ask(f"{marker} Use lookup for 'alpha'.", stream=True, tools=[TOOL], tool_choice="required")
    before, after, raw = _exchange(mock, CHAT, body, {})
    events = _openai_content_chunks(raw)
    assert events >= 2  # the call's opening delta and its argument fragments
    _check_order(_entry(mock, marker)["sent"], before, after, events)


def test_anthropic_stream_times_each_block_delta(mock: RunningMock) -> None:
    marker = f"sent-anthropic-{mock.root[-5:]}"
    body = message(f"{marker} Reply with exactly: " + " ".join(["word"] * 20), stream=True)
    headers = {"x-api-key": mock.key, **ANTHROPIC_HEADERS}
    before, after, raw = _exchange(mock, MESSAGES, body, headers)
    events = sum(1 for e in parse(raw).events if e.event == "content_block_delta")
    assert events >= 20
    _check_order(_entry(mock, marker)["sent"], before, after, events)


@pytest.mark.parametrize(("path", "build", "headers"), [(CHAT, ask, {}), (MESSAGES, message, ANTHROPIC_HEADERS)])
def test_whole_answer_has_head_and_end_only(mock: RunningMock, path: str, build: Any, headers: dict[str, str]) -> None:
    marker = f"sent-whole-{path[-4:]}-{mock.root[-5:]}"
    headers = {"x-api-key": mock.key, **headers} if headers else {}
    before, after, _ = _exchange(mock, path, build(f"{marker} Reply with exactly: ok"), headers)
    sent = _entry(mock, marker)["sent"]
    assert set(sent) == SENT_KEYS and (sent["content_events"], sent["first"], sent["last"]) == (0, [], [])
    assert before <= sent["received"] <= sent["head"] <= sent["end"] <= after


def test_refusal_is_timed_too(mock: RunningMock) -> None:
    marker = f"sent-refused-{mock.root[-5:]}"
    with mock.client() as http:
        before = time.monotonic()
        response = http.post(CHAT, json=ask(marker, temperature=5))
        after = time.monotonic()
    assert response.status_code == 400
    sent = _entry(mock, marker)["sent"]
    assert sent["content_events"] == 0
    assert before <= sent["received"] <= sent["head"] <= sent["end"] <= after


def test_abandoned_stream_has_no_end() -> None:
    """A client that leaves mid-stream: the content sent so far is timed, the end never came."""
    with running(MockConfig(api_keys=(KEY,), latency=LatencySettings(ttft_ms=5, itl_ms=300))) as slow:
        marker = "sent-abandoned"
        body = ask(f"{marker} Reply with exactly: " + " ".join(["word"] * 20), stream=True)
        with slow.client() as http, http.stream("POST", CHAT, json=body) as response:
            for line in response.iter_lines():
                if '"content": "' in line and '"content": ""' not in line:
                    break  # the first content chunk: leave
        entry = _entry(slow, marker)
    assert entry["outcome"] == "cancelled"
    sent = entry["sent"]
    assert sent["end"] is None and 1 <= sent["content_events"] < 20
