"""The plugin's options, one test each, run through `pytester` (inner pytest sessions in this process)."""

from __future__ import annotations

import json
import time

import pytest

from chatconform.pytest.run_check import SUITES_DIR
from tests.conftest import RunningMock
from tests.plugin.inner import run

TARGET_PROBE = """
def test_target(target, raw, mock_admin):
    print("TARGET", target.base_url, target.is_mock)
    assert raw.request("GET", "/models").status == 200
    assert mock_admin is not None
"""

IDS = """
def test_ids(model_id):
    pass

def test_canonical(model):
    pass
"""


def collected(result: pytest.RunResult) -> list[str]:
    return [line.split("::", 1)[1] for line in result.outlines if "::" in line]


def test_without_base_url_the_built_in_mock_is_served(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TARGET_PROBE)
    result = run(pytester, "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*TARGET http://127.0.0.1:*/v1 True"])


def test_base_url_and_api_key_select_the_target(pytester: pytest.Pytester, mock: RunningMock) -> None:
    pytester.makepyfile(TARGET_PROBE)
    result = run(pytester, "-s", "--base-url", mock.base_url, "--api-key", mock.key)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*TARGET {mock.base_url} False"])


def test_base_url_without_api_key_is_a_usage_error(pytester: pytest.Pytester, mock: RunningMock) -> None:
    pytester.makepyfile(TARGET_PROBE)
    result = run(pytester, "--base-url", mock.base_url)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--base-url needs --api-key*"])


def test_api_key_never_appears_in_output_or_junit(pytester: pytest.Pytester, mock: RunningMock) -> None:
    pytester.makepyfile("""
        def test_leaky(target, raw, conform):
            ex = raw.chat({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}]})
            conform.check(ex, "response.text", text="the key is " + target.api_key)
    """)
    junit = pytester.path / "junit.xml"
    result = run(pytester, "--base-url", mock.base_url, "--api-key", mock.key, f"--junitxml={junit}")
    result.assert_outcomes(failed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "[response.text] the answer text is not the expected one" in output
    assert "the key is ***" in output
    assert mock.key not in output
    assert mock.key not in junit.read_text()


def test_profile_option_loads_a_profile_file(pytester: pytest.Pytester) -> None:
    profile = pytester.path / "tiny.toml"
    profile.write_text(
        '[profile]\nname = "tiny"\nalias_prefix = "vendor/"\napi_key_prefix = "tk-"\n'
        '[[models]]\nid = "small-1"\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\n'
        '[[models]]\nid = "large-2"\ninput_per_mtok = 3.0\noutput_per_mtok = 4.0\n'
    )
    pytester.makepyfile(IDS)
    result = run(pytester, "--collect-only", "-q", "--profile", str(profile))
    assert collected(result) == [
        "test_ids[small-1]",
        "test_ids[large-2]",
        "test_ids[vendor/small-1]",
        "test_ids[vendor/large-2]",
        "test_canonical[small-1]",
        "test_canonical[large-2]",
    ]


def test_an_explicit_model_parametrisation_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.parametrize("model", ["my-model"])
        def test_mine(model):
            pass
    """)
    assert collected(run(pytester, "--collect-only", "-q")) == ["test_mine[my-model]"]


def test_an_unknown_profile_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(IDS)
    result = run(pytester, "--collect-only", "--profile", "no-such-profile")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--profile: profile 'no-such-profile' is neither a built-in*"])


def test_models_option_selects_models_in_either_form(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(IDS)
    result = run(pytester, "--collect-only", "-q", "--models", "anthropic/claude-haiku-4-5, claude-4-opus")
    assert collected(result) == [
        "test_ids[claude-haiku-4-5]",
        "test_ids[claude-4-opus]",
        "test_ids[anthropic/claude-haiku-4-5]",
        "test_ids[anthropic/claude-4-opus]",
        "test_canonical[claude-haiku-4-5]",
        "test_canonical[claude-4-opus]",
    ]
    bad = run(pytester, "--collect-only", "--models", "gpt-4o")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR


def test_report_dir_receives_the_compat_reports(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.basic
        def test_answer(raw, conform, model):
            ex = raw.chat({"model": model, "messages": [{"role": "user", "content": "Reply with exactly: OK"}]})
            conform.check(ex, "response.ok", "response.text", text="OK")
    """)
    out = pytester.path / "out"
    result = run(pytester, "--report-dir", str(out), "--models", "claude-haiku-4-5")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"report: {out / 'compat.json'}"])
    cases = json.loads((out / "compat.json").read_text())["cases"]
    assert [(c["feature"], c["model"], c["outcome"]) for c in cases] == [("basic", "claude-haiku-4-5", "pass")]
    assert cases[0]["cost_usd"] > 0


def test_max_cost_refuses_to_start_above_the_estimate(pytester: pytest.Pytester, mock: RunningMock) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.basic
        def test_answer(raw, model):
            raw.chat({"model": model, "messages": [{"role": "user", "content": "hi"}]})
    """)
    with mock.client() as http:
        before = http.get("/mock/journal").json()["data"]
        result = run(pytester, "--base-url", mock.base_url, "--api-key", mock.key, "--max-cost", "0.01")
        after = http.get("/mock/journal").json()["data"]
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(
        [
            "chatconform: 10 tests against *, estimated cost $0.*",
            "*estimated cost $0.* exceeds --max-cost $0.0100; no test was run*",
        ]
    )
    assert len(after) == len(before)


def test_max_cost_stops_the_run_when_the_spend_passes_it(pytester: pytest.Pytester, mock: RunningMock) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.basic
        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_expensive(raw, n):
            body = {"model": "claude-4-opus", "max_tokens": 4000,
                    "messages": [{"role": "user", "content": "Write 3000 words"}]}
            assert raw.chat(body).status == 200
    """)
    # Estimate: 3 tests at Opus 4 prices, about $0.14; the first test alone spends about $0.23.
    result = run(pytester, "--base-url", mock.base_url, "--api-key", mock.key, "--max-cost", "0.2")
    result.assert_outcomes(passed=1, skipped=2)  # the rest is reported as not run
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*passed --max-cost $0.2000; stopping the run*"])


def test_request_timeout_bounds_a_stalled_answer(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import time

        def test_stall(raw):
            start = time.perf_counter()
            ex = raw.chat({"model": "claude-haiku-4-5", "stream": True,
                           "messages": [{"role": "user", "content": "Count from 1 to 50"}]},
                          headers={"x-chatconform-fault": "stall_s=20"})
            assert ex.error == "timeout"
            assert time.perf_counter() - start < 5
    """)
    start = time.perf_counter()
    run(pytester, "--request-timeout", "0.5").assert_outcomes(passed=1)
    assert time.perf_counter() - start < 10


def test_body_limit_sends_the_oversized_case_to_any_target(pytester: pytest.Pytester) -> None:
    from chatconform.mock.app import create_app
    from chatconform.mock.config import MockConfig
    from chatconform.server import serve_in_thread

    suite = SUITES_DIR / "test_errors.py"
    key = "th-test-body-limit-0123456789"
    with serve_in_thread(create_app(MockConfig(api_keys=(key,), max_body_bytes=4096))) as root:
        target = ["--base-url", root + "/v1", "--api-key", key, f"{suite}::test_oversized_body"]
        run(pytester, *target).assert_outcomes(skipped=1)  # a gateway's limit is unknown: not sent
        run(pytester, *target, "--body-limit", "4096").assert_outcomes(passed=1)
        run(pytester, *target, "--body-limit", "2048").assert_outcomes(failed=1)  # 2049 bytes were accepted


def test_options_come_from_the_environment_unless_given(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(IDS)
    monkeypatch.setenv("CHATCONFORM_MODELS", "claude-4-opus")
    from_env = run(pytester, "--collect-only", "-q", "-k", "canonical")
    assert collected(from_env) == ["test_canonical[claude-4-opus]"]
    from_cli = run(pytester, "--collect-only", "-q", "-k", "canonical", "--models", "claude-haiku-4-5")
    assert collected(from_cli) == ["test_canonical[claude-haiku-4-5]"]
    monkeypatch.setenv("CHATCONFORM_REQUEST_TIMEOUT", "soon")
    bad = run(pytester, "--collect-only")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR  # the collected tests are chatconform's: the mistake is loud
    assert any("--request-timeout: 'soon' is not a float" in line for line in bad.outlines + bad.errlines)


def test_options_come_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nchatconform_models = claude-3-5-haiku-latest\n")
    pytester.makepyfile(IDS)
    result = run(pytester, "--collect-only", "-q", "-k", "canonical")
    assert collected(result) == ["test_canonical[claude-3-5-haiku-latest]"]


def test_feature_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--markers")
    for name in ("auth", "models", "basic", "streaming", "tools", "errors", "usage", "billing", "shapes", "policy"):
        result.stdout.fnmatch_lines([f"@pytest.mark.{name}:*"])


BOTH_PLUGINS = """
def test_both(base_url, target):
    print("BOTH", base_url, target.base_url)
"""


def test_the_plugin_shares_base_url_with_pytest_base_url(pytester: pytest.Pytester, mock: RunningMock) -> None:
    """pytest-base-url (a dev dependency here, as it comes with pytest-playwright) owns --base-url: both
    plugins load, neither crashes the run, and both read the one value."""
    pytest.importorskip("pytest_base_url")
    pytester.makepyfile(BOTH_PLUGINS)
    result = run(pytester, "-s", "--base-url", mock.base_url, "--api-key", mock.key)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*BOTH {mock.base_url} {mock.base_url}"])
    alone = run(pytester, "-s", "-p", "no:base_url", "--base-url", mock.base_url, "--api-key", mock.key, "-k", "x")
    assert alone.ret == pytest.ExitCode.NO_TESTS_COLLECTED  # without its owner, the flag is ours again


UNRELATED = """
def test_unrelated():
    assert 1 + 1 == 2
"""


def test_a_run_that_uses_nothing_of_the_plugin_is_unchanged(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(UNRELATED)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    said = [line for line in result.outlines if "chatconform" in line and not line.startswith("plugins:")]
    assert said == []  # no banner, no cost line, no report paths
    assert not (pytester.path / "reports").exists()


UNMARKED = """
def test_mine(raw, conform, model_id):
    conform.check(raw.chat({"model": model_id, "messages": [{"role": "user", "content": "Reply with exactly: hi"}],
                            "max_tokens": 16}), "response.ok", "response.text", text="hi")
"""


def test_a_users_test_without_a_feature_marker_is_counted(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(UNMARKED)
    result = run(pytester, "--models", "claude-haiku-4-5", "--report-dir", "out")
    result.assert_outcomes(passed=2)
    data = json.loads((pytester.path / "out" / "compat.json").read_text())
    assert {c["feature"] for c in data["cases"]} == {"other"}
    assert len(data["cases"]) == 2


def test_a_broken_environment_does_not_break_a_run_that_uses_nothing_of_chatconform(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATCONFORM_BASE_URL", "http://127.0.0.1:9/v1")  # and no key: a usage error for us
    pytester.makepyfile(UNRELATED)
    run(pytester).assert_outcomes(passed=1)
    pytester.makepyfile(test_ours=TARGET_PROBE)
    ours = run(pytester)
    assert ours.ret == pytest.ExitCode.USAGE_ERROR
    assert any("--base-url needs --api-key" in line for line in ours.outlines + ours.errlines)
