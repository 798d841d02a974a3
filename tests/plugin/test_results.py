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


OUTCOMES = """
import socket

import openai
import pytest

ANSWER = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Reply with exactly: OK"}]}


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.basic
def test_unreachable(raw, conform):
    ex = raw.request("POST", f"http://127.0.0.1:{closed_port()}/v1/chat/completions", json_body=ANSWER)
    conform.check(ex, "response.ok")


@pytest.mark.basic
def test_sdk_refused(sdk):
    sdk.chat.completions.create(model="no-such-model", messages=ANSWER["messages"])


@pytest.mark.basic
def test_sdk_unreachable(target):
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{closed_port()}/v1", api_key="k", max_retries=0)
    client.chat.completions.create(**ANSWER)


@pytest.mark.basic
def test_knock_on(raw, conform):
    refused = raw.chat({**ANSWER, "model": "no-such-model"})
    conform.check(refused, "response.ok")
    conform.check(refused, "response.text", text="OK")
"""


def test_transport_failures_could_not_be_tested_and_sdk_errors_are_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(OUTCOMES)
    out = pytester.path / "out"
    junit = pytester.path / "junit.xml"
    result = run(pytester, "--report-dir", str(out), "--models", "claude-haiku-4-5", "--junitxml", str(junit))
    result.assert_outcomes(failed=2, errors=2)  # "could not test" counts as an error, not a failure
    found = cases(out)
    assert {name: c["outcome"] for name, c in found.items()} == {
        "test_unreachable": "error",
        "test_sdk_refused": "fail",
        "test_sdk_unreachable": "error",
        "test_knock_on": "fail",
    }
    assert found["test_unreachable"]["detail"].startswith("could not test: POST http://127.0.0.1:")
    assert "connect:" in found["test_unreachable"]["detail"]
    assert found["test_sdk_unreachable"]["detail"].startswith("could not test: openai.APIConnectionError")
    [sdk] = found["test_sdk_refused"]["findings"]
    assert sdk["check"] == "sdk.error" and sdk["title"] == "the official SDK raised openai.NotFoundError"
    assert "status 404" in sdk["observed"] and sdk["request_id"].startswith("req_")
    assert [f["check"] for f in found["test_knock_on"]["findings"]] == ["response.ok"]
    text = result.stdout.str()
    assert "Traceback" not in text and "_base_client.py" not in text  # no library traceback
    assert "COULD NOT TEST" in text or "ERROR at call of test_unreachable" in text
    xml = junit.read_text()
    assert xml.count('name="chatconform_outcome" value="could not test"') == 2
    assert "_base_client.py" not in xml
    assert "[sdk.error] openai.NotFoundError: " in xml


def test_the_terminal_ends_with_the_causes_then_the_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    out = pytester.path / "out"
    result = run(pytester, "--report-dir", str(out), "--models", "claude-haiku-4-5", "-rA")
    lines = result.stdout.str().rstrip().splitlines()
    data = json.loads((out / "compat.json").read_text())
    tail = lines[-(len(data["causes"]) + 5) :]  # verdict, a line per cause, three report paths, the "==" line
    assert tail[0] == data["verdict_line"]
    for line, cause in zip(tail[1:], data["causes"], strict=False):
        assert f"[{cause['check']}]" in line and line.endswith(f"({cause['id']})")
    assert [line.split(" ", 1)[1] for line in tail[-4:-1]] == [
        str(out / n) for n in ("compat.json", "compat.md", "compat.html")
    ]


SNAPSHOT_SUITE = """
import pytest

SHAPE = {"choices": [{"finish_reason": "stop", "index": "integer"}], "object": "chat.completion"}


@pytest.mark.shapes
def test_shape(raw, conform, snapshot, request):
    shape = request.config.getoption("--shape-variant")
    observed = SHAPE if shape == "same" else {"choices": [{"finish_reason": "end_turn", "index": "integer"}]}
    conform.match_snapshot(snapshot, observed)
"""

SNAPSHOT_CONFTEST = """
def pytest_addoption(parser):
    parser.addoption("--shape-variant", default="same")
"""


def test_a_snapshot_mismatch_is_a_named_finding_in_every_output(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(SNAPSHOT_CONFTEST)
    pytester.makepyfile(test_shapes_probe=SNAPSHOT_SUITE)
    created = run(pytester, "-p", "syrupy", "--snapshot-update", "--report-dir", str(pytester.path / "first"))
    created.assert_outcomes(passed=1)
    same = run(pytester, "-p", "syrupy", "--report-dir", str(pytester.path / "same"))
    same.assert_outcomes(passed=1)
    out = pytester.path / "out"
    changed = run(pytester, "-p", "syrupy", "--shape-variant", "other", "--report-dir", str(out))
    changed.assert_outcomes(failed=1)
    [case] = cases(out).values()
    found = [(f["check"], f["path"], f["expected"], f["observed"]) for f in case["findings"]]
    assert found == [
        ("shapes.snapshot", "$.choices[0].finish_reason", '"stop"', '"end_turn"'),
        ("shapes.snapshot", "$.object", '"chat.completion"', "(absent)"),
    ]
    text = changed.stdout.str()
    assert "[shapes.snapshot] the answer's shape differs from the snapshot" in text
    assert "use -vv" not in text and "-vv" not in text.split("short test summary", 1)[0]
    md = (out / "compat.md").read_text()
    assert "`shapes.snapshot`" in md and "$.choices[0].finish_reason" in md
