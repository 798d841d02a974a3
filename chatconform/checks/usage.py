"""Usage: present, consistent, the same however it was delivered.

The usage object is what users are billed on, so its three counts must add
up and must not depend on whether the answer was streamed (a streamed
request reports usage in its `include_usage` chunk).
"""

from __future__ import annotations

from collections.abc import Iterator

from chatconform.answer import text, usage
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import check
from chatconform.checks.response import delivered
from chatconform.exchange import Exchange
from chatconform.wire import is_count, usage_counts


def _path(ex: Exchange) -> str:
    return "$.usage (include_usage chunk)" if ex.is_stream else "$.usage"


@check(
    "usage.present",
    feature="usage",
    summary="usage is present with integer prompt, completion and total tokens ≥ 0",
    tags=("usage",),
    gate=delivered,
    tolerates="detail objects (prompt_tokens_details, completion_tokens_details) and other extra fields",
)
def present(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = usage(ex)
    if not isinstance(found, dict):
        yield Finding("no usage object", _path(ex), "an object with the token counts", show(found))
        return
    for name, value in usage_counts(found).items():
        if not is_count(value):
            yield Finding(
                f"{name} is not an integer ≥ 0",
                f"{_path(ex)}.{name}",
                "integer ≥ 0",
                show(found.get(name)) if name in found else "(absent)",
            )


@check(
    "usage.total",
    feature="usage",
    summary="prompt_tokens + completion_tokens = total_tokens",
    tags=("usage",),
    gate=delivered,
)
def total(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    c = usage_counts(usage(ex))
    if all(is_count(v) for v in c.values()) and c["prompt_tokens"] + c["completion_tokens"] != c["total_tokens"]:
        yield Finding(
            "total_tokens is not prompt_tokens + completion_tokens",
            _path(ex),
            str(c["prompt_tokens"] + c["completion_tokens"]),
            str(c["total_tokens"]),
        )


@check(
    "usage.same_as",
    feature="usage",
    summary="usage equals the usage of the same request delivered the other way (expect `usage`)",
    reads=("other_text",),
    needs=("usage",),
    gate=delivered,
    tolerates="other completion tokens when the two answers differ (a real model spends other tokens on other "
    "words); the prompt tokens of one request never depend on how the answer is delivered",
)
def same_as(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    observed, wanted = usage_counts(usage(ex)), usage_counts(expect.usage)
    compared = list(observed) if expect.other_text is None or expect.other_text == text(ex) else ["prompt_tokens"]
    if any(observed[k] != wanted[k] for k in compared):
        shown = {k: wanted[k] for k in compared}
        yield Finding(
            "usage differs from the same request delivered the other way",
            _path(ex),
            show(shown),
            show({k: observed[k] for k in compared}),
        )
