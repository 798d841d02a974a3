"""Reading what an exchange answered, the same way whether it was streamed or not.

Checks compare answers across delivery modes (streamed usage against
non-stream usage, reassembled tool calls against whole ones), and the cost
code prices the same usage the checks read, so the extraction lives in one
place. Every reader is lenient: a malformed body or chunk yields "nothing
found", and the check that needs the value reports it. The definitions of
the wire's pieces (`[DONE]`, malformed chunks, usage counts) are in
`chatconform.wire`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chatconform.exchange import Exchange
from chatconform.wire import first_choice

MISSING: Any = object()  # a field that is absent, as opposed to present and null


def chunk_objects(ex: Exchange) -> list[tuple[int, dict[str, Any]]]:
    """(position, chunk) for every chunk that parsed as a JSON object and is not an error frame."""
    return [(i, c) for i, c in enumerate(ex.chunks()) if isinstance(c, dict) and "error" not in c]


def error_frames(ex: Exchange) -> list[tuple[int, Any]]:
    """(position, chunk) for every error object sent inside a stream."""
    return [(i, c) for i, c in enumerate(ex.chunks()) if isinstance(c, dict) and "error" in c]


def stream_choices(ex: Exchange) -> list[tuple[int, dict[str, Any]]]:
    """(chunk position, first choice) for every chunk that carries one."""
    return [(i, choice) for i, chunk in chunk_objects(ex) if (choice := first_choice(chunk))]


def choice(ex: Exchange) -> dict[str, Any]:
    """The first choice of a non-stream body, or {}."""
    return first_choice(ex.body)


def message(ex: Exchange) -> dict[str, Any]:
    value = choice(ex).get("message")
    return value if isinstance(value, dict) else {}


def text(ex: Exchange) -> str:
    """The assistant text: the message content, or the streamed content deltas joined."""
    if ex.is_stream:
        deltas = (c.get("delta") for _, c in stream_choices(ex))
        return "".join(d["content"] for d in deltas if isinstance(d, dict) and isinstance(d.get("content"), str))
    content = message(ex).get("content")
    return content if isinstance(content, str) else ""


def finish_reason(ex: Exchange) -> Any:
    """The finish_reason: the last non-null one of a stream; MISSING when none was sent."""
    if not ex.is_stream:
        return choice(ex).get("finish_reason", MISSING)
    reasons = [c["finish_reason"] for _, c in stream_choices(ex) if c.get("finish_reason") is not None]
    return reasons[-1] if reasons else MISSING


def usage(ex: Exchange) -> Any:
    """The usage object: the body's, or the last non-null one of a stream; None when absent."""
    if not ex.is_stream:
        return ex.body.get("usage") if isinstance(ex.body, dict) else None
    found = [c["usage"] for _, c in chunk_objects(ex) if c.get("usage") is not None]
    return found[-1] if found else None


def delivered_usage(ex: Exchange) -> Any:
    """The usage of a successful answer (status 200), as billed; None otherwise."""
    return usage(ex) if ex.status == 200 else None


def requested_model(ex: Exchange) -> str:
    body = ex.request_body
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else ""


def text_path(ex: Exchange) -> str:
    """Where the answer text is, for a finding."""
    return "$.chunks[*].choices[0].delta.content" if ex.is_stream else "$.choices[0].message.content"


def finish_path(ex: Exchange) -> str:
    return "$.chunks[*].choices[0].finish_reason" if ex.is_stream else "$.choices[0].finish_reason"


def calls_path(ex: Exchange) -> str:
    return "$.chunks[*].choices[0].delta.tool_calls" if ex.is_stream else "$.choices[0].message.tool_calls"


def function_of(entry: Any) -> dict[str, Any]:
    fn = entry.get("function") if isinstance(entry, dict) else None
    return fn if isinstance(fn, dict) else {}


@dataclass
class StreamedCall:
    """One tool call as its deltas delivered it."""

    index: Any
    deltas: list[dict[str, Any]] = field(default_factory=list)  # every delta entry of this call, in order
    chunk_numbers: list[int] = field(default_factory=list)

    @property
    def first(self) -> dict[str, Any]:
        return self.deltas[0]

    def arguments(self) -> str:
        parts = [function_of(d).get("arguments") for d in self.deltas]
        return "".join(p for p in parts if isinstance(p, str))

    def assembled(self) -> dict[str, Any]:
        """The call as a client library would rebuild it (first id/type/name wins)."""

        def first_of(get: Any) -> Any:
            return next((v for v in map(get, self.deltas) if v is not None), None)

        name = first_of(lambda d: function_of(d).get("name"))
        return {
            "id": first_of(lambda d: d.get("id")),
            "type": first_of(lambda d: d.get("type")),
            "function": {"name": name, "arguments": self.arguments()},
        }


def streamed_calls(ex: Exchange) -> list[StreamedCall]:
    """Tool-call delta entries grouped into calls by `index`, in order of first appearance.

    An entry without an index joins the latest call, unless it carries an id
    of its own (then it starts one): that is the best a client could do."""
    calls: list[StreamedCall] = []
    by_index: dict[Any, StreamedCall] = {}
    for n, c in stream_choices(ex):
        delta = c.get("delta")
        entries = delta.get("tool_calls") if isinstance(delta, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            call = _call_for(entry, calls, by_index)
            call.deltas.append(entry)
            call.chunk_numbers.append(n)
    return calls


def _call_for(entry: dict[str, Any], calls: list[StreamedCall], by_index: dict[Any, StreamedCall]) -> StreamedCall:
    index = entry.get("index", MISSING)
    hashable = index if isinstance(index, (int, str)) and not isinstance(index, bool) else None
    if hashable is not None and hashable in by_index:
        return by_index[hashable]
    if hashable is None and calls and not entry.get("id"):
        return calls[-1]
    call = StreamedCall(index)
    calls.append(call)
    if hashable is not None:
        by_index[hashable] = call
    return call


def tool_calls(ex: Exchange) -> list[Any]:
    """The tool calls as a whole: the message's list, or the reassembled stream."""
    if ex.is_stream:
        return [c.assembled() for c in streamed_calls(ex)]
    calls = message(ex).get("tool_calls")
    return calls if isinstance(calls, list) else []


def parse_object(value: Any) -> tuple[dict[str, Any] | None, str]:
    """(object, "") when `value` is a JSON string holding an object, else (None, why not)."""
    if not isinstance(value, str):
        return None, f"a {type(value).__name__}, not a JSON string"
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at {exc.pos})"
    except RecursionError:
        return None, "JSON nested too deeply to read"
    if not isinstance(parsed, dict):
        return None, f"JSON {type(parsed).__name__}, not an object"
    return parsed, ""


def call_arguments(ex: Exchange) -> list[dict[str, Any] | None]:
    """The argument object of each tool call, in call order (None where it is not a JSON object)."""
    return [parse_object(function_of(c).get("arguments"))[0] for c in tool_calls(ex)]
