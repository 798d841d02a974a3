"""Streamed tool calls: what only the delta framing can get wrong.

OpenAI streams each call as a first delta carrying `index`, `id`, `type` and
`function.name` (with the start of the arguments), then deltas carrying only
`index` and argument fragments. Clients (the official SDKs among them)
rebuild calls by `index` and concatenate strings, so a missing index, calls
sharing index 0, or a name sent twice all corrupt what the user receives.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.answer import MISSING, StreamedCall, function_of, parse_object, streamed_calls
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import check
from chatconform.exchange import Exchange


def _path(call: StreamedCall, k: int = 0) -> str:
    return f"$.chunks[{call.chunk_numbers[k]}].choices[0].delta.tool_calls[index={show(call.index)}]"


def _is_index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@check(
    "tools.stream_index",
    feature="tools",
    summary="every tool-call delta has an integer index; indices start at 0 and give each call its own",
    tags=("tool_stream",),
    gate="stream.content_type",
    tolerates="calls interleaved across chunks; arguments split anywhere, one character per delta included",
)
def stream_index(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    calls = streamed_calls(ex)
    for call in calls:
        if not _is_index(call.index):
            yield Finding(
                "tool-call delta without a valid index",
                _path(call),
                "an integer ≥ 0",
                show(call.index),
            )
        ids = list(dict.fromkeys(d["id"] for d in call.deltas if isinstance(d.get("id"), str) and d["id"]))
        if len(ids) > 1:
            yield Finding(
                f"{len(ids)} calls share one index",
                _path(call),
                "one index per call (0, 1, 2, ...)",
                f"index {show(call.index)} for ids {show(ids)}",
            )
    indices = [c.index for c in calls if _is_index(c.index)]
    if indices and indices != list(range(len(indices))):
        yield Finding(
            "tool-call indices are not 0, 1, 2, ... in order",
            "$.chunks[*].choices[0].delta.tool_calls[*].index",
            show(list(range(len(indices)))),
            show(indices),
        )


@check(
    "tools.stream_once",
    feature="tools",
    summary="id, type and function.name arrive exactly once per call, in its first delta",
    tags=("tool_stream",),
    gate="stream.content_type",
)
def stream_once(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    for call in streamed_calls(ex):
        first = call.first
        if not isinstance(first.get("id"), str) or not first["id"]:
            yield Finding(
                "first delta of a call has no id",
                _path(call) + ".id",
                "non-empty string",
                show(first.get("id", MISSING)),
            )
        if first.get("type") != "function":
            yield Finding(
                'first delta of a call has no type "function"',
                _path(call) + ".type",
                '"function"',
                show(first.get("type", MISSING)),
            )
        name = function_of(first).get("name", MISSING)
        if not isinstance(name, str) or not name:
            yield Finding(
                "first delta of a call has no function name",
                _path(call) + ".function.name",
                "non-empty string",
                show(name),
            )
        yield from _repeats(call)


def _repeats(call: StreamedCall) -> Iterator[Finding]:
    # A client concatenates string fields it sees twice: "get_weather" becomes "get_weatherget_weather".
    for k, delta in enumerate(call.deltas[1:], start=1):
        sent = {"id": delta.get("id"), "type": delta.get("type"), "function.name": function_of(delta).get("name")}
        for field, value in sent.items():
            if value not in (None, ""):
                yield Finding(
                    f"{field} sent again in a later delta of the same call",
                    _path(call, k) + "." + field,
                    "only in the first delta",
                    show(value),
                )


@check(
    "tools.stream_arguments",
    feature="tools",
    summary="argument fragments of each call join into a JSON object",
    tags=("tool_stream",),
    gate="stream.content_type",
    tolerates="fragments of any size, down to one character; what the arguments say is tools.expected_calls' "
    "to judge (two answers of a real model, streamed and not, may choose other values)",
)
def stream_arguments(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    for call in streamed_calls(ex):
        _, why = parse_object(call.arguments())
        if why:
            yield Finding(
                "argument fragments do not join into a JSON object",
                _path(call) + ".function.arguments",
                "fragments forming one JSON object",
                f"{why}: {show(call.arguments())}",
            )
