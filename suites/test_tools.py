"""Tools: tool_choice auto/none/required/named, parallel calls, a no-argument tool, arguments against the
tool's schema, streamed tool-call deltas, and a second turn that carries the tool result back."""

from __future__ import annotations

import json

import pytest

from chatconform.checks import RESPONSE_CHECKS, STREAM_CHECKS, TOOL_CALL_CHECKS, TOOL_STREAM_CHECKS
from chatconform.prompts import TRIP, chat, user

pytestmark = pytest.mark.tools

MODES = ["nonstream", "stream"]
TOOL_MAX_TOKENS = 400  # room for a tool call and its arguments on any model

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {
                "city": {"type": "string", "description": "The city name, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
        },
    },
}
CLOCK = {"type": "function", "function": {"name": "get_time", "description": "Get the current time."}}
FLIGHTS = {
    "type": "function",
    "function": {
        "name": "search_flights",
        "description": "Search flights between two airports (IATA codes) on a date.",
        "parameters": {
            "type": "object",
            "required": ["origin", "destination", "passengers", "date"],
            "additionalProperties": False,
            "properties": {
                "origin": {"type": "string", "minLength": 3, "maxLength": 3},
                "destination": {"type": "string", "minLength": 3, "maxLength": 3},
                "passengers": {"type": "integer", "minimum": 1, "maximum": 9},
                "date": {"type": "string", "format": "date"},
                "cabin": {"type": "string", "enum": ["economy", "business"]},
            },
        },
    },
}
PARIS = {"city": "Paris"}

# tool_choice → (the request's tool_choice, prompt, expected tool names)
CHOICES = {
    "auto": ("auto", "What's the weather in 'Paris'? Use get_weather.", ["get_weather"]),
    "none": ("none", "What's the weather usually like in 'Paris' in spring? Answer in one sentence.", []),
    "required": ("required", "What's the weather in 'Paris' right now?", ["get_weather"]),
    "named": (
        {"type": "function", "function": {"name": "get_weather"}},
        "How warm is it in 'Paris' today?",
        ["get_weather"],
    ),
}


@pytest.fixture(autouse=True)
def _claims_tools(conform):
    conform.requires("tools")


def tool_body(model, prompt, tools, stream=False, **params):
    params.setdefault("max_tokens", TOOL_MAX_TOKENS)
    return chat(model, user(prompt), tools=tools, stream=stream or None, **params)


def answer_checks(stream):
    return STREAM_CHECKS if stream else RESPONSE_CHECKS


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("choice", list(CHOICES))
def test_tool_choice(raw, conform, profile, model, choice, mode):
    tool_choice, prompt, names = CHOICES[choice]
    stream = mode == "stream"
    ex = raw.chat(tool_body(model, prompt, [WEATHER, CLOCK], stream, tool_choice=tool_choice))
    if not names:
        conform.check(ex, *answer_checks(stream), "tools.expected_calls", finish_reason="stop", call_count=0)
        return
    finish = profile.expect.named_tool_choice_finish if choice == "named" else "tool_calls"
    checks = answer_checks(stream) + TOOL_CALL_CHECKS + ("tools.finish_reason",)
    checks += TOOL_STREAM_CHECKS if stream else ()
    conform.check(ex, *checks, finish_reason=finish, call_count=1, tool_names=names, argument_values=[PARIS])


@pytest.mark.parametrize("mode", MODES)
def test_parallel_calls(raw, conform, model, mode):
    conform.requires("parallel_tool_calls")
    stream = mode == "stream"
    prompt = "Use get_weather for 'Paris' and 'Tokyo'."
    ex = raw.chat(tool_body(model, prompt, [WEATHER, CLOCK], stream))
    checks = answer_checks(stream) + TOOL_CALL_CHECKS + ("tools.finish_reason",)
    checks += TOOL_STREAM_CHECKS if stream else ()
    expect = {"call_count": 2, "tool_names": ["get_weather"] * 2, "argument_values": [PARIS, {"city": "Tokyo"}]}
    conform.check(ex, *checks, finish_reason="tool_calls", **expect)


@pytest.mark.parametrize("mode", MODES)
def test_no_argument_tool(raw, conform, model, mode):
    """A tool without `parameters`: the arguments are the JSON text of an empty object, never ""."""
    stream = mode == "stream"
    ex = raw.chat(tool_body(model, "What time is it? Use get_time.", [CLOCK], stream))
    checks = answer_checks(stream) + TOOL_CALL_CHECKS + ("tools.finish_reason",)
    checks += TOOL_STREAM_CHECKS if stream else ()
    conform.check(ex, *checks, finish_reason="tool_calls", tool_names=["get_time"], arguments=[{}])


def test_arguments_match_schema(raw, conform, model):
    prompt = "Use search_flights with origin: 'LHR', destination: 'JFK', passengers=2, date: 2025-07-01."
    ex = raw.chat(tool_body(model, prompt, [FLIGHTS]))
    wanted = {"origin": "LHR", "destination": "JFK", "passengers": 2, "date": "2025-07-01"}
    conform.check(
        ex,
        *RESPONSE_CHECKS,
        *TOOL_CALL_CHECKS,
        "tools.finish_reason",
        finish_reason="tool_calls",
        tool_names=["search_flights"],
        argument_values=[wanted],
    )


@pytest.mark.parametrize("mode", MODES)
def test_nested_schema_arguments(raw, conform, model, mode):
    """A tool whose schema nests objects, holds an array of objects and a $ref into $defs: the arguments
    satisfy all of it (and the route the prompt names arrives)."""
    stream = mode == "stream"
    prompt = "Use book_trip with origin: 'LHR', destination: 'JFK' for one traveller, name: 'Ada'."
    ex = raw.chat(tool_body(model, prompt, [TRIP], stream))
    checks = answer_checks(stream) + TOOL_CALL_CHECKS + ("tools.finish_reason",)
    checks += TOOL_STREAM_CHECKS if stream else ()
    route = {"route": {"origin": "LHR", "destination": "JFK"}}
    conform.check(
        ex, *checks, finish_reason="tool_calls", call_count=1, tool_names=["book_trip"], argument_values=[route]
    )


@pytest.mark.parametrize("mode", MODES)
def test_tool_result_turn(raw, conform, profile, model, mode):
    """The OpenAI second turn: the assistant's tool call with content null, then a `tool` message."""
    if profile.policy("tool_role") != "support":
        conform.unsupported("tool_role")  # the sampling suite records what the target does instead
    stream = mode == "stream"
    call = {
        "id": "call_weather_paris_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": json.dumps(PARIS)},
    }
    result = json.dumps({"city": "Paris", "temperature_c": 21, "sky": "sunny"})
    body = chat(
        model,
        user("Use get_weather for 'Paris', then tell me the temperature."),
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": result},
        tools=[WEATHER],
        max_tokens=TOOL_MAX_TOKENS,
        stream=stream or None,
    )
    conform.check(
        raw.chat(body),
        *answer_checks(stream),
        "tools.expected_calls",
        "tools.result_used",
        finish_reason="stop",
        call_count=0,
        mentions=["21"],
    )
