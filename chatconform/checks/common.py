"""Pieces several check modules share: schema findings, finish_reason leaks, text comparison."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match

from chatconform import schemas
from chatconform.answer import tool_calls
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.exchange import Exchange

FINISH_REASONS = ("stop", "length", "tool_calls", "content_filter", "function_call")
# Anthropic stop_reason values that a gateway forgot to map, and what OpenAI calls them.
ANTHROPIC_LEAKS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
    "model_context_window_exceeded": "length",
}


def schema_finding(schema: str, instance: Any, prefix: str = "$") -> Finding | None:
    """One finding for the most relevant schema violation, or None when `instance` is valid."""
    error = schemas.first_error(schema, instance)
    if error is None:
        return None
    path = prefix + schemas.json_path(error)[1:]
    label = schemas.schema(schema).get("title", schema)
    if error.validator == "required":
        missing = error.message.split("'")[1] if error.message.count("'") >= 2 else "?"
        return Finding(
            f"{label}: required field {missing!r} is missing", path, f"an object with {missing!r}", show(error.instance)
        )
    expected = f"{error.validator}: {show(error.validator_value)}"
    title = f"{label}: {error.message}" if len(error.message) < 100 else f"{label}: {path} is invalid"
    return Finding(title, path, expected, show(error.instance))


def wanted_finish(ex: Exchange, expect: Expect) -> str | None:
    """The finish_reason an answer is held to: the expected one, except "tool_calls" on an answer that made
    no call. Whether calls were due there is tools.expected_calls's judgement (a departure, or inconclusive
    where the request let the model decide); repeating it as a finish_reason would count one cause twice,
    and fail a model that chose to answer in text with the "stop" that such an answer rightly ends with."""
    if expect.finish_reason == "tool_calls" and not tool_calls(ex):
        return None
    return expect.finish_reason


def finish_reason_findings(value: Any, path: str, expected: str | None = None) -> list[Finding]:
    """A finish_reason outside OpenAI's enum (naming Anthropic leaks), or other than the expected one."""
    allowed = " | ".join(FINISH_REASONS)
    if isinstance(value, str) and value in ANTHROPIC_LEAKS:
        title = f"Anthropic stop_reason {value!r} leaked into finish_reason (OpenAI says {ANTHROPIC_LEAKS[value]!r})"
        return [Finding(title, path, allowed, show(value))]
    if value == "":
        return [Finding("finish_reason is an empty string", path, allowed, show(value))]
    if value not in FINISH_REASONS:
        return [Finding("finish_reason is not one of OpenAI's values", path, allowed, show(value))]
    if expected is not None and value != expected:
        return [Finding(f"finish_reason should be {expected!r}", path, show(expected), show(value))]
    return []


def normalise_text(text: str) -> str:
    """What "the same answer" means across gateways, models and modes: the words, in order, case-folded,
    without the punctuation and quotes a model may put around them (`"Pong."` is `pong`)."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """The words of a text, case-folded; a hyphen or apostrophe inside a word keeps it whole."""
    return [w.strip("-'") for w in re.findall(r"[\w][\w'-]*", text.casefold())]


def text_finding(expected: str, observed: str, path: str) -> Finding | None:
    """A finding when `observed` does not say the words `expected` pins down."""
    if words(expected) == words(observed):
        return None
    return Finding("the answer text is not the expected one", path, show(expected), show(observed))


def request_field(body: Any, name: str) -> Any:
    return body.get(name) if isinstance(body, dict) else None


def schema_problem(schema: dict[str, Any], instance: Any) -> str:
    """ "" when `instance` is valid against a schema the request carried, else where and why not."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return f"the schema itself is invalid: {exc.message}"
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return ""
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{where or '(root)'}: {error.message} in {show(instance)}"
