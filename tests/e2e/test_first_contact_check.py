"""`chatconform check` on first contact: a wrong key, a dead host, a base URL without /v1, custom headers,
profile typos. Each is run as a user would, as a child process, and judged by what they would see."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatconform.preflight import EXIT_CODE
from chatconform.target import mock_subprocess

KEY = "th-first-contact-0123456789abcdef"
HEADER_VALUE = "tenant-canary-5f0a9c71e2"


def check(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str, float]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "chatconform.cli", "check", *args],
        env={**environ, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with mock_subprocess([], api_keys=[KEY]) as (url, _):
        yield url


@pytest.mark.parametrize(
    ("where", "key", "fix"),
    [
        ("/v1", "th-wrong-0123456789abcdef", "check the key given with --api-key"),
        ("dead", KEY, "is the gateway running"),
        ("", KEY, "use --base-url http://127.0.0.1:"),
    ],
    ids=["wrong-key", "unreachable", "missing-v1"],
)
def test_a_target_that_cannot_be_tested_is_one_clear_message(root: str, where: str, key: str, fix: str) -> None:
    base = "http://127.0.0.1:9/v1" if where == "dead" else root + where
    code, output, seconds = check("--base-url", base, "--api-key", key)
    assert code == EXIT_CODE, output
    assert len(output.splitlines()) <= 30, output
    assert fix in output
    assert seconds < 15
    assert "Traceback" not in output and key not in output


def test_headers_reach_every_request_and_their_values_no_output(root: str, tmp_path: Path) -> None:
    report = tmp_path / "report"
    env = {"CHATCONFORM_HEADERS": f"X-Tenant: {HEADER_VALUE}", "CHATCONFORM_API_KEY": KEY}
    code, output, _ = check(
        "--base-url",
        root + "/v1",
        "--models",
        "claude-haiku-4-5",
        "-k",
        "basic or streaming",
        "--report-dir",
        str(report),
        "--junitxml",
        str(tmp_path / "junit.xml"),
        env=env,
    )
    assert code == 0, output[-3000:]
    journal = httpx.get(root + "/mock/journal", headers={"authorization": f"Bearer {KEY}"}, timeout=10).json()["data"]
    assert len(journal) > 10
    assert all(entry["headers"].get("x-tenant") for entry in journal)  # every request carried it
    written = [p.read_text(errors="replace") for p in [*report.iterdir(), tmp_path / "junit.xml"]]
    assert not any(HEADER_VALUE in text for text in [output, *written])


TYPOS = {
    "section": ("[featurs]\nstreaming = true\n", "unknown section [featurs]"),
    "feature": ("[features]\nstreamng = true\n", "unknown key 'streamng' in [features] (did you mean 'streaming'?)"),
    "policy": ("[policies]\ntemprature_above_max = 'reject'\n", "unknown key 'temprature_above_max' in [policies]"),
    "expect": ("[expect]\nunknown_model_staus = 404\n", "unknown key 'unknown_model_staus' in [expect]"),
}


@pytest.mark.parametrize("typo", list(TYPOS))
def test_a_profile_typo_is_a_usage_error_naming_the_key(tmp_path: Path, typo: str) -> None:
    from importlib import resources

    text = resources.files("chatconform.profiles").joinpath("tokenhub.toml").read_text()
    addition, message = TYPOS[typo]
    section = addition.split("\n", 1)[0]
    # Replace the real section of that name (or add a new one) so the file stays valid TOML.
    if section in text:
        head, _, rest = text.partition(section + "\n")
        text = head + addition + rest
    else:
        text += "\n" + addition
    profile = tmp_path / "mine.toml"
    profile.write_text(text)
    code, output, _ = check("--profile", str(profile), "--co")
    assert code == 4, output
    assert message in output
    assert str(profile) in output
    assert len(output.splitlines()) <= 10


def test_ctrl_c_reports_interrupted_and_exits_2(tmp_path: Path) -> None:
    import signal

    report = tmp_path / "report"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}
    child = subprocess.Popen(
        [sys.executable, "-m", "chatconform.cli", "check", "--report-dir", str(report)],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (report / "compat.json").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
        if child.poll() is not None or time.monotonic() > deadline - 55:  # a few seconds into the run
            break
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=60)
    assert child.returncode == 2, output[-2000:]
    data = json.loads((report / "compat.json").read_text())
    assert data["verdict"] == "interrupted"
    assert any(c["outcome"] == "not_run" for c in data["cases"])
    assert "Traceback" not in output
