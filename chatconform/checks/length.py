"""max_tokens and max_completion_tokens: a cut answer says so and stays within the bound."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.answer import finish_path, finish_reason, text, text_path, usage
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show, undecided
from chatconform.checks.registry import check
from chatconform.checks.response import delivered
from chatconform.exchange import Exchange
from chatconform.wire import is_count, usage_counts


def token_bound(ex: Exchange, expect: Expect) -> Any:
    """`expect.max_tokens`, else the request's max_completion_tokens, else its max_tokens."""
    if expect.max_tokens is not None:
        return expect.max_tokens
    body = ex.request_body if isinstance(ex.request_body, dict) else {}
    return body.get("max_completion_tokens", body.get("max_tokens"))


@check(
    "length.finish_reason",
    feature="max_tokens",
    summary='finish_reason is "length" when the token bound cut the answer',
    reads=("max_tokens",),
    tags=("length",),
    gate=delivered,
    tolerates="a model that ends before the bound (finish_reason stop, fewer tokens than the bound): inconclusive; "
    "stop at exactly the bound is a gateway that mapped max_tokens to stop",
)
def length_finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    observed = finish_reason(ex)
    spent, bound = usage_counts(usage(ex))["completion_tokens"], token_bound(ex, expect)
    if observed == "stop" and is_count(spent) and isinstance(bound, int) and spent < bound:
        yield undecided(
            "the model ended its answer before the bound: nothing was cut",
            finish_path(ex),
            f'{bound} completion tokens and finish_reason "length"',
            f'{spent} and "stop"',
        )
    elif observed != "length":
        yield Finding(
            'a cut answer does not report finish_reason "length"', finish_path(ex), '"length"', show(observed)
        )


@check(
    "length.token_bound",
    feature="max_tokens",
    summary="usage.completion_tokens is at most the requested max_tokens / max_completion_tokens",
    reads=("max_tokens",),
    tags=("length",),
    gate=delivered,
    tolerates="any count up to the bound, the bound itself included",
)
def within_bound(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    bound, found = token_bound(ex, expect), usage(ex)
    completion = found.get("completion_tokens") if isinstance(found, dict) else None
    if not isinstance(completion, int):
        yield Finding(
            "no completion_tokens to compare with the bound",
            "$.usage.completion_tokens",
            f"an integer ≤ {bound}",
            show(found),
        )
    elif isinstance(bound, int) and completion > bound:
        yield Finding(
            "more completion tokens than the requested bound",
            "$.usage.completion_tokens",
            f"≤ {bound}",
            str(completion),
        )


@check(
    "length.text_nonempty",
    feature="max_tokens",
    summary="an answer cut by the token bound still has text",
    tags=("length",),
    gate=delivered,
)
def text_nonempty(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if not text(ex):
        yield Finding("a cut answer has no text", text_path(ex), "the first tokens of the answer", "(empty)")
