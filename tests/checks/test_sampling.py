"""sampling.choices and the policy observation helper."""

from __future__ import annotations

from chatconform.checks.sampling import observed_policy
from tests.checks.handmade import run, text_answer, titles


def test_a_4xx_is_rejected_and_a_5xx_is_other() -> None:
    assert observed_policy(text_answer("x", status=400), "reject") == "rejected"
    assert observed_policy(text_answer("x", status=422), "clamp") == "rejected"
    assert observed_policy(text_answer("x", status=500), "reject") == "other: status 500"


def test_an_accepted_value_is_read_as_the_profile_says_when_the_answer_allows_it() -> None:
    ok = text_answer("x")
    assert observed_policy(ok, "clamp") == "clamped"
    assert observed_policy(ok, "ignore", ("clamped", "ignored")) == "ignored"
    assert observed_policy(ok, "support", ("clamped", "ignored")) == "other: accepted (clamped or ignored)"
    assert observed_policy(ok, "reject", ("supported",)) == "supported"
    assert observed_policy(ok, "reject") == "other: accepted (clamped or ignored or supported)"
    assert observed_policy(ok, "support", ()).startswith("other: accepted, with an effect")


def test_choices_count() -> None:
    assert run(text_answer("x"), "sampling.choices", n=1) == []
    found = run(text_answer("x"), "sampling.choices", n=2)
    assert (titles(found), found[0].observed) == (["wrong number of choices"], "1")
