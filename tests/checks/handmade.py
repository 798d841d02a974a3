"""Hand-built exchanges for check unit tests: a whole answer or a chunk stream, no server."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from chatconform.checks import registry
from chatconform.checks.finding import Finding
from chatconform.exchange import Exchange
from chatconform.profile import Profile, load_profile
from chatconform.sse import Event
from chatconform.wire import DONE

URL = "http://127.0.0.1:1/v1/chat/completions"
USAGE = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}


def run(ex: Exchange, name: str, **expect: Any) -> list[Finding]:
    """Apply one registered check, as `conform.check` would (its gate included)."""
    return registry.run(ex, [name], **expect)


def profile_with(**expect: Any) -> Profile:
    """The built-in profile with some `[expect]` values changed (profiles are immutable)."""
    profile = load_profile("tokenhub")
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in expect.items()}
    return replace(profile, expect=replace(profile.expect, **values))


def titles(findings: list[Finding]) -> list[str]:
    return [f.title for f in findings]


def request(**fields: Any) -> dict[str, Any]:
    return {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}], **fields}


def whole(
    message: dict[str, Any] | None = None,
    finish_reason: Any = "stop",
    usage: Any = USAGE,
    req: dict[str, Any] | None = None,
    status: int = 200,
) -> Exchange:
    """A non-stream exchange whose body holds one choice."""
    msg = {"role": "assistant", "content": "Hello.", **(message or {})}
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "claude-haiku-4-5",
        "choices": [{"index": 0, "message": msg, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = usage
    ex = Exchange("POST", URL, {}, req or request(), status=status, headers={"content-type": "application/json"})
    ex.body, ex.raw = body, json.dumps(body).encode()
    return ex


def text_answer(text: str, finish_reason: Any = "stop", **kw: Any) -> Exchange:
    return whole({"content": text}, finish_reason, **kw)


def chunk(
    delta: dict[str, Any] | None = None, finish_reason: Any = None, usage: Any = None, choices: bool = True
) -> dict[str, Any]:
    c: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "claude-haiku-4-5",
    }
    c["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish_reason}] if choices else []
    if usage is not None:
        c["usage"] = usage
    return c


def stream(chunks: list[dict[str, Any]], req: dict[str, Any] | None = None, done: bool = True) -> Exchange:
    """A stream exchange whose events are these chunks, then [DONE]."""
    ex = Exchange(
        "POST", URL, {}, req or request(stream=True), status=200, headers={"content-type": "text/event-stream"}
    )
    ex.events = [Event(json.dumps(c)) for c in chunks] + ([Event(DONE)] if done else [])
    return ex


def text_stream(text: str, finish_reason: Any = "stop", usage: Any = None, **kw: Any) -> Exchange:
    """A stream of the text word by word, the finish chunk, and a usage chunk when given."""
    words = text.split(" ")
    pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)] if text else []
    chunks = [chunk({"role": "assistant", "content": ""})] + [chunk({"content": p}) for p in pieces]
    chunks.append(chunk({}, finish_reason))
    if usage is not None:
        chunks.append(chunk(usage=usage, choices=False))
    return stream(chunks, **kw)


def call(name: str, arguments: Any, call_id: str = "call_1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def calls_answer(*calls: dict[str, Any], finish_reason: Any = "tool_calls", **kw: Any) -> Exchange:
    return whole({"content": None, "tool_calls": list(calls)}, finish_reason, **kw)


def tool_delta(
    index: Any = 0, call_id: str | None = None, name: str | None = None, arguments: str = "", **extra: Any
) -> dict[str, Any]:
    """One tool-call delta entry; id, type and name only when `call_id` / `name` are given."""
    entry: dict[str, Any] = {} if index is None else {"index": index}
    if call_id is not None:
        entry.update(id=call_id, type="function")
    entry["function"] = {"arguments": arguments} if name is None else {"name": name, "arguments": arguments}
    entry.update(extra)
    return entry


def calls_stream(*entries: dict[str, Any], finish_reason: Any = "tool_calls") -> Exchange:
    chunks = [chunk({"role": "assistant", "content": None})]
    chunks += [chunk({"tool_calls": [e]}) for e in entries]
    chunks.append(chunk({}, finish_reason))
    return stream(chunks)


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "additionalProperties": False,
            "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 14}},
        },
    },
}
CLOCK = {"type": "function", "function": {"name": "get_time"}}
