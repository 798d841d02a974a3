"""OpenAI wire details the SDKs read: how a tool-call stream opens, error codes and wording, usage details.

Error wording is OpenAI's for the same mistakes (its 400s read, e.g., "Invalid 'temperature': decimal
above maximum value. Expected a value <= 2, but got 200 instead.", code `decimal_above_max_value`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest

from chatconform.sse import parse
from tests.conftest import RunningMock
from tests.mock.running import CHAT, ask

TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {"type": "object", "properties": {"term": {"type": "string"}}, "required": ["term"]},
    },
}
DETAIL_KEYS = {"prompt_tokens_details", "completion_tokens_details"}


def _chunks(http: httpx.Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    raw = http.post(CHAT, json={**body, "stream": True}).content
    return [json.loads(e.data) for e in parse(raw).events if e.data != "[DONE]"]


def test_a_tool_call_stream_opens_with_the_call_and_content_null(http: httpx.Client) -> None:
    chunks = _chunks(http, ask("Use lookup for 'alpha'.", tools=[TOOL], tool_choice="required"))
    first = chunks[0]["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None and first["refusal"] is None
    assert first["tool_calls"][0]["function"] == {"name": "lookup", "arguments": ""}
    later = [c["choices"][0]["delta"] for c in chunks[1:] if c["choices"]]
    assert all("role" not in d and "content" not in d for d in later)


def test_a_text_stream_still_opens_with_a_role_chunk(http: httpx.Client) -> None:
    first = _chunks(http, ask())[0]["choices"][0]["delta"]
    assert first == {"role": "assistant", "content": "", "refusal": None}


def test_the_sdk_accumulates_the_same_message_streamed_and_not(mock: RunningMock) -> None:
    client = openai.OpenAI(base_url=mock.base_url, api_key=mock.key, max_retries=0, timeout=10)
    request: dict[str, Any] = {"model": "claude-haiku-4-5", "tools": [TOOL], "tool_choice": "required"}
    request["messages"] = [{"role": "user", "content": "Use lookup for 'alpha'."}]
    whole = client.chat.completions.create(**request).choices[0].message
    with client.chat.completions.stream(**request) as stream:
        streamed = stream.get_final_completion().choices[0].message
    assert whole.content is None and streamed.content is None
    assert [c.function.name for c in streamed.tool_calls or []] == ["lookup"]


def test_usage_carries_the_detail_objects_streamed_and_not(http: httpx.Client) -> None:
    whole = http.post(CHAT, json=ask()).json()["usage"]
    chunks = _chunks(http, ask(stream_options={"include_usage": True}))
    streamed = chunks[-1]["usage"]
    assert set(whole) >= DETAIL_KEYS and whole == streamed
    assert whole["prompt_tokens_details"] == {"cached_tokens": 0, "audio_tokens": 0}
    assert whole["completion_tokens_details"] == {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    }


# (id, request body, code, param, start of the message)
ERRORS: list[tuple[str, dict[str, Any], str, str, str]] = [
    (
        "temperature-above-max",
        ask(temperature=5),
        "decimal_above_max_value",
        "temperature",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= ",
    ),
    (
        "temperature-below-min",
        ask(temperature=-0.5),
        "decimal_below_min_value",
        "temperature",
        "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.",
    ),
    (
        "max-tokens-zero",
        ask(max_tokens=0),
        "integer_below_min_value",
        "max_tokens",
        "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    ),
    (
        "missing-messages",
        {"model": "claude-haiku-4-5"},
        "missing_required_parameter",
        "messages",
        "Missing required parameter: 'messages'.",
    ),
    (
        "content-number",
        ask(messages=[{"role": "user", "content": 5}]),
        "invalid_type",
        "messages[0].content",
        "Invalid type for 'messages[0].content': expected ",
    ),
    (
        "bad-role",
        ask(messages=[{"role": "robot", "content": "hi"}]),
        "invalid_value",
        "messages[0].role",
        "Invalid value: 'robot'. Supported values are: ",
    ),
    (
        "five-stops",
        ask(stop=["a", "b", "c", "d", "e"]),
        "array_above_max_length",
        "stop",
        "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5",
    ),
]


@pytest.mark.parametrize(("payload", "code", "param", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_are_worded_as_openai_words_them(
    http: httpx.Client, payload: dict[str, Any], code: str, param: str, message: str
) -> None:
    response = http.post(CHAT, json=payload)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("invalid_request_error", code, param)
    assert error["message"].startswith(message), error["message"]


def test_the_sdk_raises_the_typed_error_with_the_code(mock: RunningMock) -> None:
    client = openai.OpenAI(base_url=mock.base_url, api_key=mock.key, max_retries=0, timeout=10)
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(
            model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi"}], temperature=5
        )
    assert (raised.value.code, raised.value.param) == ("decimal_above_max_value", "temperature")
