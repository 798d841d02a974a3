"""Inconclusive tests: their own outcome (never a pass or a failure), tried again a bounded number of times."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from tests.plugin.inner import run

UNDECIDED = """
import pytest
from tests.checks.handmade import text_answer, request

ATTEMPTS = []

def answer(calls):
    req = request(tools=[{"type": "function", "function": {"name": "get_weather"}}], tool_choice="auto")
    if not calls:
        return text_answer("It is probably sunny.", req=req)
    msg = {"content": None, "tool_calls": [{"id": "c1", "type": "function",
           "function": {"name": "get_weather", "arguments": "{}"}}]}
    from tests.checks.handmade import whole
    return whole(msg, "tool_calls", req=req)

@pytest.mark.tools
def test_never_calls(conform):
    ATTEMPTS.append(1)
    conform.check(answer(False), "tools.expected_calls", call_count=1)

@pytest.mark.tools
def test_calls_on_the_second_try(conform):
    ATTEMPTS.append(2)
    conform.check(answer(ATTEMPTS.count(2) >= 2), "tools.expected_calls", call_count=1)

@pytest.mark.tools
def test_a_failure_is_not_retried(conform):
    ATTEMPTS.append(3)
    conform.check(answer(True), "tools.expected_calls", call_count=2, tool_names=["get_time"])
"""


def cases(pytester: pytest.Pytester) -> dict[str, dict]:
    data = json.loads((pytester.path / "out" / "compat.json").read_text())
    return {c["test"]: c for c in data["cases"]}


def test_inconclusive_is_its_own_outcome_and_is_retried(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_undecided=UNDECIDED)
    result = run(pytester, "--report-dir", "out", "--retries-inconclusive", "2", "-p", "no:randomly", "-rs")
    by_test = cases(pytester)
    assert by_test["test_never_calls"]["outcome"] == "inconclusive"
    assert by_test["test_never_calls"]["attempts"] == 3  # the first try and two retries
    assert "made fewer tool calls than asked" in by_test["test_never_calls"]["detail"]
    assert by_test["test_calls_on_the_second_try"]["outcome"] == "pass"
    assert by_test["test_calls_on_the_second_try"]["attempts"] == 2
    assert by_test["test_a_failure_is_not_retried"]["outcome"] == "fail"
    assert by_test["test_a_failure_is_not_retried"]["attempts"] == 1
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # the failure, not the inconclusive test


def test_a_profile_that_expects_exact_answers_fails_instead(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_undecided=UNDECIDED.replace("def test_calls_on", "def _calls_on").replace(
            "def test_a_failure", "def _a_failure"
        )
    )
    profile = pytester.path / "exact.toml"
    text = resources.files("chatconform.profiles").joinpath("tokenhub.toml").read_text()
    profile.write_text(text.replace("[expect]\n", "[expect]\nexact_answers = true\n"))
    run(pytester, "--report-dir", "out", "--profile", str(profile))
    assert cases(pytester)["test_never_calls"]["outcome"] == "fail"
