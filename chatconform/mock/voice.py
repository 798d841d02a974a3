"""How the mock words an answer: the exact voice, which says each kind of answer one documented way.

The answer engine (`answers`) decides what an answer says (the reply a
directive pins, the count, the tool results, the colour of an image, the
topic and form of free prose); a voice decides how it is said. `Voice` is
the default `--answers exact`: the same request always gets the same,
documented text (docs/mock-answers.md). `variance.Varied` overrides each
method with the ways a real model says the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from random import Random
from typing import Any

from chatconform.mock import prose, vision
from chatconform.mock.forms import Form
from chatconform.mock.request import ImageInput

Plan = list[tuple[str, dict[str, Any], Any]]  # (tool name, parameters schema, hints) per call, in order


class Voice:
    """The exact voice. `rng` is seeded from the request, so the words it draws repeat with the request."""

    varied = False
    extra_arguments = 0.0  # the chance that a tool call fills an optional argument the prompt does not name

    def __init__(self, rng: Random) -> None:
        self.rng = rng

    def reply(self, text: str) -> str:
        """What "Reply with exactly: X" gets: X."""
        return text

    def count(self, numbers: list[int], commas: bool) -> str:
        """What "Count from A to B" gets, separated by commas whether or not the prompt said so."""
        return ", ".join(str(n) for n in numbers)

    def words(self, n: int) -> str:
        """Exactly `n` words as one sentence: the load tests' knob for output length (n + 1 tokens)."""
        words = prose.filler_words(n, self.rng)
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def prose(self, subject: str, form: Form) -> str:
        """Free prose about `subject`, in the form the prompt asked for."""
        if form.kind in ("bullets", "numbered"):
            items = prose.items(subject, self.rng, form.count, form.language)
            marks = ["-"] * len(items) if form.kind == "bullets" else [f"{i}." for i in range(1, len(items) + 1)]
            return "\n".join(f"{mark} {item}" for mark, item in zip(marks, items, strict=True))
        if form.kind == "word":
            return prose.one_word(subject, self.rng)
        count = form.count if form.kind == "sentences" else 0
        return " ".join(prose.sentences(subject, self.rng, count, form.language))

    def images(self, images: Sequence[ImageInput], form: Form) -> str:
        """Each image by its size and dominant colour; its colour alone when the prompt asks for one word."""
        if form.kind == "word":
            return ", ".join(self.colour_word(image) for image in images).capitalize()
        if len(images) == 1:
            return f"The image is {vision.describe(images[0])}."
        return " ".join(f"Image {i} is {vision.describe(image)}." for i, image in enumerate(images, 1))

    def colour_word(self, image: ImageInput) -> str:
        return vision.colour_name(image.rgb) if image.rgb is not None else "unknown"

    def tool_results(self, results: Sequence[tuple[str, str]]) -> str:
        """Each trailing tool result (tool name, content) reported verbatim, one sentence each."""
        sentences = []
        for name, content in results:
            subject = f"The {name} tool" if name else "The tool"
            sentences.append(f"{subject} returned: {content}." if content.strip() else f"{subject} returned nothing.")
        return " ".join(sentences)

    def json_object(self, value: dict[str, Any]) -> dict[str, Any]:
        """The object a JSON-mode answer holds (a varied voice adds keys of its own)."""
        return value

    def json_text(self, value: Any, fenced: bool) -> str:
        """JSON as the answer's text: bare in JSON mode; in a ```json block when only the prompt asked for
        JSON, as Claude writes it in chat (so a gateway that dropped response_format still shows)."""
        if fenced:
            return "```json\n" + json.dumps(value, ensure_ascii=False, indent=2) + "\n```"
        return json.dumps(value, ensure_ascii=False)

    def arguments(self, value: Any) -> str:
        """A tool call's arguments as JSON text."""
        return json.dumps(value, ensure_ascii=False)

    def plan(self, calls: Plan, free: bool) -> Plan:
        """The calls the model makes of those the prompt asks for; `free` when the request lets the model
        choose (tool_choice auto)."""
        return calls

    def preamble(self, names: Sequence[str], free: bool) -> str:
        """Text before the tool calls that the prompt did not ask for: none."""
        return ""
