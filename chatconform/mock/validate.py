"""Turn an OpenAI request body into a `ChatRequest`, or refuse it with a 4xx.

Order matters and follows what clients see from OpenAI: shape and types
first (the JSON Schema in `schemas/chat.request.json`), then the model, then
the profile's ranges and policies, then message semantics and images.
Every refusal names the offending field in `param`.
"""

from __future__ import annotations

from typing import Any

from chatconform.fields import field_names
from chatconform.mock.errors import MockError, invalid
from chatconform.mock.openai_errors import check_shape, out_of_range
from chatconform.mock.request import ChatRequest, ImageInput
from chatconform.mock.vision import ImageError, decode_image_url
from chatconform.profile import Profile


def parse_chat_request(body: Any, profile: Profile) -> ChatRequest:
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.", None, "invalid_request_body")
    body = _field_fates(body, profile)
    check_shape(body)
    model = profile.resolve(body["model"])
    if model is None:
        raise MockError(
            profile.expect.unknown_model_status,
            f"The model `{body['model']}` does not exist or you do not have access to it.",
            param="model",
            code=profile.expect.unknown_model_code,
        )
    sampling = _sampling(body, profile)
    _check_messages(body["messages"], profile)
    _check_tools(body)
    _check_features(body, profile)
    return ChatRequest(
        model=model,
        model_name=body["model"],
        messages=body["messages"],
        max_tokens=_max_tokens(body, profile),
        stop=_stop(body, profile),
        stream=bool(body.get("stream")),
        include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
        tools=body.get("tools") or [],
        tool_choice=body.get("tool_choice") or "auto",
        parallel_tool_calls=body.get("parallel_tool_calls", True),
        response_format=body.get("response_format"),
        temperature=sampling[0],
        top_p=sampling[1],
        user=body.get("user"),
        seed=body.get("seed"),
        images=_images(body["messages"]),
    )


def _field_fates(body: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """Serve the profile's [fields] table: an OpenAI field it does not document as a parameter is refused
    when the profile expects it rejected, and ignored when it expects it dropped (chatconform.fields)."""
    kept = dict(body)
    for name in field_names():
        if kept.get(name) is None or name in profile.params:
            continue
        fate = profile.field_fate(name)
        if fate == "rejected":
            raise invalid(
                f"Unsupported parameter: `{name}` is not supported with this model.", name, "unsupported_parameter"
            )
        if fate == "dropped":
            del kept[name]
    return kept


def _apply_policy(profile: Profile, policy: str, refusal: MockError) -> str:
    """Raise `refusal` for "reject"; otherwise tell the caller which of clamp/ignore/support applies."""
    action = profile.policy(policy)
    if action == "reject":
        raise refusal
    return action


def _ranged(body: dict[str, Any], profile: Profile, name: str) -> Any:
    value = body.get(name)
    spec = profile.params.get(name)
    if value is None or spec is None:
        return value
    if spec.min is not None and value < spec.min:
        raise out_of_range(name, value, _bound(spec.min), above=False, integer=spec.type == "integer")
    if spec.max is not None and value > spec.max:
        refusal = out_of_range(name, value, _bound(spec.max), above=True, integer=spec.type == "integer")
        action = _apply_policy(profile, f"{name}_above_max", refusal)
        return spec.max if action == "clamp" else (None if action == "ignore" else value)
    return value


def _bound(bound: float) -> float:
    """The bound as OpenAI writes it: 64000 for an integer field, 1 for a decimal one (1.5 stays 1.5)."""
    return int(bound) if float(bound).is_integer() else float(bound)


def _sampling(body: dict[str, Any], profile: Profile) -> tuple[float | None, float | None]:
    temperature, top_p = _ranged(body, profile, "temperature"), _ranged(body, profile, "top_p")
    if temperature is not None and top_p is not None:
        both = invalid("Use either `temperature` or `top_p`, not both.", "top_p")
        if _apply_policy(profile, "temperature_and_top_p", both) in ("ignore", "clamp"):
            top_p = None  # Anthropic keeps temperature when a gateway drops one of them
    n = body.get("n")
    if n is not None and n != 1:
        _apply_policy(profile, "n_above_one", out_of_range("n", n, 1, above=True, integer=True))
    return temperature, top_p


def _max_tokens(body: dict[str, Any], profile: Profile) -> int:
    for name in ("max_completion_tokens", "max_tokens"):
        value = _ranged(body, profile, name)
        if value is not None:
            return int(value)
    spec = profile.params.get("max_tokens")
    return int(spec.default) if spec and spec.default else 1024


def _stop(body: dict[str, Any], profile: Profile) -> list[str]:
    stop = body.get("stop")
    if stop is None:
        return []
    stops = [stop] if isinstance(stop, str) else list(stop)
    spec = profile.params.get("stop")
    limit = spec.max_items if spec and spec.max_items else 4
    if len(stops) > limit:
        message = (
            f"Invalid 'stop': array too long. Expected an array with maximum length {limit}, "
            f"but got an array with length {len(stops)} instead."
        )
        action = _apply_policy(profile, "stop_more_than_max", invalid(message, "stop", "array_above_max_length"))
        stops = stops[:limit] if action == "clamp" else ([] if action == "ignore" else stops)
    return stops


def _check_messages(messages: list[dict[str, Any]], profile: Profile) -> None:
    pending: set[str] = set()
    for i, message in enumerate(messages):
        role = message["role"]
        if role == "assistant":
            if message.get("content") is None and not message.get("tool_calls"):
                raise invalid("An assistant message needs `content` or `tool_calls`.", f"messages[{i}].content")
            pending = {c["id"] for c in message.get("tool_calls") or []}
        elif role == "tool":
            refusal = invalid("Messages with role `tool` are not supported.", f"messages[{i}].role")
            _apply_policy(profile, "tool_role", refusal)
            if message["tool_call_id"] not in pending:
                raise invalid(
                    f"`tool_call_id` {message['tool_call_id']!r} does not answer a tool call of the preceding "
                    "assistant message.",
                    f"messages[{i}].tool_call_id",
                )
        else:
            pending = set()


def _check_tools(body: dict[str, Any]) -> None:
    tools = body.get("tools") or []
    names = [t["function"]["name"] for t in tools]
    if len(set(names)) != len(names):
        raise invalid("Tool names must be unique.", "tools")
    choice = body.get("tool_choice")
    if choice is not None and not tools and choice != "none":
        raise invalid("`tool_choice` is only allowed when `tools` are specified.", "tool_choice")
    if isinstance(choice, dict) and choice["function"]["name"] not in names:
        raise invalid(f"`tool_choice` names an unknown tool {choice['function']['name']!r}.", "tool_choice")
    if body.get("stream_options") is not None and not body.get("stream"):
        raise invalid("`stream_options` is only allowed when `stream` is true.", "stream_options")


def _check_features(body: dict[str, Any], profile: Profile) -> None:
    fmt = (body.get("response_format") or {}).get("type")
    if fmt == "json_schema":
        if not profile.claims("json_schema"):
            raise invalid("`response_format` type `json_schema` is not supported.", "response_format")
        if not isinstance(body["response_format"].get("json_schema", {}).get("schema"), dict):
            raise invalid("`response_format.json_schema.schema` must be a JSON Schema object.", "response_format")
    if fmt == "json_object" and not profile.claims("json_object"):
        raise invalid("`response_format` type `json_object` is not supported.", "response_format")


def _images(messages: list[dict[str, Any]]) -> list[ImageInput]:
    images: list[ImageInput] = []
    for i, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            if part.get("type") != "image_url":
                continue
            if message["role"] != "user":
                raise invalid("Images are only allowed in user messages.", f"messages[{i}].content[{j}]")
            image_url = part["image_url"]
            try:
                images.append(decode_image_url(image_url["url"], image_url.get("detail", "auto"), images))
            except ImageError as exc:
                raise invalid(str(exc), f"messages[{i}].content[{j}].image_url.url", "invalid_image") from exc
    return images
