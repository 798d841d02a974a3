"""Translation checks on hand-built pairs: the client's exchange and the upstream request the mock journalled."""

from __future__ import annotations

from typing import Any

import pytest

from chatconform.profile import load_profile
from tests.checks.handmade import chunk, profile_with, request, run, stream, text_answer, titles, whole

PROFILE = load_profile("tokenhub")
SCHEMA = {"type": "object", "properties": {"city": {}}}
WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather.", "parameters": SCHEMA}}


def entry(body: dict[str, Any] | None = None, status: int = 200, **reply: Any) -> dict[str, Any]:
    """A journal entry of the mock's Anthropic face."""
    upstream = {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
    return {
        "face": "anthropic",
        "status": status,
        "outcome": "completed",
        "body": {**upstream, **(body or {})},
        "reply": reply,
    }


def check(name: str, ex: Any, upstream: dict[str, Any] | None, **expect: Any) -> list[str]:
    return titles(run(ex, name, upstream=upstream, profile=PROFILE, **expect))


def test_forwarded_names_a_missing_a_repeated_and_a_refused_upstream_request() -> None:
    ex = text_answer("hi")
    assert check("translation.forwarded", ex, entry()) == []
    assert check("translation.forwarded", ex, None) == ["no upstream request carried the test's marker"]
    assert check("translation.forwarded", ex, entry(), upstream_count=2) == [
        "one client request became 2 upstream requests"
    ]
    assert "not a valid Messages request" in check("translation.forwarded", ex, entry(status=400))[0]


def test_model_alias_is_resolved_upstream() -> None:
    ex = text_answer("hi", req=request(model="anthropic/claude-haiku-4-5"))
    assert check("translation.model", ex, entry()) == []
    assert check("translation.model", ex, entry({"model": "anthropic/claude-haiku-4-5"})) == [
        "the upstream model is not the canonical ID"
    ]


SYSTEM_REQUEST = request(
    messages=[
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "ok"},
        {"role": "developer", "content": "Lower."},
        {"role": "user", "content": "go"},
    ]
)


@pytest.mark.parametrize(
    ("system", "messages", "wanted"),
    [
        ([{"type": "text", "text": "Be terse."}, {"type": "text", "text": "Lower."}], None, []),
        ("Be terse.\n\nLower.", None, []),
        ("Be terse.", None, ["system message 2 of 2 is missing from the upstream system"]),
        ("Lower. Be terse.", None, ["system message 2 of 2 is out of order in the upstream system"]),
        (
            "Be terse. Lower.",
            [{"role": "system", "content": "Lower."}],
            ["a system message was sent upstream as a message"],
        ),
    ],
    ids=["blocks", "string", "later-dropped", "out-of-order", "left-as-message"],
)
def test_system_messages_are_hoisted_in_order(system: Any, messages: Any, wanted: list[str]) -> None:
    body = {"system": system, **({"messages": messages} if messages else {})}
    assert check("translation.system", text_answer("go", req=SYSTEM_REQUEST), entry(body)) == wanted


def test_no_system_upstream_without_one_from_the_client() -> None:
    assert check("translation.system", text_answer("hi"), entry({"system": "Invented."})) == [
        "a system prompt upstream although the client sent none"
    ]


@pytest.mark.parametrize(
    ("asked", "sent", "profile_expect", "wanted"),
    [
        ({"max_tokens": 7}, 7, {}, []),
        ({"max_completion_tokens": 9}, 9, {}, []),
        ({"max_tokens": 7}, 4096, {}, ["the client's max_tokens was not passed on"]),
        ({}, 1024, {}, []),
        ({}, 64000, {}, ["without max_tokens, the upstream did not get the profile's default"]),
        ({}, 64000, {"upstream_max_tokens_default": {"claude-haiku-4-5": 64000}}, []),
        ({}, 2048, {"upstream_max_tokens_default": 2048}, []),
    ],
    ids=["passed", "completion-tokens", "changed", "default", "own-default", "per-model-default", "profile-default"],
)
def test_max_tokens(asked: dict[str, Any], sent: int, profile_expect: dict[str, Any], wanted: list[str]) -> None:
    profile = profile_with(**profile_expect)
    req = request(**asked)
    found = titles(
        run(text_answer("hi", req=req), "translation.max_tokens", upstream=entry({"max_tokens": sent}), profile=profile)
    )
    assert found == wanted


@pytest.mark.parametrize(
    ("stop", "body", "wanted"),
    [
        (", 5", {"stop_sequences": [", 5"]}, []),
        ([", 12", ", 5"], {"stop_sequences": [", 12", ", 5"]}, []),
        (", 5", {}, ["stop was not mapped to stop_sequences"]),
        (None, {"stop_sequences": ["x"]}, ["stop_sequences upstream without a client stop"]),
        (", 5", {"stop_sequences": [", 5"], "stop": ", 5"}, ["the OpenAI field stop was forwarded as is"]),
    ],
    ids=["string", "list", "dropped", "invented", "forwarded-as-is"],
)
def test_stop(stop: Any, body: dict[str, Any], wanted: list[str]) -> None:
    req = request(**({"stop": stop} if stop is not None else {}))
    assert check("translation.stop", text_answer("1, 2", req=req), entry(body)) == wanted


@pytest.mark.parametrize(
    ("value", "policy", "upstream", "wanted"),
    [
        (0.3, "reject", entry({"temperature": 0.3}), []),
        (0.3, "reject", entry(), ["the temperature was not passed on unchanged"]),
        (1.5, "reject", None, []),
        (
            1.5,
            "reject",
            entry({"temperature": 1.5}),
            ["temperature 1.5 above the maximum 1.0 was not handled as the policy says (reject)"],
        ),
        (1.5, "clamp", entry({"temperature": 1.0}), []),
        (1.5, "ignore", entry(), []),
    ],
    ids=["in-range", "in-range-dropped", "reject", "reject-forwarded", "clamp", "ignore"],
)
def test_temperature(value: float, policy: str, upstream: Any, wanted: list[str]) -> None:
    profile = load_profile("tokenhub")
    profile.policies["temperature_above_max"] = policy
    ex = text_answer("hi", req=request(temperature=value))
    assert titles(run(ex, "translation.temperature", upstream=upstream, profile=profile)) == wanted


def test_tools_become_input_schemas() -> None:
    ex = text_answer("hi", req=request(tools=[WEATHER, {"type": "function", "function": {"name": "now"}}]))
    good = [
        {"name": "get_weather", "description": "Weather.", "input_schema": SCHEMA},
        {"name": "now", "input_schema": {"type": "object", "properties": {}}},
    ]
    assert check("translation.tools", ex, entry({"tools": good})) == []
    openai_shape = [{"name": "get_weather", "parameters": {}}, good[1]]
    assert check("translation.tools", ex, entry({"tools": openai_shape})) == [
        "the tool was forwarded in OpenAI's shape"
    ]
    changed = [{**good[0], "input_schema": {"type": "object"}}, good[1]]
    assert check("translation.tools", ex, entry({"tools": changed})) == [
        "tool get_weather input_schema: properties lost at $"
    ]
    padded = [{**good[0], "input_schema": {**SCHEMA, "$defs": {}, "required": []}}, good[1]]
    assert check("translation.tools", ex, entry({"tools": padded})) == []
    assert check("translation.tools", ex, entry({"tools": good[:1]})) == ["2 tool definitions became 1 upstream"]


@pytest.mark.parametrize(
    ("choice", "parallel", "upstream", "ok"),
    [
        ("auto", None, None, True),
        ("auto", None, {"type": "auto"}, True),
        ("none", None, {"type": "none"}, True),
        ("required", None, {"type": "any"}, True),
        ("required", None, {"type": "auto"}, False),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            None,
            {"type": "tool", "name": "get_weather"},
            True,
        ),
        ({"type": "function", "function": {"name": "get_weather"}}, None, {"type": "any"}, False),
        ("auto", False, {"type": "auto", "disable_parallel_tool_use": True}, True),
        ("auto", False, {"type": "auto"}, False),
        ("auto", None, {"type": "auto", "disable_parallel_tool_use": True}, False),
    ],
    ids=[
        "auto-absent",
        "auto",
        "none",
        "required",
        "required-as-auto",
        "named",
        "named-as-any",
        "parallel-off",
        "parallel-off-dropped",
        "parallel-off-invented",
    ],
)
def test_tool_choice(choice: Any, parallel: Any, upstream: Any, ok: bool) -> None:
    fields: dict[str, Any] = {"tools": [WEATHER], "tool_choice": choice}
    if parallel is not None:
        fields["parallel_tool_calls"] = parallel
    body = {"tools": [{"name": "get_weather", "input_schema": {}}], **({"tool_choice": upstream} if upstream else {})}
    assert (check("translation.tool_choice", text_answer("hi", req=request(**fields)), entry(body)) == []) is ok


def test_tool_choice_none_may_leave_the_tools_out() -> None:
    ex = text_answer("hi", req=request(tools=[WEATHER], tool_choice="none"))
    assert check("translation.tool_choice", ex, entry()) == check("translation.tools", ex, entry()) == []


CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
TOOL_TURN = request(
    messages=[
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": None, "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "21 C"},
    ]
)
USE = {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}}
RESULT = {"type": "tool_result", "tool_use_id": "call_1", "content": "21 C"}
TEXT = {"type": "text", "text": "x"}


@pytest.mark.parametrize(
    ("messages", "wanted"),
    [
        ([{"role": "assistant", "content": [USE]}, {"role": "user", "content": [RESULT]}], []),
        (
            [{"role": "assistant", "content": [USE]}, {"role": "user", "content": [TEXT, RESULT]}],
            ["tool_result blocks must come before any other block of the turn"],
        ),
        (
            [
                {"role": "assistant", "content": [USE]},
                {"role": "user", "content": "x"},
                {"role": "user", "content": [RESULT]},
            ],
            ["the tool result is not in the user turn right after its tool_use"],
        ),
        (
            [{"role": "assistant", "content": [{**USE, "id": "toolu_9"}]}, {"role": "user", "content": [RESULT]}],
            ["an assistant tool call has no tool_use block with its id upstream"],
        ),
        (
            [{"role": "assistant", "content": [{**USE, "input": {}}]}, {"role": "user", "content": [RESULT]}],
            ["the tool_use block does not carry the call's name and arguments"],
        ),
        (
            [{"role": "assistant", "content": [USE]}, {"role": "user", "content": [{**RESULT, "content": "?"}]}],
            ["the tool result's content changed"],
        ),
    ],
    ids=["right", "after-text", "a-turn-later", "id-changed", "arguments-lost", "content-changed"],
)
def test_tool_results_follow_their_calls(messages: list[dict[str, Any]], wanted: list[str]) -> None:
    body = {"messages": [{"role": "user", "content": "weather?"}, *messages]}
    assert check("translation.tool_results", text_answer("21", req=TOOL_TURN), entry(body)) == wanted


PNG = "data:image/png;base64,iVBORw0KGgo="


def image_request(url: str) -> dict[str, Any]:
    return request(
        messages=[
            {
                "role": "user",
                "content": [{"type": "text", "text": "what?"}, {"type": "image_url", "image_url": {"url": url}}],
            }
        ]
    )


def image_entry(source: dict[str, Any]) -> dict[str, Any]:
    return entry(
        {
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "what?"}, {"type": "image", "source": source}]}
            ]
        }
    )


@pytest.mark.parametrize(
    ("url", "source", "wanted"),
    [
        (PNG, {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}, []),
        (
            PNG,
            {"type": "base64", "media_type": "image/jpeg", "data": "iVBORw0KGgo="},
            ["a data URI did not become a base64 source with its media type"],
        ),
        (PNG, {"type": "base64", "media_type": "image/png", "data": "AAAA"}, ["the image data changed on the way"]),
        (
            "data:image/png;base64," + "A" * 2000,
            {"type": "base64", "media_type": "image/png", "data": "A" * 48 + "...(2000 chars)"},
            [],
        ),
        ("https://x.test/a.png", {"type": "url", "url": "https://x.test/a.png"}, []),
        (
            "https://x.test/a.png",
            {"type": "base64", "media_type": "image/png", "data": "A"},
            ["an image URL did not become a url source"],
        ),
    ],
    ids=["png", "media-type-wrong", "data-changed", "journal-shortened", "url", "url-as-base64"],
)
def test_images(url: str, source: dict[str, Any], wanted: list[str]) -> None:
    assert check("translation.images", text_answer("red", req=image_request(url)), image_entry(source)) == wanted


# -- the way back ---------------------------------------------------------------------------------------------


def reply(stop_reason: str = "end_turn", text: str = "hi", content: Any = None, **usage: int) -> dict[str, Any]:
    counts = {
        "input_tokens": 12,
        "output_tokens": 5,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        **usage,
    }
    return entry(stop_reason=stop_reason, text=text, content=content or [{"type": "text"}], usage=counts)


@pytest.mark.parametrize(
    ("stop_reason", "finish", "ok"),
    [
        ("end_turn", "stop", True),
        ("stop_sequence", "stop", True),
        ("max_tokens", "length", True),
        ("refusal", "content_filter", True),
        ("end_turn", "end_turn", False),
        ("max_tokens", "stop", False),
    ],
    ids=["end_turn", "stop_sequence", "max_tokens", "refusal", "end_turn-leaked", "max_tokens-as-stop"],
)
def test_finish_reason_maps_the_stop_reason(stop_reason: str, finish: str, ok: bool) -> None:
    for ex in (text_answer("hi", finish), stream([chunk({"role": "assistant", "content": "hi"}), chunk({}, finish)])):
        assert (check("translation.finish_reason", ex, reply(stop_reason)) == []) is ok


def test_named_tool_choice_finish_follows_the_profile() -> None:
    profile = profile_with(named_tool_choice_finish="stop")
    req = request(tools=[WEATHER], tool_choice={"type": "function", "function": {"name": "get_weather"}})
    ex = whole({"content": None, "tool_calls": [CALL]}, "stop", req=req)
    assert titles(run(ex, "translation.finish_reason", upstream=reply("tool_use"), profile=profile)) == []


def test_text_and_answered() -> None:
    assert check("translation.text", text_answer("hi"), reply()) == []
    assert check("translation.text", text_answer("h"), reply()) == ["the answer text is not the upstream's"]
    cut = stream([chunk({"role": "assistant", "content": "hi"})], done=False)
    assert check("translation.answered", cut, reply()) == ["the upstream's stream was complete, the client's was not"]
    assert check("translation.answered", text_answer("x", status=500), reply()) == [
        "the upstream answered, the client got an error"
    ]


def tool_stream(indexes: list[int]) -> Any:
    deltas = [chunk({"role": "assistant", "content": "Let me check."})]
    for n, index in enumerate(indexes):
        deltas.append(
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": f"toolu_{n}",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": "{}"},
                        }
                    ]
                }
            )
        )
    return stream([*deltas, chunk({}, "tool_calls")])


def test_tool_index_counts_tool_blocks_only() -> None:
    blocks = [
        {"type": "text"},
        {"type": "tool_use", "id": "toolu_0", "name": "get_weather"},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather"},
    ]
    upstream = reply("tool_use", "Let me check.", blocks)
    assert check("translation.tool_index", tool_stream([0, 1]), upstream) == []
    assert check("translation.tool_index", tool_stream([1, 2]), upstream) == [
        "tool-call indexes count every content block, not tool blocks only"
    ]
    assert check("translation.tool_index", tool_stream([0]), upstream) == [
        "the tool calls are not the upstream's tool_use blocks in order"
    ]


def test_usage_is_the_upstreams() -> None:
    right = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}
    assert check("translation.usage", text_answer("hi", usage=right), reply()) == []
    swapped = {"prompt_tokens": 5, "completion_tokens": 12, "total_tokens": 17}
    assert check("translation.usage", text_answer("hi", usage=swapped), reply()) == [
        "prompt and completion tokens are swapped"
    ]
    cached = {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}
    assert check("translation.usage", text_answer("hi", usage=cached), reply(cache_read_input_tokens=8)) == []
    unasked = stream([chunk({"role": "assistant", "content": "hi"}), chunk({}, "stop")])
    assert check("translation.usage", unasked, reply()) == []  # a stream reports usage only when asked


def test_reply_checks_are_silent_without_an_upstream_answer() -> None:
    for name in (
        "translation.answered",
        "translation.text",
        "translation.finish_reason",
        "translation.tool_index",
        "translation.usage",
    ):
        assert check(name, text_answer("?", "end_turn"), entry(status=429)) == []
        assert check(name, text_answer("?", "end_turn"), None) == []


def test_request_checks_are_silent_without_an_upstream_request() -> None:
    ex = text_answer("hi", req=request(stop="x", tools=[WEATHER], tool_choice="required"))
    for name in (
        "translation.model",
        "translation.system",
        "translation.max_tokens",
        "translation.stop",
        "translation.tools",
        "translation.tool_choice",
        "translation.tool_results",
        "translation.images",
    ):
        assert check(name, ex, None) == []


def test_a_stripped_tool_schema_names_the_lost_keyword() -> None:
    strict = {**SCHEMA, "additionalProperties": False, "properties": {"city": {"type": "string", "pattern": "^[A-Z]"}}}
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": strict}}
    ex = text_answer("hi", req=request(tools=[tool]))
    rebuilt = {"type": "object", "properties": {"city": {"type": "string"}}, "$defs": {}}
    assert check("translation.tools", ex, entry({"tools": [{"name": "get_weather", "input_schema": rebuilt}]})) == [
        "tool get_weather input_schema: additionalProperties lost at $",
        "tool get_weather input_schema: pattern lost at $.properties.city",
    ]


def test_the_output_schema_arrives_with_its_meaning() -> None:
    schema = {"type": "object", "required": ["a"], "additionalProperties": False, "properties": {"a": {"const": 1}}}
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    ex = text_answer("{}", req=request(response_format=fmt))
    kept = {"output_format": {"type": "json_schema", "schema": {**schema, "$defs": {}}}}
    assert check("translation.output_schema", ex, entry(kept)) == []
    lost = {"output_config": {"format": {"type": "json_schema", "schema": {**schema, "properties": {"a": {}}}}}}
    assert check("translation.output_schema", ex, entry(lost)) == [
        "the response format's schema: const lost at $.properties.a"
    ]
    assert check("translation.output_schema", ex, entry()) == []  # not there at all: the field fate says so


@pytest.mark.parametrize(
    ("client", "upstream", "wanted"),
    [
        ({}, {}, []),
        ({}, {"stream": False}, []),
        ({"temperature": 0.2}, {"temperature": 0.2}, []),
        ({}, {"temperature": 1.0}, ["the gateway added temperature upstream, which the client never asked for"]),
        ({}, {"top_k": 40}, ["the gateway added top_k upstream, which the client never asked for"]),
        ({"user": "u1"}, {"metadata": {"user_id": "u1"}}, []),
        (
            {},
            {"metadata": {"user_id": "gateway"}},
            ["the gateway added metadata upstream, which the client never asked for"],
        ),
        ({"stop": ["x"]}, {"stop_sequences": ["x"]}, []),
    ],
    ids=["nothing", "stream-false", "temperature-sent", "temperature-invented", "top-k", "user", "metadata", "stop"],
)
def test_no_invented_fields(client: dict[str, Any], upstream: dict[str, Any], wanted: list[str]) -> None:
    ex = text_answer("hi", req=request(**client))
    assert check("translation.no_invented_fields", ex, entry(upstream)) == wanted


def test_an_allowed_addition_is_no_finding() -> None:
    ex = text_answer("hi", req=request())
    allowed = profile_with(upstream_added_fields=["top_k"])
    assert titles(run(ex, "translation.no_invented_fields", upstream=entry({"top_k": 5}), profile=allowed)) == []
