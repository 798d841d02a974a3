"""`Conform` on its own: failures render every finding, records keep what the report needs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chatconform.profile import load_profile
from chatconform.pytest.conform import CaseRecord, Conform
from chatconform.redact import register_secret
from tests.checks.handmade import USAGE, request, text_answer

PROFILE = load_profile()
CANARY = "th-canary-conform-0123456789"
register_secret(CANARY)


def test_check_passes_silently_and_prices_the_exchange_once() -> None:
    conform = Conform(PROFILE)
    ex = text_answer("OK", usage=USAGE, req=request(model="claude-4-opus"))
    conform.check(ex, "response.text", text="OK")
    conform.check(ex, "response.ok")
    assert conform.record.findings == []
    assert conform.record.cost_usd == pytest.approx((12 * 15 + 5 * 75) / 1e6)


def test_check_fails_with_every_finding_and_records_them() -> None:
    conform = Conform(PROFILE)
    ex = text_answer("OK " + CANARY, finish_reason="end_turn")
    with pytest.raises(pytest.fail.Exception) as failure:
        conform.check(ex, "response.text", "response.finish_reason", text="OK")
    message = str(failure.value)
    assert message.startswith("2 findings for POST http://127.0.0.1:1/v1/chat/completions -> 200 (request chatcmpl-1)")
    assert "[response.text] the answer text is not the expected one" in message
    assert "[response.finish_reason] Anthropic stop_reason 'end_turn' leaked" in message
    assert CANARY not in message
    assert [f.check for f in conform.record.findings] == ["response.text", "response.finish_reason"]


def test_check_needs_a_name() -> None:
    with pytest.raises(ValueError, match="at least one check"):
        Conform(PROFILE).check(text_answer("x"))


def test_observe_policy_records_a_match_and_fails_a_mismatch() -> None:
    conform = Conform(PROFILE)
    conform.observe_policy("stop_more_than_max", "rejected")
    assert conform.record.policy is not None and conform.record.policy.matches
    with pytest.raises(pytest.fail.Exception, match="policy stop_more_than_max: the profile says reject"):
        conform.observe_policy("stop_more_than_max", "clamped")
    assert conform.record.policy is not None and not conform.record.policy.matches
    with pytest.raises(ValueError, match="observed must be one of"):
        conform.observe_policy("stop_more_than_max", "refused")


def test_unsupported_and_requires_skip_with_a_reason() -> None:
    record = CaseRecord()
    conform = Conform(PROFILE, record)
    conform.requires("vision")  # claimed: no skip
    offline = Conform(replace(PROFILE, features={**PROFILE.features, "vision_https_urls": False}), record)
    with pytest.raises(pytest.skip.Exception, match="does not claim vision_https_urls"):
        offline.requires("vision_https_urls")
    assert record.unsupported == "profile tokenhub does not claim vision_https_urls"
    with pytest.raises(ValueError, match="unknown feature claim 'telepathy'"):
        conform.requires("telepathy")


def test_expect_equal_and_record_usage_for_sdk_objects() -> None:
    conform = Conform(PROFILE)
    conform.expect_equal("sdk.text", "OK", "OK", title="same")
    sdk_usage = type("Usage", (), {"prompt_tokens": 1000, "completion_tokens": 0})()
    conform.record_usage("anthropic/claude-haiku-4-5", sdk_usage)
    assert conform.record.cost_usd == pytest.approx(0.001)
    with pytest.raises(pytest.fail.Exception, match=r"\[sdk.text\] the SDK reads another answer"):
        conform.expect_equal("sdk.text", "OK", "KO", title="the SDK reads another answer")
