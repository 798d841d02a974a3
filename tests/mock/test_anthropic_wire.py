"""The Anthropic face on the wire: exact event order, payload keys, error shape, faults, books."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.server import serve_in_thread
from chatconform.sse import Event, parse
from tests.conftest import RunningMock, parses_as_json

VERSION = {"anthropic-version": "2023-06-01"}
ASK = {"model": "claude-haiku-4-5", "max_tokens": 200, "messages": [{"role": "user", "content": "Count from 1 to 6"}]}
TOOLS = [
    {
        "name": "get_time",
        "input_schema": {"type": "object", "properties": {"tz": {"type": "string"}}, "required": ["tz"]},
    },
    {
        "name": "get_weather",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
]
TWO_CALLS = {
    **ASK,
    "tools": TOOLS,
    "messages": [{"role": "user", "content": "First get_time for tz: UTC, then get_weather for city: Paris"}],
}
USAGE_KEYS = {"input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"}
MESSAGE_KEYS = {"id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"} | {
    "stop_details",  # the last three: required by the Node SDK's types
    "container",
    "diagnostics",
}
SDK_USAGE_NULLS = {"output_tokens_details", "server_tool_use"}  # required by the Node SDK's types, null here


@pytest.fixture(scope="module")
def http(mock: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock.root, headers={"x-api-key": mock.key, **VERSION}, timeout=10) as client:
        yield client


def post(http: httpx.Client, body: dict[str, Any], fault: str | None = None, **headers: str) -> httpx.Response:
    extra = {"x-chatconform-fault": fault} if fault else {}
    return http.post("/v1/messages", json=body, headers={**extra, **headers})


def events(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    reader = parse(response.content)
    assert reader.problems == []
    return [(e.event, json.loads(e.data)) for e in reader.events]


def names(stream: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [name for name, _ in stream]


def test_text_stream_event_order_and_payloads(http: httpx.Client) -> None:
    whole = post(http, ASK).json()
    response = post(http, {**ASK, "stream": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.content.startswith(b"event: message_start\ndata: {")
    stream = events(response)
    deltas = len(stream) - 6
    assert names(stream) == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * deltas,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert deltas == 11  # "1", ",", " 2", ... " 6": one token per event
    assert all(data["type"] == name for name, data in stream)  # the event name is repeated in the data
    start = stream[0][1]["message"]
    assert set(start) == MESSAGE_KEYS
    assert (start["content"], start["stop_reason"], start["stop_sequence"]) == ([], None, None)
    assert start["usage"]["input_tokens"] == whole["usage"]["input_tokens"] and start["usage"]["output_tokens"] == 1
    text_start = {"type": "text", "text": "", "citations": None}
    assert stream[1][1] == {"type": "content_block_start", "index": 0, "content_block": text_start}
    assert stream[2][1] == {"type": "ping"}
    for _, data in stream[3 : 3 + deltas]:
        assert set(data) == {"type", "index", "delta"} and data["index"] == 0
        assert set(data["delta"]) == {"type", "text"} and data["delta"]["type"] == "text_delta"
    assert "".join(d["delta"]["text"] for _, d in stream[3 : 3 + deltas]) == whole["content"][0]["text"]
    assert stream[-3][1] == {"type": "content_block_stop", "index": 0}
    ending = stream[-2][1]
    assert ending["delta"] == {
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "stop_details": None,
        "container": None,
    }
    assert set(ending["usage"]) == USAGE_KEYS | SDK_USAGE_NULLS
    assert ending["usage"]["output_tokens"] == whole["usage"]["output_tokens"]  # cumulative, not a delta
    assert stream[-1][1] == {"type": "message_stop"}


def test_message_body_keys(http: httpx.Client) -> None:
    response = post(http, ASK)
    body = response.json()
    assert set(body) == MESSAGE_KEYS
    assert (body["type"], body["role"], body["model"]) == ("message", "assistant", "claude-haiku-4-5")
    assert body["content"] == [{"type": "text", "text": "1, 2, 3, 4, 5, 6", "citations": None}]
    assert (body["stop_details"], body["container"], body["diagnostics"]) == (None, None, None)
    extra = {"service_tier", "cache_creation", "inference_geo", "speed"}
    assert set(body["usage"]) == USAGE_KEYS | SDK_USAGE_NULLS | extra
    assert response.headers["request-id"].startswith("req_")


def test_tool_blocks_stream_in_order_with_fragments(http: httpx.Client) -> None:
    whole = post(http, TWO_CALLS).json()
    stream = events(post(http, {**TWO_CALLS, "stream": True}))
    blocks: list[dict[str, Any]] = []
    order: list[str] = []
    for name, data in stream:
        if name == "content_block_start":
            order.append(f"start {data['index']}")
            blocks.append({**data["content_block"], "json": ""})
        elif name == "content_block_delta":
            assert data["delta"]["type"] == "input_json_delta" and data["index"] == len(blocks) - 1
            blocks[-1]["json"] += data["delta"]["partial_json"]
            order.append(f"delta {data['index']}")
        elif name == "content_block_stop":
            order.append(f"stop {data['index']}")
    assert order[0] == "start 0" and order.index("stop 0") < order.index("start 1") and order[-1] == "stop 1"
    assert order.count("delta 0") >= 2 and order.count("delta 1") >= 2
    assert [b["input"] for b in blocks] == [{}, {}]  # content_block_start carries an empty input
    assert [(b["id"], b["name"], json.loads(b["json"])) for b in blocks] == [
        (c["id"], c["name"], c["input"]) for c in whole["content"]
    ]
    assert stream[-2][1]["delta"]["stop_reason"] == "tool_use" == whole["stop_reason"]


@pytest.mark.parametrize(
    ("headers", "status", "kind", "message"),
    [
        ({"anthropic-version": ""}, 400, "invalid_request_error", "anthropic-version: header is required"),
        ({"anthropic-version": "latest"}, 400, "invalid_request_error", "anthropic-version: invalid version"),
        ({"x-api-key": ""}, 401, "authentication_error", "x-api-key header is required"),
        ({"x-api-key": "th-wrong"}, 401, "authentication_error", "invalid x-api-key"),
    ],
    ids=["no-version", "bad-version", "no-key", "wrong-key"],
)
def test_header_errors_use_the_anthropic_shape(
    mock: RunningMock, headers: dict[str, str], status: int, kind: str, message: str
) -> None:
    sent = {k: v for k, v in {"x-api-key": mock.key, **VERSION, **headers}.items() if v}
    response = httpx.post(mock.root + "/v1/messages", json=ASK, headers=sent)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"type", "error", "request_id"} and body["type"] == "error"
    assert body["error"]["type"] == kind and body["error"]["message"].startswith(message)
    assert body["request_id"] == response.headers["request-id"]


def test_bearer_key_is_accepted_as_the_sdk_sends_it(mock: RunningMock) -> None:
    response = httpx.post(
        mock.root + "/v1/messages", json=ASK, headers={"authorization": f"Bearer {mock.key}", **VERSION}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "kind"),
    [
        ("GET", "/v1/messages", 405, "invalid_request_error"),
        ("POST", "/v1/messages/batches", 404, "not_found_error"),
    ],
    ids=["wrong-method", "unknown-subpath"],
)
def test_routing_errors_under_messages_use_the_anthropic_shape(
    http: httpx.Client, method: str, path: str, status: int, kind: str
) -> None:
    response = http.request(method, path, json=ASK)
    assert response.status_code == status
    assert response.json()["error"]["type"] == kind


def test_invalid_json_uses_the_anthropic_shape(http: httpx.Client) -> None:
    response = http.post("/v1/messages", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("fault", "status", "kind", "retry_after"),
    [
        ("status=429; retry_after=7", 429, "rate_limit_error", "7"),
        ("status=529", 529, "overloaded_error", "1"),
        ("status=500", 500, "api_error", None),
        ("status=503", 503, "api_error", None),
    ],
    ids=["429", "529", "500", "503"],
)
def test_injected_status(http: httpx.Client, fault: str, status: int, kind: str, retry_after: str | None) -> None:
    response = post(http, ASK, fault)
    assert response.status_code == status
    assert response.json()["error"]["type"] == kind
    assert response.headers.get("retry-after") == retry_after


def test_midstream_error_is_an_error_event_without_message_stop(http: httpx.Client) -> None:
    stream = events(post(http, {**ASK, "stream": True}, "midstream_error=2"))
    assert names(stream)[:5] == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_delta",
        "content_block_delta",
    ]
    assert stream[-1] == ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    assert "message_stop" not in names(stream) and "message_delta" not in names(stream)


def test_malformed_spoils_one_delta_and_keeps_the_framing(http: httpx.Client) -> None:
    raw: list[Event] = parse(post(http, {**ASK, "stream": True}, "malformed=2").content).events
    spoiled = [e for e in raw if not parses_as_json(e.data)]
    assert [e.event for e in spoiled] == ["content_block_delta"]
    assert raw[-1].event == "message_stop"


def test_disconnect_drops_the_stream(http: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        post(http, {**ASK, "stream": True}, "disconnect=2")


def test_refusal_stop_reason_on_the_wire(http: httpx.Client) -> None:
    ask = {**ASK, "messages": [{"role": "user", "content": "Please chatconform:refuse this."}]}
    assert post(http, ask).json()["stop_reason"] == "refusal"
    assert events(post(http, {**ask, "stream": True}))[-2][1]["delta"]["stop_reason"] == "refusal"


def test_both_faces_answer_and_count_one_conversation_alike(mock: RunningMock, http: httpx.Client) -> None:
    """What a faithful translation sends upstream costs what the client's request costs on the OpenAI face."""
    openai_body = {
        "model": "claude-haiku-4-5",
        "max_tokens": 200,
        "stop": [", 5"],
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Count from 1 to 9"}],
    }
    anthropic_body = {
        "model": "claude-haiku-4-5",
        "max_tokens": 200,
        "stop_sequences": [", 5"],
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Count from 1 to 9"}],
    }
    with mock.client() as openai_http:
        chat = openai_http.post("/v1/chat/completions", json=openai_body).json()
        refused = openai_http.post(
            "/v1/chat/completions",
            json={"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "chatconform:refuse"}]},
        ).json()
    message = post(http, anthropic_body).json()
    assert message["content"][0]["text"] == chat["choices"][0]["message"]["content"] == "1, 2, 3, 4"
    assert (message["stop_reason"], chat["choices"][0]["finish_reason"]) == ("stop_sequence", "stop")
    assert message["usage"]["input_tokens"] == chat["usage"]["prompt_tokens"]
    assert message["usage"]["output_tokens"] == chat["usage"]["completion_tokens"]
    assert refused["choices"][0]["finish_reason"] == "content_filter"


@pytest.fixture()
def fresh() -> Iterator[RunningMock]:
    with serve_in_thread(create_app(MockConfig(api_keys=("th-anthropic-books",)))) as root:
        yield RunningMock(root, "th-anthropic-books")


def big_png() -> str:
    buf = io.BytesIO()
    Image.effect_noise((64, 64), 100).convert("RGB").save(buf, "PNG")  # noise: no compression, a long blob
    return base64.b64encode(buf.getvalue()).decode()


def test_journal_and_ledger(fresh: RunningMock) -> None:
    headers = {"x-api-key": fresh.key, **VERSION}
    data = big_png()
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}
    ask = {**ASK, "messages": [{"role": "user", "content": [image, {"type": "text", "text": "What is it?"}]}]}
    with httpx.Client(base_url=fresh.root, headers=headers) as http:
        usage = http.post("/v1/messages", json=ask).json()["usage"]
        assert http.post("/v1/messages", json=ASK, headers={"x-chatconform-fault": "status=529"}).status_code == 529
        admin = {"authorization": f"Bearer {fresh.key}"}
        entries = http.get("/mock/journal", headers=admin).json()["data"]
        books = http.get("/mock/ledger", headers=admin).json()
    assert [(e["face"], e["path"], e["status"], e["outcome"]) for e in entries] == [
        ("anthropic", "/v1/messages", 200, "completed"),
        ("anthropic", "/v1/messages", 529, "fault:status=529"),
    ]
    assert entries[0]["headers"]["x-api-key"] == "***"
    kept = entries[0]["body"]["messages"][0]["content"][0]["source"]["data"]
    assert kept.startswith(data[:48]) and kept.endswith(f"...({len(data)} chars)") and len(kept) < 100
    assert entries[0]["usage"] == {
        "prompt_tokens": usage["input_tokens"],
        "completion_tokens": usage["output_tokens"],
        "total_tokens": usage["input_tokens"] + usage["output_tokens"],
    }
    assert books["totals"]["requests"] == 1  # the 529 is not charged
    assert books["by_model"]["claude-haiku-4-5"]["prompt_tokens"] == usage["input_tokens"]


def test_client_disconnect_is_journaled_as_cancelled(fresh: RunningMock) -> None:
    headers = {"x-api-key": fresh.key, **VERSION, "x-chatconform-fault": "stall_s=30"}
    with httpx.Client(base_url=fresh.root, headers=headers, timeout=10) as http:
        with http.stream("POST", "/v1/messages", json={**ASK, "stream": True}) as response:
            next(response.iter_bytes())
        admin = {"authorization": f"Bearer {fresh.key}"}
        deadline = time.monotonic() + 5
        outcome = "pending"
        while outcome == "pending" and time.monotonic() < deadline:
            time.sleep(0.05)
            outcome = http.get("/mock/journal", headers=admin).json()["data"][-1]["outcome"]
    assert outcome == "cancelled"


def test_oversized_body_is_request_too_large() -> None:
    with serve_in_thread(create_app(MockConfig(api_keys=("th-small",), max_body_bytes=2000))) as root:
        big = {**ASK, "messages": [{"role": "user", "content": "word " * 1000}]}
        response = httpx.post(root + "/v1/messages", json=big, headers={"x-api-key": "th-small", **VERSION})
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "request_too_large"
