"""Gateway mode: conversation content as it went upstream, tool turns and images.

An assistant message's `tool_calls` become `tool_use` blocks (same id, name,
the arguments as an input object); the `tool` messages that answer them
become `tool_result` blocks in the user turn right after that assistant turn,
before any other block of it, with the result's text. An image part becomes
an `image` block: a data URI a `base64` source with the URI's media type and
data, an http(s) URL a `url` source with the same URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import check
from chatconform.checks.translation import (
    UP,
    blocks,
    client_messages,
    text_of,
    upstream_body,
    upstream_messages,
)
from chatconform.exchange import Exchange

DATA_URI = re.compile(r"^data:([^;,]+);base64,(.*)$", re.DOTALL)
SHORTENED = re.compile(r"^(.*)\.\.\.\((\d+) chars\)$", re.DOTALL)  # the journal's cut of a long blob


def _tool_uses(messages: list[dict[str, Any]]) -> dict[str, tuple[int, dict[str, Any]]]:
    """tool_use id -> (upstream message index, block), for assistant turns."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, message in enumerate(messages):
        for block in blocks(message) if message.get("role") == "assistant" else []:
            if block.get("type") == "tool_use" and isinstance(block.get("id"), str):
                found[block["id"]] = (i, block)
    return found


@check(
    "translation.tool_results",
    feature="translation",
    summary="tool calls become tool_use blocks and tool "
    "messages tool_result blocks, first in the user turn right after the matching tool_use",
    reads=("upstream",),
    tags=("translation",),
)
def tool_results(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = upstream_body(expect)
    if body is None:
        return
    messages = upstream_messages(body)
    uses = _tool_uses(messages)
    for call in (c for m in client_messages(ex) for c in m.get("tool_calls") or [] if isinstance(c, dict)):
        yield from _call(call, uses)
    for message in client_messages(ex):
        if message.get("role") == "tool":
            yield from _result(message, uses, messages)


def _call(call: dict[str, Any], uses: dict[str, tuple[int, dict[str, Any]]]) -> Iterator[Finding]:
    function = call.get("function") or {}
    if call.get("id") not in uses:
        yield Finding(
            "an assistant tool call has no tool_use block with its id upstream",
            f"{UP}.messages",
            f"a tool_use block with id {show(call.get('id'))}",
            show(sorted(uses)),
        )
        return
    i, block = uses[call["id"]]
    try:
        arguments = json.loads(function.get("arguments") or "{}")
    except (TypeError, ValueError):
        return  # the client sent arguments that are not JSON: nothing to compare
    if block.get("name") != function.get("name") or block.get("input") != arguments:
        yield Finding(
            "the tool_use block does not carry the call's name and arguments",
            f"{UP}.messages[{i}]",
            show({"name": function.get("name"), "input": arguments}),
            show({"name": block.get("name"), "input": block.get("input")}),
        )


def _result(
    message: dict[str, Any], uses: dict[str, tuple[int, dict[str, Any]]], messages: list[dict[str, Any]]
) -> Iterator[Finding]:
    call_id = message.get("tool_call_id")
    if call_id not in uses:
        return  # _call reported the missing tool_use
    at = uses[call_id][0] + 1
    turn = messages[at] if at < len(messages) else {}
    content = blocks(turn) if turn.get("role") == "user" else []
    kinds = [b.get("type") for b in content]
    position = next((k for k, b in enumerate(content) if b.get("tool_use_id") == call_id), None)
    path = f"{UP}.messages[{at}]"
    if position is None:
        yield Finding(
            "the tool result is not in the user turn right after its tool_use",
            path,
            f"a tool_result for {call_id}",
            show(turn or "(no next turn)"),
        )
        return
    first_other = next((k for k, kind in enumerate(kinds) if kind != "tool_result"), len(kinds))
    if "tool_result" in kinds[first_other:]:
        yield Finding(
            "tool_result blocks must come before any other block of the turn",
            f"{path}.content",
            "tool_result blocks first",
            show(kinds),
        )
    result = content[position]
    if result.get("type") != "tool_result":
        yield Finding(
            "the tool result is not a tool_result block",
            f"{path}.content[{position}]",
            '"tool_result"',
            show(result.get("type")),
        )
    elif text_of(result.get("content")) != text_of(message.get("content")):
        yield Finding(
            "the tool result's content changed",
            f"{path}.content[{position}].content",
            show(text_of(message.get("content"))),
            show(result.get("content")),
        )


def _client_images(ex: Exchange) -> list[str]:
    urls = []
    for message in client_messages(ex):
        parts = message.get("content") if message.get("role") == "user" else None
        for part in parts if isinstance(parts, list) else []:
            image = part.get("image_url") if isinstance(part, dict) else None
            url = image.get("url") if isinstance(image, dict) else image
            if isinstance(url, str):
                urls.append(url)
    return urls


def _same_data(sent_data: str, kept: Any) -> bool:
    """The journal keeps the head of a long blob and its length: compare what it kept."""
    if not isinstance(kept, str):
        return False
    cut = SHORTENED.match(kept)
    if cut:
        return sent_data.startswith(cut.group(1)) and len(sent_data) == int(cut.group(2))
    return sent_data == kept


@check(
    "translation.images",
    feature="translation",
    summary="an image data URI becomes a base64 source with its "
    "media type and data; an http(s) URL becomes a url source",
    reads=("upstream",),
    tags=("translation",),
)
def images(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    body = upstream_body(expect)
    if body is None:
        return
    wanted = _client_images(ex)
    found = [
        (i, j, b)
        for i, m in enumerate(upstream_messages(body))
        if m.get("role") == "user"
        for j, b in enumerate(blocks(m))
        if b.get("type") == "image"
    ]
    if len(found) != len(wanted):
        yield Finding(
            f"{len(wanted)} images became {len(found)} image blocks upstream",
            f"{UP}.messages",
            str(len(wanted)),
            str(len(found)),
        )
        return
    for url, (i, j, block) in zip(wanted, found, strict=True):
        source, path = block.get("source") or {}, f"{UP}.messages[{i}].content[{j}].source"
        data_uri = DATA_URI.match(url)
        if data_uri:
            media_type, data = data_uri.groups()
            if source.get("type") != "base64" or source.get("media_type") != media_type:
                yield Finding(
                    "a data URI did not become a base64 source with its media type",
                    path,
                    show({"type": "base64", "media_type": media_type}),
                    show({k: source.get(k) for k in ("type", "media_type")}),
                )
            elif not _same_data(data, source.get("data")):
                yield Finding(
                    "the image data changed on the way",
                    f"{path}.data",
                    data[:60] + "...",
                    show(source.get("data")),
                )
        elif source != {"type": "url", "url": url}:
            yield Finding(
                "an image URL did not become a url source", path, show({"type": "url", "url": url}), show(source)
            )
