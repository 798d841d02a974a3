"""The bugs of the mutation table, each as a request or reply edit imitating what a gateway got wrong."""

from __future__ import annotations

import json
from typing import Any

from chatconform.profile import load_profile
from tests.selftest import edits as e
from tests.selftest.rewrite import DONE, Reply, sse


def chunk_id_changes(n: int, chunk: dict[str, Any]) -> None:
    if n >= 2:
        chunk["id"] = f"{chunk.get('id')}-{n}"


def object_wrong(n: int, chunk: dict[str, Any]) -> None:
    chunk["object"] = "chat.completion"


def role_missing(reply: Reply) -> None:
    for delta in e.deltas(reply):
        delta.pop("role", None)


def role_everywhere(reply: Reply) -> None:
    for delta in e.deltas(reply):
        delta["role"] = "assistant"


def finish_everywhere(reply: Reply) -> None:
    for choice in e.choices(reply):
        choice["finish_reason"] = "stop"


def index_missing(reply: Reply) -> None:
    for entry in e.tool_deltas(reply):
        entry.pop("index", None)


def index_zero(reply: Reply) -> None:
    for entry in e.tool_deltas(reply):
        entry["index"] = 0


def fields_repeated(reply: Reply) -> None:
    """Every argument fragment repeats its call's id, type and name (a gateway re-emitting the call header)."""
    first: dict[Any, dict[str, Any]] = {}
    for entry in e.tool_deltas(reply):
        head = first.setdefault(entry.get("index"), entry)
        entry.setdefault("id", head.get("id"))
        entry.setdefault("type", "function")
        entry.setdefault("function", {}).setdefault("name", head.get("function", {}).get("name"))


def arguments(change: Any) -> Any:
    def edit(body: dict[str, Any]) -> None:
        for call in (body.get("choices") or [{}])[0].get("message", {}).get("tool_calls") or []:
            call["function"]["arguments"] = change(call["function"]["arguments"])

    return e.on_body(edit)


def usage_chunk_missing(reply: Reply, events: list[Any]) -> list[Any]:
    return [x for x in events if not e.is_usage_chunk(x)]


def usage_chunk_unasked(reply: Reply, events: list[Any]) -> list[Any]:
    if e.asked_usage(reply.request) or not events or not isinstance(events[0], dict):
        return events
    usage = {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}
    extra = {**events[0], "choices": [], "usage": usage}
    return [*e.without_done(events), extra, DONE]


def total_wrong(target: dict[str, Any]) -> None:
    usage = target.get("usage")
    if isinstance(usage, dict):
        usage["total_tokens"] = usage["completion_tokens"]  # prompt tokens left out of the total


def detail(reply: Reply) -> None:
    message = (reply.body or {}).get("error", {}).get("message", "error")
    reply.body = {"detail": message}


def status(new: int) -> Any:
    def edit(reply: Reply) -> None:
        reply.status = new

    return edit


def truncated_as_stop(reply: Reply, events: list[Any]) -> list[Any]:
    """The upstream connection dropped after the first words; the gateway closes the stream as if it ended."""
    texts = e.content_positions(events)
    if len(texts) < 2:
        return events
    kept = events[: texts[1]]
    finish = json.loads(json.dumps(kept[-1]))
    finish["choices"][0].update(delta={}, finish_reason="stop")
    return [*kept, finish]


def known_model(request: dict[str, Any]) -> None:
    profile = load_profile()
    if profile.resolve(str(request.get("model"))) is None:
        request["model"] = profile.default_model_id


def error_event(reply: Reply, events: list[Any]) -> list[Any]:
    texts = e.content_positions(events)
    if len(texts) < 2:
        return events
    error = {"error": {"message": "upstream overloaded", "type": "server_error", "param": None, "code": None}}
    return [*events[: texts[1]], error, DONE]


def first_text_dropped(reply: Reply, events: list[Any]) -> list[Any]:
    texts = e.content_positions(events)
    return [x for i, x in enumerate(events) if not texts or i != texts[0]]


def as_blocks(body: dict[str, Any]) -> None:
    message = body["choices"][0]["message"]
    message["content"] = [{"type": "text", "text": message.get("content") or ""}]


def named_events(payloads: list[str]) -> bytes:
    return "".join(f"event: completion\ndata: {p}\n\n" for p in payloads).encode()


def retry_after(value: str) -> Any:
    def edit(reply: Reply) -> None:
        reply.headers["retry-after"] = value

    return e.on_error(edit, (429,))


def retry_after_dropped(reply: Reply) -> None:
    reply.headers.pop("retry-after", None)


def has_stop(request: Any) -> bool:
    return isinstance(request, dict) and bool(request.get("stop"))


def usage_on_finish_chunk(reply: Reply, events: list[Any]) -> list[Any]:
    """The usage rides on the finish_reason chunk instead of its own choices: [] chunk."""
    usage = next((x["usage"] for x in events if e.is_usage_chunk(x)), None)
    kept = [x for x in events if not e.is_usage_chunk(x)]
    finishing = [x for x in kept if isinstance(x, dict) and (x.get("choices") or [{}])[0].get("finish_reason")]
    if usage is not None and finishing:
        finishing[-1]["usage"] = usage
    return kept


def arguments_duplicated(reply: Reply) -> None:
    """The whole arguments again after the fragments (a gateway replaying Anthropic's final input)."""
    calls: dict[Any, list[dict[str, Any]]] = {}
    for entry in e.tool_deltas(reply):
        calls.setdefault(entry.get("index"), []).append(entry)
    for entries in calls.values():
        whole = "".join(x.get("function", {}).get("arguments") or "" for x in entries)
        last = entries[-1].setdefault("function", {})
        last["arguments"] = (last.get("arguments") or "") + whole


def call_header_missing(reply: Reply) -> None:
    for entry in e.tool_deltas(reply):
        entry.pop("id", None)
        entry.pop("type", None)


def index_from_one(reply: Reply) -> None:
    """Anthropic's content-block index (1 after a text block) passed through as the tool-call index."""
    for entry in e.tool_deltas(reply):
        if isinstance(entry.get("index"), int):
            entry["index"] += 1


def strip_deltas(reply: Reply) -> None:
    for delta in e.deltas(reply):
        if isinstance(delta.get("content"), str):
            delta["content"] = delta["content"].strip()


def completion_counts_chunks(reply: Reply) -> None:
    """Streamed completion_tokens counted as the number of text chunks (total kept consistent)."""
    if reply.events is None:
        return
    texts = len(e.content_positions(reply.events))
    for chunk in reply.chunks():
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            usage.update(completion_tokens=texts + 1, total_tokens=usage["prompt_tokens"] + texts + 1)


def error_as_text(reply: Reply) -> None:
    reply.headers["content-type"] = "text/plain; charset=utf-8"
    reply.body, reply.raw = None, b"Bad Request"


def error_fields_missing(reply: Reply) -> None:
    error = (reply.body or {}).get("error")
    if isinstance(error, dict):
        error.pop("param", None)
        error.pop("code", None)


def error_string(reply: Reply) -> None:
    error = (reply.body or {}).get("error")
    reply.body = {"error": error.get("message") if isinstance(error, dict) else "error"}


def stop_appended(reply: Reply) -> None:
    """Anthropic returns the matched stop_sequence apart; a gateway glues it back onto the text."""
    if has_stop(reply.request) and reply.status == 200 and isinstance(reply.body, dict):
        message = reply.body["choices"][0]["message"]
        stop = reply.request["stop"]
        message["content"] = (message.get("content") or "") + (stop if isinstance(stop, str) else stop[0])


def stop_only_whole(request: dict[str, Any]) -> None:
    if request.get("stream"):
        request.pop("stop", None)


def later_systems_dropped(request: dict[str, Any]) -> None:
    """Only a leading system message is hoisted into Anthropic's `system`; later ones are lost."""
    messages = request.get("messages") or []
    request["messages"] = [m for i, m in enumerate(messages) if i == 0 or m.get("role") != "system"]


def first_image_only(request: dict[str, Any]) -> None:
    for message in request.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            images = [p for p in content if p.get("type") == "image_url"]
            message["content"] = [p for p in content if p.get("type") != "image_url" or p is images[0]]


def schema_as_object(request: dict[str, Any]) -> None:
    if (request.get("response_format") or {}).get("type") == "json_schema":
        request["response_format"] = {"type": "json_object"}


def first_call_only(body: dict[str, Any]) -> None:
    message = body["choices"][0]["message"]
    if message.get("tool_calls"):
        message["tool_calls"] = message["tool_calls"][:1]


def empty_keepalive(reply: Reply, events: list[Any]) -> list[Any]:
    """`data: {}` between chunks as a keep-alive."""
    out: list[Any] = []
    for event in events:
        out += [event, {}] if isinstance(event, dict) else [event]
    return out


def unterminated(payloads: list[str]) -> bytes:
    """The last event, [DONE], never gets its blank line: the stream ends inside it."""
    return (sse(payloads[:-1]).decode() + f"data: {payloads[-1]}").encode() if payloads else b""


def upstream_error_200(body: dict[str, Any]) -> None:
    error = {"message": "Overloaded", "type": "overloaded_error", "param": None, "code": "overloaded"}
    body.clear()
    body["error"] = error
