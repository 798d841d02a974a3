"""Shapes: snapshots of what answers look like (keys, types, fixed values), to catch format drift.

Ids, timestamps, text and counts are masked to their types by `chatconform.answer_shape`;
refresh the snapshots with `--snapshot-update` after an intended change. A mismatch is a
`shapes.snapshot` finding per JSON path that differs (in a stream, `$.chunks[i]` is the i-th
distinct chunk shape), with the stored and the observed shape at each.
"""

from __future__ import annotations

import pytest

from chatconform.answer_shape import shape, stream_shape
from chatconform.prompts import chat, exact, user

pytestmark = pytest.mark.shapes

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def test_completion_shape(raw, conform, profile, snapshot):
    ex = raw.chat(exact(profile.default_model_id, "SHAPE-OK"))
    conform.check(ex, "response.ok")
    conform.match_snapshot(snapshot, shape("chat.completion", ex.body), ex=ex)


def test_stream_shape(raw, conform, profile, snapshot):
    conform.requires("streaming")
    options = {"stream_options": {"include_usage": True}} if profile.claims("include_usage") else {}
    ex = raw.chat(exact(profile.default_model_id, "SHAPE-OK in a stream of several words", stream=True, **options))
    conform.check(ex, "stream.content_type")
    conform.match_snapshot(snapshot, stream_shape(ex), ex=ex, root="$.chunks")


def test_error_shape(raw, conform, profile, snapshot):
    ex = raw.chat(chat(profile.default_model_id))  # no messages
    conform.check(ex, "error.status", status=400)
    conform.match_snapshot(snapshot, shape("error", ex.body), ex=ex)


@pytest.mark.parametrize("mode", ["whole", "stream"])
def test_tool_call_shape(raw, conform, profile, snapshot, mode):
    conform.requires("tools")
    stream = mode == "stream"
    if stream:
        conform.requires("streaming")
    # tool_choice required: the shape of a tool call, not the model's choice of saying something first
    # (under auto a real model may put text before the call, which is a different, equally valid shape).
    body = chat(
        profile.default_model_id,
        user("Use get_weather for 'Paris'."),
        tools=[WEATHER_TOOL],
        tool_choice="required",
        stream=stream or None,
    )
    ex = raw.chat(body)
    conform.check(ex, "stream.content_type" if stream else "response.ok")
    if stream:
        conform.match_snapshot(snapshot, stream_shape(ex), ex=ex, root="$.chunks")
    else:
        conform.match_snapshot(snapshot, shape("chat.completion", ex.body), ex=ex)
