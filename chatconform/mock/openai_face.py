"""The OpenAI face: a completion as `chat.completion` JSON or as a chunk stream.

Framing follows OpenAI exactly: one id/created/model for every chunk, the
role in the first delta, `finish_reason` null until the one final value,
tool-call deltas carrying `index` always and `id`/`type`/`name` only in the
first delta of each call, a `choices: []` usage chunk only when
`stream_options.include_usage` is set (and then `usage: null` on every other
chunk), and `data: [DONE]` last.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from chatconform.mock import tokens
from chatconform.mock.answers import ToolCall
from chatconform.mock.generation import Completion
from chatconform.mock.request import ChatRequest
from chatconform.mock.streaming import Frame, StreamPlan

DONE_FRAME = b"data: [DONE]\n\n"
ARGUMENT_TOKENS_PER_FRAGMENT = 4


def completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


def tool_call_json(call: ToolCall) -> dict[str, Any]:
    return {"id": "call_" + call.key, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}


def completion_body(req: ChatRequest, done: Completion) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": done.text or None, "refusal": None}
    if done.tool_calls:
        message["tool_calls"] = [tool_call_json(c) for c in done.tool_calls]
    elif message["content"] is None:
        message["content"] = ""  # an empty answer is "" not null when no tool was called
    return {
        "id": completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": req.model_name,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": done.finish_reason}],
        "usage": done.usage(),
        "system_fingerprint": None,
    }


class _ChunkWriter:
    """Encodes chunks of one stream. The constant envelope is serialised once,
    so a token costs one small `json.dumps`: the mock must outrun the clients it tests."""

    def __init__(self, req: ChatRequest) -> None:
        self.include_usage = req.include_usage
        head = {"id": completion_id(), "object": "chat.completion.chunk", "created": int(time.time())}
        head["model"] = req.model_name
        envelope = json.dumps(head)[:-1] + ', "system_fingerprint": null'
        if self.include_usage:
            envelope += ', "usage": null'
        self._prefix = ("data: " + envelope + ', "choices": [{"index": 0, "delta": ').encode()
        self._envelope = envelope

    def delta(self, delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        tail = f', "logprobs": null, "finish_reason": {json.dumps(finish_reason)}}}]}}\n\n'
        return self._prefix + json.dumps(delta).encode() + tail.encode()

    def usage(self, usage: dict[str, int]) -> bytes:
        envelope = self._envelope.replace('"usage": null', '"usage": ' + json.dumps(usage))
        return ("data: " + envelope + ', "choices": []}\n\n').encode()


def stream_plan(req: ChatRequest, done: Completion, offsets_for: Any, tokens_per_chunk: int) -> StreamPlan:
    """The frames of one streamed answer; `offsets_for(n)` gives the schedule for n timed frames."""
    writer = _ChunkWriter(req)
    head = [Frame(writer.delta({"role": "assistant", "content": "", "refusal": None}), False)]
    body = [Frame(writer.delta({"content": "".join(group)}), True) for group in _groups(done.pieces, tokens_per_chunk)]
    for index, call in enumerate(done.tool_calls):
        body += _tool_call_frames(writer, index, call)
    tail = [Frame(writer.delta({}, done.finish_reason), False)]
    if req.include_usage:
        tail.append(Frame(writer.usage(done.usage()), False))
    tail.append(Frame(DONE_FRAME, False))
    return StreamPlan(head, body, tail, offsets_for(len(body)), _spoil, error_frame())


def _tool_call_frames(writer: _ChunkWriter, index: int, call: ToolCall) -> list[Frame]:
    first = {"index": index, "id": "call_" + call.key, "type": "function"}
    first["function"] = {"name": call.name, "arguments": ""}
    frames = [Frame(writer.delta({"tool_calls": [first]}), True)]
    for fragment in _groups(tokens.tokenize(call.arguments), ARGUMENT_TOKENS_PER_FRAGMENT):
        part = {"index": index, "function": {"arguments": "".join(fragment)}}
        frames.append(Frame(writer.delta({"tool_calls": [part]}), True))
    return frames


def _groups(pieces: tuple[str, ...] | list[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(pieces[i : i + size]) for i in range(0, len(pieces), size)]


def _spoil(frame: bytes) -> bytes:
    """A chunk whose JSON is cut in the middle, still framed as one event."""
    data = frame[len(b"data: ") : -2]
    return b"data: " + data[: max(1, len(data) // 2)] + b"\n\n"


def error_frame(message: str = "The upstream model failed while generating.", code: str = "upstream_error") -> bytes:
    """OpenAI's mid-stream error: an error object in a data event, then the stream ends."""
    body = {"error": {"message": message, "type": "server_error", "param": None, "code": code}}
    return b"data: " + json.dumps(body).encode() + b"\n\n"
