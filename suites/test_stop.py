"""stop: one to four sequences as a string or an array, streamed and not; the text ends just before the first
sequence with finish_reason "stop". More sequences than the profile allows is a policy point."""

from __future__ import annotations

import pytest

from chatconform.answer import text as answer_text
from chatconform.checks import RESPONSE_CHECKS, STREAM_CHECKS
from chatconform.checks.common import words
from chatconform.checks.stop import cut_at
from chatconform.prompts import chat, user
from chatconform.pytest.policy import observe

pytestmark = pytest.mark.stop

COUNT = "Count from 1 to 30, separated by commas. Reply with the numbers only."
COUNT_MAX_TOKENS = 200
STOP_CHECKS = ("stop.absent", "stop.finish_reason", "stop.cut")
# The earliest match in the text is ", 5" whatever its place in the list.
FORMS = {
    "string": ", 5",
    "array-1": [", 5"],
    "array-2": [", 12", ", 5"],
    "array-4": [", 17", " 13", ", 5", "thirty"],
}


@pytest.fixture(autouse=True)
def _claims_stop(conform):
    conform.requires("stop")


def count_body(model, stop=None, stream=False):
    return chat(model, user(COUNT), max_tokens=COUNT_MAX_TOKENS, stop=stop, stream=stream or None)


def unstopped(raw, conform, model):
    """The same answer without `stop`: what the stopped text must be a cut of."""
    ex = raw.chat(count_body(model))
    conform.check(ex, *RESPONSE_CHECKS, finish_reason="stop")
    return answer_text(ex)


@pytest.mark.parametrize("mode", ["nonstream", "stream"])
@pytest.mark.parametrize("form", list(FORMS))
def test_stop(raw, conform, model, form, mode):
    full = unstopped(raw, conform, model)
    stream = mode == "stream"
    ex = raw.chat(count_body(model, FORMS[form], stream))
    conform.check(
        ex, *(STREAM_CHECKS if stream else RESPONSE_CHECKS), *STOP_CHECKS, finish_reason="stop", unstopped=full
    )


@pytest.mark.policy
def test_stop_more_than_max(raw, conform, profile, model):
    """One sequence more than allowed, the extra one matching first: where the text ends tells the policy."""
    spec = profile.params.get("stop")
    limit = spec.max_items if spec and spec.max_items else 4
    allowed = [f", {21 + i}" for i in range(limit)]  # late in the count
    full = unstopped(raw, conform, model)
    ex = raw.chat(count_body(model, [*allowed, ", 5"]))
    said = words(answer_text(ex))  # a real model's two answers may differ in punctuation, not in words
    effect = {"supported": cut_at(full, [*allowed, ", 5"]), "clamped": cut_at(full, allowed), "ignored": full}
    consistent = tuple(policy for policy, text in effect.items() if words(text) == said)
    observe(conform, "stop_more_than_max", ex, consistent)
