"""The registry cannot be switched off by a typo: names, expectations, gates and groups."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatconform.checks import RESPONSE_CHECKS, STREAM_CHECKS, registry
from chatconform.checks.expect import Expect, ExpectationError
from chatconform.checks.finding import Finding
from chatconform.exchange import Exchange
from chatconform.profile import load_profile
from chatconform.pytest.conform import CaseRecord, Conform
from tests.checks.handmade import run, text_answer, text_stream, titles


def test_a_misspelt_expectation_is_an_error_naming_the_nearest_one() -> None:
    with pytest.raises(ExpectationError, match=r"unknown expectation 'txt' \(did you mean 'text'\?\)"):
        run(text_answer("pong"), "response.text", txt="pong")
    with pytest.raises(ExpectationError, match="unknown expectation 'call_cnt'"):
        run(text_answer("pong"), "tools.expected_calls", call_cnt=1)


def test_an_expectation_no_named_check_reads_is_an_error() -> None:
    with pytest.raises(ExpectationError, match="'mentions' is read by none of the checks named"):
        run(text_answer("pong"), "response.text", mentions=["pong"])


def test_an_expectation_of_the_wrong_type_is_an_error() -> None:
    with pytest.raises(ExpectationError, match="call_count='1': expected int"):
        run(text_answer("pong"), "tools.expected_calls", call_count="1")
    with pytest.raises(ExpectationError, match="mentions=\\[21\\]"):
        run(text_answer("pong"), "tools.result_used", mentions=[21])


def test_a_needed_expectation_left_out_is_an_error() -> None:
    with pytest.raises(ExpectationError, match=r"stop\.cut needs the expectation\(s\) unstopped"):
        run(text_answer("pong"), "stop.cut")


def test_conform_check_rejects_the_same_mistakes_in_a_users_test() -> None:
    conform = Conform(load_profile(), CaseRecord())
    with pytest.raises(ExpectationError):
        conform.check(text_answer("pong"), "response.text", txt="pong")
    with pytest.raises(KeyError, match=r"no check named 'response\.txt' \(did you mean 'response\.text'\?\)"):
        conform.check(text_answer("pong"), "response.txt")
    with pytest.raises(KeyError, match=r"sdk\.txt"):
        conform.expect_equal("sdk.txt", "a", "a", title="x")
    with pytest.raises(ValueError, match="unknown feature claim 'telepathy'"):
        conform.requires("telepathy")
    with pytest.raises(KeyError, match="unknown policy point 'temprature_above_max'"):
        conform.observe_policy("temprature_above_max", "rejected")


def test_a_check_reading_an_expectation_it_did_not_declare_is_caught() -> None:
    def sloppy(ex: Exchange, expect: Expect) -> Iterator[Finding]:
        if expect.text:  # `reads` does not name it
            yield Finding("never")

    entry = registry.Check("test.sloppy", "basic", "reads text without saying so", sloppy)
    with pytest.raises(AttributeError, match=r"test\.sloppy reads expectation 'text' without declaring it"):
        entry.apply(text_answer("pong"), Expect(text="pong"))


def test_findings_carry_the_registered_name_and_the_request_id() -> None:
    [finding] = run(text_answer("ping"), "response.text", text="pong")
    assert finding.check == "response.text"
    assert finding.request_id == "chatcmpl-1"


def test_a_failed_gate_stands_alone_for_the_checks_behind_it() -> None:
    refused = text_answer("x", status=400)
    found = registry.run(refused, [*RESPONSE_CHECKS, "tools.expected_calls", "stop.absent"], call_count=1)
    assert [f.check for f in found] == ["response.ok"]
    streamed_refusal = text_stream("x")
    streamed_refusal.status = 500
    streamed_refusal.request_body = {"stream": True}
    assert [f.check for f in registry.run(streamed_refusal, [*STREAM_CHECKS, "usage.present"])] == [
        "stream.content_type"
    ]


def test_a_specific_finding_replaces_the_generic_schema_finding_at_the_same_path() -> None:
    leaked = text_answer("hi", finish_reason="end_turn")
    leaked.body["choices"][0]["logprobs"] = None
    found = registry.run(leaked, RESPONSE_CHECKS)
    assert [f.check for f in found] == ["response.finish_reason"]
    assert "Anthropic stop_reason 'end_turn'" in found[0].title


def test_groups_come_from_tags_in_registration_order() -> None:
    assert {"response.ok", "response.text", "error.not_in_200"} <= set(RESPONSE_CHECKS)
    assert {"stream.content_type", "stream.done", "error.not_in_200"} <= set(STREAM_CHECKS)
    with pytest.raises(KeyError, match="no check is tagged 'test_group'"):
        registry.group("test_group")
    for name in ("test.first", "test.second"):
        registry.check(name, feature="basic", summary="joins by its tag", tags=("test_group",))(lambda ex, e: [])
    try:
        assert registry.group("test_group") == ("test.first", "test.second")
    finally:
        for name in ("test.first", "test.second"):
            del registry.REGISTRY[name]


def test_every_check_declares_known_expectations_and_a_known_feature() -> None:
    for entry in registry.all_checks():
        assert set(entry.reads) | set(entry.needs) <= set(Expect.__dataclass_fields__), entry.name
        gate = entry.gate
        if isinstance(gate, str):
            assert registry.get(gate).gate is None, f"{entry.name}: a gate has no gate of its own"
    with pytest.raises(ValueError, match="registered twice"):
        registry.comparison("sdk.text", feature="basic", summary="again")
    with pytest.raises(ValueError, match="feature 'telepathy'"):
        registry.comparison("test.telepathy", feature="telepathy", summary="x")


def test_titles_helper_still_reads_findings() -> None:
    assert titles(run(text_answer("ping"), "response.text", text="ping")) == []
