"""Checks of a non-streamed `chat.completion` answer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from chatconform.checks.common import finish_reason_findings, request_field, schema_finding, show, text_finding
from chatconform.checks.registry import Expect, Finding, check
from chatconform.exchange import Exchange
from chatconform.profile import Profile

# A `created` before 2000 is nonsense; one above this is in milliseconds.
EARLIEST_CREATED = 946_684_800
CLOCK_SKEW_S = 86_400

RESPONSE_CHECKS = (
    "response.ok",
    "response.schema",
    "response.envelope",
    "response.finish_reason",
    "response.message",
    "error.not_in_200",
    "response.text",
)


def _body(ex: Exchange) -> dict[str, Any] | None:
    return ex.body if ex.status == 200 and isinstance(ex.body, dict) else None


def _choice(body: dict[str, Any]) -> dict[str, Any] | None:
    choices = body.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return choices[0]
    return None


@check("response.ok", feature="basic", summary="the request succeeded: status 200, a JSON object body")
def ok(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.error:
        yield Finding("response.ok", f"the request did not complete: {ex.error}", "$", "a whole response", ex.error)
    elif ex.status != 200:
        yield Finding(
            "response.ok",
            f"the request failed with status {ex.status}",
            "$",
            "200",
            f"{ex.status} {ex.raw[:300].decode('utf-8', 'replace')}",
        )
    elif ex.content_type != "application/json":
        yield Finding(
            "response.ok",
            "the answer is not declared as JSON",
            "content-type",
            "application/json",
            ex.headers.get("content-type", "(none)"),
        )
    elif not isinstance(ex.body, dict):
        yield Finding(
            "response.ok",
            "the body is not a JSON object",
            "$",
            "a JSON object",
            ex.raw[:300].decode("utf-8", "replace"),
        )


@check("response.schema", feature="basic", summary="the body validates against chat.completion")
def schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = _body(ex)
    if body is not None and (found := schema_finding("response.schema", "chat.completion", body)):
        yield found


@check("response.envelope", feature="basic", summary="object, id, created (seconds) and model are right")
def envelope(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = _body(ex)
    if body is None:
        return
    name = "response.envelope"
    if body.get("object") != "chat.completion":
        yield Finding(
            name, "object is not 'chat.completion'", "$.object", '"chat.completion"', show(body.get("object"))
        )
    if not isinstance(body.get("id"), str) or not body.get("id"):
        yield Finding(name, "id is missing or empty", "$.id", "a non-empty string", show(body.get("id")))
    yield from created_findings(name, body.get("created"), "$.created")
    yield from model_findings(name, request_field(ex.request_body, "model"), body.get("model"), expect, "$.model")


def created_findings(name: str, created: Any, path: str) -> Iterator[Finding]:
    if not isinstance(created, int) or isinstance(created, bool):
        yield Finding(name, "created is not an integer", path, "Unix time in seconds", show(created))
        return
    now = time.time()
    if created > now * 100:
        yield Finding(name, "created is in milliseconds, not seconds", path, f"about {int(now)}", show(created))
    elif not EARLIEST_CREATED <= created <= now + CLOCK_SKEW_S:
        yield Finding(name, "created is not a plausible Unix time", path, f"about {int(now)}", show(created))


def model_findings(name: str, requested: Any, answered: Any, expect: Expect, path: str) -> Iterator[Finding]:
    """The answer must name the requested model: the same ID, its other form, or a dated version of it."""
    wanted = expect.get("model", requested)
    if not isinstance(wanted, str) or answered == wanted:
        return
    if not isinstance(answered, str) or not answered:
        yield Finding(name, "model is missing", path, show(wanted), show(answered))
        return
    profile = expect.get("profile")
    if isinstance(profile, Profile):
        mine, theirs = profile.resolve(wanted), profile.resolve(answered)
        if mine is not None and (theirs == mine or answered.startswith(mine.id) or mine.id in answered):
            return
    elif wanted in answered:
        return
    yield Finding(name, "the answer names another model than the one requested", path, show(wanted), show(answered))


@check("response.finish_reason", feature="basic", summary="finish_reason is one of OpenAI's values (no leaks)")
def finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = _body(ex)
    choice = _choice(body) if body is not None else None
    if choice is None:
        return
    yield from finish_reason_findings(
        "response.finish_reason",
        choice.get("finish_reason"),
        "$.choices[0].finish_reason",
        expect.get("finish_reason"),
    )


@check("response.message", feature="basic", summary="one assistant message with text or tool calls")
def message(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = _body(ex)
    if body is None:
        return
    name, choice = "response.message", _choice(body)
    if choice is None:
        yield Finding(name, "no choice in the answer", "$.choices", "one choice", show(body.get("choices")))
        return
    msg = choice.get("message")
    if not isinstance(msg, dict):
        yield Finding(name, "the choice has no message object", "$.choices[0].message", "an object", show(msg))
        return
    if msg.get("role") != "assistant":
        yield Finding(
            name, "message role is not 'assistant'", "$.choices[0].message.role", '"assistant"', show(msg.get("role"))
        )
    content = msg.get("content")
    if isinstance(content, list):
        yield Finding(
            name,
            "content is an array of blocks, not a string",
            "$.choices[0].message.content",
            "a string (or null with tool_calls)",
            show(content),
        )
    elif content is None and not msg.get("tool_calls"):
        yield Finding(name, "content is null without tool_calls", "$.choices[0].message.content", "a string", "null")


@check("response.text", feature="basic", summary="the answer text equals expect['text'] when given")
def text(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    wanted = expect.get("text")
    if wanted is None or _body(ex) is None:
        return
    found = text_finding("response.text", str(wanted), ex.text(), "$.choices[0].message.content")
    if found:
        yield found
