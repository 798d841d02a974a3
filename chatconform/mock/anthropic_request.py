"""Turn an Anthropic Messages request body into a `ChatRequest`, or refuse it.

The checks follow what `POST /v1/messages` answers: unknown top-level fields
are rejected (Anthropic's API is strict, so a gateway that forwards OpenAI-only
fields such as `n` or `stream_options` fails here as it would upstream),
`max_tokens` is required, model IDs are the canonical ones (no `anthropic/`
prefix), and every message names the field the way Anthropic does:
`<dotted.path>: <reason>`. Content blocks are translated by
`anthropic_messages`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from chatconform.mock.anthropic_messages import bad, to_openai_messages
from chatconform.mock.errors import MockError
from chatconform.mock.request import ChatRequest
from chatconform.profile import Profile

# Top-level fields of the current Messages API. The mock honours the first group; the rest it
# accepts without effect (thinking, caching, service tiers and server tools do not change an answer).
_HONOURED = {
    "model",
    "messages",
    "max_tokens",
    "system",
    "stop_sequences",
    "stream",
    "temperature",
    "top_p",
    "top_k",
    "tools",
    "tool_choice",
    "metadata",
    "output_format",
    "output_config",
}
_ACCEPTED = _HONOURED | {
    "thinking",
    "service_tier",
    "container",
    "mcp_servers",
    "context_management",
    "inference_geo",
    "cache_control",
    "speed",  # sent by the current SDKs (fast mode); no effect on the mock's answer
    "diagnostics",
}
# What `POST /v1/messages/count_tokens` takes: the prompt, without what only shapes the answer.
_COUNTED = {
    "model",
    "messages",
    "system",
    "tools",
    "tool_choice",
    "thinking",
    "mcp_servers",
    "output_config",
    "output_format",
    "context_management",
    "cache_control",
    "speed",
}
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
_TOOL_CHOICES = ("auto", "any", "tool", "none")
# The upstream's ceiling, not the gateway's: the profile's max_tokens range is the gateway contract
# (the OpenAI face enforces it). 128000 is the largest output limit among current Claude models;
# the mock does not model the lower limits of older ones.
MAX_OUTPUT_TOKENS = 128000


def parse_messages_request(body: Any, profile: Profile) -> ChatRequest:
    _only(body, _ACCEPTED)
    for name in ("model", "messages", "max_tokens"):
        if name not in body:
            raise bad(name, "Field required")
    model_name = _string(body, "model")
    max_tokens = _integer(body, "max_tokens", minimum=1)
    model = profile.resolve(model_name) if model_name in profile.model_ids(aliases=False) else None
    if model is None:
        raise MockError(404, f"model: {model_name}", code="not_found")
    if max_tokens > MAX_OUTPUT_TOKENS:
        raise bad(
            "max_tokens",
            f"{max_tokens} > {MAX_OUTPUT_TOKENS}, which is the maximum allowed number of output "
            f"tokens for {model_name}",
        )
    messages, images = to_openai_messages(body["messages"], body.get("system"))
    temperature, top_p = _sampling(body)
    tools = _tools(body.get("tools"))
    choice, parallel = _tool_choice(body.get("tool_choice"), tools)
    return ChatRequest(
        model=model,
        model_name=model_name,
        messages=messages,
        max_tokens=max_tokens,
        stop=_stop_sequences(body.get("stop_sequences")),
        stream=_boolean(body, "stream"),
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=parallel,
        response_format=_output_format(body),
        temperature=temperature,
        top_p=top_p,
        user=_user(body.get("metadata")),
        images=images,
    )


def parse_count_request(body: Any, profile: Profile) -> ChatRequest:
    """A count_tokens body, checked as a message request is (it has no `max_tokens` to check)."""
    _only(body, _COUNTED)
    return parse_messages_request({**body, "max_tokens": 1}, profile)


def _only(body: Any, fields: set[str]) -> None:
    """A JSON object whose every top-level field is one of `fields`, as the API's strict models require."""
    if not isinstance(body, dict):
        raise bad("body", "Input should be a valid dictionary")
    for name in body:
        if name not in fields:
            raise bad(name, "Extra inputs are not permitted")


def _string(body: dict[str, Any], name: str) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise bad(name, "Input should be a valid string")
    return value


def _integer(body: dict[str, Any], name: str, minimum: int) -> int:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(name, "Input should be a valid integer")
    if value < minimum:
        raise bad(name, f"Input should be greater than or equal to {minimum}")
    return value


def _boolean(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise bad(name, "Input should be a valid boolean")
    return value


def _number(body: dict[str, Any], name: str, low: float, high: float | None) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise bad(name, "Input should be a valid number")
    if value < low:
        raise bad(name, f"Input should be greater than or equal to {low:g}")
    if high is not None and value > high:
        raise bad(name, f"Input should be less than or equal to {high:g}")
    return float(value)


def _sampling(body: dict[str, Any]) -> tuple[float | None, float | None]:
    temperature, top_p = _number(body, "temperature", 0, 1), _number(body, "top_p", 0, 1)
    top_k = body.get("top_k")
    if top_k is not None:
        _integer(body, "top_k", minimum=0)
    # The 4.5-and-later models refuse both at once; the mock applies that rule to every model.
    if temperature is not None and top_p is not None:
        raise MockError(
            400,
            "`temperature` and `top_p` cannot both be specified for this model. Please use only one.",
            code="invalid_request",
        )
    return temperature, top_p


def _stop_sequences(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise bad("stop_sequences", "Input should be a valid list of strings")
    if any(not s.strip() for s in value):
        raise bad("stop_sequences", "each stop sequence must contain non-whitespace")
    return list(value)


def _tools(value: Any) -> list[dict[str, Any]]:
    """Custom tools, in the OpenAI `tools` form the answer engine reads."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad("tools", "Input should be a valid list")
    tools, names = [], set()
    for i, tool in enumerate(value):
        if not isinstance(tool, dict):
            raise bad(f"tools.{i}", "Input should be a valid dictionary")
        if tool.get("type", "custom") != "custom":
            raise bad(f"tools.{i}.type", f"server tool {tool.get('type')!r} is not available in the mock")
        name, schema = tool.get("name"), tool.get("input_schema")
        if not isinstance(name, str) or not _TOOL_NAME.match(name):
            raise bad(f"tools.{i}.custom.name", "String should match pattern '^[a-zA-Z0-9_-]{1,128}$'")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise bad(f"tools.{i}.custom.input_schema.type", "Input should be 'object'")
        if name in names:
            raise bad("tools", "Tool names must be unique.")
        names.add(name)
        function = {"name": name, "description": tool.get("description", ""), "parameters": schema}
        tools.append({"type": "function", "function": function})
    return tools


def _tool_choice(value: Any, tools: list[dict[str, Any]]) -> tuple[str | dict[str, Any], bool]:
    """(OpenAI-form tool_choice, parallel_tool_calls) from Anthropic's tool_choice object."""
    if value is None:
        return "auto", True
    if not isinstance(value, dict) or value.get("type") not in _TOOL_CHOICES:
        raise bad("tool_choice", "Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'")
    kind = value["type"]
    if not tools and kind != "none":
        raise bad("tool_choice", "tool_choice may only be specified while providing tools.")
    parallel = not value.get("disable_parallel_tool_use", False)
    if kind == "tool":
        name = value.get("name")
        if name not in {t["function"]["name"] for t in tools}:
            raise bad("tool_choice.tool.name", f"Tool {name!r} was not found in the provided tools.")
        return {"type": "function", "function": {"name": name}}, parallel
    return {"auto": "auto", "any": "required", "none": "none"}[kind], parallel


def _output_format(body: dict[str, Any]) -> dict[str, Any] | None:
    """Structured outputs (`output_format`, or `output_config.format`) as an OpenAI response_format."""
    config = body.get("output_config")
    fmt = body.get("output_format") or (config.get("format") if isinstance(config, dict) else None)
    if fmt is None:
        return None
    path = "output_format" if "output_format" in body else "output_config.format"
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
        raise bad(path, 'expected {"type": "json_schema", "schema": {...}}')
    return {"type": "json_schema", "json_schema": {"name": "output", "schema": fmt["schema"]}}


def _user(metadata: Any) -> str | None:
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise bad("metadata", "Input should be a valid dictionary")
    user = metadata.get("user_id")
    if user is not None and not isinstance(user, str):
        raise bad("metadata.user_id", "Input should be a valid string")
    return user
