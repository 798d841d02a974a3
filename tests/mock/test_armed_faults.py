"""Faults armed through `/mock/faults`, paced streams, and the journal's `contains` filter and `reply`."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx
import pytest

from chatconform.mock.faults import ArmedFaults, parse_header
from chatconform.sse import parse
from tests.conftest import RunningMock

ANTHROPIC_HEADERS = {"anthropic-version": "2023-06-01"}


def marker() -> str:
    return "cc-" + secrets.token_hex(6)


def ask(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": text}], **extra}


def message(text: str, **extra: Any) -> dict[str, Any]:
    return {**ask(text), "max_tokens": 200, **extra}


def arm(http: httpx.Client, fault: str, **extra: Any) -> httpx.Response:
    return http.post("/mock/faults", json={"fault": fault, **extra})


@pytest.fixture(autouse=True)
def _disarm(http: httpx.Client) -> Any:
    yield
    http.delete("/mock/faults")


def test_an_armed_fault_hits_only_requests_carrying_its_marker(http: httpx.Client) -> None:
    nonce = marker()
    assert arm(http, "status=429; retry_after=7", count=2, match=nonce).status_code == 200
    assert http.post("/v1/chat/completions", json=ask("Reply with exactly: ok")).status_code == 200
    for _ in range(2):
        hit = http.post("/v1/chat/completions", json=ask(f"{nonce}\nReply with exactly: ok"))
        assert hit.status_code == 429 and hit.headers["retry-after"] == "7"
    assert http.post("/v1/chat/completions", json=ask(f"{nonce}\nReply with exactly: ok")).status_code == 200


def test_an_armed_fault_reaches_the_anthropic_face(http: httpx.Client) -> None:
    nonce = marker()
    arm(http, "status=529", match=nonce)
    response = http.post("/v1/messages", json=message(f"{nonce} hello"), headers=ANTHROPIC_HEADERS)
    assert response.status_code == 529
    assert response.json()["error"]["type"] == "overloaded_error"
    entry = http.get("/mock/journal", params={"contains": nonce}).json()["data"][-1]
    assert entry["outcome"] == "fault:status=529"


def test_a_header_fault_wins_over_an_armed_one(http: httpx.Client) -> None:
    nonce = marker()
    arm(http, "status=500", match=nonce)
    response = http.post("/v1/chat/completions", json=ask(nonce), headers={"x-chatconform-fault": "status=503"})
    assert response.status_code == 503
    assert http.get("/mock/faults").json()["data"] == [{"fault": "status=500", "remaining": 1, "match": nonce}]


def test_delete_disarms_one_marker_or_all(http: httpx.Client) -> None:
    first, second = marker(), marker()
    arm(http, "status=500", match=first)
    arm(http, "status=500", match=second, count=3)
    assert http.delete("/mock/faults", params={"match": first}).json() == {"removed": 1}
    assert [a["match"] for a in http.get("/mock/faults").json()["data"]] == [second]
    assert http.delete("/mock/faults").json() == {"removed": 1}
    assert http.post("/v1/chat/completions", json=ask(second)).status_code == 200


def test_reset_disarms(http: httpx.Client) -> None:
    arm(http, "status=500")
    http.post("/mock/reset")
    assert http.get("/mock/faults").json()["data"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"fault": "bogus=1"},
        {"fault": ""},
        {"fault": "status=500", "count": 0},
        {"fault": "status=500", "count": "2"},
        {"fault": "status=500", "match": 5},
        {"fault": "status=500", "match": " "},
        {"count": 1},
        ["status=500"],
    ],
    ids=["unknown-key", "empty", "count-zero", "count-string", "match-number", "match-blank", "no-fault", "list"],
)
def test_bad_armed_faults_are_a_400(http: httpx.Client, body: Any) -> None:
    response = http.post("/mock/faults", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_fault"
    assert http.get("/mock/faults").json()["data"] == []


def test_the_faults_route_takes_the_mocks_key(mock: RunningMock) -> None:
    response = httpx.post(mock.root + "/mock/faults", json={"fault": "status=500"}, timeout=10)
    assert response.status_code == 401


def test_armed_faults_count_down_and_are_capped() -> None:
    armed = ArmedFaults()
    armed.arm("status=500", count=2, match="x")
    assert armed.take(b"no marker", "key-a") is None
    assert armed.take(b"has x", "key-a") == parse_header("status=500")
    assert armed.take(b"has x", "key-a") is not None
    assert armed.take(b"has x", "key-a") is None and not armed
    for n in range(1005):
        armed.arm("status=500", match=f"m{n}")
    listing = armed.listing()
    assert len(listing) == 1000 and listing[0]["match"] == "m5"


def test_pace_ms_spreads_a_stream_out(http: httpx.Client) -> None:
    start = time.perf_counter()
    response = http.post(
        "/v1/chat/completions",
        json=ask("Count from 1 to 5", stream=True),
        headers={"x-chatconform-fault": "pace_ms=40"},
    )
    elapsed = time.perf_counter() - start
    chunks = [e for e in parse(response.content).events if e.data != "[DONE]"]
    # every content chunk waits 40 ms more than the one before; a wide bound for a loaded machine
    assert len(chunks) >= 9 and elapsed >= 0.04 * 9 * 0.9
    assert parse_header("pace_ms=99999").pace_ms == 10_000


def test_a_client_leaving_a_paced_stream_is_journalled_as_cancelled(mock: RunningMock, http: httpx.Client) -> None:
    nonce = marker()
    arm(http, "pace_ms=200", match=nonce)
    with (
        httpx.Client(base_url=mock.root, headers={"authorization": f"Bearer {mock.key}"}, timeout=10) as client,
        client.stream(
            "POST", "/v1/messages", json=message(f"{nonce}\nCount from 1 to 40", stream=True), headers=ANTHROPIC_HEADERS
        ) as response,
    ):
        next(response.iter_bytes())
    deadline = time.monotonic() + 5
    outcome = ""
    while time.monotonic() < deadline and outcome != "cancelled":
        outcome = http.get("/mock/journal", params={"contains": nonce}).json()["data"][-1]["outcome"]
        time.sleep(0.05)
    assert outcome == "cancelled"


def test_journal_contains_filters_by_body_text(http: httpx.Client) -> None:
    nonce = marker()
    http.post("/v1/chat/completions", json=ask("Reply with exactly: other"))
    http.post("/v1/chat/completions", json=ask(f"{nonce} Reply with exactly: mine"))
    entries = http.get("/mock/journal", params={"contains": nonce}).json()["data"]
    assert len(entries) == 1 and nonce in json.dumps(entries[0]["body"])


def test_the_anthropic_journal_entry_holds_the_reply(http: httpx.Client) -> None:
    nonce = marker()
    tool = {
        "name": "get_weather",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
    prompt = f"{nonce}\nBefore calling get_weather, say: Let me check.\nUse get_weather for 'Paris' and 'Tokyo'."
    response = http.post("/v1/messages", json=message(prompt, tools=[tool]), headers=ANTHROPIC_HEADERS)
    body = response.json()
    assert [b["type"] for b in body["content"]] == ["text", "tool_use", "tool_use"]
    assert body["content"][0]["text"] == "Let me check."
    reply = http.get("/mock/journal", params={"contains": nonce}).json()["data"][-1]["reply"]
    assert reply["stop_reason"] == "tool_use" and reply["text"] == "Let me check."
    assert reply["content"] == [{"type": "text"}] + [
        {"type": "tool_use", "id": b["id"], "name": "get_weather"} for b in body["content"][1:]
    ]
    assert reply["usage"]["input_tokens"] == body["usage"]["input_tokens"]
    assert reply["usage"]["output_tokens"] == body["usage"]["output_tokens"]


def test_a_preamble_before_tool_calls_on_the_openai_face(http: httpx.Client) -> None:
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
    body = ask("Before using get_weather, say: One moment.\nWhat's the weather in 'Paris'?", tools=[weather])
    choice = http.post("/v1/chat/completions", json=body).json()["choices"][0]
    assert choice["message"]["content"] == "One moment."
    assert [c["function"]["name"] for c in choice["message"]["tool_calls"]] == ["get_weather"]
    assert choice["finish_reason"] == "tool_calls"
