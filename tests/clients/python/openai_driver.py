"""The official `openai` Python SDK against the mock's OpenAI face, as its users write it.

Variant `sync` uses `OpenAI` with `create(stream=True)` for streams and the `.parse()` helper (a Pydantic
model) for structured output; variant `async` uses `AsyncOpenAI` with the `.stream()` helper for streams and
a raw `json_schema` response format, so between them every documented way in is driven.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import openai
from chat_completions import openai_completion, openai_stream, openai_tools
from common import CASES, SETUP, Feature, Observation, bad_tool, image_data_uri, run
from models import Person

# The features that are one `create` call, in both variants.
ONE_CALL = (
    "plain",
    "tools-auto",
    "tools-required",
    "tools-named",
    "vision",
    "json-mode",
    "stop",
    "max-tokens",
    "error-400",
)


def user(content: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": content}]


def named(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def request(feature: str) -> dict[str, Any]:
    """The keyword arguments of `create` for the features that are one plain call."""
    base: dict[str, Any] = {"model": SETUP.model, "max_tokens": CASES["max_tokens"]}
    tools = openai_tools()
    vision = [
        {"type": "text", "text": CASES["vision"]["prompt"]},
        {"type": "image_url", "image_url": {"url": image_data_uri()}},
    ]
    specific = {
        "plain": {"messages": user(CASES["plain"])},
        "streamed": {"messages": user(CASES["streamed"])},
        "tools-auto": {"messages": user(CASES["tools_auto"]), "tools": tools, "tool_choice": "auto"},
        "tools-required": {"messages": user(CASES["tools_required"]), "tools": tools, "tool_choice": "required"},
        "tools-named": {
            "messages": user(CASES["tools_named"]["prompt"]),
            "tools": tools,
            "tool_choice": named(CASES["tools_named"]["tool"]),
        },
        "tools-second-turn": {"messages": user(CASES["tools_second_turn"]["prompt"]), "tools": tools},
        "tools-streamed": {"messages": user(CASES["tools_streamed"]), "tools": tools},
        "vision": {"messages": user(vision)},
        "json-mode": {"messages": user(CASES["json_mode"]), "response_format": {"type": "json_object"}},
        "structured-output": {"messages": user(CASES["structured"]["prompt"])},
        "stop": {"messages": user(CASES["stop"]["prompt"]), "stop": CASES["stop"]["sequences"]},
        "max-tokens": {"messages": user(CASES["length"]["prompt"]), "max_tokens": CASES["length"]["max_tokens"]},
        "error-400": {"messages": user(CASES["bad_request"]["prompt"]), "tools": openai_tools([bad_tool()])},
        "error-401": {"messages": user(CASES["plain"])},
    }
    return base | specific[feature]


def tool_result(first: Any, history: list[Any]) -> list[Any]:
    """The conversation after the first turn: the SDK's own message object goes back in, as documented."""
    message = first.choices[0].message
    call = message.tool_calls[0]
    return [
        *history,
        message,
        {"role": "tool", "tool_call_id": call.id, "content": CASES["tools_second_turn"]["result"]},
    ]


def second_turn_observation(first: Any, second: Any) -> Observation:
    return openai_completion(second) | {"first": openai_completion(first)}


# --- sync: OpenAI, create(stream=True), .parse() -------------------------------------------------------------


def sync_features() -> dict[str, Feature]:
    client = openai.OpenAI(base_url=SETUP.root + "/v1", api_key=SETUP.key, max_retries=0, timeout=SETUP.timeout_s)

    def once(feature: str, sdk: openai.OpenAI = client) -> Feature:
        return lambda: openai_completion(sdk.chat.completions.create(**request(feature)))

    def streamed(feature: str) -> Feature:
        def go() -> Observation:
            kwargs = request(feature)
            chunks = client.chat.completions.create(**kwargs, stream=True, stream_options={"include_usage": True})
            return openai_stream(chunks) | {"whole": openai_completion(client.chat.completions.create(**kwargs))}

        return go

    def second_turn() -> Observation:
        kwargs = request("tools-second-turn")
        first = client.chat.completions.create(**kwargs)
        second = client.chat.completions.create(**kwargs | {"messages": tool_result(first, kwargs["messages"])})
        return second_turn_observation(first, second)

    def structured() -> Observation:
        completion = client.chat.completions.parse(**request("structured-output"), response_format=Person)
        parsed = completion.choices[0].message.parsed
        return openai_completion(completion) | {"parsed": parsed.model_dump() if parsed else None}

    wrong = client.with_options(api_key=CASES["wrong_key"])
    return {name: once(name) for name in ONE_CALL} | {
        "streamed": streamed("streamed"),
        "tools-second-turn": second_turn,
        "tools-streamed": streamed("tools-streamed"),
        "structured-output": structured,
        "error-401": once("error-401", wrong),
    }


# --- async: AsyncOpenAI, the .stream() helper, a raw json_schema -----------------------------------------------

AsyncFeature = Callable[[openai.AsyncOpenAI], Coroutine[Any, Any, Observation]]


def in_loop(body: AsyncFeature, api_key: str = SETUP.key) -> Feature:
    """One event loop and one client per feature: an async client belongs to the loop that opened it."""

    async def go() -> Observation:
        async with openai.AsyncOpenAI(
            base_url=SETUP.root + "/v1", api_key=api_key, max_retries=0, timeout=SETUP.timeout_s
        ) as c:
            return await body(c)

    return lambda: asyncio.run(go())


def async_once(feature: str) -> AsyncFeature:
    async def go(client: openai.AsyncOpenAI) -> Observation:
        return openai_completion(await client.chat.completions.create(**request(feature)))

    return go


def async_streamed(feature: str, strict: bool) -> AsyncFeature:
    async def go(client: openai.AsyncOpenAI) -> Observation:
        kwargs = request(feature)
        if strict:  # the helper parses tool arguments, and only accepts strict tools for that
            kwargs["tools"] = openai_tools(strict=True)
        deltas = 0
        async with client.chat.completions.stream(**kwargs, stream_options={"include_usage": True}) as stream:
            async for event in stream:
                deltas += event.type == "content.delta"
            final = await stream.get_final_completion()
        whole = await client.chat.completions.create(**kwargs)
        return openai_completion(final) | {"deltas": deltas, "whole": openai_completion(whole)}

    return go


async def async_second_turn(client: openai.AsyncOpenAI) -> Observation:
    kwargs = request("tools-second-turn")
    first = await client.chat.completions.create(**kwargs)
    second = await client.chat.completions.create(**kwargs | {"messages": tool_result(first, kwargs["messages"])})
    return second_turn_observation(first, second)


async def async_structured(client: openai.AsyncOpenAI) -> Observation:
    spec = CASES["structured"]
    fmt = {"type": "json_schema", "json_schema": {"name": spec["name"], "schema": spec["schema"], "strict": True}}
    return openai_completion(await client.chat.completions.create(**request("structured-output"), response_format=fmt))


def async_features() -> dict[str, Feature]:
    return {name: in_loop(async_once(name)) for name in ONE_CALL} | {
        "streamed": in_loop(async_streamed("streamed", strict=False)),
        "tools-second-turn": in_loop(async_second_turn),
        "tools-streamed": in_loop(async_streamed("tools-streamed", strict=True)),
        "structured-output": in_loop(async_structured),
        "error-401": in_loop(async_once("error-401"), api_key=CASES["wrong_key"]),
    }


if __name__ == "__main__":
    run(async_features() if SETUP.variant == "async" else sync_features())
