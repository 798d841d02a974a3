"""A request for a model the target does not serve must be refused, never answered by another model.

A gateway that fills in a default model when the client names none, or an unknown one, answers requests
the client never made: the reply, its price and its limits are another model's. Tagged as an error check,
so it runs wherever bad input is sent; it speaks only when such a request got a 200.
"""

from __future__ import annotations

from collections.abc import Iterator

from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import check
from chatconform.exchange import Exchange
from chatconform.wire import first_choice


def answering_model(ex: Exchange) -> str:
    """The model a 200 answer names: the body's, or the first chunk's."""
    sources = [ex.body] if isinstance(ex.body, dict) else [c for c in ex.chunks() if isinstance(c, dict)]
    named = next((s.get("model") for s in sources if isinstance(s.get("model"), str)), None)
    return named or "(not named)"


@check(
    "error.model_substituted",
    feature="errors",
    summary="a missing or unknown model is refused, never answered by a default model (the finding names it)",
    tags=("error",),
)
def model_substituted(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    request = ex.request_body if isinstance(ex.request_body, dict) else None
    if ex.status != 200 or request is None:
        return
    asked = request.get("model")
    if isinstance(asked, str) and expect.profile.resolve(asked) is not None:
        return
    if not first_choice(ex.body) and not ex.is_stream:
        return  # not an answer at all: error.status says what it is
    what = "no model" if asked is None else f"the unknown model {show(asked)}"
    yield Finding(
        f"a request for {what} was answered by {answering_model(ex)}",
        "$.model",
        "a 4xx: no model may stand in for the one asked",
        f"200 from {answering_model(ex)}",
    )
