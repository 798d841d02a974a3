"""Reading what an exchange answered, the same way whether it was streamed or not.

Checks compare answers across delivery modes (streamed usage against
non-stream usage, reassembled tool calls against whole ones), so the
extraction lives in one place. Every reader is lenient: a malformed body or
chunk yields "nothing found", and the check that needs the value reports it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match

from chatconform.exchange import Exchange

MISSING: Any = object()  # a field that is absent, as opposed to present and null


def choice(ex: Exchange) -> dict[str, Any]:
    """The first choice of a non-stream body, or {}."""
    body = ex.body if isinstance(ex.body, dict) else {}
    choices = body.get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    return first if isinstance(first, dict) else {}


def stream_choices(ex: Exchange) -> list[tuple[int, dict[str, Any]]]:
    """(chunk number, first choice) for every chunk that has one."""
    out = []
    for n, chunk in enumerate(ex.chunks()):
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            out.append((n, choices[0]))
    return out


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
    found = [c["usage"] for c in ex.chunks() if isinstance(c, dict) and c.get("usage") is not None]
    return found[-1] if found else None


def text_path(ex: Exchange) -> str:
    """Where the answer text is, for a finding."""
    return "$.chunks[*].choices[0].delta.content" if ex.is_stream else "$.choices[0].message.content"


def finish_path(ex: Exchange) -> str:
    return "$.chunks[*].choices[0].finish_reason" if ex.is_stream else "$.choices[0].finish_reason"


def message(ex: Exchange) -> dict[str, Any]:
    value = choice(ex).get("message")
    return value if isinstance(value, dict) else {}


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
        parts = [_function(d).get("arguments") for d in self.deltas]
        return "".join(p for p in parts if isinstance(p, str))

    def assembled(self) -> dict[str, Any]:
        """The call as a client library would rebuild it (first id/type/name wins)."""

        def first_of(get: Any) -> Any:
            return next((v for v in map(get, self.deltas) if v is not None), None)

        name = first_of(lambda d: _function(d).get("name"))
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


def parse_object(text: Any) -> tuple[dict[str, Any] | None, str]:
    """(object, "") when `text` is a JSON string holding an object, else (None, why not)."""
    if not isinstance(text, str):
        return None, f"a {type(text).__name__}, not a JSON string"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg} at {exc.pos})"
    except RecursionError:
        return None, "JSON nested too deeply to read"
    if not isinstance(value, dict):
        return None, f"JSON {type(value).__name__}, not an object"
    return value, ""


def _function(entry: dict[str, Any]) -> dict[str, Any]:
    fn = entry.get("function")
    return fn if isinstance(fn, dict) else {}


def function_of(entry: Any) -> dict[str, Any]:
    return _function(entry) if isinstance(entry, dict) else {}


def show(value: Any) -> str:
    """A compact JSON rendering for `observed`/`expected`."""
    if value is MISSING:
        return "(absent)"
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def schema_problem(schema: dict[str, Any], instance: Any) -> str:
    """ "" when `instance` is valid against `schema`, else one sentence saying where and why not."""
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
