"""Tool calls as a whole: shape, arguments against the tool's schema, which calls, finish_reason, tool results.

These work on streamed exchanges too, on the calls reassembled from their
deltas; what only a stream can get wrong (indices, repeated ids) is in
`tool_stream`. Every check here is gated on the answer having arrived
(`response.ok` or `stream.content_type`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from chatconform.answer import (
    MISSING,
    call_arguments,
    calls_path,
    finish_path,
    finish_reason,
    function_of,
    parse_object,
    text,
    text_path,
    tool_calls,
)
from chatconform.checks.common import schema_problem, words
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show, undecided
from chatconform.checks.registry import check
from chatconform.checks.response import delivered
from chatconform.exchange import Exchange

NO_PARAMETERS: dict[str, Any] = {"type": "object"}  # OpenAI: a function without `parameters` takes none


def _calls_path(ex: Exchange, i: int) -> str:
    if ex.is_stream:
        return f"$.chunks[*].choices[0].delta.tool_calls[index={i}] (reassembled)"
    return f"$.choices[0].message.tool_calls[{i}]"


@check(
    "tools.call_shape",
    feature="tools",
    summary="each tool call has an id, type function, a name and arguments as a JSON string holding an object",
    tags=("tool_calls",),
    gate=delivered,
)
def call_shape(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    for i, call in enumerate(tool_calls(ex)):
        path = _calls_path(ex, i)
        if not isinstance(call, dict):
            yield Finding("tool call is not an object", path, "object", show(call))
            continue
        if not isinstance(call.get("id"), str) or not call["id"]:
            yield Finding(
                "tool call has no id",
                path + ".id",
                "non-empty string",
                show(call.get("id", MISSING)),
            )
        if call.get("type") != "function":
            yield Finding(
                'tool call type is not "function"',
                path + ".type",
                '"function"',
                show(call.get("type", MISSING)),
            )
        fn = function_of(call)
        if not isinstance(fn.get("name"), str) or not fn["name"]:
            yield Finding(
                "tool call has no function name",
                path + ".function.name",
                "non-empty string",
                show(fn.get("name", MISSING)),
            )
        _, why = parse_object(fn.get("arguments", MISSING) if fn else MISSING)
        if why:
            yield Finding(
                "arguments are not a JSON string holding an object",
                path + ".function.arguments",
                'a string such as \'{"city": "Paris"}\'',
                f"{why}: {show(fn.get('arguments', MISSING))}",
            )


def tool_schemas(ex: Exchange, expect: Expect) -> dict[str, dict[str, Any]]:
    """Tool name → parameters schema, from `expect.tools` or the request."""
    tools = expect.tools
    if tools is None and isinstance(ex.request_body, dict):
        tools = ex.request_body.get("tools")
    out: dict[str, dict[str, Any]] = {}
    for tool in tools or []:
        fn = function_of(tool)
        if isinstance(fn.get("name"), str):
            params = fn.get("parameters")
            out[fn["name"]] = params if isinstance(params, dict) else NO_PARAMETERS
    return out


@check(
    "tools.arguments_schema",
    feature="tools",
    summary="each call names an offered tool and its arguments validate against that tool's JSON Schema",
    reads=("tools",),
    tags=("tool_calls",),
    gate=delivered,
    tolerates="optional arguments added, and any values valid against the schema",
)
def arguments_schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    schemas = tool_schemas(ex, expect)
    for i, call in enumerate(tool_calls(ex)):
        fn, path = function_of(call), _calls_path(ex, i) + ".function"
        name = fn.get("name")
        if name not in schemas:
            yield Finding(
                "call to a tool that was not offered",
                path + ".name",
                f"one of {sorted(schemas)}",
                show(name),
            )
            continue
        arguments, _ = parse_object(fn.get("arguments", MISSING))
        if arguments is None:
            continue  # tools.call_shape reports it
        problem = schema_problem(schemas[name], arguments)
        if problem:
            yield Finding(
                f"arguments do not match the {name} schema",
                path + ".arguments",
                "valid against the tool's parameters",
                problem,
            )


@check(
    "tools.finish_reason",
    feature="tools",
    summary='finish_reason is "tool_calls" after tool calls (or the profile\'s value for a named tool_choice)',
    reads=("finish_reason",),
    gate=delivered,
)
def tools_finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if not tool_calls(ex):
        return  # no call, so no finish_reason "after tool calls": the missing calls are tools.expected_calls's
    wanted = expect.finish_reason or "tool_calls"
    observed = finish_reason(ex)
    if observed != wanted:
        yield Finding("wrong finish_reason after tool calls", finish_path(ex), show(wanted), show(observed))


@check(
    "tools.expected_calls",
    feature="tools",
    summary="the calls made are the ones the prompt asked for: names, count, argument objects or values",
    reads=("call_count", "tool_names", "arguments", "argument_values"),
    tags=("tool_calls",),
    gate=delivered,
    tolerates="calls in any order; optional arguments added; a string value in other words around the ones the "
    "prompt names ('Paris, France' for 'Paris'); fewer calls than asked where the request let the model decide "
    "(tool_choice auto, or a second call that required does not force) is inconclusive, not a failure",
)
def expected_calls(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    calls = tool_calls(ex)
    names = [str(function_of(c).get("name")) for c in calls]
    observed, path = call_arguments(ex), calls_path(ex)
    wanted_names = Counter(expect.tool_names) if expect.tool_names is not None else None
    fewer = expect.call_count is not None and len(calls) < expect.call_count
    asked_for = wanted_names is None or not Counter(names) - wanted_names  # every call made was asked for
    if fewer and asked_for and _model_may_skip(ex, len(calls)):
        yield undecided(
            "the model made fewer tool calls than asked, which the request allowed it to",
            path,
            str(expect.call_count),
            f"{len(calls)}: {show(names)}",
        )
        return
    if expect.call_count is not None and len(calls) != expect.call_count:
        yield Finding("wrong number of tool calls", path, str(expect.call_count), f"{len(calls)}: {show(names)}")
    if wanted_names is not None and Counter(names) != wanted_names:
        yield Finding(
            "the tools called are not the ones asked for", path, show(sorted(wanted_names.elements())), show(names)
        )
    if None in observed:
        return  # arguments that are not a JSON object are tools.call_shape's finding; comparing them is a knock-on
    if expect.arguments is not None and _multiset(observed) != _multiset(expect.arguments):
        yield Finding("argument objects differ from the ones asked for", path, show(expect.arguments), show(observed))
    if expect.argument_values is not None and not _each_within(list(expect.argument_values), observed):
        yield Finding(
            "the argument values asked for are not in the calls",
            path,
            "calls including " + show(expect.argument_values),
            show(observed),
        )


def _model_may_skip(ex: Exchange, made: int) -> bool:
    """Whether the request left the model free to make fewer calls: `auto` (or no tool_choice) always;
    `required` once it made one (it forces a call, not two); a named choice never."""
    choice = ex.request_body.get("tool_choice") if isinstance(ex.request_body, dict) else None
    if choice in (None, "auto"):
        return True
    return choice == "required" and made >= 1


def _multiset(objects: list[Any]) -> Counter[str]:
    return Counter(json.dumps(o, sort_keys=True) for o in objects)


def _each_within(wanted: list[dict[str, Any]], observed: list[dict[str, Any] | None]) -> bool:
    """Every wanted mapping is part of a different call's arguments (a model may add optional ones)."""
    free = [o for o in observed if isinstance(o, dict)]
    for want in wanted:
        match = next((o for o in free if all(k in o and _same_value(v, o[k]) for k, v in want.items())), None)
        if match is None:
            return False
        free.remove(match)
    return True


def _same_value(wanted: Any, got: Any) -> bool:
    """A string holds the wanted words in order, case aside ('Paris, France' holds 'Paris'); else equality."""
    if isinstance(wanted, str) and isinstance(got, str):
        need, have = words(wanted), words(got)
        return any(have[i : i + len(need)] == need for i in range(len(have) - len(need) + 1))
    return bool(wanted == got)


@check(
    "tools.result_used",
    feature="tools",
    summary="the answer after a tool result is text that uses it (expect `mentions`)",
    needs=("mentions",),
    gate=delivered,
    tolerates="any wording around the facts the tool result carried",
)
def result_used(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    answer, mentions = text(ex), [str(m) for m in expect.mentions or ()]
    missing = [m for m in mentions if m not in answer]
    if not answer.strip() or missing:
        yield Finding(
            "the answer does not use the tool result",
            text_path(ex),
            "text mentioning " + show(mentions),
            answer or "(empty)",
        )
