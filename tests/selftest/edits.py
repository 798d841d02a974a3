"""Small building blocks for rewrites: each returns a request or reply edit, so a table entry stays one line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tests.selftest.rewrite import DONE, Reply, ReplyEdit, RequestEdit

ChunkEdit = Callable[[dict[str, Any]], None]


# -- requests --------------------------------------------------------------------------------------------------------


def drop_fields(*names: str) -> RequestEdit:
    def edit(request: dict[str, Any]) -> None:
        for name in names:
            request.pop(name, None)

    return edit


def drop_role(role: str) -> RequestEdit:
    def edit(request: dict[str, Any]) -> None:
        messages = request.get("messages")
        if isinstance(messages, list):
            request["messages"] = [m for m in messages if not (isinstance(m, dict) and m.get("role") == role)]

    return edit


def drop_parts(kind: str) -> RequestEdit:
    """Remove content parts of one type (e.g. image_url) from every message."""

    def edit(request: dict[str, Any]) -> None:
        for message in request.get("messages") or []:
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, list):
                message["content"] = [p for p in content if not (isinstance(p, dict) and p.get("type") == kind)]

    return edit


# -- whole answers ---------------------------------------------------------------------------------------------------


def choices(reply: Reply) -> Iterator[dict[str, Any]]:
    """Every choice of the answer: of the body, or of every chunk."""
    sources = reply.chunks() if reply.is_stream else [reply.body] if isinstance(reply.body, dict) else []
    for source in sources:
        for choice in source.get("choices") or []:
            if isinstance(choice, dict):
                yield choice


def deltas(reply: Reply) -> Iterator[dict[str, Any]]:
    for choice in choices(reply):
        if isinstance(choice.get("delta"), dict):
            yield choice["delta"]


def tool_deltas(reply: Reply) -> Iterator[dict[str, Any]]:
    for delta in deltas(reply):
        yield from (c for c in delta.get("tool_calls") or [] if isinstance(c, dict))


def map_finish(old: str, new: str, *, when: Callable[[Any], bool] = lambda request: True) -> ReplyEdit:
    """finish_reason `old` becomes `new`, in a body or in chunks (for requests `when` accepts)."""

    def edit(reply: Reply) -> None:
        if not when(reply.request):
            return
        for choice in choices(reply):
            if choice.get("finish_reason") == old:
                choice["finish_reason"] = new

    return edit


def on_body(change: Callable[[dict[str, Any]], None]) -> ReplyEdit:
    """Edit the JSON body of a successful non-stream chat completion (not, say, the pre-flight's /models)."""

    def edit(reply: Reply) -> None:
        if reply.status == 200 and isinstance(reply.body, dict) and "choices" in reply.body and not reply.is_stream:
            change(reply.body)

    return edit


def on_chunks(change: Callable[[int, dict[str, Any]], None]) -> ReplyEdit:
    """Edit each JSON chunk of a stream, given its position among the chunks."""

    def edit(reply: Reply) -> None:
        for n, chunk in enumerate(reply.chunks()):
            change(n, chunk)

    return edit


def on_events(change: Callable[[Reply, list[Any]], list[Any]]) -> ReplyEdit:
    """Replace a stream's event list (JSON chunks and `[DONE]`) as a whole."""

    def edit(reply: Reply) -> None:
        if reply.events is not None:
            reply.events = change(reply, reply.events)

    return edit


def on_error(change: Callable[[Reply], None], statuses: tuple[int, ...] = ()) -> ReplyEdit:
    """Edit error answers (all, or those with the given statuses)."""

    def edit(reply: Reply) -> None:
        if reply.status >= 400 and (not statuses or reply.status in statuses):
            change(reply)

    return edit


def everywhere(change: Callable[[dict[str, Any]], None]) -> ReplyEdit:
    """Apply `change` to a successful answer's body, or to each of its chunks."""

    def edit(reply: Reply) -> None:
        targets = reply.chunks() if reply.is_stream else [reply.body] if isinstance(reply.body, dict) else []
        if reply.status == 200:
            for target in targets:
                change(target)

    return edit


# -- stream helpers --------------------------------------------------------------------------------------------------


def without_done(events: list[Any]) -> list[Any]:
    return [e for e in events if e != DONE]


def is_usage_chunk(event: Any) -> bool:
    return isinstance(event, dict) and event.get("choices") == [] and event.get("usage") is not None


def asked_usage(request: Any) -> bool:
    options = request.get("stream_options") if isinstance(request, dict) else None
    return isinstance(options, dict) and bool(options.get("include_usage"))


def content_positions(events: list[Any]) -> list[int]:
    """Positions of the events whose first delta carries text."""
    out = []
    for i, event in enumerate(events):
        if isinstance(event, dict):
            delta = ((event.get("choices") or [{}])[0] or {}).get("delta") or {}
            if isinstance(delta, dict) and delta.get("content"):
                out.append(i)
    return out
