"""From an answer to a completion: stop sequences, max_tokens and usage.

The answer engine says what the model would say in full; this module decides
what is actually emitted. Both faces and both modes (stream or not) use the
result, so usage and text are identical whichever way they are delivered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from chatconform.mock import tokens
from chatconform.mock.answers import Answer, answer, request_seed
from chatconform.mock.memo import LRU
from chatconform.mock.request import ChatRequest, message_text
from chatconform.mock.toolcalls import ToolCall
from chatconform.mock.variance import voice_for
from chatconform.mock.voice import Voice

_quote = json.encoder.encode_basestring_ascii  # what json.dumps does for one str, without its overhead
TOOL_CALL_OVERHEAD = 3  # tokens a tool-use block costs beyond its name and arguments
# A mock-only directive: no benign prompt makes a real Claude stop with `refusal`, so suites that
# check how a gateway maps a refusal ask for one by this marker (docs/mock-answers.md).
REFUSAL_MARKER = "chatconform:refuse"
REFUSAL_TEXT = "I can't help with that request."


@dataclass(frozen=True)
class Completion:
    pieces: tuple[str, ...]  # the emitted text, token by token
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str  # OpenAI vocabulary: stop, length, tool_calls, content_filter (a refusal)
    stop_sequence: str | None  # the sequence that ended the text, if one did
    prompt_tokens: int
    completion_tokens: int

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @cached_property
    def json_pieces(self) -> tuple[bytes, ...]:
        """Each piece as a JSON string literal: both faces frame tokens as JSON strings."""
        return tuple(_quote(p).encode() for p in self.pieces)

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


# Answers are a pure function of the request; load runs repeat the same few prompts.
_memo: LRU[Completion] = LRU(512)
MEMO_MAX_PIECES = 4096  # a long answer kept 512 times would hold hundreds of MB


def memoisable(done: Completion) -> bool:
    """Whether an answer is small enough to keep for the next identical request."""
    return len(done.pieces) <= MEMO_MAX_PIECES and sum(len(c.arguments) for c in done.tool_calls) <= 64 * 1024


@dataclass(frozen=True)
class Wording:
    """How answers are worded: `exact` (the documented answers) or `varied` by `seed` (variance.py)."""

    mode: str = "exact"
    seed: int = 0


EXACT = Wording()


def complete(req: ChatRequest, named_tool_finish: str = "tool_calls", wording: Wording = EXACT) -> Completion:
    # The seed covers everything that decides the answer and the prompt; these cut or label it.
    seed = request_seed(req)
    key = (seed, req.max_tokens, tuple(req.stop), named_tool_finish, isinstance(req.tool_choice, dict), wording)
    found = _memo.get(key)
    if found is None:
        found = _complete(req, named_tool_finish, voice_for(wording.mode, wording.seed, seed))
        if memoisable(found):
            _memo.put(key, found)
    return found


def _complete(req: ChatRequest, named_tool_finish: str, voice: Voice) -> Completion:
    prompt = prompt_tokens(req)
    if refusal_requested(req):
        pieces = tokens.tokenize(REFUSAL_TEXT)[: req.max_tokens]
        return Completion(tuple(pieces), (), "content_filter", None, prompt, len(pieces))
    result = answer(req, voice)
    if result.tool_calls:
        used = sum(tool_call_tokens(c) for c in result.tool_calls) + tokens.count(result.text)
        finish = named_tool_finish if isinstance(req.tool_choice, dict) else "tool_calls"
        return Completion(tuple(tokens.tokenize(result.text)), result.tool_calls, finish, None, prompt, used)
    return _text_completion(result, req, prompt)


def refusal_requested(req: ChatRequest) -> bool:
    """The marker in the last user message or a system message asks for a refusal."""
    texts = [req.last_user_text, *req.texts("system")]
    return any(REFUSAL_MARKER in text.lower() for text in texts)


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
