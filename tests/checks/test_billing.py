"""billing.ledger on hand-built exchanges and ledger readings."""

from __future__ import annotations

from typing import Any

from chatconform.profile import load_profile
from tests.checks.handmade import request, run, text_answer, text_stream, titles

PROFILE = load_profile()
OPUS = request(model="claude-4-opus")  # $15 in, $75 out per million
BIG = {"prompt_tokens": 1000, "completion_tokens": 2000, "total_tokens": 3000}  # $0.165 at Opus 4 prices


def reading(requests: int, prompt: int, completion: int, cost: float) -> dict[str, Any]:
    return {
        "totals": {"requests": requests, "prompt_tokens": prompt, "completion_tokens": completion, "cost_usd": cost}
    }


BEFORE = reading(3, 100, 50, 0.25)


def test_ledger_matches_successful_requests_only() -> None:
    ok = text_answer("x", usage=BIG, req=OPUS)
    failed = text_answer("x", usage=None, req=OPUS, status=400)
    after = reading(4, 1100, 2050, 0.25 + 0.165)
    assert run(ok, "billing.ledger", before=BEFORE, after=after, exchanges=[ok, failed], profile=PROFILE) == []


def test_ledger_reports_a_charged_failure() -> None:
    ok, failed = text_answer("x", usage=BIG, req=OPUS), text_answer("x", usage=BIG, req=OPUS, status=500)
    after = reading(5, 2100, 4050, 0.25 + 0.33)
    found = run(ok, "billing.ledger", before=BEFORE, after=after, exchanges=[ok, failed], profile=PROFILE)
    assert titles(found) == [
        "more requests were charged than succeeded (failed requests must cost nothing)",
        "the ledger charged other prompt_tokens than the usage reported",
        "the ledger charged other completion_tokens than the usage reported",
        "the ledger's charge differs from usage × the profile's prices",
    ]


def test_ledger_reports_a_wrong_price_beyond_a_millionth_of_a_dollar() -> None:
    ok = text_stream("x", usage=BIG, req={**OPUS, "stream": True})
    wrong_tier = reading(4, 1100, 2050, 0.25 + 0.033)  # charged at Sonnet prices
    found = run(ok, "billing.ledger", before=BEFORE, after=wrong_tier, exchanges=[ok], profile=PROFILE)
    assert titles(found) == ["the ledger's charge differs from usage × the profile's prices"]
    rounded = reading(4, 1100, 2050, 0.25 + 0.1650004)  # the ledger's own rounding
    assert run(ok, "billing.ledger", before=BEFORE, after=rounded, exchanges=[ok], profile=PROFILE) == []
    a_cent_off = reading(4, 1100, 2050, 0.25 + 0.168)  # a cent was once the tolerance: now it is a finding
    assert titles(run(ok, "billing.ledger", before=BEFORE, after=a_cent_off, exchanges=[ok], profile=PROFILE))


def test_an_unfinished_stream_is_not_expected_to_be_charged() -> None:
    cut = text_stream("x", usage=BIG, req={**OPUS, "stream": True})
    cut.events = cut.events[:-1]  # no [DONE]
    assert run(cut, "billing.ledger", before=BEFORE, after=BEFORE, exchanges=[cut], profile=PROFILE) == []
