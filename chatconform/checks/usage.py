"""Usage: present, consistent, the same however it was delivered.

The usage object is what users are billed on, so its three counts must add
up and must not depend on whether the answer was streamed (a streamed
request reports usage in its `include_usage` chunk).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.checks.reading import show, usage
from chatconform.checks.registry import Expect, Finding, check
from chatconform.exchange import Exchange
from chatconform.profile import Profile

COUNTS = ("prompt_tokens", "completion_tokens", "total_tokens")


def _path(ex: Exchange) -> str:
    return "$.usage (include_usage chunk)" if ex.is_stream else "$.usage"


def counts(found: Any) -> dict[str, Any]:
    """The three counts of a usage object (absent ones as None)."""
    return {k: found.get(k) for k in COUNTS} if isinstance(found, dict) else dict.fromkeys(COUNTS)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@check(
    "usage.present", feature="usage", summary="usage is present with integer prompt, completion and total tokens ≥ 0"
)
def present(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = usage(ex)
    if not isinstance(found, dict):
        yield Finding("usage.present", "no usage object", _path(ex), "an object with the token counts", show(found))
        return
    for name, value in counts(found).items():
        if not _is_count(value):
            yield Finding(
                "usage.present",
                f"{name} is not an integer ≥ 0",
                f"{_path(ex)}.{name}",
                "integer ≥ 0",
                show(found.get(name)) if name in found else "(absent)",
            )


@check("usage.total", feature="usage", summary="prompt_tokens + completion_tokens = total_tokens")
def total(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    c = counts(usage(ex))
    if all(_is_count(v) for v in c.values()) and c["prompt_tokens"] + c["completion_tokens"] != c["total_tokens"]:
        yield Finding(
            "usage.total",
            "total_tokens is not prompt_tokens + completion_tokens",
            _path(ex),
            str(c["prompt_tokens"] + c["completion_tokens"]),
            str(c["total_tokens"]),
        )


@check(
    "usage.same_as",
    feature="usage",
    summary="usage equals the usage of the same request delivered the other way (expect `usage`)",
)
def same_as(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    observed, wanted = counts(usage(ex)), counts(expect["usage"])
    if observed != wanted:
        yield Finding(
            "usage.same_as",
            "usage differs from the same request delivered the other way",
            _path(ex),
            show(wanted),
            show(observed),
        )


def cost_usd(profile: Profile, model_id: str, found: Any) -> float | None:
    """What a usage object costs at the profile's prices; None for an unknown model or no usage."""
    model, c = profile.resolve(model_id), counts(found)
    if model is None or not (_is_count(c["prompt_tokens"]) and _is_count(c["completion_tokens"])):
        return None
    return model.cost(c["prompt_tokens"], c["completion_tokens"])
