"""The mock's SSE framing, byte for byte where OpenAI is strict."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from chatconform import schemas
from chatconform.sse import parse

COUNT = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Count from 1 to 8"}]}


def stream(http: httpx.Client, **extra: Any) -> tuple[httpx.Response, list[str]]:
    response = http.post("/v1/chat/completions", json={**COUNT, "stream": True, **extra})
    reader = parse(response.content)
    assert reader.problems == []
    return response, [e.data for e in reader.events]


def test_headers_and_done(http: httpx.Client) -> None:
    response, data = stream(http)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert data[-1] == "[DONE]" and data.count("[DONE]") == 1
    assert response.content.endswith(b"data: [DONE]\n\n")


def test_every_chunk_is_valid_and_constant(http: httpx.Client) -> None:
    _, data = stream(http)
    chunks = [json.loads(d) for d in data[:-1]]
    for chunk in chunks:
        assert schemas.explain("chat.completion.chunk", chunk) is None
    assert len({(c["id"], c["created"], c["model"], c["object"]) for c in chunks}) == 1
    roles = [c["choices"][0]["delta"].get("role") for c in chunks]
    assert roles[0] == "assistant" and roles.count("assistant") == 1
    finishes = [c["choices"][0]["finish_reason"] for c in chunks]
    assert finishes[-1] == "stop" and finishes[:-1] == [None] * (len(chunks) - 1)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "1, 2, 3, 4, 5, 6, 7, 8"


def test_usage_chunk_only_when_asked(http: httpx.Client) -> None:
    _, plain = stream(http)
    assert all("usage" not in json.loads(d) for d in plain[:-1])
    _, asked = stream(http, stream_options={"include_usage": True})
    chunks = [json.loads(d) for d in asked[:-1]]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert all(c["usage"] is None for c in chunks[:-1])


def test_stream_usage_equals_non_stream_usage(http: httpx.Client) -> None:
    whole = http.post("/v1/chat/completions", json=COUNT).json()
    _, data = stream(http, stream_options={"include_usage": True})
    assert json.loads(data[-2])["usage"] == whole["usage"]


@pytest.mark.parametrize(
    ("extra", "text", "finish"),
    [
        ({"stop": ", 4"}, "1, 2, 3", "stop"),
        ({"stop": ["7", ", 3", "zzz"]}, "1, 2", "stop"),
        ({"max_tokens": 3}, "1, 2", "length"),
        ({"max_completion_tokens": 5}, "1, 2, 3", "length"),
    ],
    ids=["stop-string", "stop-earliest-of-three", "max-tokens", "max-completion-tokens"],
)
@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "stream"])
def test_stop_and_length(http: httpx.Client, extra: dict[str, Any], text: str, finish: str, streamed: bool) -> None:
    if streamed:
        _, data = stream(http, stream_options={"include_usage": True}, **extra)
        chunks = [json.loads(d) for d in data[:-1]]
        got = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
        got_finish = next(
            c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]
        )
        usage = chunks[-1]["usage"]
    else:
        body = http.post("/v1/chat/completions", json={**COUNT, **extra}).json()
        got, got_finish, usage = (
            body["choices"][0]["message"]["content"],
            body["choices"][0]["finish_reason"],
            body["usage"],
        )
    assert (got, got_finish) == (text, finish)
    if finish == "length":
        assert usage["completion_tokens"] == extra.get("max_tokens", extra.get("max_completion_tokens"))


def test_tool_call_deltas(http: httpx.Client) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"term": {"type": "string"}}, "required": ["term"]},
        },
    }
    ask = {
        "model": "claude-haiku-4-5",
        "stream": True,
        "tools": [tool],
        "messages": [{"role": "user", "content": "Use lookup for 'alpha' and 'beta'."}],
    }
    data = [e.data for e in parse(http.post("/v1/chat/completions", json=ask).content).events]
    deltas = [d for c in data[:-1] for d in json.loads(c)["choices"][0]["delta"].get("tool_calls") or []]
    assert all("index" in d for d in deltas)
    firsts = [d for d in deltas if "id" in d]
    assert [d["index"] for d in firsts] == [0, 1]
    assert all(d["type"] == "function" and d["function"]["name"] == "lookup" for d in firsts)
    assert all("name" not in d.get("function", {}) for d in deltas if "id" not in d)
    assert json.loads(data[-2])["choices"][0]["finish_reason"] == "tool_calls"
