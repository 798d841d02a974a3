"""Sampling parameters and policy discovery: what a target did with a value its documentation leaves open.

`observed_policy` names the behaviour in the report's words (rejected,
clamped, ignored, supported). From outside, an accepted temperature of 1.5
looks the same whether it was clamped, ignored or honoured; the suite says
which effects the answer is consistent with, and when the profile's
expectation is one of them, that is what was observed: a target is never
failed for a difference no answer can show.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import check
from chatconform.exchange import Exchange
from chatconform.profile import OBSERVED_AS

ACCEPTED = ("clamped", "ignored", "supported")


def observed_policy(ex: Exchange, expected: str, consistent: Sequence[str] = ACCEPTED) -> str:
    """What the target did: `rejected` for a 4xx; for a 200, the effect among `consistent` (what the
    answer is compatible with), preferring the profile's `expected` policy; `other: ...` otherwise."""
    if ex.status is None:
        return f"other: no response ({ex.error})"
    if 400 <= ex.status < 500:
        return "rejected"
    if ex.status != 200:
        return f"other: status {ex.status}"
    if not consistent:
        return "other: accepted, with an effect that is none of clamped, ignored or supported"
    wanted = OBSERVED_AS.get(expected, expected)
    if wanted in consistent:
        return wanted
    return consistent[0] if len(consistent) == 1 else "other: accepted (" + " or ".join(consistent) + ")"


@check(
    "sampling.choices",
    feature="sampling",
    summary="the answer has as many choices as `n` asked (expect `n`)",
    reads=("n",),
    gate="response.ok",
)
def choices(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = ex.body.get("choices") if isinstance(ex.body, dict) else None
    count = len(found) if isinstance(found, list) else None
    wanted = expect.n if expect.n is not None else 1
    if count != wanted:
        yield Finding(
            "wrong number of choices",
            "$.choices",
            f"{wanted} choice(s)",
            show(count) if count is not None else "no choices list",
        )
