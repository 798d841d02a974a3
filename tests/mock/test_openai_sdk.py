"""The official `openai` SDK works against the mock unchanged: sync, async, streaming, tools, vision."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from typing import Any

import openai
import pytest
from PIL import Image

from tests.conftest import RunningMock

MODEL = "anthropic/claude-sonnet-4-6"
DOCUMENTED = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Explain CAP theorem in 3 bullets."},
]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture(scope="module")
def sdk(mock: RunningMock) -> openai.OpenAI:
    return openai.OpenAI(base_url=mock.base_url, api_key=mock.key, max_retries=0, timeout=10)


def test_documented_example(sdk: openai.OpenAI) -> None:
    response = sdk.chat.completions.create(model=MODEL, messages=DOCUMENTED, max_tokens=512, temperature=0.3)  # type: ignore[arg-type]
    assert response.object == "chat.completion"
    assert response.model == MODEL
    assert response.choices[0].finish_reason == "stop"
    assert response.choices[0].message.content
    assert response.usage is not None
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens


def test_async_client(mock: RunningMock) -> None:
    async def ask() -> str:
        async with openai.AsyncOpenAI(base_url=mock.base_url, api_key=mock.key, max_retries=0) as client:
            response = await client.chat.completions.create(
                model="claude-haiku-4-5", messages=[{"role": "user", "content": "Reply with exactly: async-ok"}]
            )
            return response.choices[0].message.content or ""

    assert asyncio.run(ask()) == "async-ok"


def test_streaming_matches_non_streaming(sdk: openai.OpenAI) -> None:
    whole = sdk.chat.completions.create(model=MODEL, messages=DOCUMENTED)  # type: ignore[arg-type]
    stream = sdk.chat.completions.create(
        model=MODEL,
        messages=DOCUMENTED,
        stream=True,
        stream_options={"include_usage": True},  # type: ignore[arg-type]
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage == whole.usage


def test_tool_call_and_tool_result_turn(sdk: openai.OpenAI) -> None:
    ask = [{"role": "user", "content": "Use get_weather for 'Paris'."}]
    first = sdk.chat.completions.create(model=MODEL, messages=ask, tools=[WEATHER])  # type: ignore[arg-type, list-item]
    call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert first.choices[0].finish_reason == "tool_calls"
    assert json.loads(call.function.arguments) == {"city": "Paris"}  # type: ignore[union-attr]
    history: list[Any] = [
        *ask,
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'},
    ]
    second = sdk.chat.completions.create(model=MODEL, messages=history, tools=[WEATHER])  # type: ignore[list-item]
    assert second.choices[0].finish_reason == "stop"
    assert '{"temp_c": 21}' in (second.choices[0].message.content or "")


def test_streamed_tool_calls_reassemble(sdk: openai.OpenAI) -> None:
    ask = [{"role": "user", "content": "Use get_weather for 'Paris' and 'Tokyo'."}]
    stream = sdk.chat.completions.create(model=MODEL, messages=ask, tools=[WEATHER], stream=True)  # type: ignore[arg-type, list-item]
    calls: dict[int, dict[str, str]] = {}
    for chunk in stream:
        for delta in chunk.choices[0].delta.tool_calls or []:
            entry = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            if delta.id:
                assert not entry["id"], "id sent twice for one call"
                entry["id"] = delta.id
            if delta.function and delta.function.name:
                entry["name"] += delta.function.name
            if delta.function and delta.function.arguments:
                entry["arguments"] += delta.function.arguments
    assert sorted(calls) == [0, 1]
    assert [json.loads(c["arguments"]) for c in calls.values()] == [{"city": "Paris"}, {"city": "Tokyo"}]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_vision_describes_the_dominant_colour(sdk: openai.OpenAI, fmt: str) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (64, 32), (0, 160, 0)).save(buf, fmt)
    uri = f"data:image/{fmt.lower()};base64," + base64.b64encode(buf.getvalue()).decode()
    content = [{"type": "text", "text": "What is in this image?"}, {"type": "image_url", "image_url": {"url": uri}}]
    response = sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": content}])  # type: ignore[misc, list-item]
    answer = response.choices[0].message.content or ""
    assert "green" in answer and "64x32" in answer


def test_sdk_raises_typed_errors(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as err:
        sdk.chat.completions.create(model="claude-unknown", messages=[{"role": "user", "content": "hi"}])
    assert err.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as bad:
        sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hi"}], temperature=1.5)
    assert bad.value.param == "temperature"


def test_models_list(sdk: openai.OpenAI) -> None:
    ids = {m.id for m in sdk.models.list()}
    assert {"claude-4-opus", "anthropic/claude-4-opus", "claude-3-5-haiku-latest"} <= ids
    assert len(ids) == 20
