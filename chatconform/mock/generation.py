"""From an answer to a completion: stop sequences, max_tokens and usage.

The answer engine says what the model would say in full; this module decides
what is actually emitted. Both faces and both modes (stream or not) use the
result, so usage and text are identical whichever way they are delivered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chatconform.mock import tokens
from chatconform.mock.answers import Answer, ToolCall, answer
from chatconform.mock.request import ChatRequest, message_text

TOOL_CALL_OVERHEAD = 3  # tokens a tool-use block costs beyond its name and arguments


@dataclass(frozen=True)
class Completion:
    pieces: tuple[str, ...]  # the emitted text, token by token
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str  # OpenAI vocabulary: stop, length, tool_calls
    stop_sequence: str | None  # the sequence that ended the text, if one did
    prompt_tokens: int
    completion_tokens: int

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


def complete(req: ChatRequest, named_tool_finish: str = "tool_calls") -> Completion:
    result = answer(req)
    prompt = prompt_tokens(req)
    if result.tool_calls:
        used = sum(tool_call_tokens(c) for c in result.tool_calls) + tokens.count(result.text)
        finish = named_tool_finish if isinstance(req.tool_choice, dict) else "tool_calls"
        return Completion(tuple(tokens.tokenize(result.text)), result.tool_calls, finish, None, prompt, used)
    return _text_completion(result, req, prompt)


def _text_completion(result: Answer, req: ChatRequest, prompt: int) -> Completion:
    text, stop_sequence = _cut_at_stop(result.text, req.stop)
    pieces = tokens.tokenize(text)
    if len(pieces) > req.max_tokens:
        return Completion(tuple(pieces[: req.max_tokens]), (), "length", None, prompt, req.max_tokens)
    return Completion(tuple(pieces), (), "stop", stop_sequence, prompt, len(pieces))


def _cut_at_stop(text: str, stops: list[str]) -> tuple[str, str | None]:
    """Cut before the earliest stop sequence; the sequence itself is not emitted."""
    best: tuple[int, str] | None = None
    for stop in stops:
        at = text.find(stop)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, stop)
    return (text, None) if best is None else (text[: best[0]], best[1])


def tool_call_tokens(call: ToolCall) -> int:
    return TOOL_CALL_OVERHEAD + tokens.count(call.name) + tokens.count(call.arguments)


def prompt_tokens(req: ChatRequest) -> int:
    """Tokens billed for the input: messages, images, tool definitions, output schema."""
    total = 0
    for message in req.messages:
        total += tokens.MESSAGE_OVERHEAD + tokens.count(message_text(message))
        for call in message.get("tool_calls") or []:
            total += TOOL_CALL_OVERHEAD + tokens.count(json.dumps(call.get("function", {})))
    total += sum(tokens.image_tokens(i.width, i.height) for i in req.images)
    if req.tools:
        total += tokens.count_json(req.tools)
    schema: Any = ((req.response_format or {}).get("json_schema") or {}).get("schema")
    if schema:
        total += tokens.count_json(schema)
    return total
