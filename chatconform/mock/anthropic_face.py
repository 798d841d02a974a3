"""The Anthropic face: a completion as a `message` object or as a named-event stream.

Framing follows the Messages API: `message_start` (the message with empty
content, `stop_reason` null and usage so far), then per content block a
`content_block_start`, its `content_block_delta`s (`text_delta`, or
`input_json_delta` fragments of a tool's input) and a `content_block_stop`,
one `ping` after the first block starts, a `message_delta` carrying
`stop_reason`, `stop_sequence` and cumulative usage, and `message_stop`.
Errors, before or during a stream, use `{"type": "error", "error": {...}}`.
"""

from __future__ import annotations

import json
from typing import Any

from chatconform.mock import tokens
from chatconform.mock.generation import Completion
from chatconform.mock.ids import new_id
from chatconform.mock.prompt_cache import NO_CACHE, CacheUse
from chatconform.mock.request import ChatRequest
from chatconform.mock.streaming import StreamPlan
from chatconform.mock.toolcalls import ToolCall

ARGUMENT_TOKENS_PER_FRAGMENT = 4
# Completion.finish_reason (OpenAI vocabulary) to Anthropic's stop_reason.
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use", "content_filter": "refusal"}
# Anthropic's error `type` per HTTP status (https://docs.anthropic.com/en/api/errors).
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_quote = json.encoder.encode_basestring_ascii


def error_type(status: int) -> str:
    return ERROR_TYPES.get(status, "invalid_request_error" if status < 500 else "api_error")


def error_body(status: int, message: str, request_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "error", "error": {"type": error_type(status), "message": message}}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def error_frame(kind: str = "overloaded_error", message: str = "Overloaded") -> bytes:
    """The mid-stream error event; Anthropic sends `overloaded_error` when capacity runs out mid-answer."""
    return _event("error", {"type": "error", "error": {"type": kind, "message": message}})


def stop_reason(done: Completion) -> str:
    if done.finish_reason == "stop" and done.stop_sequence is not None:
        return "stop_sequence"
    return STOP_REASONS.get(done.finish_reason, "end_turn")


def message_id() -> str:
    return new_id("msg_")


def tool_use_id(call: ToolCall) -> str:
    return "toolu_" + call.key


# Fields the official SDKs' types declare required (the Node SDK's `Usage`, `Message`, `MessageDeltaEvent`),
# with the value the API documents when the feature is unused: no server tools, no container, no details.
_USAGE_NULLS = {"output_tokens_details": None, "server_tool_use": None}
_MESSAGE_NULLS = {"container": None, "diagnostics": None}
DIRECT_CALLER = {"type": "direct"}  # a tool_use block the model wrote itself, not a server tool's call


def usage(done: Completion, use: CacheUse = NO_CACHE, output_tokens: int | None = None) -> dict[str, Any]:
    """Usage as a message carries it; `output_tokens` overrides the final count (message_start). The
    cache writes are split by TTL in `cache_creation`, as the API reports them."""
    cache_creation = {"ephemeral_5m_input_tokens": use.write_5m, "ephemeral_1h_input_tokens": use.write_1h}
    return {
        **delta_usage(done, use, output_tokens),
        "cache_creation": cache_creation,
        **_USAGE_NULLS,
        "inference_geo": None,
        "service_tier": "standard",
        "speed": "standard",
    }


def stop_details(done: Completion) -> dict[str, Any] | None:
    """A refusal's details (no named policy category, no explanation: the mock's refusal is a test marker)."""
    return {"type": "refusal", "category": None, "explanation": None} if stop_reason(done) == "refusal" else None


def delta_usage(done: Completion, use: CacheUse = NO_CACHE, output_tokens: int | None = None) -> dict[str, int]:
    """Cumulative usage as `message_delta` carries it. Anthropic's `input_tokens` counts only the prompt
    tokens after the last cache breakpoint: those read from or written to the cache are counted apart."""
    return {
        "input_tokens": done.prompt_tokens - use.read - use.written,
        "cache_creation_input_tokens": use.written,
        "cache_read_input_tokens": use.read,
        "output_tokens": done.completion_tokens if output_tokens is None else output_tokens,
    }


def content_blocks(done: Completion) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": done.text, "citations": None}] if done.text else []
    for call in done.tool_calls:
        block = {"type": "tool_use", "id": tool_use_id(call), "name": call.name, "input": json.loads(call.arguments)}
        blocks.append({**block, "caller": DIRECT_CALLER})
    return blocks


def reply_summary(done: Completion, use: CacheUse = NO_CACHE) -> dict[str, Any]:
    """What the answer is, for the journal: gateway-mode suites compare a gateway's translation with it."""
    blocks: list[dict[str, Any]] = [{"type": "text"}] if done.text else []
    blocks += [{"type": "tool_use", "id": tool_use_id(c), "name": c.name} for c in done.tool_calls]
    return {
        "stop_reason": stop_reason(done),
        "stop_sequence": done.stop_sequence,
        "content": blocks,
        "text": done.text,
        "usage": delta_usage(done, use),
    }


def message_body(
    req: ChatRequest, done: Completion, use: CacheUse = NO_CACHE, msg_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": msg_id or message_id(),
        "type": "message",
        "role": "assistant",
        "model": req.model_name,
        "content": content_blocks(done),
        "stop_reason": stop_reason(done),
        "stop_sequence": done.stop_sequence,
        "stop_details": stop_details(done),
        **_MESSAGE_NULLS,
        "usage": usage(done, use),
    }


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _text_delta(text: str) -> bytes:
    """The hot path: one text fragment of block 0, encoded without building a dict."""
    return (
        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
        b'"delta":{"type":"text_delta","text":' + _quote(text).encode() + b"}}\n\n"
    )


def _block_start(index: int, block: dict[str, Any]) -> bytes:
    return _event("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})


def _block_stop(index: int) -> bytes:
    return _event("content_block_stop", {"type": "content_block_stop", "index": index})


def _blocks(done: Completion, tokens_per_chunk: int) -> list[tuple[bytes, list[bytes]]]:
    """(content_block_start, delta events) for each block of the answer, in order."""
    blocks: list[tuple[bytes, list[bytes]]] = []
    if done.pieces:
        deltas = [_text_delta("".join(group)) for group in _groups(done.pieces, tokens_per_chunk)]
        blocks.append((_block_start(0, {"type": "text", "text": "", "citations": None}), deltas))
    for call in done.tool_calls:
        index = len(blocks)
        start = {"type": "tool_use", "id": tool_use_id(call), "name": call.name, "input": {}, "caller": DIRECT_CALLER}
        deltas = [
            _event(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": "".join(part)},
                },
            )
            for part in _groups(tokens.tokenize(call.arguments), ARGUMENT_TOKENS_PER_FRAGMENT)
        ]
        blocks.append((_block_start(index, start), deltas))
    return blocks


def stream_plan(
    req: ChatRequest, done: Completion, use: CacheUse, offsets_for: Any, tokens_per_chunk: int
) -> StreamPlan:
    """The frames of one streamed answer; `offsets_for(n)` gives the schedule for n timed frames.

    Each timed frame carries one delta; a block's stop and the next block's start ride with
    the neighbouring delta, so faults count deltas, as the OpenAI face counts chunks."""
    head = [_event("message_start", {"type": "message_start", "message": _announced(req, done, use)})]
    blocks = _blocks(done, tokens_per_chunk)
    if blocks:
        head.append(blocks[0][0])
    head.append(_event("ping", {"type": "ping"}))
    body: list[bytes] = []
    for index, (block_start, deltas) in enumerate(blocks):
        for n, delta in enumerate(deltas):
            data = delta
            if n == 0 and index > 0:
                data = _block_stop(index - 1) + block_start + data
            body.append(data)
    tail = [_block_stop(len(blocks) - 1)] if blocks else []
    ending: dict[str, Any] = {"stop_reason": stop_reason(done), "stop_sequence": done.stop_sequence}
    ending |= {"stop_details": stop_details(done), "container": None}
    message_delta = {"type": "message_delta", "delta": ending, "usage": {**delta_usage(done, use), **_USAGE_NULLS}}
    tail += [_event("message_delta", message_delta), _event("message_stop", {"type": "message_stop"})]
    return StreamPlan(head, body, tail, offsets_for(len(body)), _spoil, error_frame())


def _announced(req: ChatRequest, done: Completion, use: CacheUse) -> dict[str, Any]:
    """The message as `message_start` shows it: no content or stop reason yet, one output token so far."""
    message = {"id": message_id(), "type": "message", "role": "assistant", "model": req.model_name}
    return {
        **message,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "stop_details": None,
        **_MESSAGE_NULLS,
        "usage": usage(done, use, min(1, done.completion_tokens)),
    }


def _groups(pieces: tuple[str, ...] | list[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(pieces[i : i + size]) for i in range(0, len(pieces), size)]


def _spoil(frame: bytes) -> bytes:
    """The frame's delta event with its JSON cut in the middle, still framed as one event."""
    marker = b"event: content_block_delta\ndata: "
    at = frame.rfind(marker) + len(marker)
    end = frame.index(b"\n\n", at)
    return frame[:at] + frame[at : at + max(1, (end - at) // 2)] + frame[end:]
