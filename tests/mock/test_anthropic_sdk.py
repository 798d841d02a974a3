"""The official `anthropic` SDK works against the mock's Anthropic face unchanged."""

from __future__ import annotations

import asyncio
import base64
import io
from typing import Any

import anthropic
import pytest
from PIL import Image

from tests.conftest import RunningMock

MODEL = "claude-sonnet-4-6"
WEATHER: Any = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
CLOCK: Any = {
    "name": "get_time",
    "description": "Current time in a time zone",
    "input_schema": {"type": "object", "properties": {"tz": {"type": "string"}}, "required": ["tz"]},
}


def user(text: str) -> list[Any]:
    return [{"role": "user", "content": text}]


@pytest.fixture(scope="module")
def sdk(mock: RunningMock) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.root, api_key=mock.key, max_retries=0, timeout=10)


def faulty(sdk: anthropic.Anthropic, fault: str) -> anthropic.Anthropic:
    return sdk.with_options(default_headers={"x-chatconform-fault": fault})


def png(colour: tuple[int, int, int], size: tuple[int, int] = (24, 12)) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def test_message_with_system_prompt(sdk: anthropic.Anthropic) -> None:
    message = sdk.messages.create(
        model=MODEL, max_tokens=100, system="You are terse.", messages=user("Reply with exactly: hello there")
    )
    assert message.type == "message" and message.role == "assistant" and message.model == MODEL
    assert message.id.startswith("msg_")
    assert [(b.type, getattr(b, "text", None)) for b in message.content] == [("text", "hello there")]
    assert (message.stop_reason, message.stop_sequence) == ("end_turn", None)
    assert message.usage.output_tokens == 2 and message.usage.input_tokens > 0


def test_system_as_text_blocks_counts_like_a_string(sdk: anthropic.Anthropic) -> None:
    as_string = sdk.messages.create(model=MODEL, max_tokens=50, system="Be brief.", messages=user("hi"))
    as_blocks = sdk.messages.create(
        model=MODEL, max_tokens=50, system=[{"type": "text", "text": "Be brief."}], messages=user("hi")
    )
    assert as_blocks.usage.input_tokens == as_string.usage.input_tokens


def test_a_system_directive_wins(sdk: anthropic.Anthropic) -> None:
    message = sdk.messages.create(
        model=MODEL,
        max_tokens=50,
        system="Always reply with exactly: from system",
        messages=user("Reply with exactly: from user"),
    )
    assert message.content[0].text == "from system"  # type: ignore[union-attr]


def test_async_client(mock: RunningMock) -> None:
    async def ask() -> str:
        async with anthropic.AsyncAnthropic(base_url=mock.root, api_key=mock.key, max_retries=0) as client:
            message = await client.messages.create(
                model="claude-haiku-4-5", max_tokens=20, messages=user("Reply with exactly: async-ok")
            )
            return message.content[0].text  # type: ignore[union-attr]

    assert asyncio.run(ask()) == "async-ok"


def test_stream_matches_the_whole_message(sdk: anthropic.Anthropic) -> None:
    ask = user("Count from 1 to 12")
    whole = sdk.messages.create(model=MODEL, max_tokens=200, messages=ask)
    with sdk.messages.stream(model=MODEL, max_tokens=200, messages=ask) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 5
    assert "".join(pieces) == whole.content[0].text == "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12"  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == whole.usage.output_tokens
    assert final.usage.input_tokens == whole.usage.input_tokens


def test_max_tokens_cuts_the_answer(sdk: anthropic.Anthropic) -> None:
    message = sdk.messages.create(model=MODEL, max_tokens=3, messages=user("Count from 1 to 12"))
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 3
    assert message.content[0].text == "1, 2"  # type: ignore[union-attr]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_stop_sequence_is_reported(sdk: anthropic.Anthropic, stream: bool) -> None:
    ask: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 100,
        "messages": user("Count from 1 to 12"),
        "stop_sequences": ["never", ", 5"],
    }
    if stream:
        with sdk.messages.stream(**ask) as running:
            message = running.get_final_message()
    else:
        message = sdk.messages.create(**ask)
    assert (message.stop_reason, message.stop_sequence) == ("stop_sequence", ", 5")
    assert message.content[0].text == "1, 2, 3, 4"  # type: ignore[union-attr]


def test_tool_use_then_tool_result(sdk: anthropic.Anthropic) -> None:
    ask = user("Use get_weather for 'Paris'.")
    first = sdk.messages.create(model=MODEL, max_tokens=200, messages=ask, tools=[WEATHER])
    assert first.stop_reason == "tool_use"
    [call] = first.content
    assert call.type == "tool_use" and call.name == "get_weather" and call.input == {"city": "Paris"}
    assert call.id.startswith("toolu_")
    history: list[Any] = [
        *ask,
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": '{"temp": 22}'}]},
    ]
    second = sdk.messages.create(model=MODEL, max_tokens=200, messages=history, tools=[WEATHER])
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == 'The get_weather tool returned: {"temp": 22}.'  # type: ignore[union-attr]


def test_streamed_parallel_tool_calls_match_the_whole_message(sdk: anthropic.Anthropic) -> None:
    ask: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 300,
        "tools": [WEATHER, CLOCK],
        "messages": user("First get_time for tz: UTC, then get_weather for city: Paris"),
    }
    whole = sdk.messages.create(**ask)
    with sdk.messages.stream(**ask) as stream:
        events = list(stream)
        final = stream.get_final_message()
    fragments = [e for e in events if e.type == "content_block_delta" and e.delta.type == "input_json_delta"]
    assert len(fragments) >= 4  # each input arrives in several pieces
    calls = [(b.name, b.input) for b in final.content]  # type: ignore[union-attr]
    assert calls == [("get_time", {"tz": "UTC"}), ("get_weather", {"city": "Paris"})]
    assert final.model_dump(exclude={"id"}) == whole.model_dump(exclude={"id"})


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ({"type": "tool", "name": "get_time"}, ["get_time"]),
        ({"type": "any"}, ["get_weather"]),
        ({"type": "auto"}, []),
        ({"type": "none"}, []),
    ],
    ids=["tool", "any", "auto", "none"],
)
def test_tool_choice_forms(sdk: anthropic.Anthropic, choice: Any, expected: list[str]) -> None:
    message = sdk.messages.create(
        model=MODEL, max_tokens=200, messages=user("Hello there."), tools=[WEATHER, CLOCK], tool_choice=choice
    )
    assert [b.name for b in message.content if b.type == "tool_use"] == expected
    assert message.stop_reason == ("tool_use" if expected else "end_turn")


def test_disable_parallel_tool_use_allows_one_call(sdk: anthropic.Anthropic) -> None:
    message = sdk.messages.create(
        model=MODEL,
        max_tokens=200,
        tools=[WEATHER, CLOCK],
        tool_choice={"type": "auto", "disable_parallel_tool_use": True},
        messages=user("First get_time for tz: UTC, then get_weather for city: Paris"),
    )
    assert [b.name for b in message.content if b.type == "tool_use"] == ["get_time"]


def test_base64_and_url_images_are_described(sdk: anthropic.Anthropic) -> None:
    content: Any = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png((250, 0, 0))}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        {"type": "text", "text": "What are these?"},
    ]
    message = sdk.messages.create(model=MODEL, max_tokens=200, messages=[{"role": "user", "content": content}])
    text = message.content[0].text  # type: ignore[union-attr]
    assert text == "Image 1 is a 24x12 image, mostly red. Image 2 is an image at https://example.com/cat.jpg."


def test_refusal_marker_gives_stop_reason_refusal(sdk: anthropic.Anthropic) -> None:
    message = sdk.messages.create(model=MODEL, max_tokens=100, messages=user("chatconform:refuse"))
    assert message.stop_reason == "refusal"
    with sdk.messages.stream(model=MODEL, max_tokens=100, messages=user("chatconform:refuse")) as stream:
        assert stream.get_final_message().stop_reason == "refusal"


@pytest.mark.parametrize(
    ("fault", "error", "status", "kind"),
    [
        ("status=429; retry_after=3", anthropic.RateLimitError, 429, "rate_limit_error"),
        ("status=529", anthropic.InternalServerError, 529, "overloaded_error"),
        ("status=500", anthropic.InternalServerError, 500, "api_error"),
    ],
    ids=["429", "529", "500"],
)
def test_injected_statuses_raise_the_sdk_errors(
    sdk: anthropic.Anthropic, fault: str, error: type[Exception], status: int, kind: str
) -> None:
    with pytest.raises(error) as raised:
        faulty(sdk, fault).messages.create(model=MODEL, max_tokens=10, messages=user("hi"))
    exc = raised.value
    assert isinstance(exc, anthropic.APIStatusError) and exc.status_code == status
    assert exc.body["error"]["type"] == kind  # type: ignore[index]
    assert exc.request_id is not None and exc.request_id.startswith("req_")
    if status == 429:
        assert exc.response.headers["retry-after"] == "3"


def test_overloaded_maps_to_the_sdk_overloaded_error(sdk: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.OverloadedError):
        faulty(sdk, "status=529").messages.create(model=MODEL, max_tokens=10, messages=user("hi"))


def test_midstream_error_event_raises_inside_the_stream(sdk: anthropic.Anthropic) -> None:
    received: list[str] = []
    streaming = faulty(sdk, "midstream_error=2").messages.stream(
        model=MODEL, max_tokens=100, messages=user("Count from 1 to 12")
    )
    with pytest.raises(anthropic.APIStatusError) as raised, streaming as stream:
        received.extend(stream.text_stream)  # the error event arrives while iterating
    assert received == ["1", ","]
    assert raised.value.body["error"]["type"] == "overloaded_error"  # type: ignore[index]


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"model": "claude-nonexistent"}, anthropic.NotFoundError, "model: claude-nonexistent"),
        ({"model": "anthropic/claude-sonnet-4-6"}, anthropic.NotFoundError, "model: anthropic/claude-sonnet-4-6"),
        ({"max_tokens": 0}, anthropic.BadRequestError, "max_tokens: Input should be greater than or equal to 1"),
        (  # sampling parameters exist under 2023-06-01 only (the SDK sends 2026-10-21)
            {"extra_body": {"temperature": 0.5, "top_p": 0.5}, "extra_headers": {"anthropic-version": "2023-06-01"}},
            anthropic.BadRequestError,
            "cannot both be specified",
        ),
        (
            {"extra_body": {"temperature": 0.5}},
            anthropic.BadRequestError,
            "temperature: Extra inputs are not permitted",
        ),
    ],
    ids=["unknown-model", "alias-is-not-upstream", "max-tokens-zero", "temperature-and-top-p", "temperature-2026"],
)
def test_request_errors_raise_the_sdk_errors(
    sdk: anthropic.Anthropic, kwargs: Any, error: type[Exception], fragment: str
) -> None:
    ask: dict[str, Any] = {"model": MODEL, "max_tokens": 10, "messages": user("hi"), **kwargs}
    with pytest.raises(error) as raised:
        sdk.messages.create(**ask)
    assert fragment in str(raised.value)


def test_wrong_key_is_an_authentication_error(mock: RunningMock) -> None:
    client = anthropic.Anthropic(base_url=mock.root, api_key="th-not-the-key", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        client.messages.create(model=MODEL, max_tokens=10, messages=user("hi"))
