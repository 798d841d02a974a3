"""Gateway mode: tool definitions and `tool_choice` as they went upstream.

OpenAI's `{"type": "function", "function": {name, description, parameters}}`
becomes Anthropic's `{name, description, input_schema}` with the schema
unchanged (a function without parameters takes an empty object schema).
Schemas are compared for meaning (schema_fidelity.py): an added empty `$defs` passes, a lost
`additionalProperties` is a finding naming it and its path; the same holds for a `json_schema` response
format and the upstream's `output_format` (or `output_config.format`).
`tool_choice`: "auto" is `{"type": "auto"}` (or left out, Anthropic's default
when tools are given), "none" is `{"type": "none"}` (or no tools at all),
"required" is `{"type": "any"}`, a named function is `{"type": "tool",
"name": ...}`; `parallel_tool_calls: false` is `disable_parallel_tool_use: true`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import check
from chatconform.checks.schema_fidelity import findings as schema_findings
from chatconform.checks.translation import UP, sent, upstream_body
from chatconform.exchange import Exchange


def _functions(ex: Exchange) -> list[dict[str, Any]]:
    tools = sent(ex).get("tools")
    out = [t.get("function") for t in tools if isinstance(t, dict)] if isinstance(tools, list) else []
    return [f for f in out if isinstance(f, dict)]


def _upstream_tools(body: dict[str, Any]) -> list[Any]:
    tools = body.get("tools")
    return tools if isinstance(tools, list) else []


@check(
    "translation.tools",
    feature="translation",
    summary="tool definitions become tools with name, description and input_schema equal to the function's parameters",
    reads=("upstream",),
    tags=("translation",),
)
def tools(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = upstream_body(expect)
    if body is None:
        return
    wanted, observed = _functions(ex), _upstream_tools(body)
    choice = sent(ex).get("tool_choice")
    if wanted and not observed and choice == "none":
        return  # leaving the tools out is one correct way to say "none"
    if len(observed) != len(wanted):
        yield Finding(
            f"{len(wanted)} tool definitions became {len(observed)} upstream",
            f"{UP}.tools",
            show([f.get("name") for f in wanted]),
            show(observed),
        )
        return
    for i, (function, tool) in enumerate(zip(wanted, observed, strict=True)):
        yield from _tool(function, tool, f"{UP}.tools[{i}]")


def _tool(function: dict[str, Any], tool: Any, path: str) -> Iterator[Finding]:
    if not isinstance(tool, dict):
        yield Finding("an upstream tool is not an object", path, "{name, description, input_schema}", show(tool))
        return
    if "function" in tool or "parameters" in tool:
        yield Finding("the tool was forwarded in OpenAI's shape", path, "{name, description, input_schema}", show(tool))
        return
    if tool.get("name") != function.get("name"):
        yield Finding("the tool name changed", f"{path}.name", show(function.get("name")), show(tool.get("name")))
    if "description" in function and tool.get("description") != function["description"]:
        yield Finding(
            "the tool description changed",
            f"{path}.description",
            show(function["description"]),
            show(tool.get("description")),
        )
    schema, parameters = tool.get("input_schema"), function.get("parameters")
    if parameters is None:
        if not isinstance(schema, dict) or schema.get("type") != "object" or schema.get("properties"):
            yield Finding(
                "a function without parameters needs an empty object input_schema",
                f"{path}.input_schema",
                '{"type": "object"}',
                show(schema),
            )
    else:
        yield from schema_findings(
            parameters, schema, f"tool {function.get('name')} input_schema", f"{path}.input_schema"
        )


def _requested_schema(ex: Exchange) -> Any:
    fmt = sent(ex).get("response_format")
    spec = fmt.get("json_schema") if isinstance(fmt, dict) and fmt.get("type") == "json_schema" else None
    return spec.get("schema") if isinstance(spec, dict) else None


@check(
    "translation.output_schema",
    feature="translation",
    summary="a json_schema response format reaches the upstream's output_format (or output_config.format) "
    "with its meaning: every constraining keyword arrives",
    reads=("upstream",),
    tags=("translation",),
)
def output_schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body, wanted = upstream_body(expect), _requested_schema(ex)
    if body is None or not isinstance(wanted, dict):
        return
    for path in ("output_format", "output_config.format"):
        holder: Any = body
        for part in path.split("."):
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and "schema" in holder:
            yield from schema_findings(wanted, holder["schema"], "the response format's schema", f"{UP}.{path}.schema")
            return


def expected_choice(choice: Any) -> list[Any]:
    """The upstream tool_choice values that are right for an OpenAI tool_choice; None stands for absent."""
    if choice is None or choice == "auto":
        return [None, {"type": "auto"}]
    if choice == "none":
        return [{"type": "none"}]
    if choice == "required":
        return [{"type": "any"}]
    function = choice.get("function") if isinstance(choice, dict) else None
    if isinstance(function, dict):
        return [{"type": "tool", "name": function.get("name")}]
    return []


@check(
    "translation.tool_choice",
    feature="translation",
    summary="tool_choice auto/none/required/named becomes "
    "auto/none/any/tool; parallel_tool_calls false becomes disable_parallel_tool_use",
    reads=("upstream",),
    tags=("translation",),
)
def tool_choice(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = upstream_body(expect)
    if body is None or not _functions(ex):
        return
    choice, request = body.get("tool_choice"), sent(ex)
    asked = request.get("tool_choice")
    if asked == "none" and not _upstream_tools(body):
        return  # no tools upstream: nothing can be called
    core = {k: v for k, v in choice.items() if k != "disable_parallel_tool_use"} if isinstance(choice, dict) else choice
    wanted = expected_choice(asked)
    if core not in wanted:
        shown = " or ".join("(absent)" if w is None else show(w) for w in wanted)
        yield Finding(f"tool_choice {show(asked)} was not mapped", f"{UP}.tool_choice", shown, show(choice))
    disabled = isinstance(choice, dict) and choice.get("disable_parallel_tool_use") is True
    if request.get("parallel_tool_calls") is False and asked != "none" and not disabled:
        yield Finding(
            "parallel_tool_calls false was not mapped",
            f"{UP}.tool_choice.disable_parallel_tool_use",
            "true",
            show(choice),
        )
    if request.get("parallel_tool_calls") is not False and disabled:
        yield Finding(
            "parallel tool use was disabled although the client allows it",
            f"{UP}.tool_choice.disable_parallel_tool_use",
            "false or absent",
            "true",
        )
    for field in ("parallel_tool_calls", "functions", "function_call"):
        if field in body:
            yield Finding(
                f"the OpenAI field {field} was forwarded as is", f"{UP}.{field}", "(absent)", show(body[field])
            )
