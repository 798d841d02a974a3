"""--known-deviations: declared failures become xfail with their reason, undeclared ones still fail, and a
declared deviation that no longer occurs fails the run (strict), through `pytester`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.plugin.inner import run

SUITE = """
import pytest

pytestmark = pytest.mark.errors

@pytest.mark.parametrize("kind", ["a", "b"])
def test_retry_after(conform, kind):
    conform.expect_equal("upstream.retry_after", "7", "(absent)", title="Retry-After dropped")

def test_not_named(conform):
    conform.expect_equal("upstream.retry_after", "7", "(absent)", title="Retry-After dropped")

def test_passes(conform):
    conform.expect_equal("error.status", 429, 429, title="fine")

def test_plain_failure():
    assert 1 == 2
"""


def deviations(pytester: pytest.Pytester, text: str) -> Path:
    path = pytester.path / "deviations.toml"
    path.write_text(text)
    return path


def outcomes(out: Path) -> dict[str, tuple[str, str]]:
    cases = json.loads((out / "compat.json").read_text())["cases"]
    return {c["nodeid"].split("::")[1]: (c["outcome"], c["detail"]) for c in cases}


def test_declared_failures_are_xfail_with_their_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gw=SUITE)
    file = deviations(
        pytester,
        """
[[deviation]]
id = "retry-after-dropped"
reason = "drops Retry-After"
tests = ["test_gw.py::test_retry_after[*"]
checks = ["upstream.*"]

[[deviation]]
id = "plain"
reason = "asserts"
tests = ["test_gw.py::test_plain_failure"]
""",
    )
    out = pytester.path / "out"
    result = run(pytester, "-rx", "--known-deviations", str(file), "--report-dir", str(out))
    result.assert_outcomes(xfailed=3, failed=1, passed=1)
    result.stdout.fnmatch_lines(["*XFAIL*test_retry_after[[]a[]]*known deviation retry-after-dropped: drops*"])
    seen = outcomes(out)
    assert seen["test_retry_after[a]"] == ("xfail", "known deviation retry-after-dropped: drops Retry-After")
    assert seen["test_plain_failure"] == ("xfail", "known deviation plain: asserts")
    assert seen["test_not_named"][0] == "fail"  # the same check, but not a test the entry names
    meta = json.loads((out / "compat.json").read_text())["meta"]["known_deviations"]
    assert meta["xfailed"] == {"retry-after-dropped": 2, "plain": 1} and meta["no_longer_occurring"] == []


def test_a_check_only_entry_covers_only_its_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gw=SUITE)
    file = deviations(pytester, '[[deviation]]\nid = "ra"\nreason = "r"\nchecks = ["upstream.retry_after"]\n')
    out = pytester.path / "out"
    run(pytester, "--known-deviations", str(file), "--report-dir", str(out))
    seen = outcomes(out)
    assert seen["test_retry_after[a]"][0] == seen["test_retry_after[b]"][0] == seen["test_not_named"][0] == "xfail"
    assert seen["test_plain_failure"][0] == "fail"  # no findings: a check-only entry cannot explain it


def test_an_undeclared_check_in_the_same_test_still_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gw="""
import pytest
from chatconform.checks.finding import Finding

@pytest.mark.errors
def test_both(conform):
    conform.record.findings.append(Finding("wrong status", check="error.status"))
    conform.expect_equal("upstream.retry_after", "7", "(absent)", title="dropped")
"""
    )
    file = deviations(pytester, '[[deviation]]\nid = "ra"\nreason = "r"\nchecks = ["upstream.retry_after"]\n')
    result = run(pytester, "--known-deviations", str(file))
    result.assert_outcomes(failed=1)


def test_a_named_test_that_passes_is_an_xpass_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gw=SUITE)
    file = deviations(pytester, '[[deviation]]\nid = "gone"\nreason = "was broken"\ntests = ["*::test_passes"]\n')
    result = run(pytester, "--known-deviations", str(file), "-k", "test_passes")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*[[]XPASS(strict)[]] known deviation gone: was broken (it passed: remove it)*"])


def test_a_deviation_that_no_longer_occurs_fails_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gw=SUITE)
    file = deviations(
        pytester, '[[deviation]]\nid = "fixed"\nreason = "r"\ntests = ["*::test_passes"]\nchecks = ["error.status"]\n'
    )
    out = pytester.path / "out"
    result = run(pytester, "--known-deviations", str(file), "-k", "test_passes", "--report-dir", str(out))
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["FAILED known deviation fixed: r: it no longer occurs*remove it from*"])
    meta = json.loads((out / "compat.json").read_text())["meta"]["known_deviations"]
    assert meta["no_longer_occurring"] == ["fixed"]


def test_a_deviation_for_tests_that_did_not_run_is_not_stale(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gw=SUITE)
    file = deviations(
        pytester,
        '[[deviation]]\nid = "ra"\nreason = "r"\ntests = ["*test_retry_after*"]\nchecks = ["upstream.retry_after"]\n',
    )
    result = run(pytester, "--known-deviations", str(file), "-k", "test_passes")
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[deviation]]\nid = 'x'\n", "*'reason' must be a non-empty string*"),
        ("[[deviation]]\nid = 'x'\nreason = 'r'\n", "*give `tests`, `checks` or both*"),
        ("[[deviation]]\nid = 'x'\nreason = 'r'\nchecks = 'a'\n", "*'checks' must be a list of non-empty strings*"),
        ("[[deviation]]\nid = 'x'\nreason = 'r'\nchecks = ['a']\nwhy = 1\n", "*unknown keys*'why'*"),
        (
            "[[deviation]]\nid='x'\nreason='r'\nchecks=['a']\n[[deviation]]\nid='x'\nreason='r'\nchecks=['a']\n",
            "*deviation id 'x' is listed twice*",
        ),
        ("[deviations]\n", "*unknown tables*'deviations'*"),
        ("not toml [", "*not valid TOML*"),
    ],
    ids=["no-reason", "no-patterns", "checks-not-a-list", "unknown-key", "duplicate-id", "unknown-table", "not-toml"],
)
def test_a_bad_deviations_file_is_a_usage_error(pytester: pytest.Pytester, text: str, message: str) -> None:
    pytester.makepyfile(test_gw=SUITE)
    result = run(pytester, "--known-deviations", str(deviations(pytester, text)))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--known-deviations: *deviations.toml*" + message.lstrip("*")])


def test_a_missing_deviations_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gw=SUITE)
    result = run(pytester, "--known-deviations", "nowhere.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--known-deviations: *nowhere.toml: cannot read*"])


def test_deviations_work_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gw=SUITE)
    file = deviations(
        pytester,
        '[[deviation]]\nid = "ra"\nreason = "r"\nchecks = ["upstream.retry_after"]\n\n'
        '[[deviation]]\nid = "fixed"\nreason = "f"\ntests = ["*::test_passes"]\n'
        'checks = ["error.status"]\n',
    )
    out = pytester.path / "out"
    result = pytester.runpytest_subprocess("-n", "2", "--known-deviations", str(file), "--report-dir", str(out))
    result.assert_outcomes(xfailed=3, failed=1, passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    meta = json.loads((out / "compat.json").read_text())["meta"]["known_deviations"]
    assert meta == {"file": str(file), "xfailed": {"ra": 3}, "no_longer_occurring": ["fixed"]}
