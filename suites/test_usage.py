"""Usage and billing: prompt + completion = total, streamed usage equal to the non-stream usage, the run's cost
at the profile's prices; where the target exposes a ledger (the mock does), charges match the usage to the
cent and failed requests cost nothing. Ledger deltas only: tests run in any order."""

from __future__ import annotations

import secrets

import pytest

from chatconform.answer import delivered_usage
from chatconform.answer import text as answer_text
from chatconform.checks import ERROR_CHECKS, RESPONSE_CHECKS, STREAM_CHECKS, USAGE_CHECKS
from chatconform.client import MISSING, MockAdmin
from chatconform.cost import usage_cost
from chatconform.prompts import chat, exact, user
from chatconform.redact import register_secret

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
    # A ledger of its own when the mock gives one to any well-formed key (its default): other tests running
    # at the same time (chatconform check runs concurrently) then cannot move the deltas read here.
    key = own_key(profile)
    ledger = MockAdmin(raw, api_key=key) if MockAdmin.probe(raw, api_key=key) else mock_admin
    sent = key if ledger is not mock_admin else MISSING
    before = ledger.ledger()
    body = chat(model, user(LONG), max_tokens=300)
    exchanges = [raw.chat(body, api_key=sent), raw.chat({**body, **STREAM_USAGE}, api_key=sent)]
    conform.check(exchanges[0], *RESPONSE_CHECKS, *USAGE_CHECKS)
    conform.check(exchanges[1], *STREAM_CHECKS, *USAGE_CHECKS)
    refused = raw.chat({**body, "temperature": -1}, api_key=sent)
    conform.check(refused, *ERROR_CHECKS, status=400)
    # A ledger means the mock: its fault header makes requests fail after acceptance.
    failed = [
        raw.chat(body, headers={FAULT: "status=500"}, api_key=sent),
        raw.chat({**body, **STREAM_USAGE}, headers={FAULT: "midstream_error=3"}, api_key=sent),
    ]
    after = ledger.ledger()
    conform.check(failed[-1], "billing.ledger", before=before, after=after, exchanges=[*exchanges, refused, *failed])


def own_key(profile):
    """A fresh key shaped like the profile's, registered as a secret like every key of the run."""
    key = (profile.api_key_prefix or "key-") + "ledger-" + secrets.token_hex(12)
    register_secret(key)
    return key
