"""Pieces several check modules share: schema findings, finish_reason leaks, text comparison."""

from __future__ import annotations

import json
import re
from typing import Any

from chatconform import schemas
from chatconform.checks.registry import Finding

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
_QUOTES = ('"', "'", "`", "*")


def show(value: Any) -> str:
    """A value as JSON, the way it was on the wire."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def schema_finding(check: str, schema: str, instance: Any, prefix: str = "$") -> Finding | None:
    """One finding for the most relevant schema violation, or None when `instance` is valid."""
    error = schemas.first_error(schema, instance)
    if error is None:
        return None
    path = prefix + schemas.json_path(error)[1:]
    label = schemas.schema(schema).get("title", schema)
    if error.validator == "required":
        missing = error.message.split("'")[1] if error.message.count("'") >= 2 else "?"
        return Finding(
            check,
            f"{label}: required field {missing!r} is missing",
            path,
            f"an object with {missing!r}",
            show(error.instance),
        )
    expected = f"{error.validator}: {show(error.validator_value)}"
    title = f"{label}: {error.message}" if len(error.message) < 100 else f"{label}: {path} is invalid"
    return Finding(check, title, path, expected, show(error.instance))


def finish_reason_findings(check: str, value: Any, path: str, expected: str | None = None) -> list[Finding]:
    """A finish_reason outside OpenAI's enum (naming Anthropic leaks), or other than the expected one."""
    allowed = " | ".join(FINISH_REASONS)
    if isinstance(value, str) and value in ANTHROPIC_LEAKS:
        title = f"Anthropic stop_reason {value!r} leaked into finish_reason (OpenAI says {ANTHROPIC_LEAKS[value]!r})"
        return [Finding(check, title, path, allowed, show(value))]
    if value == "":
        return [Finding(check, "finish_reason is an empty string", path, allowed, show(value))]
    if value not in FINISH_REASONS:
        return [Finding(check, "finish_reason is not one of OpenAI's values", path, allowed, show(value))]
    if expected is not None and value != expected:
        return [Finding(check, f"finish_reason should be {expected!r}", path, show(expected), show(value))]
    return []


def normalise_text(text: str) -> str:
    """What "the same answer" means across gateways and modes: trimmed, one pair of surrounding
    quotes or emphasis removed, a trailing full stop dropped, runs of whitespace collapsed."""
    text = text.strip()
    for quote in _QUOTES:
        if len(text) >= 2 and text.startswith(quote) and text.endswith(quote):
            text = text.strip(quote).strip()
    return re.sub(r"\s+", " ", text).removesuffix(".").strip()


def text_finding(check: str, expected: str, observed: str, path: str) -> Finding | None:
    if normalise_text(expected) == normalise_text(observed):
        return None
    return Finding(check, "the answer text is not the expected one", path, show(expected), show(observed))


def request_field(body: Any, name: str) -> Any:
    return body.get(name) if isinstance(body, dict) else None
