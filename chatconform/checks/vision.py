"""Vision: the answer is about the image that was sent.

A gateway that drops images (a known failure when image parts are
translated to Anthropic blocks) still answers fluently, so the one reliable
signal is a fact only the image carries: its dominant colour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chatconform.answer import text, text_path
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding
from chatconform.checks.registry import check
from chatconform.checks.response import delivered
from chatconform.exchange import Exchange

# Spellings a model may use for the same colour name.
SPELLINGS: dict[str, tuple[str, ...]] = {"gray": ("gray", "grey"), "grey": ("gray", "grey")}


def names_colour(text: str, colour: str) -> bool:
    """True when `text` holds `colour` (or its other spelling) as a whole word, in any case."""
    spellings = SPELLINGS.get(colour.lower(), (colour.lower(),))
    return any(re.search(rf"\b{re.escape(s)}\b", text, re.IGNORECASE) for s in spellings)


@check(
    "vision.colour",
    feature="vision",
    summary="the answer names the dominant colour of every image sent (expect `colours`)",
    needs=("colours",),
    gate=delivered,
    tolerates="any wording around the colour's name, in any case, and the other spelling of grey",
)
def colour(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    answer, path = text(ex), text_path(ex)
    missing = [c for c in expect.colours or () if not names_colour(answer, c)]
    if missing:
        yield Finding(
            "the answer does not name the image's dominant colour",
            path,
            "mentions " + ", ".join(missing),
            answer or "(empty)",
        )


@check(
    "vision.described",
    feature="vision",
    summary="an image the target fetched itself gets a non-empty answer",
    gate=delivered,
)
def described(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if not text(ex).strip():
        path = text_path(ex)
        yield Finding("the answer about the image is empty", path, "a description", "(empty)")
