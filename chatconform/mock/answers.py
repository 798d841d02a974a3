"""The mock's answer engine: what a request gets back, as text or tool calls.

Answers are a pure function of the request's content (see `request_seed`),
so a streamed and a non-streamed request get the same answer, and a suite can
predict it. The rules (docs/mock-answers.md) are the ones a real Claude also
follows for the same prompts, so one suite passes against the mock and a real
gateway: a tool result is reported back, a mentioned tool is called, an
explicit "Reply with exactly:" is obeyed, an image is described by its size
and colour, and anything else gets a short plain-English answer in the form
the prompt asks for (bullets, a numbered list, sentences, one word, JSON).
This module decides what an answer says; a `Voice` decides how it is worded
(exactly as documented, or varied as a real model would: `variance`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from random import Random
from typing import Any

from chatconform.mock import prose, toolargs, vision
from chatconform.mock.formats import WORDS
from chatconform.mock.forms import Form, data_pairs, read_form
from chatconform.mock.hints import candidates
from chatconform.mock.request import ChatRequest, ImageInput, message_text, read_window
from chatconform.mock.toolcalls import ToolCall, tool_calls
from chatconform.mock.voice import Voice


@dataclass(frozen=True)
class Answer:
    text: str  # "" when the answer is only tool calls
    tool_calls: tuple[ToolCall, ...] = ()


_EXACT = re.compile(r"\b(?:(?:reply|respond|answer)\s+with|say)\s+exactly\s*:[ \t]*([^\r\n]*)", re.IGNORECASE)
_COUNT = re.compile(r"\bcount\s+from\s+(-?\d+)\s+to\s+(-?\d+)", re.IGNORECASE)
_PREAMBLE = re.compile(r"\bbefore\s+(?:calling|using)\b[^:\r\n]*?\bsay\s*:[ \t]*([^\r\n]*)", re.IGNORECASE)
_NWORDS = re.compile(r"\b(?:write|about|exactly)\s+(\d+)\s+words\b", re.IGNORECASE)
_QUOTE_PAIRS = {'"': '"', "'": "'", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019"}
MAX_COUNT_SPAN = 1000
MAX_WORDS = 20000


def request_seed(req: ChatRequest) -> int:
    """Stable 64-bit seed from everything that decides the answer, and nothing that only frames or cuts it."""
    decisive = [
        req.model.id,
        req.messages,
        req.tools,
        req.tool_choice,
        req.parallel_tool_calls,
        req.response_format,
        req.seed,
    ]
    blob = json.dumps(decisive, sort_keys=True, ensure_ascii=False, default=str).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big")


def answer(req: ChatRequest, voice: Voice | None = None) -> Answer:
    """The answer to `req`, worded by `voice` (by default the exact voice, seeded from the request)."""
    seed = request_seed(req)
    voice = voice or Voice(Random(seed))
    last = req.messages[-1] if req.messages else {}
    if last.get("role") != "tool":
        calls = tool_calls(req, seed, voice)
        if calls:
            asked = preamble(req.last_user_text)
            return Answer(asked or voice.preamble([c.name for c in calls], req.tool_choice == "auto"), calls)
    return Answer(_shape(req, voice, last))


def preamble(text: str) -> str:
    """The sentence a prompt asks for before the tool calls ("Before calling get_weather, say: Let me check."),
    else none: real models often write one, and gateways must not let it shift the tool-call indexes."""
    match = _PREAMBLE.search(text)
    return _strip_quotes(match.group(1).strip()) if match else ""


def _shape(req: ChatRequest, voice: Voice, last: dict[str, Any]) -> str:
    """The text answer, as JSON when response_format asks for it."""
    fmt = req.response_format or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
        hints = toolargs.hints_from_text(req.last_user_text)
        try:
            value = toolargs.instance(schema, hints, voice.rng, voice.extra_arguments)
        except toolargs.SchemaError as exc:
            raise exc.under("response_format", "json_schema", "schema") from None
        return voice.json_text(value, fenced=False)
    form = read_form(req.last_user_text)
    text = _text(req, voice, last, form)
    if fmt.get("type") == "json_object":
        return voice.json_text(voice.json_object(_object(req.last_user_text, form, text, voice)), fenced=False)
    return text


def _text(req: ChatRequest, voice: Voice, last: dict[str, Any], form: Form) -> str:
    system = _system_directive(req, voice)
    if system is not None:
        return system
    if last.get("role") == "tool":
        return voice.tool_results(_tool_results(req.messages))
    prompt = req.last_user_text
    found = directive(prompt, voice) or _vision(req, voice, form)
    if found is not None:
        return found
    subject = prose.topic(prompt)
    if form.json and not req.response_format:  # "in JSON" with no JSON mode: a fenced block, as in chat
        value = _object(prompt, form, voice.prose(subject, Form()), voice)
        return voice.json_text(voice.json_object(value), fenced=True)
    return voice.prose(subject, form)


def _system_directive(req: ChatRequest, voice: Voice) -> str | None:
    """The latest system or developer message with a directive overrides users and tool results."""
    for message in reversed(req.messages):
        if message.get("role") in ("system", "developer"):
            found = directive(read_window(message_text(message)), voice)
            if found is not None:
                return found
    return None


def directive(text: str, voice: Voice) -> str | None:
    """The answer an explicit instruction in `text` asks for; the earliest valid one wins."""
    matches = sorted(
        (m for pattern in (_EXACT, _COUNT, _NWORDS) for m in pattern.finditer(text)), key=lambda m: m.start()
    )
    for match in matches:
        found = _render(match, voice, text)
        if found is not None:
            return found
    return None


def _render(match: re.Match[str], voice: Voice, text: str) -> str | None:
    if match.re is _EXACT:
        exact = _strip_quotes(match.group(1).strip())
        return voice.reply(exact) if exact else None
    if match.re is _COUNT:
        start, end = int(match.group(1)), int(match.group(2))
        if abs(end - start) > MAX_COUNT_SPAN:
            return None
        step = 1 if end >= start else -1  # "count from 10 to 1" counts down, as a person would
        return voice.count(list(range(start, end + step, step)), "comma" in text.lower())
    n = int(match.group(1))
    return voice.words(n) if 1 <= n <= MAX_WORDS else None


def _strip_quotes(text: str) -> str:
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        return text[1:-1]
    return text


def _object(prompt: str, form: Form, text: str, voice: Voice) -> dict[str, Any]:
    """The object a JSON answer holds: the keys the prompt names (or the `key: value` data it gives), valued
    from the prompt where it says, else the text answer for a single key or a generated word; with neither,
    `{"answer": <text>}`."""
    pairs = data_pairs(prompt)
    keys = form.keys or tuple(pairs)
    if not keys:
        return {"answer": text}
    named = toolargs.hints_from_text(prompt).named
    value: dict[str, Any] = {}
    for key in keys:
        raw = pairs.get(key, named.get(key.lower()))
        if raw is not None:
            value[key] = candidates(raw, {})[0]  # 36 as a number, yes as true, text as itself
        else:
            value[key] = text if len(keys) == 1 else voice.rng.choice(WORDS)
    return value


def _tool_results(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each trailing tool result as (the name of the call it answers, its content)."""
    start = len(messages)
    while start > 0 and messages[start - 1].get("role") == "tool":
        start -= 1
    names: dict[str, str] = {}
    for message in messages[:start]:
        for call in message.get("tool_calls") or []:
            names[str(call.get("id"))] = str((call.get("function") or {}).get("name", ""))
    return [(names.get(str(m.get("tool_call_id")), ""), read_window(message_text(m))) for m in messages[start:]]


def _vision(req: ChatRequest, voice: Voice, form: Form) -> str | None:
    users = [m for m in req.messages if m.get("role") == "user"]
    content = users[-1].get("content") if users else None
    if not isinstance(content, list):
        return None
    parts = [p for p in content if isinstance(p, dict) and p.get("type") == "image_url"]
    if not parts:
        return None
    images = req.images[-len(parts) :] if len(req.images) >= len(parts) else [_image(p) for p in parts]
    return voice.images(images, form)


def _image(part: dict[str, Any]) -> ImageInput:
    """Fallback when the caller did not fill req.images: decode here, describing what cannot be decoded vaguely."""
    ref = part.get("image_url") or {}
    url = str(ref.get("url", "")) if isinstance(ref, dict) else str(ref)
    try:
        return vision.decode_image_url(url)
    except vision.ImageError:
        return ImageInput(url="", media_type="")
