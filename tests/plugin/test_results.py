"""What reaches the compatibility report: one case per feature-marked test, with the right outcome."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.plugin.inner import run

SUITE = """
import pytest

ANSWER = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Reply with exactly: OK"}]}


@pytest.mark.basic
def test_pass(raw, conform, model):
    conform.check(raw.chat({**ANSWER, "model": model}), "response.ok", "response.text", text="OK")


@pytest.mark.basic
def test_fail(raw, conform):
    conform.check(raw.chat(ANSWER), "response.text", text="NOT OK")


@pytest.mark.vision
def test_unsupported(profile, conform):
    conform.unsupported("vision")


@pytest.mark.sampling
@pytest.mark.policy
def test_policy(conform):
    conform.observe_policy("temperature_above_max", "rejected")


@pytest.mark.sampling
@pytest.mark.policy
def test_policy_mismatch(conform):
    conform.observe_policy("temperature_above_max", "clamped")


@pytest.mark.basic
@pytest.mark.xfail(reason="a known gap", strict=True)
def test_xfail():
    assert False


@pytest.fixture
def broken():
    raise RuntimeError("the harness broke")


@pytest.mark.errors
def test_error(broken):
    pass


@pytest.mark.errors
def test_plain_assert():
    assert 1 == 2, "one is not two"


@pytest.mark.errors
def test_skip():
    pytest.skip("not today")


def test_not_a_conformance_test():
    pass
"""

EXPECTED = {
    "test_pass": ("basic", "claude-haiku-4-5", "pass"),
    "test_fail": ("basic", "", "fail"),
    "test_unsupported": ("vision", "", "unsupported"),
    "test_policy": ("sampling", "", "policy"),
    "test_policy_mismatch": ("sampling", "", "fail"),
    "test_xfail": ("basic", "", "xfail"),
    "test_error": ("errors", "", "error"),
    "test_plain_assert": ("errors", "", "fail"),
    "test_skip": ("errors", "", "unsupported"),
}


def cases(directory: Any) -> dict[str, dict[str, Any]]:
    data = json.loads((directory / "compat.json").read_text())
    return {c["test"]: c for c in data["cases"]}


def test_every_outcome_reaches_the_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    out = pytester.path / "out"
    result = run(pytester, "--report-dir", str(out), "--models", "claude-haiku-4-5")
    result.assert_outcomes(passed=3, failed=3, skipped=2, xfailed=1, errors=1)
    found = cases(out)
    assert {name: (c["feature"], c["model"], c["outcome"]) for name, c in found.items()} == EXPECTED
    [finding] = found["test_fail"]["findings"]
    assert (finding["check"], finding["expected"], finding["observed"]) == ("response.text", '"NOT OK"', '"OK"')
    assert finding["request_id"].startswith("req_")
    assert found["test_policy"]["policy"] == {
        "name": "temperature_above_max",
        "expected": "reject",
        "observed": "rejected",
        "matches": True,
    }
    assert found["test_policy_mismatch"]["findings"][0]["check"] == "policy.temperature_above_max"
    assert found["test_unsupported"]["detail"] == "profile tokenhub does not claim vision"
    assert found["test_skip"]["detail"] == "skipped: not today"
    assert "the harness broke" in found["test_error"]["detail"]
    assert "one is not two" in found["test_plain_assert"]["detail"]
    assert found["test_pass"]["cost_usd"] > 0


def test_failures_read_like_schemathesis(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(SUITE)
    result = run(pytester, f"{path}::test_fail", "--report-dir", str(pytester.path / "out"))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "1 finding for POST http://127.0.0.1:*/v1/chat/completions -> 200 (request req_*)",
            "[[]response.text[]] the answer text is not the expected one",
            '    expected: "NOT OK"',
            '    observed: "OK"',
            "    at: $.choices[[]0[]].message.content   request: req_*",
        ]
    )


def test_xdist_workers_report_to_the_controller(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    out = pytester.path / "out"
    result = pytester.runpytest_subprocess("-n", "2", "--report-dir", str(out), "--models", "claude-haiku-4-5")
    result.assert_outcomes(passed=3, failed=3, skipped=2, xfailed=1, errors=1)
    found = cases(out)
    assert {name: (c["feature"], c["model"], c["outcome"]) for name, c in found.items()} == EXPECTED
    assert found["test_fail"]["findings"][0]["check"] == "response.text"
