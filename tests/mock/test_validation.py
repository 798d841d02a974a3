"""The mock refuses bad input with a 4xx OpenAI envelope naming the field, never a 5xx."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pytest
from PIL import Image

from chatconform import schemas

MODEL = "claude-haiku-4-5"
USER = [{"role": "user", "content": "hi"}]


def body(**fields: Any) -> dict[str, Any]:
    return {"model": MODEL, "messages": USER, **fields}


def png_uri(media_type: str = "image/png", fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(buf, fmt)
    return f"data:{media_type};base64," + base64.b64encode(buf.getvalue()).decode()


def image_message(url: str) -> list[dict[str, Any]]:
    return [
        {
            "role": "user",
            "content": [{"type": "text", "text": "what?"}, {"type": "image_url", "image_url": {"url": url}}],
        }
    ]


# (id, request body, expected status, expected param)
CASES: list[tuple[str, Any, int, str | None]] = [
    ("missing-model", {"messages": USER}, 400, "model"),
    ("missing-messages", {"model": MODEL}, 400, "messages"),
    ("empty-messages", body(messages=[]), 400, "messages"),
    ("model-not-string", body(model=5), 400, "model"),
    ("unknown-model", body(model="claude-nonexistent"), 404, "model"),
    ("bad-role", body(messages=[{"role": "robot", "content": "hi"}]), 400, "messages[0].role"),
    ("content-number", body(messages=[{"role": "user", "content": 5}]), 400, "messages[0].content"),
    ("max-tokens-zero", body(max_tokens=0), 400, "max_tokens"),
    ("max-tokens-string", body(max_tokens="ten"), 400, "max_tokens"),
    ("max-tokens-huge", body(max_tokens=10**9), 400, "max_tokens"),
    ("temperature-negative", body(temperature=-0.1), 400, "temperature"),
    ("temperature-above-profile-max", body(temperature=1.5), 400, "temperature"),
    ("top-p-above-one", body(top_p=1.5), 400, "top_p"),
    ("temperature-and-top-p", body(temperature=0.5, top_p=0.5), 400, "top_p"),
    ("five-stops", body(stop=["a", "b", "c", "d", "e"]), 400, "stop"),
    ("stop-number", body(stop=5), 400, "stop"),
    ("n-two", body(n=2), 400, "n"),
    ("stream-not-bool", body(stream="yes"), 400, "stream"),
    ("stream-options-without-stream", body(stream_options={"include_usage": True}), 400, "stream_options"),
    ("tool-choice-without-tools", body(tool_choice="required"), 400, "tool_choice"),
    (
        "tool-choice-unknown-tool",
        body(
            tools=[{"type": "function", "function": {"name": "a"}}],
            tool_choice={"type": "function", "function": {"name": "b"}},
        ),
        400,
        "tool_choice",
    ),
    (
        "tool-bad-name",
        body(tools=[{"type": "function", "function": {"name": "has space"}}]),
        400,
        "tools[0].function.name",
    ),
    ("response-format-unknown", body(response_format={"type": "yaml"}), 400, "response_format.type"),
    (
        "tool-result-without-call",
        body(messages=[*USER, {"role": "tool", "tool_call_id": "x", "content": "1"}]),
        400,
        "messages[1].tool_call_id",
    ),
    (
        "image-bad-base64",
        body(messages=image_message("data:image/png;base64,@@@")),
        400,
        "messages[0].content[1].image_url.url",
    ),
    (
        "image-mislabelled",
        body(messages=image_message(png_uri("image/jpeg"))),
        400,
        "messages[0].content[1].image_url.url",
    ),
    (
        "image-unsupported-type",
        body(messages=image_message(png_uri("image/bmp", "BMP"))),
        400,
        "messages[0].content[1].image_url.url",
    ),
    (
        "image-http-url",
        body(messages=image_message("http://example.com/a.png")),
        400,
        "messages[0].content[1].image_url.url",
    ),
]


@pytest.mark.parametrize(("payload", "status", "param"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_request_is_a_4xx_envelope_naming_the_field(
    http: httpx.Client, payload: Any, status: int, param: str | None
) -> None:
    response = http.post("/v1/chat/completions", json=payload)
    assert response.status_code == status, response.text
    envelope = response.json()
    assert schemas.explain("error", envelope) is None
    assert envelope["error"]["param"] == param


RAW_BODIES = {
    "not-json": b"hello",
    "json-array": b"[1, 2]",
    "json-string": b'"chat"',
    "truncated-json": b'{"model": "claude-haiku-4-5", "messages": [',
    "nan-constant": b'{"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "x"}], "top_p": NaN}',
    "invalid-utf8": b'{"model": "\xff\xfe"}',
    "empty": b"",
    "deep-nesting": b"[" * 5000 + b"]" * 5000,
    "deep-but-parsable": b'{"model": "claude-haiku-4-5", "messages": [], "metadata": '
    + b'{"a": ' * 200
    + b"1"
    + b"}" * 201,
}


@pytest.mark.parametrize("raw", RAW_BODIES.values(), ids=list(RAW_BODIES))
def test_unparsable_body_is_a_400_never_a_5xx(http: httpx.Client, raw: bytes) -> None:
    response = http.post("/v1/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert schemas.explain("error", response.json()) is None
    assert response.json()["error"]["code"] in ("invalid_json", "invalid_request_body", "invalid_type")


def test_oversized_body_is_a_413(mock: Any) -> None:
    from chatconform.mock.app import create_app
    from chatconform.mock.config import MockConfig
    from chatconform.server import serve_in_thread

    with serve_in_thread(create_app(MockConfig(api_keys=(mock.key,), max_body_bytes=1000))) as root:
        big = body(messages=[{"role": "user", "content": "x" * 2000}])
        response = httpx.post(root + "/v1/chat/completions", json=big, headers={"authorization": f"Bearer {mock.key}"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v1/chat/completions", 405), ("POST", "/v1/nothing", 404), ("DELETE", "/v1/models", 405)],
    ids=["get-chat", "unknown-path", "delete-models"],
)
def test_wrong_route_is_an_envelope(http: httpx.Client, method: str, path: str, status: int) -> None:
    response = http.request(method, path)
    assert response.status_code == status
    assert schemas.explain("error", response.json()) is None


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer th-wrong"}, {"authorization": "Basic abc"}, {"authorization": "Bearer"}],
    ids=["missing", "wrong", "basic-scheme", "empty-bearer"],
)
def test_auth_failures_are_401_without_the_key(mock: Any, headers: dict[str, str]) -> None:
    response = httpx.post(mock.root + "/v1/chat/completions", json=body(), headers=headers)
    assert response.status_code == 401
    assert schemas.explain("error", response.json()) is None
    assert "th-wrong" not in response.text


@pytest.mark.parametrize("path", ["/mock/ledger", "/mock/journal"])
def test_admin_routes_need_the_key(mock: Any, path: str) -> None:
    assert httpx.get(mock.root + path).status_code == 401
    assert httpx.get(mock.root + path, headers={"authorization": f"Bearer {mock.key}"}).status_code == 200
