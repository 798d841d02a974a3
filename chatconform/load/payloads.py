"""The request bodies of the load scenarios.

Prompts are plain words plus a "Write N words" instruction: a real model
answers with roughly N words, the mock with exactly N words (N + 1 tokens),
so `--output-words` sets the output length on both. `--prompt-words` sets the
input length. Every scenario asks for `usage` in streams
(`stream_options.include_usage`), so output tokens are counted by the target,
not estimated.

Two more kinds of body: `sized` (a trace's request, given in tokens: the
prompt is sized with the mock's own tokenizer, the reference the harness
has) and `turn` (one turn of a conversation, its whole history resent).
In gateway mode `tag` puts a reference placeholder in the last user message
(overhead.py), which the runtime fills in per request.
"""

from __future__ import annotations

import base64
import io
import random
from functools import cache
from typing import Any

from chatconform.load import overhead
from chatconform.load.scenarios import BODIES, get
from chatconform.mock import tokens

# Ordinary words with no digits and none of the mock's directive words, so the filler never steers the answer.
_VOCABULARY = (
    "river",
    "stone",
    "garden",
    "lantern",
    "morning",
    "copper",
    "meadow",
    "harbor",
    "window",
    "pencil",
    "orchard",
    "silver",
    "candle",
    "valley",
    "paper",
    "forest",
    "bridge",
    "cloud",
    "ladder",
    "market",
    "engine",
    "violet",
    "thunder",
    "island",
    "basket",
    "mirror",
    "planet",
    "feather",
)
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name"}},
            "required": ["city"],
        },
    },
}


def filler(words: int, seed: int = 0) -> str:
    return " ".join(random.Random(seed).choices(_VOCABULARY, k=words))


def build(scenario: str, model: str, prompt_words: int, output_words: int, seed: int = 0) -> dict[str, Any]:
    """One request body; `seed` varies the prompt text, not its length."""
    if scenario not in BODIES:
        raise ValueError(f"scenario {scenario!r} has no request body of its own; use one of {', '.join(BODIES)}")
    body: dict[str, Any] = {"model": model, "stream": get(scenario).streamed}
    if body["stream"]:
        body["stream_options"] = {"include_usage": True}
    text = filler(prompt_words, seed)
    if scenario == "tools":
        body["tools"] = [WEATHER_TOOL]
        body["messages"] = [{"role": "user", "content": f"{text}\n\nUse get_weather for 'Paris'."}]
        return body
    body["max_tokens"] = 2 * output_words + 64  # room for a real model's longer words, still a bound
    ask = instruction(output_words)
    if scenario == "vision":
        parts = [
            {"type": "text", "text": f"{text}\n\nDescribe this image. {ask}"},
            {"type": "image_url", "image_url": {"url": image_data_uri()}},
        ]
        body["messages"] = [{"role": "user", "content": parts}]
    else:
        body["messages"] = [{"role": "user", "content": f"{text}\n\n{ask}"}]
    return body


def instruction(words: int) -> str:
    return f"Write {words} words about the text above."


def sized(streamed: bool, model: str, prompt_tokens: int, output_tokens: int, seed: int = 0) -> dict[str, Any]:
    """A body whose prompt the mock counts as `prompt_tokens` (when the instruction alone is not longer) and
    whose answer is `output_tokens` long: N - 1 words are N tokens on the mock, and `max_tokens` caps a real model."""
    ask = "\n\n" + instruction(max(1, output_tokens - 1))
    fixed = tokens.MESSAGE_OVERHEAD + tokens.count(ask)  # one filler word is one token: " word"
    body: dict[str, Any] = {"model": model, "stream": streamed, "max_tokens": output_tokens}
    if streamed:
        body["stream_options"] = {"include_usage": True}
    body["messages"] = [{"role": "user", "content": filler(max(0, prompt_tokens - fixed), seed) + ask}]
    return body


def turn(model: str, history: list[dict[str, str]], prompt_words: int, output_words: int, seed: int) -> dict[str, Any]:
    """One turn of a conversation: the history so far, then a new user message; streamed."""
    message = {"role": "user", "content": f"{filler(prompt_words, seed)}\n\n{instruction(output_words)}"}
    return {
        "model": model,
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_tokens": 2 * output_words + 64,
        "messages": [*history, message],
    }


def tag(body: dict[str, Any], mark: str) -> dict[str, Any]:
    """`body` with `(ref <mark>-<placeholder>)` on a line of its own at the end of its last user message, as
    the gateway-mode suites tag theirs (chatconform.pytest.gateway); Runtime.stamp fills in the reference."""
    line = f"\n(ref {mark}-{overhead.PLACEHOLDER})"
    messages = [dict(m) for m in body["messages"]]
    last = messages[-1]
    content = last["content"]
    if isinstance(content, str):
        last["content"] = content + line
    else:  # parts: the marker goes in the first text part
        parts = [dict(p) for p in content]
        text = next(p for p in parts if p.get("type") == "text")
        text["text"] += line
        last["content"] = parts
    return {**body, "messages": messages}


@cache
def image_data_uri(size: int = 64) -> str:
    """A small solid-colour PNG, made once per process."""
    from PIL import Image  # only the vision scenario pays for the import

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def parse_mix(text: str) -> dict[str, float]:
    """`stream=3,tools=1` -> {"stream": 3.0, "tools": 1.0}; every weight positive."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, raw = part.partition("=")
        name = name.strip()
        if name not in BODIES:
            raise ValueError(f"--mix {part!r}: unknown scenario; use {', '.join(BODIES)}")
        try:
            weight = float(raw) if sep else 1.0
        except ValueError:
            raise ValueError(f"--mix {part!r}: weight {raw!r} is not a number") from None
        if weight <= 0:
            raise ValueError(f"--mix {part!r}: a weight must be positive")
        mix[name] = weight
    if not mix:
        raise ValueError("--mix needs at least one scenario, e.g. stream=3,tools=1")
    return mix
