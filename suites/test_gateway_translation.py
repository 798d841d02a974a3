"""Gateway mode, translation: what the gateway sent to the upstream mock for each OpenAI request, and how it
mapped the upstream's answer back. Every test applies every translation check (each is silent where it does
not apply), so a mistranslation shows wherever it happens. Runs with --upstream-url; unsupported otherwise."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image

from chatconform.checks import TRANSLATION_CHECKS
from chatconform.checks.pacing import measure
from chatconform.pacing import percentile
from chatconform.prompts import TRIP, TRIP_SCHEMA, reply_exactly, system
from chatconform.pytest.gateway import armed, ask, found, marker, model_of, streamed

pytestmark = [pytest.mark.gateway, pytest.mark.translation]

MODES = ["nonstream", "stream"]
TOOL_MAX_TOKENS = 400
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "additionalProperties": False,
            "properties": {
                "city": {"type": "string", "description": "The city name, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
        },
    },
}
CLOCK = {"type": "function", "function": {"name": "get_time", "description": "Get the current time."}}


@pytest.fixture
def gw_model(chatconform_settings):
    return model_of(chatconform_settings)


@pytest.fixture
def translate(raw, conform, upstream):
    """Send a body tagged with `mark`; apply every translation check to the answer and its upstream request."""

    def run(body, mark, **expect):
        ex = raw.chat(body)
        conform.check(ex, *TRANSLATION_CHECKS, **found(upstream, mark), **expect)
        return ex

    return run


SYSTEMS = {
    "system": [system("You are a terse assistant.")],
    "developer": [{"role": "developer", "content": "Keep answers short."}],
    # A system message later in the conversation: a correct gateway hoists it too, after the first one.
    "later-system": [
        system("You are a terse assistant."),
        {"role": "user", "content": reply_exactly("first")},
        {"role": "assistant", "content": "first"},
        system("From now on, answer in lower case."),
    ],
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("roles", list(SYSTEMS))
def test_system_hoisted(translate, gw_model, roles, mode):
    mark = marker()
    translate(ask(gw_model, reply_exactly("hoisted"), mark, *SYSTEMS[roles], **streamed({}, mode)), mark)


def test_max_tokens_default(translate, model):
    """No max_tokens from the client: the upstream gets the profile's default (per model where it says so)."""
    mark = marker()
    translate(ask(model, reply_exactly("default budget"), mark, max_tokens=None), mark)


@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_passed_on(translate, gw_model, field):
    mark = marker()
    params = {"max_tokens": None, field: 7}  # chat() would add a max_tokens of its own
    translate(ask(gw_model, "Count from 1 to 50", mark, **params), mark)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("form", ["string", "list"])
def test_stop_sequences(translate, gw_model, form, mode):
    mark = marker()
    stop = ", 5" if form == "string" else [", 12", ", 5"]
    translate(
        ask(
            gw_model, "Count from 1 to 20, separated by commas", mark, stop=stop, **streamed({"max_tokens": 200}, mode)
        ),
        mark,
    )


ENDINGS: dict[str, tuple[str, dict[str, Any]]] = {
    "end_turn": ("Reply with exactly: all done", {}),
    "max_tokens": ("Count from 1 to 50", {"max_tokens": 6}),
    "tool_use": ("What's the weather in 'Paris'? Use get_weather.", {"tools": [WEATHER]}),
    "refusal": ("chatconform:refuse", {}),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_stop_reason_mapped(translate, gw_model, ending, mode):
    prompt, params = ENDINGS[ending]
    mark = marker()
    translate(ask(gw_model, prompt, mark, **streamed({"max_tokens": TOOL_MAX_TOKENS, **params}, mode)), mark)


CHOICES = {
    "auto": ("auto", {}),
    "none": ("none", {}),
    "required": ("required", {}),
    "named": ({"type": "function", "function": {"name": "get_weather"}}, {}),
    "parallel-off": ("auto", {"parallel_tool_calls": False}),
}


@pytest.mark.parametrize("choice", list(CHOICES))
def test_tools_and_tool_choice(translate, gw_model, choice):
    tool_choice, params = CHOICES[choice]
    mark = marker()
    body = ask(
        gw_model,
        "Use get_weather for 'Paris' and 'Tokyo'.",
        mark,
        tools=[WEATHER, CLOCK, TRIP],
        tool_choice=tool_choice,
        max_tokens=TOOL_MAX_TOKENS,
        **params,
    )
    translate(body, mark)


@pytest.mark.parametrize("mode", MODES)
def test_tool_index_after_text(translate, gw_model, mode):
    """The upstream answers a text block, then two tool_use blocks: the calls are numbered 0 and 1."""
    mark = marker()
    prompt = "Before calling get_weather, say: Let me check.\nUse get_weather for 'Paris' and 'Tokyo'."
    translate(ask(gw_model, prompt, mark, **streamed({"tools": [WEATHER], "max_tokens": TOOL_MAX_TOKENS}, mode)), mark)


@pytest.mark.parametrize("mode", MODES)
def test_tool_results_follow_their_calls(translate, gw_model, mode):
    """Two calls with some text, then two `tool` messages: tool_use blocks, then tool_result blocks first in the
    very next user turn, with the same ids and contents."""
    mark = marker()
    calls = [
        {
            "id": f"call_weather_{city.lower()}",
            "type": "function",
            "function": {"name": "get_weather", "arguments": json.dumps({"city": city})},
        }
        for city in ("Paris", "Tokyo")
    ]
    results = [
        {"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"temperature_c": t})}
        for call, t in zip(calls, (21, 17), strict=True)
    ]
    turn = {"role": "assistant", "content": "Let me check.", "tool_calls": calls}
    body = ask(gw_model, "Use get_weather for 'Paris' and 'Tokyo'.", mark, tools=[WEATHER], max_tokens=TOOL_MAX_TOKENS)
    body["messages"] += [turn, *results]
    translate(streamed(body, mode), mark)


def _image_uri(fmt, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, format=fmt)
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(buffer.getvalue()).decode()}"


IMAGES = {
    "png-data": lambda: _image_uri("PNG", (220, 20, 20)),
    "jpeg-data": lambda: _image_uri("JPEG", (20, 60, 220)),
    "https-url": lambda: "https://example.com/images/boardwalk.jpg",
}


@pytest.mark.parametrize("source", list(IMAGES))
def test_image_source(translate, conform, gw_model, source):
    conform.requires("vision")
    if source == "https-url":
        conform.requires("vision_https_urls")
    mark = marker()
    content = [
        {"type": "text", "text": f"What is the dominant colour of this image?\n(ref {mark})"},
        {"type": "image_url", "image_url": {"url": IMAGES[source]()}},
    ]
    translate({"model": gw_model, "messages": [{"role": "user", "content": content}], "max_tokens": 64}, mark)


def test_output_schema(translate, conform, gw_model):
    """A json_schema response format: its schema reaches the upstream with every constraint it carries."""
    conform.requires("json_schema")
    mark = marker()
    fmt = {"type": "json_schema", "json_schema": {"name": "trip", "schema": TRIP_SCHEMA, "strict": True}}
    translate(
        ask(
            gw_model,
            "Plan a trip from 'LHR' to 'JFK' for 'Ada'.",
            mark,
            response_format=fmt,
            max_tokens=TOOL_MAX_TOKENS,
        ),
        mark,
    )


@pytest.mark.parametrize("value", [0.3, 1.5], ids=["in-range", "above-max"])
def test_temperature(raw, conform, upstream, gw_model, value):
    """In range: passed on unchanged. Above the profile's maximum: as its policy says (reject: the gateway
    answers 400 and sends nothing upstream; clamp: the maximum goes upstream)."""
    mark = marker()
    ex = raw.chat(ask(gw_model, reply_exactly("warm"), mark, temperature=value))
    seen = found(upstream, mark)
    if value <= 1:
        conform.check(ex, *TRANSLATION_CHECKS, **seen)
    else:
        conform.check(ex, "translation.temperature", upstream=seen["upstream"])


@pytest.mark.parametrize("mode", MODES)
def test_usage_is_the_upstreams(translate, gw_model, mode):
    mark = marker()
    translate(ask(gw_model, "Write 40 words about rivers.", mark, **streamed({"max_tokens": 200}, mode)), mark)


PACE_MS = 20  # the upstream's pause before each event: a buffered stream then shows as one late flush


def test_stream_relayed_as_sent(raw, conform, upstream, gw_model):
    """The upstream paces its events; the gateway passes each on as it comes, adding little delay."""
    mark = marker()
    body = ask(gw_model, "Write 30 words about rivers.", mark, **streamed({"max_tokens": 120}, "stream"))
    with armed(upstream, mark, f"pace_ms={PACE_MS}"):
        ex = raw.chat(body)
    forwarded = found(upstream, mark)["upstream"]
    if pacing := measure(ex, forwarded):  # the figures first: a held stream is when they matter most
        conform.measure(
            gateway_ttft_added_ms=pacing.ttft_added_ms,
            gateway_chunk_added_p95_ms=percentile(pacing.chunk_added_ms, 95),
            gateway_coalesced_ratio=pacing.coalesced_ratio,
        )
    conform.check(ex, "stream.content_type", "gateway.stream_pacing", upstream=forwarded)


# Long enough to be cached (Anthropic caches prefixes of at least 1,024 tokens on every model).
CACHED_RULES = " ".join(f"Rule {n}: answer briefly, politely and in plain words." for n in range(1, 181))


def cached_system() -> dict[str, Any]:
    """A system message whose text part is a cache breakpoint, in the form Anthropic-aware OpenAI clients send."""
    part = {"type": "text", "text": CACHED_RULES, "cache_control": {"type": "ephemeral"}}
    return {"role": "system", "content": [part]}


def marks_a_breakpoint(entry: dict[str, Any] | None) -> bool:
    """Whether the upstream request the gateway sent carried any cache_control."""
    return "cache_control" in json.dumps((entry or {}).get("body", {}))


@pytest.mark.parametrize("mode", MODES)
def test_prompt_cache_counts(raw, conform, upstream, gw_model, mode):
    """A cached system prompt: the first request writes the cache upstream, the second reads it, and the
    client's usage counts the read as prompt_tokens_details.cached_tokens (prompt_tokens includes it).
    A gateway that passes no cache_control on does not offer prompt caching: nothing to judge."""
    first_mark, mark = marker(), marker()
    writes = raw.chat(ask(gw_model, reply_exactly("one"), first_mark, cached_system(), max_tokens=20))
    written = found(upstream, first_mark)
    conform.check(writes, *TRANSLATION_CHECKS, **written)
    if not marks_a_breakpoint(written["upstream"]):
        conform.not_offered("prompt caching (it sent no cache_control upstream)")
    body = ask(gw_model, reply_exactly("two"), mark, cached_system(), **streamed({"max_tokens": 20}, mode))
    reads = raw.chat(body)
    conform.check(reads, *TRANSLATION_CHECKS, **found(upstream, mark))
