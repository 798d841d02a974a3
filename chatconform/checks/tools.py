"""Tool calls as a whole: shape, arguments against the tool's schema, which calls, finish_reason, tool results.

These work on streamed exchanges too, on the calls reassembled from their
deltas; what only a stream can get wrong (indices, repeated ids) is in
`tool_stream`. Expect keys: `tools` (the definitions; default: the request's),
`finish_reason` (default "tool_calls"; a profile may expect "stop" after a
named tool_choice), `call_count`, `tool_names`, `arguments` (the exact objects)
or `argument_values` (values each call must include: a real model may add
optional arguments), `mentions` (what an answer using a tool result contains).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from chatconform.checks.reading import (
    MISSING,
    finish_path,
    finish_reason,
    function_of,
    parse_object,
    schema_problem,
    show,
    text_path,
    tool_calls,
)
from chatconform.checks.registry import Expect, Finding, check
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
)
def call_shape(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    for i, call in enumerate(tool_calls(ex)):
        path = _calls_path(ex, i)
        if not isinstance(call, dict):
            yield Finding("tools.call_shape", "tool call is not an object", path, "object", show(call))
            continue
        if not isinstance(call.get("id"), str) or not call["id"]:
            yield Finding(
                "tools.call_shape",
                "tool call has no id",
                path + ".id",
                "non-empty string",
                show(call.get("id", MISSING)),
            )
        if call.get("type") != "function":
            yield Finding(
                "tools.call_shape",
                'tool call type is not "function"',
                path + ".type",
                '"function"',
                show(call.get("type", MISSING)),
            )
        fn = function_of(call)
        if not isinstance(fn.get("name"), str) or not fn["name"]:
            yield Finding(
                "tools.call_shape",
                "tool call has no function name",
                path + ".function.name",
                "non-empty string",
                show(fn.get("name", MISSING)),
            )
        _, why = parse_object(fn.get("arguments", MISSING) if fn else MISSING)
        if why:
            yield Finding(
                "tools.call_shape",
                "arguments are not a JSON string holding an object",
                path + ".function.arguments",
                'a string such as \'{"city": "Paris"}\'',
                f"{why}: {show(fn.get('arguments', MISSING))}",
            )


def tool_schemas(ex: Exchange, expect: Expect) -> dict[str, dict[str, Any]]:
    """Tool name → parameters schema, from `expect["tools"]` or the request."""
    tools = expect.get("tools")
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
)
def arguments_schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    schemas = tool_schemas(ex, expect)
    for i, call in enumerate(tool_calls(ex)):
        fn, path = function_of(call), _calls_path(ex, i) + ".function"
        name = fn.get("name")
        if name not in schemas:
            yield Finding(
                "tools.arguments_schema",
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
                "tools.arguments_schema",
                f"arguments do not match the {name} schema",
                path + ".arguments",
                "valid against the tool's parameters",
                problem,
            )


@check(
    "tools.finish_reason",
    feature="tools",
    summary='finish_reason is "tool_calls" after tool calls (or the profile\'s value for a named tool_choice)',
)
def tools_finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    wanted = expect.get("finish_reason", "tool_calls")
    observed = finish_reason(ex)
    if observed != wanted:
        yield Finding(
            "tools.finish_reason", "wrong finish_reason after tool calls", finish_path(ex), show(wanted), show(observed)
        )


@check(
    "tools.expected_calls",
    feature="tools",
    summary="the calls made are the ones the prompt asked for: names, count, argument objects or values",
)
def expected_calls(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    calls = tool_calls(ex)
    names = [function_of(c).get("name") for c in calls]
    observed = [parse_object(function_of(c).get("arguments"))[0] for c in calls]
    path = "$.chunks[*].choices[0].delta.tool_calls" if ex.is_stream else "$.choices[0].message.tool_calls"
    if "call_count" in expect and len(calls) != expect["call_count"]:
        yield Finding(
            "tools.expected_calls",
            "wrong number of tool calls",
            path,
            str(expect["call_count"]),
            f"{len(calls)}: {show(names)}",
        )
    if "tool_names" in expect and Counter(map(str, names)) != Counter(map(str, expect["tool_names"])):
        yield Finding(
            "tools.expected_calls",
            "the tools called are not the ones asked for",
            path,
            show(sorted(expect["tool_names"])),
            show(names),
        )
    if "arguments" in expect and _multiset(observed) != _multiset(expect["arguments"]):
        yield Finding(
            "tools.expected_calls",
            "argument objects differ from the ones asked for",
            path,
            show(expect["arguments"]),
            show(observed),
        )
    if "argument_values" in expect and not _each_within(list(expect["argument_values"]), observed):
        yield Finding(
            "tools.expected_calls",
            "the argument values asked for are not in the calls",
            path,
            "calls including " + show(expect["argument_values"]),
            show(observed),
        )


def _multiset(objects: list[Any]) -> Counter[str]:
    return Counter(json.dumps(o, sort_keys=True) for o in objects)


def _each_within(wanted: list[dict[str, Any]], observed: list[dict[str, Any] | None]) -> bool:
    """Every wanted mapping is part of a different call's arguments (a model may add optional ones)."""
    free = [o for o in observed if isinstance(o, dict)]
    for want in wanted:
        match = next((o for o in free if all(k in o and o[k] == v for k, v in want.items())), None)
        if match is None:
            return False
        free.remove(match)
    return True


@check(
    "tools.result_used",
    feature="tools",
    summary="the answer after a tool result is text that uses it (expect `mentions`)",
)
def result_used(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    text = ex.text()
    path = text_path(ex)
    missing = [str(m) for m in expect.get("mentions", ()) if str(m) not in text]
    if not text.strip() or missing:
        yield Finding(
            "tools.result_used",
            "the answer does not use the tool result",
            path,
            "text mentioning " + show(list(map(str, expect.get("mentions", ())))),
            text or "(empty)",
        )
