"""Gateway mode, the way in: what an OpenAI-to-Anthropic gateway sent upstream for a client's request.

Each check compares the client's request (the exchange's request body) with
the upstream request the mock journalled for it (`expect.upstream`, a
journal entry of the mock's Anthropic face, found by a marker in the prompt;
`expect.upstream_count`, how many carried it). Paths starting `upstream:`
point into that upstream body. A check has nothing to say about an upstream
request it was not given, except `translation.forwarded`, which says it.

Decisions a correct gateway is held to: every system (and developer) message
is hoisted into `system`, in order, including one that comes later in the
conversation (Anthropic has no other place for it, and dropping it or sending
role "system" upstream are both wrong); without `max_tokens` the upstream
gets the profile's default (`expect.upstream_max_tokens_default`, a number or
a table by model, else the `max_tokens` parameter's default); tool-call ids
are kept, so a `tool_result` can name the `tool_use` it answers; and the upstream carries nothing the
client did not ask for (an invented `temperature` or `top_k`), unless the profile's
`expect.upstream_added_fields` allows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import check
from chatconform.exchange import Exchange
from chatconform.profile import Profile

UP = "upstream: $"


def upstream_body(expect: Expect) -> dict[str, Any] | None:
    entry = expect.upstream
    body = entry.get("body") if isinstance(entry, dict) else None
    return body if isinstance(body, dict) else None


def sent(ex: Exchange) -> dict[str, Any]:
    return ex.request_body if isinstance(ex.request_body, dict) else {}


def text_of(content: Any) -> str:
    """An OpenAI or Anthropic content value as plain text: a string, or its text parts joined."""
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return "\n".join(p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))


def client_messages(ex: Exchange) -> list[dict[str, Any]]:
    messages = sent(ex).get("messages")
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def upstream_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages = body.get("messages")
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


@check(
    "translation.forwarded",
    feature="translation",
    summary="the request reached the upstream exactly once and the upstream accepted it",
    reads=("upstream", "upstream_count"),
    tags=("translation",),
)
def forwarded(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    entry, count = expect.upstream, expect.upstream_count if expect.upstream_count is not None else 1
    if not isinstance(entry, dict):
        yield Finding(
            "no upstream request carried the test's marker",
            "upstream",
            "one request on the Anthropic face (POST /v1/messages)",
            f"none (the gateway answered {ex.status})",
        )
        return
    if count != 1:
        yield Finding(f"one client request became {count} upstream requests", "upstream", "1", str(count))
    if entry.get("status") != 200:
        yield Finding(
            "the upstream refused the translated request: it is not a valid Messages request",
            "upstream",
            "200",
            f"{entry.get('status')} ({entry.get('outcome')})",
        )


@check(
    "translation.model",
    feature="translation",
    summary="the upstream model is the canonical ID of the model the client named (alias prefix removed)",
    reads=("upstream",),
    tags=("translation",),
)
def model(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body, profile = upstream_body(expect), expect.profile
    asked = sent(ex).get("model")
    resolved = profile.resolve(asked) if isinstance(profile, Profile) and isinstance(asked, str) else None
    if body is not None and resolved is not None and body.get("model") != resolved.id:
        yield Finding(
            "the upstream model is not the canonical ID",
            f"{UP}.model",
            show(resolved.id),
            show(body.get("model")),
        )


@check(
    "translation.system",
    feature="translation",
    summary="every system/developer message is hoisted, in order, into the top-level system; none is left as a message",
    reads=("upstream",),
    tags=("translation",),
)
def system(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = upstream_body(expect)
    if body is None:
        return
    wanted = [text_of(m.get("content")) for m in client_messages(ex) if m.get("role") in ("system", "developer")]
    for i, message in enumerate(upstream_messages(body)):
        if message.get("role") in ("system", "developer"):
            yield Finding(
                f"a {message['role']} message was sent upstream as a message",
                f"{UP}.messages[{i}].role",
                "hoisted into the top-level system",
                show(message.get("role")),
            )
    hoisted = text_of(body.get("system"))
    if not wanted:
        if hoisted:
            yield Finding("a system prompt upstream although the client sent none", f"{UP}.system", "(absent)", hoisted)
        return
    at = 0
    for n, text in enumerate(wanted):
        found = hoisted.find(text, at)
        if found < 0:
            where = "missing from" if text not in hoisted else "out of order in"
            yield Finding(
                f"system message {n + 1} of {len(wanted)} is {where} the upstream system",
                f"{UP}.system",
                show(text),
                show(hoisted),
            )
            return
        at = found + len(text)


def expected_max_tokens(profile: Profile, model_id: str) -> int | None:
    """The upstream max_tokens when the client sends none: the profile's expectation, else its default."""
    value = profile.expect.upstream_max_tokens_default
    if isinstance(value, dict):
        value = value.get(model_id, value.get("*"))
    if value is None and "max_tokens" in profile.params:
        value = profile.params["max_tokens"].default
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


@check(
    "translation.max_tokens",
    feature="translation",
    summary="max_tokens (or max_completion_tokens) is passed "
    "on; without either, the upstream gets the profile's default",
    reads=("upstream",),
    tags=("translation",),
)
def max_tokens(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body, request, profile = upstream_body(expect), sent(ex), expect.profile
    if body is None:
        return
    asked = request.get("max_completion_tokens", request.get("max_tokens"))
    observed = body.get("max_tokens")
    if asked is not None:
        if observed != asked:
            yield Finding(
                "the client's max_tokens was not passed on",
                f"{UP}.max_tokens",
                show(asked),
                show(observed),
            )
        return
    model_name = request.get("model")
    resolved = profile.resolve(model_name) if isinstance(profile, Profile) and isinstance(model_name, str) else None
    default = expected_max_tokens(profile, resolved.id) if resolved and isinstance(profile, Profile) else None
    if default is not None and observed != default:
        yield Finding(
            "without max_tokens, the upstream did not get the profile's default",
            f"{UP}.max_tokens",
            show(default),
            show(observed),
        )


@check(
    "translation.stop",
    feature="translation",
    summary="stop (string or list) becomes stop_sequences, same sequences in the same order; none without stop",
    reads=("upstream",),
    tags=("translation",),
)
def stop(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = upstream_body(expect)
    if body is None:
        return
    asked = sent(ex).get("stop")
    wanted = [asked] if isinstance(asked, str) else asked if isinstance(asked, list) else []
    observed = body.get("stop_sequences") or []
    if observed != wanted:
        title = "stop was not mapped to stop_sequences" if wanted else "stop_sequences upstream without a client stop"
        yield Finding(title, f"{UP}.stop_sequences", show(wanted), show(body.get("stop_sequences")))
    if "stop" in body:
        yield Finding(
            "the OpenAI field stop was forwarded as is",
            f"{UP}.stop",
            "(absent)",
            show(body["stop"]),
        )


@check(
    "translation.temperature",
    feature="translation",
    summary="temperature in range is passed on unchanged; "
    "above the profile's maximum it follows the policy (reject: not forwarded, clamp: the maximum)",
    reads=("upstream",),
    tags=("translation",),
)
def temperature(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body, asked, profile = upstream_body(expect), sent(ex).get("temperature"), expect.profile
    path = f"{UP}.temperature"
    if not isinstance(asked, int | float) or not isinstance(profile, Profile):
        return
    spec = profile.params.get("temperature")
    top = spec.max if spec is not None and spec.max is not None else 1.0
    if asked <= top:
        if body is not None and body.get("temperature") != asked:
            yield Finding(
                "the temperature was not passed on unchanged", path, show(asked), show(body.get("temperature"))
            )
        return
    policy = profile.policy("temperature_above_max")
    wanted = {"reject": "not forwarded (the gateway answers 400)", "clamp": show(top), "ignore": "(absent)"}
    observed = body.get("temperature") if body is not None else None
    held = {"reject": body is None, "clamp": observed == top, "ignore": body is not None and observed is None}
    if not held.get(policy, True):
        seen = "not forwarded" if body is None else show(observed)
        yield Finding(
            f"temperature {asked} above the maximum {top} was not handled as the policy says ({policy})",
            path,
            wanted.get(policy, policy),
            seen,
        )


# Upstream fields and the client fields that justify them (any one of them); the rest of the Messages
# vocabulary (top_k, thinking without reasoning_effort, service_tier, ...) is an invention of the gateway.
JUSTIFIED_BY: dict[str, tuple[str, ...]] = {
    "model": (),
    "messages": (),
    "max_tokens": (),
    "system": ("messages",),
    "stop_sequences": ("stop",),
    "temperature": ("temperature",),
    "top_p": ("top_p",),
    "stream": ("stream",),
    "tools": ("tools", "functions", "response_format"),
    "tool_choice": ("tools", "functions", "tool_choice", "function_call", "parallel_tool_calls", "response_format"),
    "metadata": ("user", "safety_identifier", "metadata"),
    "output_format": ("response_format",),
    "output_config": ("response_format", "reasoning_effort"),
    "thinking": ("reasoning_effort",),
    "service_tier": ("service_tier",),
}


@check(
    "translation.no_invented_fields",
    feature="translation",
    summary="the upstream request carries no field the client never sent (an invented temperature, top_k, ...), "
    "unless the profile's expect.upstream_added_fields allows it",
    reads=("upstream",),
    tags=("translation",),
)
def no_invented_fields(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body, request = upstream_body(expect), sent(ex)
    if body is None:
        return
    allowed = set(expect.profile.expect.upstream_added_fields)
    for key, value in body.items():
        justified = JUSTIFIED_BY.get(key)
        if key in allowed or (key == "stream" and value is False):
            continue
        if justified is None or (justified and not any(request.get(name) is not None for name in justified)):
            yield Finding(
                f"the gateway added {key} upstream, which the client never asked for",
                f"{UP}.{key}",
                "(absent)",
                show(value),
            )
