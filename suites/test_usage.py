"""Usage and billing: prompt + completion = total, streamed usage equal to the non-stream usage, the run's cost
at the profile's prices; where the target exposes a ledger (the mock does), charges match the usage to the
cent and failed requests cost nothing. Ledger deltas only: tests run in any order."""

from __future__ import annotations

import pytest

from chatconform.answer import delivered_usage
from chatconform.answer import text as answer_text
from chatconform.checks import ERROR_CHECKS, RESPONSE_CHECKS, STREAM_CHECKS, USAGE_CHECKS
from chatconform.cost import usage_cost
from chatconform.prompts import chat, exact, user
from chatconform.pytest.gateway import marker, tagged

pytestmark = pytest.mark.usage

ANSWER = "USAGE-OK"
STREAM_USAGE = {"stream": True, "stream_options": {"include_usage": True}}
# Long enough that a wrong price shows on every model of the profile (the ledger is compared to a millionth
# of a dollar), short enough to stay quick against a target with a real model's latency.
LONG = "Write 100 words about lighthouses."
FAULT = "x-chatconform-fault"


def test_usage(raw, conform, profile, model):
    whole = raw.chat(exact(model, ANSWER))
    conform.check(whole, *RESPONSE_CHECKS, *USAGE_CHECKS)
    spent = [usage_cost(profile, model, delivered_usage(whole))]
    if profile.claims("include_usage"):
        streamed = raw.chat(exact(model, ANSWER, **STREAM_USAGE))
        conform.check(
            streamed,
            *STREAM_CHECKS,
            *USAGE_CHECKS,
            "usage.same_as",
            usage=whole.body["usage"],
            other_text=answer_text(whole),
        )
        spent.append(usage_cost(profile, model, delivered_usage(streamed)))
    conform.expect_equal(
        "usage.cost",
        round(sum(spent), 9),
        round(conform.record.cost_usd, 9),
        title="the run's cost is not usage × the profile's prices",
        path="report.cost_usd",
    )


@pytest.mark.billing
def test_ledger_matches_usage(raw, conform, profile, mock_admin, model):
    if mock_admin is None:
        pytest.skip("the target exposes no billing ledger")
    # Every request of this test carries a marker, and the mock journals what it charged each one: the
    # check reads the charges of these requests alone, so tests charged at the same time (chatconform check
    # runs concurrently) cannot move them. A mock that journals no charges is read through its ledger.
    mark = marker()
    before = mock_admin.ledger()
    body = chat(model, user(tagged(LONG, mark)), max_tokens=300)
    exchanges = [raw.chat(body), raw.chat({**body, **STREAM_USAGE})]
    conform.check(exchanges[0], *RESPONSE_CHECKS, *USAGE_CHECKS)
    conform.check(exchanges[1], *STREAM_CHECKS, *USAGE_CHECKS)
    refused = raw.chat({**body, "temperature": -1})
    conform.check(refused, *ERROR_CHECKS, status=400)
    # A ledger means the mock: its fault header makes requests fail after acceptance.
    failed = [
        raw.chat(body, headers={FAULT: "status=500"}),
        raw.chat({**body, **STREAM_USAGE}, headers={FAULT: "midstream_error=3"}),
    ]
    entries = mock_admin.forwarded(mark, face="openai")
    sent = [*exchanges, refused, *failed]
    if entries and all("charged_usd" in e for e in entries):
        conform.check(failed[-1], "billing.ledger", charges=entries, exchanges=sent)
    else:
        conform.check(failed[-1], "billing.ledger", before=before, after=mock_admin.ledger(), exchanges=sent)
