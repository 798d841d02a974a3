"""Shapes: keys and types through the schema, stable across ids, text, chunk counts and benign extras."""

from __future__ import annotations

from chatconform.answer_shape import shape, stream_shape
from tests.checks.handmade import USAGE, calls_stream, chunk, stream, text_answer, text_stream


def test_values_are_masked_but_fixed_values_stay() -> None:
    body = text_answer("Hello there.", usage=USAGE).body
    assert shape("chat.completion", body) == {
        "choices": [
            {"finish_reason": "stop", "index": "integer", "message": {"content": "string|null", "role": "assistant"}}
        ],
        "created": "integer",
        "id": "string",
        "model": "string",
        "object": "chat.completion",
        "usage": {"completion_tokens": "integer", "prompt_tokens": "integer", "total_tokens": "integer"},
    }


def test_extra_fields_null_optionals_and_ignored_fields_do_not_change_the_shape() -> None:
    plain = text_answer("a").body
    noisy = text_answer("completely different text").body
    noisy.update(provider="x", system_fingerprint=None, service_tier="default")
    noisy["choices"][0]["message"]["refusal"] = None
    assert shape("chat.completion", noisy) == shape("chat.completion", plain)


def test_a_drift_changes_the_shape() -> None:
    plain = text_answer("a").body
    drifted = text_answer("a").body
    drifted["created"] = "2024-01-01T00:00:00Z"
    assert shape("chat.completion", drifted) != shape("chat.completion", plain)


def test_stream_shapes_collapse_runs_of_content_chunks() -> None:
    short, long = text_stream("one", usage=USAGE), text_stream("one two three four five", usage=USAGE)
    assert stream_shape(short) == stream_shape(long)
    assert stream_shape(long)[-2] == "[DONE]"
    assert len(stream_shape(long)) == 5  # text chunks (role and content alike), finish, usage, [DONE], deltas
    assert stream_shape(long)[-1] == {"deltas": {"content": "string|null", "role": "assistant"}}


def test_how_deltas_are_split_across_chunks_does_not_change_the_stream_shape() -> None:
    """The last text on the finish chunk (vLLM does it), the role with the first text: the same format."""
    usual = text_stream("one two three", usage=USAGE)
    merged = stream(
        [
            chunk({"role": "assistant", "content": "one "}),
            chunk({"content": "two "}),
            chunk({"content": "three"}, "stop"),
            chunk(usage=USAGE, choices=False),
        ]
    )
    assert stream_shape(merged) == stream_shape(usual)


def test_a_tool_call_header_without_arguments_has_the_shape_of_one_with_them() -> None:
    header = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather"}}
    fragment = {"index": 0, "function": {"arguments": '{"city": "Paris"}'}}
    without = calls_stream(header, fragment)
    with_empty = calls_stream({**header, "function": {"name": "get_weather", "arguments": ""}}, fragment)
    assert stream_shape(without) == stream_shape(with_empty)


def test_a_delta_drift_changes_the_stream_shape() -> None:
    drifted = stream([chunk({"role": "assistant", "content": [{"type": "text", "text": "one"}]}), chunk({}, "stop")])
    assert stream_shape(drifted) != stream_shape(text_stream("one"))
