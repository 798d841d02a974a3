"""Checks of a non-streamed `chat.completion` answer.

`response.ok` is the gate of every check that needs a whole JSON answer:
when the request failed, only its finding is reported. `answer.ok` gates the
checks that read an answer delivered either way (streamed or not).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from chatconform.answer import choice, requested_model, text
from chatconform.checks.common import finish_reason_findings, schema_finding, text_finding, wanted_finish
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, raw_head, show
from chatconform.checks.registry import check
from chatconform.exchange import Exchange

# A `created` before 2000 is nonsense; one above this is in milliseconds.
EARLIEST_CREATED = 946_684_800
CLOCK_SKEW_S = 86_400


def asked_stream(ex: Exchange) -> bool:
    body = ex.request_body
    return isinstance(body, dict) and body.get("stream") is True


def delivered(ex: Exchange) -> str:
    """The gate of a check that reads an answer either way: the stream's when a stream was asked for."""
    return "stream.content_type" if asked_stream(ex) else "response.ok"


def _body(ex: Exchange) -> dict[str, Any]:
    return ex.body if isinstance(ex.body, dict) else {}


@check(
    "response.ok",
    feature="basic",
    summary="the request succeeded: status 200, a JSON object body",
    tags=("response",),
    tolerates="any extra headers; a charset on the content type",
)
def ok(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.error:
        yield Finding(f"the request did not complete: {ex.error}", "$", "a whole response", ex.error)
    elif ex.status != 200:
        yield Finding(f"the request failed with status {ex.status}", "$", "200", f"{ex.status} {raw_head(ex.raw)}")
    elif ex.content_type != "application/json":
        yield Finding(
            "the answer is not declared as JSON",
            "content-type",
            "application/json",
            ex.headers.get("content-type", "(none)"),
        )
    elif not isinstance(ex.body, dict):
        yield Finding("the body is not a JSON object", "$", "a JSON object", raw_head(ex.raw))


@check(
    "response.schema",
    feature="basic",
    summary="the body validates against chat.completion",
    tags=("response",),
    gate="response.ok",
    tolerates="unknown fields anywhere (OpenAI adds fields over time); fields the schema marks optional",
)
def schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if found := schema_finding("chat.completion", ex.body):
        yield found


@check(
    "response.envelope",
    feature="basic",
    summary="object, id, created (seconds) and model are right",
    reads=("model",),
    tags=("response",),
    gate="response.ok",
    tolerates="the model in either ID form, or a dated version of the requested one",
)
def envelope(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = _body(ex)
    if body.get("object") != "chat.completion":
        yield Finding("object is not 'chat.completion'", "$.object", '"chat.completion"', show(body.get("object")))
    if not isinstance(body.get("id"), str) or not body.get("id"):
        yield Finding("id is missing or empty", "$.id", "a non-empty string", show(body.get("id")))
    yield from created_findings(body.get("created"), "$.created")
    yield from model_findings(expect.model or requested_model(ex), body.get("model"), expect, "$.model")


def created_findings(created: Any, path: str) -> Iterator[Finding]:
    if not isinstance(created, int) or isinstance(created, bool):
        yield Finding("created is not an integer", path, "Unix time in seconds", show(created))
        return
    now = time.time()
    if created > now * 100:
        yield Finding("created is in milliseconds, not seconds", path, f"about {int(now)}", show(created))
    elif not EARLIEST_CREATED <= created <= now + CLOCK_SKEW_S:
        yield Finding("created is not a plausible Unix time", path, f"about {int(now)}", show(created))


def model_findings(wanted: str, answered: Any, expect: Expect, path: str) -> Iterator[Finding]:
    """The answer must name the requested model: the same ID, its other form, or a dated version of it.
    Another model is a finding of its own, naming the model that answered (a substituted default)."""
    if not wanted or answered == wanted:
        return
    if not isinstance(answered, str) or not answered:
        yield Finding("model is missing", path, show(wanted), show(answered))
        return
    mine, theirs = expect.profile.resolve(wanted), expect.profile.resolve(answered)
    if mine is not None and (theirs == mine or answered.startswith(mine.id) or mine.id in answered):
        return
    if mine is None and wanted in answered:
        return
    yield Finding(
        f"the answer names another model than the one requested: {answered}", path, show(wanted), show(answered)
    )


@check(
    "response.finish_reason",
    feature="basic",
    summary="finish_reason is one of OpenAI's values (no leaks)",
    reads=("finish_reason",),
    tags=("response",),
    gate="response.ok",
    subsumes=("response.schema",),
)
def finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = choice(ex)
    if found:
        yield from finish_reason_findings(
            found.get("finish_reason"), "$.choices[0].finish_reason", wanted_finish(ex, expect)
        )


@check(
    "response.message",
    feature="basic",
    summary="one assistant message with text or tool calls",
    tags=("response",),
    gate="response.ok",
    tolerates="text next to tool calls (a model may say what it is about to do)",
)
def message(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body, first = _body(ex), choice(ex)
    if not first:
        yield Finding("no choice in the answer", "$.choices", "one choice", show(body.get("choices")))
        return
    msg = first.get("message")
    if not isinstance(msg, dict):
        yield Finding("the choice has no message object", "$.choices[0].message", "an object", show(msg))
        return
    if msg.get("role") != "assistant":
        yield Finding(
            "message role is not 'assistant'", "$.choices[0].message.role", '"assistant"', show(msg.get("role"))
        )
    content = msg.get("content")
    if isinstance(content, list):
        yield Finding(
            "content is an array of blocks, not a string",
            "$.choices[0].message.content",
            "a string (or null with tool_calls)",
            show(content),
        )
    elif content is None and not msg.get("tool_calls"):
        yield Finding("content is null without tool_calls", "$.choices[0].message.content", "a string", "null")


@check(
    "response.text",
    feature="basic",
    summary="the answer text is the one the prompt pins down (expect `text`)",
    reads=("text",),
    tags=("response",),
    gate="response.ok",
    tolerates="case, surrounding quotes or emphasis, trailing punctuation and whitespace around the words",
)
def response_text(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if expect.text is not None and (found := text_finding(expect.text, text(ex), "$.choices[0].message.content")):
        yield found
