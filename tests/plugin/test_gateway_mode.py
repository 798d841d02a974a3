"""Gateway-mode options (--upstream-url, --upstream-key, --upstream-timeout), the `gateway` marker and the
`upstream` fixture, run through `pytester`. The session's mock stands in for both the gateway and its upstream."""

from __future__ import annotations

import json

import pytest

from tests.conftest import RunningMock
from tests.plugin.inner import run

GATEWAY_TEST = """
import pytest

@pytest.mark.gateway
@pytest.mark.translation
def test_upstream(upstream):
    print("UPSTREAM", upstream.root)
    assert upstream.journal(limit=1) is not None
"""


def target(mock: RunningMock) -> list[str]:
    return ["--base-url", mock.base_url, "--api-key", mock.key]


def test_gateway_tests_are_unsupported_without_an_upstream(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(GATEWAY_TEST)
    out = pytester.path / "out"
    result = run(pytester, "-rs", "--report-dir", str(out))
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*unsupported: gateway mode only: give --upstream-url and --upstream-key*"])
    [case] = json.loads((out / "compat.json").read_text())["cases"]
    assert (case["feature"], case["outcome"]) == ("translation", "unsupported")
    assert "--upstream-url" in case["detail"]


def test_upstream_url_and_key_give_the_upstream_fixture(pytester: pytest.Pytester, mock: RunningMock) -> None:
    pytester.makepyfile(GATEWAY_TEST)
    result = run(pytester, "-s", *target(mock), "--upstream-url", mock.base_url, "--upstream-key", mock.key)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*UPSTREAM {mock.root}"])  # the /v1 suffix is dropped: admin routes are at the root


def test_gateway_options_come_from_the_environment(
    pytester: pytest.Pytester, mock: RunningMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATCONFORM_UPSTREAM_URL", mock.root)
    monkeypatch.setenv("CHATCONFORM_UPSTREAM_KEY", mock.key)
    pytester.makepyfile(GATEWAY_TEST)
    run(pytester, *target(mock)).assert_outcomes(passed=1)


def test_the_upstream_key_never_appears_in_output(pytester: pytest.Pytester, mock: RunningMock) -> None:
    pytester.makepyfile("""
        def test_leak(upstream, chatconform_settings):
            assert False, "key " + chatconform_settings.upstream_key
    """)
    result = run(pytester, *target(mock), "--upstream-url", mock.root, "--upstream-key", mock.key)
    result.assert_outcomes(failed=1)
    assert mock.key not in result.stdout.str() + result.stderr.str()


def test_an_upstream_that_is_not_a_mock_is_an_error(pytester: pytest.Pytester, mock: RunningMock) -> None:
    pytester.makepyfile(GATEWAY_TEST)
    result = run(pytester, *target(mock), "--upstream-url", mock.root, "--upstream-key", "th-not-its-key")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*did not answer like a chatconform mock*"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--upstream-url", "http://127.0.0.1:9"], "*--upstream-url needs --base-url*"),
        (
            ["--base-url", "http://127.0.0.1:9/v1", "--api-key", "k", "--upstream-url", "http://127.0.0.1:9"],
            "*--upstream-url needs --upstream-key*",
        ),
        (["--upstream-key", "k"], "*--upstream-key and --upstream-timeout need --upstream-url*"),
        (
            [
                "--base-url",
                "http://127.0.0.1:9/v1",
                "--api-key",
                "k",
                "--upstream-url",
                "ftp://x",
                "--upstream-key",
                "k",
            ],
            "*--upstream-url 'ftp://x': expected http(s)://*",
        ),
        (
            [
                "--base-url",
                "http://127.0.0.1:9/v1",
                "--api-key",
                "k",
                "--upstream-url",
                "http://127.0.0.1:9",
                "--upstream-key",
                "k",
                "--upstream-timeout",
                "30",
            ],
            "*--upstream-timeout must be below --request-timeout*",
        ),
    ],
    ids=["no-base-url", "no-key", "key-alone", "bad-url", "timeout-too-long"],
)
def test_bad_gateway_options_are_usage_errors(pytester: pytest.Pytester, options: list[str], message: str) -> None:
    pytester.makepyfile(GATEWAY_TEST)
    result = run(pytester, *options)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
