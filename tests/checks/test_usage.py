"""usage.* on hand-built answers, and the cost helper."""

from __future__ import annotations

import pytest

from chatconform.cost import usage_cost
from chatconform.profile import load_profile
from tests.checks.handmade import USAGE, run, text_answer, text_stream, titles


def test_present_passes_body_and_stream_usage() -> None:
    assert run(text_answer("Hi."), "usage.present") == []
    assert run(text_stream("Hi.", usage=USAGE), "usage.present") == []


def test_present_fails_without_usage_or_with_bad_counts() -> None:
    assert titles(run(text_stream("Hi."), "usage.present")) == ["no usage object"]
    bad = {"prompt_tokens": -1, "completion_tokens": 2.0, "total_tokens": True}
    assert titles(run(text_answer("Hi.", usage=bad), "usage.present")) == [
        "prompt_tokens is not an integer ≥ 0",
        "completion_tokens is not an integer ≥ 0",
        "total_tokens is not an integer ≥ 0",
    ]


def test_total_is_the_sum() -> None:
    assert run(text_answer("Hi."), "usage.total") == []
    wrong = {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 12}
    found = run(text_stream("Hi.", usage=wrong), "usage.total")
    assert (titles(found), found[0].expected, found[0].observed) == (
        ["total_tokens is not prompt_tokens + completion_tokens"],
        "17",
        "12",
    )


def test_same_as_compares_the_counts() -> None:
    assert run(text_stream("Hi.", usage=USAGE), "usage.same_as", usage=dict(USAGE)) == []
    other = {**USAGE, "completion_tokens": 6, "total_tokens": 18}
    assert titles(run(text_stream("Hi.", usage=other), "usage.same_as", usage=USAGE)) == [
        "usage differs from the same request delivered the other way"
    ]


def test_cost_uses_the_profile_prices_for_either_id_form() -> None:
    profile = load_profile()
    one_each = {"prompt_tokens": 1_000_000, "completion_tokens": 1_000_000}
    assert usage_cost(profile, "anthropic/claude-haiku-4-5", one_each) == pytest.approx(6.0)
    assert usage_cost(profile, "claude-4-opus", one_each) == pytest.approx(90.0)
    assert usage_cost(profile, "gpt-4o", one_each) == 0.0
    assert usage_cost(profile, "claude-4-opus", None) == 0.0
