"""Anthropic content blocks to the OpenAI-form messages the answer engine reads.

`system` becomes a leading system message; a user turn's `tool_result` blocks
become `tool` messages (they must come first, right after the assistant turn
whose `tool_use` blocks they answer); other user blocks (text, image) stay one
user message; an assistant turn's `tool_use` blocks become `tool_calls`.
Pairing rules and their wording follow the Messages API, so a gateway that
drops a tool result or moves it away from its call gets the 400 a real
upstream would send.
"""

from __future__ import annotations

import json
import re
from typing import Any

from chatconform.mock.errors import MockError
from chatconform.mock.request import ImageInput
from chatconform.mock.vision import MEDIA_TYPES, ImageError, decode_image_url

_TOOL_USE_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


def bad(path: str, reason: str) -> MockError:
    """A 400 worded as Anthropic words it: `<dotted.path>: <reason>`."""
    return MockError(400, f"{path}: {reason}", param=path, code="invalid_request")


def to_openai_messages(messages: Any, system: Any) -> tuple[list[dict[str, Any]], list[ImageInput]]:
    if not isinstance(messages, list):
        raise bad("messages", "Input should be a valid list")
    if not messages:
        raise bad("messages", "at least one message is required")
    out: list[dict[str, Any]] = []
    if system is not None:
        out.append({"role": "system", "content": _system(system)})
    images: list[ImageInput] = []
    pending: list[str] = []  # tool_use ids of the previous assistant turn, still unanswered
    for i, message in enumerate(messages):
        role = _role(message, i)
        content = message.get("content")
        if content in ("", []) and not (role == "assistant" and i == len(messages) - 1):
            raise bad(
                f"messages.{i}",
                "all messages must have non-empty content except for the optional final assistant message",
            )
        if pending and role != "user":
            raise _unanswered(i - 1, pending)
        if role == "user":
            out += _user(content, i, pending, images)
            pending = []
        else:
            converted, pending = _assistant(content, i)
            out.append(converted)
    if pending:  # a final assistant turn may be a prefill, but not one that calls a tool
        raise _unanswered(len(messages) - 1, pending)
    return out, images


def _system(system: Any) -> str | list[dict[str, Any]]:
    if isinstance(system, str):
        return system
    if not isinstance(system, list):
        raise bad("system", "Input should be a valid string or a list of text blocks")
    parts = []
    for j, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text" or not isinstance(block.get("text"), str):
            raise bad(f"system.{j}", 'Input should be a text block: {"type": "text", "text": "..."}')
        parts.append({"type": "text", "text": block["text"]})
    return parts


def _role(message: Any, i: int) -> str:
    if not isinstance(message, dict):
        raise bad(f"messages.{i}", "Input should be a valid dictionary")
    role = message.get("role")
    if role == "system":
        raise bad(
            f"messages.{i}.role",
            'Unexpected role "system". The Messages API accepts a top-level `system` '
            'parameter, not "system" as an input message role.',
        )
    if role not in ("user", "assistant"):
        raise bad(f"messages.{i}.role", "Input should be 'user' or 'assistant'")
    if "content" not in message:
        raise bad(f"messages.{i}.content", "Field required")
    return str(role)


def _blocks(content: Any, i: int) -> list[dict[str, Any]]:
    """Content as a list of blocks; a string is one text block."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list) or not all(isinstance(b, dict) for b in content):
        raise bad(f"messages.{i}.content", "Input should be a valid string or a list of content blocks")
    return content


def _text(block: dict[str, Any], path: str) -> str:
    text = block.get("text")
    if not isinstance(text, str):
        raise bad(f"{path}.text", "Input should be a valid string")
    if not text:
        raise bad("messages", "text content blocks must be non-empty")
    return text


def _user(content: Any, i: int, pending: list[str], images: list[ImageInput]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        if pending:
            raise _unanswered(i - 1, pending)
        return [{"role": "user", "content": content}]
    tool_messages: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for j, block in enumerate(_blocks(content, i)):
        path, kind = f"messages.{i}.content.{j}", block.get("type")
        if kind == "tool_result":
            if parts:  # a result after other content is no longer "immediately after" its call
                raise _unanswered(i - 1, pending) if pending else _unexpected_result(path, block)
            tool_messages.append(_tool_result(block, path, pending, images))
        elif kind == "text":
            parts.append({"type": "text", "text": _text(block, path)})
        elif kind == "image":
            image = _image(block, path, images)
            images.append(image)
            parts.append({"type": "image_url", "image_url": {"url": image.url}})
        else:
            raise bad(f"{path}.type", f"block type {kind!r} is not accepted in a user message by the mock")
    answered = {m["tool_call_id"] for m in tool_messages}
    if pending and not set(pending) <= answered:
        raise _unanswered(i - 1, [p for p in pending if p not in answered])
    return tool_messages + ([{"role": "user", "content": parts}] if parts else [])


def _tool_result(block: dict[str, Any], path: str, pending: list[str], images: list[ImageInput]) -> dict[str, Any]:
    tool_use_id = block.get("tool_use_id")
    if not isinstance(tool_use_id, str):
        raise bad(f"{path}.tool_use_id", "Field required")
    if tool_use_id not in pending:
        raise _unexpected_result(path, block)
    content = block.get("content", "")
    if isinstance(content, list):
        texts = []
        for k, part in enumerate(content):
            part_path = f"{path}.content.{k}"
            if not isinstance(part, dict) or part.get("type") not in ("text", "image"):
                raise bad(part_path, "tool_result content blocks must be text or image blocks")
            if part["type"] == "text":
                texts.append(_text(part, part_path))
            else:
                images.append(_image(part, part_path, images))
        content = "\n".join(texts)
    elif not isinstance(content, str):
        raise bad(f"{path}.content", "Input should be a valid string or a list of content blocks")
    return {"role": "tool", "tool_call_id": tool_use_id, "content": content}


def _image(block: dict[str, Any], path: str, before: list[ImageInput]) -> ImageInput:
    source = block.get("source")
    kind = source.get("type") if isinstance(source, dict) else None
    if kind == "base64":
        assert isinstance(source, dict)
        media_type, data = source.get("media_type"), source.get("data")
        if media_type not in MEDIA_TYPES:
            allowed = ", ".join(f"'{m}'" for m in MEDIA_TYPES)
            raise bad(f"{path}.image.source.base64.media_type", f"Input should be {allowed}")
        if not isinstance(data, str):
            raise bad(f"{path}.image.source.base64.data", "Input should be a valid string")
        url, where = f"data:{media_type};base64,{data}", f"{path}.image.source.base64.data"
    elif kind == "url":
        assert isinstance(source, dict)
        url, where = str(source.get("url", "")), f"{path}.image.source.url"
    else:
        raise bad(
            f"{path}.image.source",
            "Input tag does not match any of the expected tags: 'base64', 'url' (the mock has no Files API)",
        )
    try:
        return decode_image_url(url, before=before)
    except ImageError as exc:
        message = str(exc)
        raise bad(where, message[:1].upper() + message[1:]) from exc


def _assistant(content: Any, i: int) -> tuple[dict[str, Any], list[str]]:
    if content in ("", []):  # an empty final turn: the answer starts from nothing, as without it
        return {"role": "assistant", "content": ""}, []
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for j, block in enumerate(_blocks(content, i)):
        path, kind = f"messages.{i}.content.{j}", block.get("type")
        if kind == "text":
            texts.append(_text(block, path))
        elif kind == "tool_use":
            calls.append(_tool_use(block, path))
        elif kind not in ("thinking", "redacted_thinking"):  # accepted and passed over, as thinking is
            raise bad(f"{path}.type", f"block type {kind!r} is not accepted in an assistant message by the mock")
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
    if calls:
        message["tool_calls"] = calls
    elif message["content"] is None:
        message["content"] = ""
    return message, [c["id"] for c in calls]


def _tool_use(block: dict[str, Any], path: str) -> dict[str, Any]:
    tool_id, name, arguments = block.get("id"), block.get("name"), block.get("input")
    if not isinstance(tool_id, str) or not _TOOL_USE_ID.match(tool_id):
        raise bad(f"{path}.tool_use.id", "String should match pattern '^[a-zA-Z0-9_-]+$'")
    if not isinstance(name, str) or not name:
        raise bad(f"{path}.tool_use.name", "Input should be a valid string")
    if not isinstance(arguments, dict):
        raise bad(f"{path}.tool_use.input", "Input should be a valid dictionary")
    function = {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}
    return {"id": tool_id, "type": "function", "function": function}


def _unanswered(i: int, ids: list[str]) -> MockError:
    return bad(
        f"messages.{i}",
        f"`tool_use` ids were found without `tool_result` blocks immediately after: "
        f"{', '.join(ids)}. Each `tool_use` block must have a corresponding `tool_result` "
        "block in the next message.",
    )


def _unexpected_result(path: str, block: dict[str, Any]) -> MockError:
    return bad(
        path,
        f"unexpected `tool_use_id` found in `tool_result` blocks: {block.get('tool_use_id')}. Each "
        "`tool_result` block must have a corresponding `tool_use` block in the previous message.",
    )
