"""The OpenAI chat wire format's smallest pieces, defined once.

What `[DONE]` is, what counts as a malformed chunk, where the first choice
of a body or chunk is, which delta carries output, and how usage counts are
read: the checks, the cost code, the exchange record and the load
generator's incremental reader all take these definitions from here, so
"truncated", "malformed" and "usage" mean the same everywhere. The module
imports nothing of chatconform's and never raises on garbage: a value that
is not what the contract says reads as "nothing found".
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

DONE = "[DONE]"
USAGE_COUNTS = ("prompt_tokens", "completion_tokens", "total_tokens")


class Data(Enum):
    """What one SSE data field of an OpenAI stream is."""

    DONE = "done"  # the terminator
    CHUNK = "chunk"  # a JSON object: a chat.completion.chunk
    ERROR = "error"  # a JSON object with an `error` member: an error frame sent mid-stream
    MALFORMED = "malformed"  # anything else: not JSON, or JSON that is not an object


def loads(text: str | bytes) -> Any:
    """JSON, or None when the text is not JSON (or nests past the recursion limit)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def classify(parsed: Any, data: str) -> Data:
    """The kind of a data field, given its text and its parsed JSON (None when unparsable)."""
    if data == DONE:
        return Data.DONE
    if type(parsed) is not dict:
        return Data.MALFORMED
    return Data.ERROR if "error" in parsed else Data.CHUNK


FAILURE_KIND = {Data.MALFORMED: "malformed", Data.ERROR: "stream_error"}


def stream_failure(done: bool, first_bad: Data | None, transport: str | None) -> str | None:
    """How a stream failed; None for a complete, clean one.

    `first_bad` is the first malformed chunk or error frame seen (an SSE grammar problem
    counts as malformed), `transport` what the connection did (`timeout`, `disconnect`).
    A stream that ended cleanly without `[DONE]` is `truncated`: a client cannot tell it
    from a cut, so it must never pass for a complete answer."""
    if first_bad is not None:
        return FAILURE_KIND.get(first_bad, "malformed")
    if transport is not None:
        return transport
    return None if done else "truncated"


def first_choice(data: Any) -> dict[str, Any]:
    """choices[0] of a body or chunk, or {} when there is none."""
    choices = data.get("choices") if isinstance(data, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    return first if isinstance(first, dict) else {}


def is_count(value: Any) -> bool:
    """A token count as usage must hold it: an integer (not a bool) of at least 0."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def usage_counts(usage: Any) -> dict[str, Any]:
    """The three counts of a usage object or an SDK usage object (absent ones as None)."""
    if isinstance(usage, dict):
        return {k: usage.get(k) for k in USAGE_COUNTS}
    return {k: getattr(usage, k, None) for k in USAGE_COUNTS}


def billable(usage: Any) -> tuple[int, int] | None:
    """(prompt, completion) tokens when both are valid counts, else None: what pricing needs."""
    if usage is None:
        return None
    counts = usage_counts(usage)
    prompt, completion = counts["prompt_tokens"], counts["completion_tokens"]
    return (prompt, completion) if is_count(prompt) and is_count(completion) else None


def delta_chars(delta: dict[str, Any]) -> int | None:
    """Characters of output in one delta (or message), or None when it carries no token:
    the role-only first chunk, the finish chunk and the usage chunk carry none."""
    content = delta.get("content")
    calls = delta.get("tool_calls")
    if not content and not calls:
        return None
    chars = len(content) if type(content) is str else 0
    if type(calls) is list:
        for call in calls:
            function = call.get("function") if type(call) is dict else None
            if type(function) is dict:
                chars += len(str(function.get("name") or "")) + len(str(function.get("arguments") or ""))
    return chars


def token_chars(choices: Any) -> int | None:
    """Characters of output in a chunk's choices, or None when no delta carries a token."""
    if type(choices) is not list:
        return None
    for choice in choices:
        delta = choice.get("delta") if type(choice) is dict else None
        if type(delta) is dict:
            chars = delta_chars(delta)
            if chars is not None:
                return chars
    return None
