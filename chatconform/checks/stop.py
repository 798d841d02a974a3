"""Stop sequences: the text ends where the first stop sequence would have begun.

The sequence itself is never part of the answer (OpenAI and Anthropic
agree), finish_reason is "stop", and the text is exactly the unstopped text
up to that point: a gateway that drops `stop` leaves the sequence in, one
that cuts in the wrong place shows up against the unstopped answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.checks.reading import finish_path, finish_reason, show, text_path
from chatconform.checks.registry import Expect, Finding, check
from chatconform.exchange import Exchange


def stop_sequences(ex: Exchange, expect: Expect) -> list[str]:
    """`expect["stop"]`, else the request's `stop`, as a list."""
    stop: Any = expect.get("stop")
    if stop is None and isinstance(ex.request_body, dict):
        stop = ex.request_body.get("stop")
    if isinstance(stop, str):
        return [stop]
    return [s for s in stop if isinstance(s, str) and s] if isinstance(stop, list) else []


def cut_at(text: str, stops: list[str]) -> str:
    """`text` up to the earliest occurrence of any stop sequence."""
    found = [at for at in (text.find(s) for s in stops) if at >= 0]
    return text[: min(found)] if found else text


@check("stop.absent", feature="stop", summary="the text contains none of the stop sequences")
def absent(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    text = ex.text()
    present = [s for s in stop_sequences(ex, expect) if s in text]
    if present:
        yield Finding(
            "stop.absent", "the text contains a stop sequence", text_path(ex), "no occurrence of " + show(present), text
        )


@check("stop.finish_reason", feature="stop", summary='finish_reason is "stop" when a stop sequence ended the text')
def stop_finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    observed = finish_reason(ex)
    if observed != "stop":
        yield Finding(
            "stop.finish_reason", "wrong finish_reason after a stop sequence", finish_path(ex), '"stop"', show(observed)
        )


@check(
    "stop.cut",
    feature="stop",
    summary="the text is the unstopped text cut just before its first stop sequence (expect `unstopped`)",
)
def cut(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    unstopped, text = str(expect["unstopped"]), ex.text()
    wanted = cut_at(unstopped, stop_sequences(ex, expect))
    if not unstopped.startswith(text):
        yield Finding(
            "stop.cut", "the text is not a prefix of the unstopped text", text_path(ex), repr(wanted), repr(text)
        )
    elif text != wanted:
        yield Finding(
            "stop.cut", "the text was not cut at the first stop sequence", text_path(ex), repr(wanted), repr(text)
        )
