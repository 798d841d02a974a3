"""The reference gateway's stream translation: Anthropic's named events to OpenAI chunks, one event at a time.

`message_start` opens with the role; text deltas become content deltas; a `tool_use` block opens a tool
call (index counted over tool blocks, id and name in its first delta) whose `input_json_delta` fragments
become argument fragments; `message_delta` carries the stop reason and the output count; `message_stop`
ends with the finish_reason chunk and, when asked, the `choices: []` usage chunk. `event: error` becomes an
OpenAI error frame and ends the stream without `[DONE]`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.selftest_gateway.reference_translate import Json, Translator, completion_id


def sse(chunk: Json) -> bytes:
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def error_chunk(message: str, code: str, kind: str = "server_error") -> Json:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class StreamState:
    def __init__(self, translator: Translator, model: str, include_usage: bool) -> None:
        self.translator, self.include_usage = translator, include_usage
        self.head: Json = {
            "id": completion_id(),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": None,
        }
        self.tool_of_block: dict[int, int] = {}
        self.usage: Json = {}
        self.finish_reason: str | None = None
        self.finished = False  # message_stop arrived: the answer is whole
        self.ended = False  # nothing more to read (finished, or an error event)

    def chunk(self, delta: Json, finish_reason: str | None = None) -> Json:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        extra = {"usage": None} if self.include_usage else {}
        return {**self.head, "choices": [choice], **extra}

    def on(self, name: str, data: Any) -> list[Json]:
        handler = getattr(self, "_" + name, None)
        return handler(data) if handler is not None else []  # ping, and events this gateway does not know

    def _message_start(self, data: Json) -> list[Json]:
        self.usage.update(data["message"].get("usage") or {})
        return [self.chunk({"role": "assistant", "content": ""})]

    def _content_block_start(self, data: Json) -> list[Json]:
        block = data["content_block"]
        if block.get("type") != "tool_use":
            return []
        index = self.translator.tool_index(data["index"], len(self.tool_of_block))
        self.tool_of_block[data["index"]] = index
        call = {
            "index": index,
            "id": block["id"],
            "type": "function",
            "function": {"name": block["name"], "arguments": ""},
        }
        return [self.chunk({"tool_calls": [call]})]

    def _content_block_delta(self, data: Json) -> list[Json]:
        delta = data["delta"]
        if delta.get("type") == "text_delta":
            return [self.chunk({"content": delta["text"]})]
        if delta.get("type") == "input_json_delta" and data["index"] in self.tool_of_block:
            part = {"index": self.tool_of_block[data["index"]], "function": {"arguments": delta["partial_json"]}}
            return [self.chunk({"tool_calls": [part]})]
        return []

    def _message_delta(self, data: Json) -> list[Json]:
        self.finish_reason = self.translator.finish_reason(data["delta"].get("stop_reason"))
        self.usage.update(data.get("usage") or {})
        return []

    def _message_stop(self, data: Json) -> list[Json]:
        self.finished = self.ended = True
        out = [self.chunk({}, self.finish_reason or "stop")]
        if self.include_usage:
            out.append({**self.head, "choices": [], "usage": self.translator.usage(self.usage)})
        return out

    def _error(self, data: Json) -> list[Json]:
        self.ended = True
        error = data.get("error") or {}
        return [
            error_chunk(
                f"Upstream error: {error.get('message', 'unknown')}",
                "upstream_error",
                str(error.get("type") or "server_error"),
            )
        ]
