"""`Conform` on its own: failures render every finding, records keep what the report needs."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest

from chatconform.exchange import Exchange
from chatconform.profile import load_profile
from chatconform.pytest.conform import CaseRecord, Conform
from chatconform.redact import MASK, register_secret
from tests.checks.handmade import URL, USAGE, request, text_answer

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


def unanswered(error: str, *, headers_at: float | None = None) -> Exchange:
    ex = Exchange("POST", URL, {"authorization": "***", "x-tenant": "t-1"}, request())
    ex.error, ex.t_start, ex.t_end, ex.t_headers = error, 1.0, 3.5, headers_at
    if headers_at is not None:
        ex.status = 200
    return ex


@pytest.mark.parametrize(
    "error",
    ["connect: [Errno 111] Connection refused", "connect: [Errno -2] Name or service not known", "timeout"],
    ids=["refused", "dns", "timeout-before-any-byte"],
)
def test_an_exchange_without_any_answer_could_not_be_tested(error: str) -> None:
    conform = Conform(PROFILE, secret_headers=("x-tenant",))
    with pytest.raises(pytest.fail.Exception) as failure:
        conform.check(unanswered(error), "response.ok", "response.text", text="OK")
    message = str(failure.value)
    assert message.startswith(f"could not test: POST {URL}: ")
    assert conform.record.transport == message and "\n" not in message
    assert conform.record.findings == []  # no check judged an answer that never came
    assert conform.record.request is not None
    assert dict(conform.record.request.headers) == {"authorization": MASK, "x-tenant": MASK}


def test_a_stall_after_the_headers_is_a_contract_failure() -> None:
    conform = Conform(PROFILE)
    with pytest.raises(pytest.fail.Exception, match=r"\[response.ok\] the request did not complete: timeout"):
        conform.check(unanswered("timeout", headers_at=1.2), "response.ok")
    assert conform.record.transport == ""
    assert [f.check for f in conform.record.findings] == ["response.ok"]


def test_a_failed_check_keeps_the_request_to_repeat_it() -> None:
    conform = Conform(PROFILE)
    ex = text_answer("KO", req=request(stream=False))
    with pytest.raises(pytest.fail.Exception):
        conform.check(ex, "response.text", text="OK")
    kept = conform.record.request
    assert kept is not None and (kept.method, kept.url, kept.encoding) == ("POST", URL, "text")
    assert json.loads(kept.body) == request(stream=False)


def test_the_first_failing_check_ends_the_test_so_nothing_piles_up_behind_it() -> None:
    """A test stops at its first failing conform.check: the second call below never runs, so the record holds
    the first departure only (the knock-on "no text" after a 400 cannot be reported)."""

    def a_test(conform: Conform) -> None:
        refused = text_answer("", status=400)
        conform.check(refused, "response.ok")
        conform.check(refused, "response.text", text="OK")  # never reached

    conform = Conform(PROFILE)
    with pytest.raises(pytest.fail.Exception):
        a_test(conform)
    assert [f.check for f in conform.record.findings] == ["response.ok"]


class _Snapshot:
    """Stands for syrupy's fixture: compares unequal and keeps the stored text as syrupy does."""

    def __init__(self, stored: str | None) -> None:
        self.num_executions = 1
        self.executions = {0: SimpleNamespace(recalled_data=stored)}

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


def test_a_snapshot_mismatch_is_a_finding_per_differing_path() -> None:
    stored = (
        "dict({\n  'choices': list([\n    dict({\n      'finish_reason': 'stop',\n    }),\n  ]),\n  'id': 'string',\n})"
    )
    observed = {"choices": [{"finish_reason": "end_turn"}], "object": "chat.completion"}
    conform = Conform(PROFILE)
    ex = text_answer("x")
    with pytest.raises(pytest.fail.Exception) as failure:
        conform.match_snapshot(_Snapshot(stored), observed, ex=ex)
    found = [(f.check, f.title, f.path, f.expected, f.observed) for f in conform.record.findings]
    assert found == [
        (
            "shapes.snapshot",
            "the answer's shape differs from the snapshot",
            "$.choices[0].finish_reason",
            '"stop"',
            '"end_turn"',
        ),
        ("shapes.snapshot", "a field of the snapshot is missing from the answer", "$.id", '"string"', "(absent)"),
        ("shapes.snapshot", "the answer has a field the snapshot lacks", "$.object", "(absent)", '"chat.completion"'),
    ]
    assert "-vv" not in str(failure.value) and "$.choices[0].finish_reason" in str(failure.value)
    assert conform.record.request is not None  # the exchange was given: its request is kept


def test_a_missing_snapshot_is_one_finding_that_says_how_to_make_it() -> None:
    conform = Conform(PROFILE)
    with pytest.raises(pytest.fail.Exception, match="--snapshot-update"):
        conform.match_snapshot(_Snapshot(None), {"a": 1}, root="$.chunks")
    [finding] = conform.record.findings
    assert (finding.check, finding.path) == ("shapes.snapshot", "$.chunks")


def test_a_policy_or_comparison_failure_keeps_the_tests_last_request() -> None:
    conform = Conform(PROFILE)
    ex = text_answer("x", req=request(temperature=3))
    conform.record.price(ex, PROFILE)  # what the raw client's hook does for every exchange
    with pytest.raises(pytest.fail.Exception):
        conform.observe_policy("temperature_above_max", "clamped")
    assert conform.record.request is not None
    assert json.loads(conform.record.request.body)["temperature"] == 3
    sdk_only = Conform(PROFILE)
    with pytest.raises(pytest.fail.Exception):
        sdk_only.expect_equal("sdk.text", "OK", "KO", title="the SDK reads another answer")
    assert sdk_only.record.request is None  # nothing was sent through the raw client: no curl to give
