"""Stop sequences: the text ends where the first stop sequence would have begun.

The sequence itself is never part of the answer (OpenAI and Anthropic
agree), finish_reason is "stop", and the text is exactly the unstopped text
up to that point: a gateway that drops `stop` leaves the sequence in, one
that cuts in the wrong place shows up against the unstopped answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.answer import finish_path, finish_reason, text, text_path
from chatconform.checks.common import words
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show, undecided
from chatconform.checks.registry import check
from chatconform.checks.response import delivered
from chatconform.exchange import Exchange


def stop_sequences(ex: Exchange, expect: Expect) -> list[str]:
    """`expect.stop`, else the request's `stop`, as a list."""
    stop: Any = expect.stop
    if stop is None and isinstance(ex.request_body, dict):
        stop = ex.request_body.get("stop")
    if isinstance(stop, str):
        return [stop]
    return [s for s in stop if isinstance(s, str) and s] if isinstance(stop, list) else []


def cut_at(answer: str, stops: list[str]) -> str:
    """`answer` up to the earliest occurrence of any stop sequence."""
    found = [at for at in (answer.find(s) for s in stops) if at >= 0]
    return answer[: min(found)] if found else answer


@check(
    "stop.absent",
    feature="stop",
    summary="the text contains none of the stop sequences",
    reads=("stop",),
    tags=("stop",),
    gate=delivered,
)
def absent(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    answer = text(ex)
    present = [s for s in stop_sequences(ex, expect) if s in answer]
    if present:
        yield Finding("the text contains a stop sequence", text_path(ex), "no occurrence of " + show(present), answer)


@check(
    "stop.finish_reason",
    feature="stop",
    summary='finish_reason is "stop" when a stop sequence ended the text',
    tags=("stop",),
    gate=delivered,
)
def stop_finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    observed = finish_reason(ex)
    if observed != "stop":
        yield Finding("wrong finish_reason after a stop sequence", finish_path(ex), '"stop"', show(observed))


@check(
    "stop.cut",
    feature="stop",
    summary="the text is the unstopped answer cut just before its first stop sequence (expect `unstopped`)",
    reads=("stop",),
    needs=("unstopped",),
    gate=delivered,
    tolerates="punctuation, spacing and line breaks that differ between two answers of a real model, the words "
    "being the same; inconclusive when the unstopped answer holds none of the sequences (the model wrote "
    "something the sequences cannot stop)",
)
def cut(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    unstopped, answer, stops = str(expect.unstopped), text(ex), stop_sequences(ex, expect)
    wanted = cut_at(unstopped, stops)
    if wanted == unstopped:
        yield undecided(
            "the unstopped answer contains none of the stop sequences: nothing to cut",
            text_path(ex),
            "an unstopped answer holding " + show(stops),
            repr(unstopped[:120]),
        )
    elif not same_words(answer, wanted):
        title = (
            "the text is not a cut of the unstopped answer"
            if not starts_with_words(unstopped, answer)
            else "the text was not cut at the first stop sequence"
        )
        yield Finding(title, text_path(ex), repr(wanted), repr(answer))


def same_words(a: str, b: str) -> bool:
    return words(a) == words(b)


def starts_with_words(whole: str, part: str) -> bool:
    head = words(part)
    return words(whole)[: len(head)] == head
