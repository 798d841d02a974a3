"""max_tokens and max_completion_tokens: a long answer cut at the bound says finish_reason "length" and bills at
most the bound; invalid bounds (0, negative, a string) are a 400."""

from __future__ import annotations

import pytest

from chatconform.checks import ERROR_CHECKS, LENGTH_CHECKS, RESPONSE_CHECKS, STREAM_CHECKS
from chatconform.prompts import chat, user

pytestmark = pytest.mark.max_tokens

FIELDS = ["max_tokens", "max_completion_tokens"]
BOUND = 10
LONG = "Write 200 words about the sea."


def bounded(model, field, value, **params):
    # chat() sets max_tokens by default: clear it so only `field` bounds the answer.
    return chat(model, user(LONG), **{"max_tokens": None, field: value, **params})


@pytest.mark.parametrize("mode", ["nonstream", "stream"])
@pytest.mark.parametrize("field", FIELDS)
def test_cut_at_bound(raw, conform, profile, model, field, mode):
    if mode == "nonstream":
        ex = raw.chat(bounded(model, field, BOUND))
        conform.check(ex, *RESPONSE_CHECKS, *LENGTH_CHECKS, finish_reason="length")
        return
    conform.requires("include_usage")  # the bound is checked on the streamed usage
    ex = raw.chat(bounded(model, field, BOUND, stream=True, stream_options={"include_usage": True}))
    conform.check(ex, *STREAM_CHECKS, *LENGTH_CHECKS, finish_reason="length")


INVALID = {"zero": 0, "negative": -5, "string": "ten"}


@pytest.mark.parametrize("value", list(INVALID))
@pytest.mark.parametrize("field", FIELDS)
def test_invalid_bound_is_a_400(raw, conform, model, field, value):
    conform.check(raw.chat(bounded(model, field, INVALID[value])), *ERROR_CHECKS, status=400)
