"""Basic completion: every model ID in both forms, raw and through the official SDK; system messages."""

from __future__ import annotations

import pytest

from chatconform.checks import RESPONSE_CHECKS
from chatconform.checks.common import normalise_text
from chatconform.prompts import assistant, chat, exact, reply_exactly, system, user

pytestmark = pytest.mark.basic

ANSWER = "BASIC-OK"


def test_basic(raw, conform, model_id):
    conform.check(raw.chat(exact(model_id, ANSWER)), *RESPONSE_CHECKS, text=ANSWER, finish_reason="stop")


def _check_sdk_completion(conform, completion, model_id):
    """The SDK parsed the answer; it reads as the raw one must."""
    choice = completion.choices[0]
    conform.record_usage(model_id, completion.usage)
    rid = completion.id
    conform.expect_equal(
        "sdk.text",
        normalise_text(ANSWER),
        normalise_text(choice.message.content or ""),
        title="the SDK reads another answer",
        path="$.choices[0].message.content",
        request_id=rid,
    )
    conform.expect_equal(
        "sdk.finish_reason",
        "stop",
        choice.finish_reason,
        title="the SDK reads another finish_reason",
        path="$.choices[0].finish_reason",
        request_id=rid,
    )
    conform.expect_equal(
        "sdk.object",
        "chat.completion",
        completion.object,
        title="the SDK reads another object",
        path="$.object",
        request_id=rid,
    )


def test_basic_sdk(sdk, conform, model_id):
    completion = sdk.chat.completions.create(**exact(model_id, ANSWER))
    _check_sdk_completion(conform, completion, model_id)


def test_basic_async_sdk(async_sdk, aio, conform, model_id):
    completion = aio.run(async_sdk.chat.completions.create(**exact(model_id, ANSWER)))
    _check_sdk_completion(conform, completion, model_id)


def test_system_first(raw, conform, model):
    body = chat(model, system(reply_exactly("SYSTEM-OK")), user("Hello! What can you do?"))
    conform.check(raw.chat(body), *RESPONSE_CHECKS, text="SYSTEM-OK")


def test_system_later_in_conversation(raw, conform, model):
    """A system message after the first turn still governs the answer (gateways must not drop it)."""
    body = chat(
        model,
        user("Hello!"),
        assistant("Hello! How can I help you today?"),
        system("From now on, " + reply_exactly("LATER-SYSTEM-OK")),
        user("What is the capital of France?"),
    )
    conform.check(raw.chat(body), *RESPONSE_CHECKS, text="LATER-SYSTEM-OK")
