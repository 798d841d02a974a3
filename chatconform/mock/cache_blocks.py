"""A request body as prompt-cache blocks, in the order the cache reads them, on either face.

Anthropic's order is tools, then `system`, then `messages`, one block per
content block (a string is one block), each with its `cache_control`; a
top-level `cache_control` (automatic caching) marks the last block. The
OpenAI face takes `cache_control` where the gateways that forward it to
Claude take it (LiteLLM, OpenRouter): on a content part, on a message whose
content is a string, and on a tool. Token counts are the mock's own
(`tokens`), with a message's framing tokens on its first block, so that the
tokens before a breakpoint never exceed the request's prompt tokens.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from chatconform.mock import tokens
from chatconform.mock.generation import TOOL_CALL_OVERHEAD, prompt_tokens
from chatconform.mock.prompt_cache import Block, CacheControlError, CachePlan, plan
from chatconform.mock.request import ChatRequest

Located = tuple[str, Block]  # where the block is in the body (a dotted path), and the block


def cache_plan(blocks: list[Located], req: ChatRequest, min_tokens: int) -> tuple[CachePlan | None, str]:
    """The plan, and the path of the block whose cache_control is refused ("" when none is)."""
    if not any(block.control is not None for _, block in blocks):
        return None, ""
    try:
        return plan((block for _, block in blocks), prompt_tokens(req), min_tokens), ""
    except CacheControlError as exc:
        return None, f"{blocks[exc.where][0]}: {exc}"


def anthropic_blocks(body: dict[str, Any], req: ChatRequest) -> list[Located]:
    located = [(f"tools.{i}", _block(tool, tokens.count_json(tool))) for i, tool in enumerate(body.get("tools") or [])]
    system = body.get("system")
    if isinstance(system, str):
        located.append(("system", Block(system, tokens.MESSAGE_OVERHEAD + tokens.count(system))))
    elif isinstance(system, list):
        located += _framed(("system", j, b, _text_tokens(b)) for j, b in enumerate(system))
    images = iter(req.images)
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content")
        if isinstance(content, str):
            located.append((f"messages.{i}", Block(content, tokens.MESSAGE_OVERHEAD + tokens.count(content))))
            continue
        parts = ((f"messages.{i}.content", j, b, _anthropic_tokens(b, images)) for j, b in enumerate(content or []))
        located += _framed(parts)
    control = body.get("cache_control")
    if control is not None and located:
        path, last = located[-1]
        located[-1] = (path if last.control is None else "cache_control", last._replace(control=control))
    return located


def openai_blocks(body: dict[str, Any], req: ChatRequest) -> list[Located]:
    located = [(f"tools[{i}]", _block(tool, tokens.count_json(tool))) for i, tool in enumerate(body.get("tools") or [])]
    images = iter(req.images)
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content")
        if isinstance(content, list):
            parts = ((f"messages[{i}].content", j, p, _openai_tokens(p, images)) for j, p in enumerate(content))
            located += _framed(parts, brackets=True)
        else:
            text = content if isinstance(content, str) else ""
            located.append((f"messages[{i}]", _block(message, tokens.MESSAGE_OVERHEAD + tokens.count(text))))
        for call in message.get("tool_calls") or []:
            cost = TOOL_CALL_OVERHEAD + tokens.count(json.dumps(call.get("function", {})))
            located.append((f"messages[{i}].tool_calls", Block(call, cost)))
    return located


def _block(item: Any, cost: int) -> Block:
    """A dict that may carry `cache_control`: its content without it, so moving a breakpoint keeps the prefix."""
    if not isinstance(item, dict) or "cache_control" not in item:
        return Block(item, cost)
    return Block({k: v for k, v in item.items() if k != "cache_control"}, cost, item["cache_control"])


def _framed(parts: Iterator[tuple[str, int, Any, int]], brackets: bool = False) -> list[Located]:
    """The blocks of one message's content; the message's framing tokens go with its first block."""
    out: list[Located] = []
    for where, j, part, cost in parts:
        path = f"{where}[{j}]" if brackets else f"{where}.{j}"
        out.append((path, _block(part, cost + (tokens.MESSAGE_OVERHEAD if not out else 0))))
    return out


def _text_tokens(block: Any) -> int:
    text = block.get("text") if isinstance(block, dict) else None
    return tokens.count(text) if isinstance(text, str) else 0


def _anthropic_tokens(block: Any, images: Iterator[Any]) -> int:
    kind = block.get("type") if isinstance(block, dict) else None
    if kind == "image":
        image = next(images, None)
        return tokens.image_tokens(image.width, image.height) if image is not None else 0
    if kind == "tool_use":
        return TOOL_CALL_OVERHEAD + tokens.count(json.dumps(block.get("input", {})))
    if kind == "tool_result":
        content = block.get("content")
        return tokens.MESSAGE_OVERHEAD + (
            tokens.count(content) if isinstance(content, str) else tokens.count_json(content)
        )
    return _text_tokens(block)


def _openai_tokens(part: Any, images: Iterator[Any]) -> int:
    if isinstance(part, dict) and part.get("type") == "image_url":
        image = next(images, None)
        return tokens.image_tokens(image.width, image.height) if image is not None else 0
    return _text_tokens(part)
