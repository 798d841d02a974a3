"""Vision: the answer is about the image that was sent.

A gateway that drops images (a known failure when image parts are
translated to Anthropic blocks) still answers fluently, so the one reliable
signal is a fact only the image carries: its dominant colour.
"""

from __future__ import annotations

from collections.abc import Iterator

from chatconform.answer import text, text_path
from chatconform.checks.colours import names_colour
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding
from chatconform.checks.registry import check
from chatconform.checks.response import delivered
from chatconform.exchange import Exchange


@check(
    "vision.colour",
    feature="vision",
    summary="the answer names the dominant colour of every image sent (expect `colours`)",
    needs=("colours",),
    gate=delivered,
    tolerates="any wording around the colour, in any case, and any name of its family (crimson and scarlet "
    "are red): a real model chooses its own words; a gateway that dropped the image names no colour of it",
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
