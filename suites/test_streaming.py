"""Streaming: SSE framing and chunk invariants per model ID, stream equals non-stream, include_usage, the SDK."""

from __future__ import annotations

import pytest

from chatconform.checks import RESPONSE_CHECKS, STREAM_CHECKS
from chatconform.checks.common import normalise_text
from chatconform.prompts import exact

pytestmark = pytest.mark.streaming

# Long enough to arrive in several chunks from any gateway.
ANSWER = "The quick brown fox jumps over the lazy dog while five wizards box quickly"


@pytest.fixture(autouse=True)
def _claims_streaming(conform):
    conform.requires("streaming")


def test_stream(raw, conform, model_id):
    ex = raw.chat(exact(model_id, ANSWER, stream=True))
    conform.check(ex, *STREAM_CHECKS, text=ANSWER, finish_reason="stop")


def test_stream_matches_non_stream(raw, conform, model):
    whole = raw.chat(exact(model, ANSWER))
    conform.check(whole, *RESPONSE_CHECKS)
    streamed = raw.chat(exact(model, ANSWER, stream=True))
    # Both say the words the prompt pins: two answers of a real model need not say them alike.
    conform.check(streamed, *STREAM_CHECKS, text=ANSWER)


@pytest.mark.parametrize("usage", ["asked", "unasked"])
def test_stream_usage_chunk(raw, conform, model, usage):
    asked = usage == "asked"
    if asked:
        conform.requires("include_usage")
    options = {"stream_options": {"include_usage": True}} if asked else {}
    ex = raw.chat(exact(model, ANSWER, stream=True, **options))
    conform.check(ex, *STREAM_CHECKS, include_usage=asked)


def test_stream_sdk(sdk, conform, profile, model):
    asked = profile.claims("include_usage")
    options = {"stream_options": {"include_usage": True}} if asked else {}
    stream = sdk.chat.completions.create(**exact(model, ANSWER, stream=True, **options))
    pieces, finish, usage, rid = [], [], None, ""
    with stream:
        for chunk in stream:
            rid = rid or chunk.id
            usage = chunk.usage or usage
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
                if choice.finish_reason is not None:
                    finish.append(choice.finish_reason)
    conform.record_usage(model, usage)
    conform.expect_equal(
        "sdk.stream_text",
        normalise_text(ANSWER),
        normalise_text("".join(pieces)),
        title="the SDK reassembles another text",
        path="$.chunks[*].choices[0].delta.content",
        request_id=rid,
    )
    conform.expect_equal(
        "sdk.stream_finish",
        ["stop"],
        finish,
        title="the SDK sees another finish_reason sequence",
        path="$.chunks[*].choices[0].finish_reason",
        request_id=rid,
    )
    conform.expect_equal(
        "sdk.stream_usage",
        asked,
        usage is not None,
        title="the SDK sees no usage chunk",
        path="$.chunks[-1].usage",
        request_id=rid,
    )
