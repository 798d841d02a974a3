"""The Anthropic face refuses bad requests as the Messages API does: status, error type, and the
field named first in the message (`<dotted.path>: <reason>`)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.conftest import RunningMock

MODEL = "claude-haiku-4-5"
USER = [{"role": "user", "content": "hi"}]
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
CALL = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "22 C"}


def body(**fields: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 50, "messages": USER, **fields}


def png(fmt: str = "PNG") -> str:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 255)).save(buf, fmt)
    return base64.b64encode(buf.getvalue()).decode()


def image(source: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"type": "image", "source": source}, {"type": "text", "text": "what?"}]}]


def turns(*contents: Any) -> list[dict[str, Any]]:
    """Alternating user/assistant messages with these contents, starting with the user."""
    return [{"role": ("user", "assistant")[i % 2], "content": c} for i, c in enumerate(contents)]


# (id, request body, expected status, start of the error message)
CASES: list[tuple[str, Any, int, str]] = [
    ("body-not-object", [1, 2], 400, "body:"),
    ("missing-max-tokens", {"model": MODEL, "messages": USER}, 400, "max_tokens: Field required"),
    ("missing-model", {"max_tokens": 5, "messages": USER}, 400, "model: Field required"),
    ("missing-messages", {"model": MODEL, "max_tokens": 5}, 400, "messages: Field required"),
    ("openai-only-field", body(n=1), 400, "n: Extra inputs are not permitted"),
    ("stream-options", body(stream_options={"include_usage": True}), 400, "stream_options: Extra inputs"),
    ("unknown-model", body(model="claude-nonexistent"), 404, "model: claude-nonexistent"),
    ("alias-model", body(model="anthropic/claude-haiku-4-5"), 404, "model: anthropic/claude-haiku-4-5"),
    ("max-tokens-string", body(max_tokens="10"), 400, "max_tokens: Input should be a valid integer"),
    ("max-tokens-bool", body(max_tokens=True), 400, "max_tokens: Input should be a valid integer"),
    ("max-tokens-above-model-limit", body(max_tokens=200000), 400, "max_tokens: 200000 > 128000"),
    ("temperature-above-one", body(temperature=1.5), 400, "temperature: Input should be less than or equal to 1"),
    ("top-p-negative", body(top_p=-0.1), 400, "top_p: Input should be greater than or equal to 0"),
    ("top-k-negative", body(top_k=-1), 400, "top_k: Input should be greater than or equal to 0"),
    ("temperature-and-top-p", body(temperature=0.5, top_p=0.9), 400, "`temperature` and `top_p` cannot both"),
    ("stream-not-bool", body(stream="yes"), 400, "stream: Input should be a valid boolean"),
    ("stop-sequences-string", body(stop_sequences="END"), 400, "stop_sequences: Input should be a valid list"),
    ("stop-sequence-blank", body(stop_sequences=[" "]), 400, "stop_sequences: each stop sequence must contain"),
    ("empty-messages", body(messages=[]), 400, "messages: at least one message is required"),
    (
        "system-role",
        body(messages=[{"role": "system", "content": "x"}, *USER]),
        400,
        'messages.0.role: Unexpected role "system"',
    ),
    ("tool-role", body(messages=[*USER, {"role": "tool", "content": "x"}]), 400, "messages.1.role: Input should be"),
    (
        "empty-user-content",
        body(messages=[{"role": "user", "content": ""}]),
        400,
        "messages.0: all messages must have non-empty content",
    ),
    (
        "empty-text-block",
        body(messages=[{"role": "user", "content": [{"type": "text", "text": ""}]}]),
        400,
        "messages: text content blocks must be non-empty",
    ),
    ("system-number", body(system=5), 400, "system: Input should be a valid string"),
    ("system-image-block", body(system=[{"type": "image"}]), 400, "system.0: Input should be a text block"),
    (
        "openai-image-part",
        body(
            messages=[
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}
            ]
        ),
        400,
        "messages.0.content.0.type: block type 'image_url'",
    ),
    (
        "image-bmp-media-type",
        body(messages=image({"type": "base64", "media_type": "image/bmp", "data": png("BMP")})),
        400,
        "messages.0.content.0.image.source.base64.media_type: Input should be",
    ),
    (
        "image-type-mismatch",
        body(messages=image({"type": "base64", "media_type": "image/jpeg", "data": png()})),
        400,
        "messages.0.content.0.image.source.base64.data: Image media type image/jpeg does not match",
    ),
    (
        "image-bad-base64",
        body(messages=image({"type": "base64", "media_type": "image/png", "data": "@@@"})),
        400,
        "messages.0.content.0.image.source.base64.data: Image data is not valid base64",
    ),
    (
        "image-http-url",
        body(messages=image({"type": "url", "url": "http://example.com/a.png"})),
        400,
        "messages.0.content.0.image.source.url: Image URLs must be https",
    ),
    (
        "image-file-source",
        body(messages=image({"type": "file", "file_id": "file_1"})),
        400,
        "messages.0.content.0.image.source: Input tag does not match",
    ),
    (
        "tool-use-without-result",
        body(tools=[TOOL], messages=turns("hi", [CALL], "what now?")),
        400,
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1",
    ),
    ("tool-use-last", body(tools=[TOOL], messages=turns("hi", [CALL])), 400, "messages.1: `tool_use` ids were found"),
    (
        "result-after-text",
        body(tools=[TOOL], messages=turns("hi", [CALL], [{"type": "text", "text": "ok"}, RESULT])),
        400,
        "messages.1: `tool_use` ids were found without `tool_result` blocks",
    ),
    (
        "result-without-call",
        body(tools=[TOOL], messages=turns([{**RESULT, "tool_use_id": "toolu_9"}])),
        400,
        "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_9",
    ),
    (
        "tool-use-bad-id",
        body(tools=[TOOL], messages=turns("hi", [{**CALL, "id": "has space"}], [RESULT])),
        400,
        "messages.1.content.0.tool_use.id: String should match pattern",
    ),
    (
        "tool-use-input-string",
        body(messages=turns("hi", [{**CALL, "input": "{}"}], [RESULT])),
        400,
        "messages.1.content.0.tool_use.input: Input should be a valid dictionary",
    ),
    (
        "tool-openai-shape",
        body(tools=[{"type": "function", "function": {"name": "x"}}]),
        400,
        "tools.0.type: server tool 'function'",
    ),
    ("tool-bad-name", body(tools=[{**TOOL, "name": "has space"}]), 400, "tools.0.custom.name: String should match"),
    ("tool-no-schema", body(tools=[{"name": "x"}]), 400, "tools.0.custom.input_schema.type: Input should be 'object'"),
    ("tools-duplicate", body(tools=[TOOL, TOOL]), 400, "tools: Tool names must be unique."),
    ("tool-choice-openai-string", body(tools=[TOOL], tool_choice="auto"), 400, "tool_choice: Input tag does not"),
    ("tool-choice-required", body(tools=[TOOL], tool_choice={"type": "required"}), 400, "tool_choice: Input tag"),
    (
        "tool-choice-without-tools",
        body(tool_choice={"type": "any"}),
        400,
        "tool_choice: tool_choice may only be specified while providing tools.",
    ),
    (
        "tool-choice-unknown-tool",
        body(tools=[TOOL], tool_choice={"type": "tool", "name": "nope"}),
        400,
        "tool_choice.tool.name: Tool 'nope' was not found",
    ),
    ("metadata-user-number", body(metadata={"user_id": 5}), 400, "metadata.user_id: Input should be a valid string"),
    ("output-format-json-object", body(output_format={"type": "json_object"}), 400, "output_format: expected"),
]


@pytest.fixture(scope="module")
def http(mock: RunningMock) -> Iterator[httpx.Client]:
    headers = {"x-api-key": mock.key, "anthropic-version": "2023-06-01"}
    with httpx.Client(base_url=mock.root, headers=headers, timeout=10) as client:
        yield client


@pytest.mark.parametrize(("sent", "status", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_request_is_refused(http: httpx.Client, sent: Any, status: int, message: str) -> None:
    response = http.post("/v1/messages", json=sent)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == ("not_found_error" if status == 404 else "invalid_request_error")
    assert error["message"].startswith(message), error["message"]


# Requests the API accepts that a strict reading might wrongly refuse.
ACCEPTED: list[tuple[str, Any]] = [
    ("consecutive-user-turns", body(messages=[*USER, *USER])),
    ("assistant-prefill", body(messages=[*USER, {"role": "assistant", "content": "Well,"}])),
    ("empty-final-assistant", body(messages=[*USER, {"role": "assistant", "content": ""}])),
    (
        "tool-result-then-text",
        body(tools=[TOOL], messages=turns("hi", [CALL], [RESULT, {"type": "text", "text": "?"}])),
    ),
    (
        "tool-result-blocks",
        body(
            tools=[TOOL],
            messages=turns(
                "hi", [CALL], [{**RESULT, "content": [{"type": "text", "text": "22 C"}], "is_error": False}]
            ),
        ),
    ),
    (
        "thinking-block-in-history",
        body(
            messages=turns(
                "hi",
                [{"type": "thinking", "thinking": "...", "signature": "s"}, {"type": "text", "text": "Hello."}],
                "again",
            )
        ),
    ),
    ("tool-choice-none-without-tools", body(tool_choice={"type": "none"})),
    ("top-k-and-temperature", body(temperature=0.2, top_k=5)),
    ("thinking-and-service-tier", body(thinking={"type": "disabled"}, service_tier="auto")),
    (
        "system-blocks-with-cache-control",
        body(system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]),
    ),
    ("output-config-format", body(output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}})),
]


@pytest.mark.parametrize("sent", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_valid_request_is_accepted(http: httpx.Client, sent: Any) -> None:
    response = http.post("/v1/messages", json=sent)
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "message"


def test_structured_output_follows_the_schema(http: httpx.Client) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    ask = body(
        messages=[{"role": "user", "content": "Give me name: 'Ada'"}],
        output_format={"type": "json_schema", "schema": schema},
    )
    assert http.post("/v1/messages", json=ask).json()["content"][0]["text"] == '{"name": "Ada"}'


def test_text_after_tool_results_is_the_turn_answered(http: httpx.Client) -> None:
    """Tool results become `tool` messages right after the call; the text after them is the new user turn."""
    follow_up = [RESULT, {"type": "text", "text": "Reply with exactly: noted"}]
    ask = body(tools=[TOOL], messages=turns("hi", [CALL], follow_up))
    assert http.post("/v1/messages", json=ask).json()["content"] == [
        {"type": "text", "text": "noted", "citations": None}
    ]
    only_results = body(tools=[TOOL], messages=turns("hi", [CALL], [RESULT]))
    text = http.post("/v1/messages", json=only_results).json()["content"][0]["text"]
    assert text == "The get_weather tool returned: 22 C."
