"""Which tools the mock calls, and with what arguments.

A tool is called when `tool_choice` forces it, or when the last user message
mentions it by name (as a real model would act on "use get_weather"). With
parallel calls allowed, every mentioned tool is called, and a tool with one
free-text argument is called once per quoted value or named place ("for
'Paris' and 'Tokyo'", "for Paris and Tokyo"). Arguments come from `toolargs`,
drawn from the prompt's hints; the voice may make fewer calls where the
request lets the model choose, reorder them and word their JSON its own way.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from random import Random
from typing import Any

from chatconform.mock import toolargs
from chatconform.mock.request import ChatRequest
from chatconform.mock.voice import Plan, Voice


@dataclass(frozen=True)
class ToolCall:
    key: str  # 24 lowercase hex chars; the faces add "call_" or "toolu_"
    name: str
    arguments: str  # JSON text of an object


def tool_calls(req: ChatRequest, seed: int, voice: Voice | None = None) -> tuple[ToolCall, ...]:
    """The calls the model makes for this request; empty when it answers in text."""
    plan = _plan(req)
    if voice is not None:
        plan = voice.plan(plan, req.tool_choice == "auto")
    calls = []
    for index, (name, schema, hints) in enumerate(plan):
        # the exact voice draws each call's values from a seed of its own; a varied voice from its stream
        rng = voice.rng if voice is not None and voice.varied else Random(seed + index)
        extra = voice.extra_arguments if voice is not None else 0.0
        try:
            value = toolargs.instance(schema, hints, rng, extra) if schema else {}
        except toolargs.SchemaError as exc:
            raise exc.under("tools", _position(req, name), "function", "parameters") from None
        key = hashlib.sha256(f"{seed}:{index}:{name}".encode()).hexdigest()[:24]
        text = voice.arguments(value) if voice is not None else json.dumps(value, ensure_ascii=False)
        calls.append(ToolCall(key, name, text))
    return tuple(calls)


def _position(req: ChatRequest, name: str) -> int:
    """Where the tool called `name` is in the request's `tools`."""
    return next((i for i, t in enumerate(req.tools) if (t.get("function") or {}).get("name") == name), 0)


def _plan(req: ChatRequest) -> Plan:
    """Which tools to call, in order, each with the hints its arguments are drawn from."""
    if not req.tools or req.tool_choice == "none":
        return []
    schemas = {str(f["name"]): f.get("parameters") or {} for t in req.tools if isinstance(f := t.get("function"), dict)}
    text = req.last_user_text
    hints = toolargs.hints_from_text(text)
    # a quoted tool name ("call 'get_weather'") names the tool, it is not an argument
    hints = hints.without_values({n.lower() for n in schemas})
    forced = _forced_name(req.tool_choice)
    if forced:
        return [(forced, schemas.get(forced, {}), hints)]
    mentioned = _mentioned(text, list(schemas))
    if not mentioned and req.tool_choice == "required" and schemas:
        mentioned = [(0, next(iter(schemas)))]
    if not mentioned or not req.parallel_tool_calls:
        return [(name, schemas[name], hints) for _, name in mentioned[:1]]
    if len(mentioned) == 1:
        return _fan_out(mentioned[0][1], schemas[mentioned[0][1]], hints)
    ends = [pos for pos, _ in mentioned[1:]] + [len(text)]
    return [
        (name, schemas[name], hints.within(toolargs.hints_from_text(text[pos:end])))
        for (pos, name), end in zip(mentioned, ends, strict=True)
    ]


def _forced_name(choice: str | dict[str, Any]) -> str:
    if isinstance(choice, dict):
        return str((choice.get("function") or {}).get("name") or choice.get("name") or "")
    return ""


def _mentioned(text: str, names: list[str]) -> list[tuple[int, str]]:
    """(position of first mention, name) for each tool named in `text`; "get weather" and "get-weather" name
    get_weather, but "get_weather_forecast" does not."""
    found = []
    for name in names:
        words = [re.escape(w) for w in re.split(r"[\s_-]+", name) if w]
        pattern = r"(?<![\w-])" + r"[\s_-]+".join(words) + r"(?![\w-])"
        first = re.search(pattern, text, re.IGNORECASE) if words else None
        if first:
            found.append((first.start(), name))
    return sorted(found)


def _fan_out(name: str, schema: dict[str, Any], hints: toolargs.Hints) -> Plan:
    """One call per quoted value (else per named place) when the tool takes exactly one free-text argument:
    'Paris' and 'Tokyo', or Paris and Tokyo."""
    props = schema.get("properties") or {}
    free = [p for p in schema.get("required", []) if _free_string(props.get(p))]
    if len(free) != 1:
        return [(name, schema, hints)]
    key = free[0].lower()
    # unit='celsius' belongs to unit, not to the fan-out; city='Paris' and 'Tokyo' fans out over both
    bound = {v for k, v in hints.named.items() if k != key and k in {str(p).lower() for p in props}}
    values = [q for q in hints.quoted if q not in bound] or [p for p in hints.places if p not in bound]
    if len(values) < 2:
        return [(name, schema, hints)]
    # the named hint for the fanned-out argument would otherwise override every quoted value
    named = {k: v for k, v in hints.named.items() if k != key}
    return [(name, schema, toolargs.Hints(named, (value,), (), hints.words)) for value in values]


def _free_string(schema: Any) -> bool:
    if not isinstance(schema, dict) or "enum" in schema or "const" in schema:
        return False
    kind = schema.get("type")
    return kind == "string" or (isinstance(kind, list) and "string" in kind)
