"""The mock's answer engine: what a request gets back, as text or tool calls.

Answers are a pure function of the request's content (see `request_seed`),
so a streamed and a non-streamed request get the same answer, and a suite can
predict it. The rules (docs/mock-answers.md) are the ones a real Claude also
follows for the same prompts, so one suite passes against the mock and a real
gateway: a tool result is reported back, a mentioned tool is called, an
explicit "Reply with exactly:" is obeyed, an image is described by its size
and colour, and anything else gets a short plain-English answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from random import Random
from typing import Any

from chatconform.mock import toolargs, vision
from chatconform.mock.request import ChatRequest, ImageInput, message_text, read_window
from chatconform.mock.toolcalls import ToolCall, tool_calls


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

# Plain lower-case words, one mock token each, so "Write N words" costs N+1 completion tokens.
_FILLER = (  # noqa: SIM905 - a word list reads best as prose
    "the a of and to in is it that for on with as at by from this be or are an not was can all more one "
    "time people water light river stone garden morning window city market road music paper story field "
    "house table friend school summer winter color number simple quiet bright early small large open "
    "clear warm gentle careful steady slow quick good new old long short green blue red white always "
    "often"
).split()
_TEMPLATES = (
    "A careful look at {topic} usually shows a few simple patterns.",
    "The key point about {topic} is that the details depend on your situation.",
    "In most cases, {topic} is easiest to understand by starting with the basics.",
    "If you share more context, I can give a more specific answer.",
    "Many people find that {topic} becomes clearer with a concrete example.",
    "The short version is that {topic} has both benefits and tradeoffs.",
    "It helps to compare a few options before deciding.",
    "Let me know if you would like more detail on any part.",
)
# Words too common to name a topic.
_STOPWORDS = frozenset(
    (  # noqa: SIM905
        "about above after again also answer because been before being below between both briefly could does "
        "doing down during each explain from further give have having here into just know like make more most "
        "need once only other over please question reply same should some such tell than that their them then "
        "there these they this those through under until using very want were what when where which while "
        "will with would write your"
    ).split()
)


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


def answer(req: ChatRequest) -> Answer:
    seed = request_seed(req)
    last = req.messages[-1] if req.messages else {}
    if last.get("role") != "tool":
        calls = tool_calls(req, seed)
        if calls:
            return Answer(preamble(req.last_user_text), calls)
    return Answer(_shape(req, seed, last))


def preamble(text: str) -> str:
    """The sentence a prompt asks for before the tool calls ("Before calling get_weather, say: Let me check."),
    else none: real models often write one, and gateways must not let it shift the tool-call indexes."""
    match = _PREAMBLE.search(text)
    return _strip_quotes(match.group(1).strip()) if match else ""


def _shape(req: ChatRequest, seed: int, last: dict[str, Any]) -> str:
    """The text answer, as JSON when response_format asks for it."""
    fmt = req.response_format or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
        try:
            value = toolargs.instance(schema, toolargs.hints_from_text(req.last_user_text), Random(seed))
        except toolargs.SchemaError as exc:
            raise exc.under("response_format", "json_schema", "schema") from None
        return json.dumps(value, ensure_ascii=False)
    text = _text(req, seed, last)
    if fmt.get("type") == "json_object":
        return json.dumps({"answer": text}, ensure_ascii=False)
    return text


def _text(req: ChatRequest, seed: int, last: dict[str, Any]) -> str:
    system = _system_directive(req, seed)
    if system is not None:
        return system
    if last.get("role") == "tool":
        return _tool_results(req.messages)
    return directive(req.last_user_text, seed) or _vision(req) or _default(req.last_user_text, seed)


def _system_directive(req: ChatRequest, seed: int) -> str | None:
    """The latest system or developer message with a directive overrides users and tool results."""
    for message in reversed(req.messages):
        if message.get("role") in ("system", "developer"):
            found = directive(read_window(message_text(message)), seed)
            if found is not None:
                return found
    return None


def directive(text: str, seed: int) -> str | None:
    """The answer an explicit instruction in `text` asks for; the earliest valid one wins."""
    matches = sorted(
        (m for pattern in (_EXACT, _COUNT, _NWORDS) for m in pattern.finditer(text)), key=lambda m: m.start()
    )
    for match in matches:
        found = _render(match, seed)
        if found is not None:
            return found
    return None


def _render(match: re.Match[str], seed: int) -> str | None:
    if match.re is _EXACT:
        exact = _strip_quotes(match.group(1).strip())
        return exact or None
    if match.re is _COUNT:
        start, end = int(match.group(1)), int(match.group(2))
        if abs(end - start) > MAX_COUNT_SPAN:
            return None
        step = 1 if end >= start else -1  # "count from 10 to 1" counts down, as a person would
        return ", ".join(str(n) for n in range(start, end + step, step))
    n = int(match.group(1))
    return filler_words(n, seed) if 1 <= n <= MAX_WORDS else None


def _strip_quotes(text: str) -> str:
    if len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        return text[1:-1]
    return text


def filler_words(n: int, seed: int) -> str:
    """Exactly `n` seeded words as one sentence: the load tests' knob for output length."""
    words = Random(seed).choices(_FILLER, k=n)
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _tool_results(messages: list[dict[str, Any]]) -> str:
    """Report each trailing tool result verbatim, named after the call it answers."""
    start = len(messages)
    while start > 0 and messages[start - 1].get("role") == "tool":
        start -= 1
    names: dict[str, str] = {}
    for message in messages[:start]:
        for call in message.get("tool_calls") or []:
            names[str(call.get("id"))] = str((call.get("function") or {}).get("name", ""))
    sentences = []
    for message in messages[start:]:
        name = names.get(str(message.get("tool_call_id")), "")
        subject = f"The {name} tool" if name else "The tool"
        content = read_window(message_text(message))
        sentences.append(f"{subject} returned: {content}." if content.strip() else f"{subject} returned nothing.")
    return " ".join(sentences)


def _vision(req: ChatRequest) -> str | None:
    users = [m for m in req.messages if m.get("role") == "user"]
    content = users[-1].get("content") if users else None
    if not isinstance(content, list):
        return None
    parts = [p for p in content if isinstance(p, dict) and p.get("type") == "image_url"]
    if not parts:
        return None
    images = req.images[-len(parts) :] if len(req.images) >= len(parts) else [_image(p) for p in parts]
    if len(images) == 1:
        return f"The image is {vision.describe(images[0])}."
    return " ".join(f"Image {i} is {vision.describe(image)}." for i, image in enumerate(images, 1))


def _image(part: dict[str, Any]) -> ImageInput:
    """Fallback when the caller did not fill req.images: decode here, describing what cannot be decoded vaguely."""
    ref = part.get("image_url") or {}
    url = str(ref.get("url", "")) if isinstance(ref, dict) else str(ref)
    try:
        return vision.decode_image_url(url)
    except vision.ImageError:
        return ImageInput(url="", media_type="")


def _default(prompt: str, seed: int) -> str:
    """20 to 40 plain words about the prompt's key words, varied by the seed."""
    words = dict.fromkeys(re.findall(r"[a-z]+", prompt.lower()))
    keywords = [w for w in words if len(w) >= 4 and w not in _STOPWORDS]
    topic = " and ".join(keywords[:2]) or "your question"
    rng = Random(seed)
    templates = list(_TEMPLATES)
    rng.shuffle(templates)
    sentences = [f"Here is a short answer about {topic}."]
    # every template is under 16 words with the topic, so stopping at 20 keeps the total under 40
    while len(" ".join(sentences).split()) < 20:
        sentences.append(templates.pop().format(topic=topic))
    return " ".join(sentences)
