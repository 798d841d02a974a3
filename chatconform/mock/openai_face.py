"""The OpenAI face: a completion as `chat.completion` JSON or as a chunk stream.

Framing follows OpenAI exactly: one id/created/model for every chunk, the
role in the first delta (a role chunk with `content: ""` before text; with
`content: null` on the first tool-call delta when the answer is only tool
calls), `finish_reason` null until the one final value,
tool-call deltas carrying `index` always and `id`/`type`/`name` only in the
first delta of each call, a `choices: []` usage chunk only when
`stream_options.include_usage` is set (and then `usage: null` on every other
chunk), and `data: [DONE]` last.
"""

from __future__ import annotations

import json
import time
from typing import Any

from chatconform.mock import tokens
from chatconform.mock.generation import Completion
from chatconform.mock.ids import new_id
from chatconform.mock.prompt_cache import NO_CACHE, CacheUse
from chatconform.mock.request import ChatRequest
from chatconform.mock.streaming import StreamPlan
from chatconform.mock.toolcalls import ToolCall

DONE_FRAME = b"data: [DONE]\n\n"
_FIRST_DELTA = b'{"role": "assistant", "content": "", "refusal": null}, "logprobs": null, "finish_reason": null}]}\n\n'
_CONTENT_TAIL = b'}, "logprobs": null, "finish_reason": null}]}\n\n'
_quote = json.encoder.encode_basestring_ascii  # what json.dumps uses for a str, without the call overhead
ARGUMENT_TOKENS_PER_FRAGMENT = 4


def completion_id() -> str:
    return new_id("chatcmpl-")


def tool_call_json(call: ToolCall) -> dict[str, Any]:
    return {"id": "call_" + call.key, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}


def usage(done: Completion, use: CacheUse = NO_CACHE) -> dict[str, Any]:
    """Usage as OpenAI reports it: the counts, then the detail objects its API always sends, with the
    prompt tokens read from the prompt cache as `cached_tokens` (and those written, as OpenAI's schema
    names them, `cache_write_tokens`, only when the request wrote any)."""
    prompt_details: dict[str, int] = {"cached_tokens": use.read, "audio_tokens": 0}
    if use.written:
        prompt_details["cache_write_tokens"] = use.written
    return {
        **done.usage(),
        "prompt_tokens_details": prompt_details,
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def completion_body(req: ChatRequest, done: Completion, use: CacheUse = NO_CACHE) -> dict[str, Any]:
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
        "usage": usage(done, use),
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
        self._content_head = self._prefix + b'{"content": '
        self._envelope = envelope

    def delta(self, delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        tail = f', "logprobs": null, "finish_reason": {json.dumps(finish_reason)}}}]}}\n\n'
        return self._prefix + json.dumps(delta).encode() + tail.encode()

    def first(self) -> bytes:
        return self._prefix + _FIRST_DELTA

    def finish(self, finish_reason: str) -> bytes:
        return self._prefix + b'{}, "logprobs": null, "finish_reason": "' + finish_reason.encode() + b'"}]}\n\n'

    def content(self, quoted: bytes) -> bytes:
        """The hot path: one content delta from an already JSON-quoted string."""
        return self._content_head + quoted + _CONTENT_TAIL

    def usage(self, usage: dict[str, Any]) -> bytes:
        envelope = self._envelope.replace('"usage": null', '"usage": ' + json.dumps(usage))
        return ("data: " + envelope + ', "choices": []}\n\n').encode()


def stream_plan(
    req: ChatRequest, done: Completion, use: CacheUse, offsets_for: Any, tokens_per_chunk: int
) -> StreamPlan:
    """The frames of one streamed answer; `offsets_for(n)` gives the schedule for n timed frames."""
    writer = _ChunkWriter(req)
    called = bool(done.tool_calls) and not done.pieces
    # A text answer opens with a role chunk (content ""), sent at once; an answer that is only tool calls
    # opens with its first call's delta, which carries the role and `content: null`, as OpenAI's does.
    head = [] if called else [writer.first()]
    if tokens_per_chunk == 1:
        body = [writer.content(q) for q in done.json_pieces]
    else:
        groups = _groups(done.pieces, tokens_per_chunk)
        body = [writer.content(_quote("".join(g)).encode()) for g in groups]
    for index, call in enumerate(done.tool_calls):
        body += _tool_call_frames(writer, index, call, opening=called and index == 0)
    tail = [writer.finish(done.finish_reason)]
    if req.include_usage:
        tail.append(writer.usage(usage(done, use)))
    tail.append(DONE_FRAME)
    return StreamPlan(head, body, tail, offsets_for(len(body)), _spoil, ERROR_FRAME)


def _tool_call_frames(writer: _ChunkWriter, index: int, call: ToolCall, opening: bool = False) -> list[bytes]:
    """The call's deltas: id, type and name first (with the role and `content: null` when it opens the
    stream), then its arguments in fragments."""
    first = {"index": index, "id": "call_" + call.key, "type": "function"}
    first["function"] = {"name": call.name, "arguments": ""}
    delta: dict[str, Any] = {"tool_calls": [first]}
    if opening:
        delta = {"role": "assistant", "content": None, **delta, "refusal": None}
    frames = [writer.delta(delta)]
    for fragment in _groups(tokens.tokenize(call.arguments), ARGUMENT_TOKENS_PER_FRAGMENT):
        part = {"index": index, "function": {"arguments": "".join(fragment)}}
        frames.append(writer.delta({"tool_calls": [part]}))
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


ERROR_FRAME = error_frame()
