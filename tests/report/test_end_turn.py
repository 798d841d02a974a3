"""One bug, one cause: through a gateway that rewrites every finish_reason to Anthropic's `end_turn`.

A child run of the shipped suites (one model, a selection touching every answer kind: whole, stream, tools,
stop, max_tokens, SDK, shapes) against the self-test rewriting layer, and the same selection against the
same mock unchanged. The report must name the stop reason in its top cause, stay short, carry a curl that
reproduces the failure, and `chatconform diff` must see the new causes. (bench/causes.py measures the same
over the whole suite.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatconform.profile import load_profile
from chatconform.target import session_key
from tests.selftest import edits as e
from tests.selftest.rewrite import Reply, Rewrite, VariantServer, serve_variants
from tests.selftest.runner import SuiteRun, run_suites

SELECT = "test_basic or test_stream or test_tool_choice or (test_stop and string) or test_cut_at_bound or test_shapes"
MAX_CAUSES = 5
MAX_MD_LINES = 300


def end_turn(reply: Reply) -> None:
    for choice in e.choices(reply):
        if choice.get("finish_reason"):
            choice["finish_reason"] = "end_turn"


@pytest.fixture(scope="module")
def key() -> str:
    return session_key(load_profile())


@pytest.fixture(scope="module")
def gateways(key: str) -> Iterator[VariantServer]:
    with serve_variants({"clean": Rewrite(), "end-turn": Rewrite(reply=end_turn)}, key) as server:
        yield server


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, gateways: VariantServer, key: str) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("end-turn")
    return {name: root / name for name in ("clean", "end-turn")}


@pytest.fixture(scope="module")
def bent(reports: dict[str, Path], gateways: VariantServer, key: str) -> SuiteRun:
    clean = run_suites(gateways.base_url("clean"), key, SELECT, keep_report=reports["clean"])
    assert clean.exit_code == 0, clean.describe()
    return run_suites(gateways.base_url("end-turn"), key, SELECT, keep_report=reports["end-turn"])


def test_one_bug_is_a_handful_of_causes_headed_by_the_stop_reason(bent: SuiteRun) -> None:
    failed = sum(c["outcome"] == "fail" for c in bent.cases)
    assert failed >= 30, bent.describe()
    assert 1 <= len(bent.causes) <= MAX_CAUSES, [(c["check"], c["title"], c["tests"]) for c in bent.causes]
    top = bent.causes[0]
    assert "end_turn" in top["title"] and top["check"].endswith("finish_reason")
    assert sum(c["tests"] for c in bent.causes) >= failed  # every failing test is under a cause
    assert top["example"]["observed"] == '"end_turn"'


def test_the_report_is_short_and_led_by_the_causes(reports: dict[str, Path], bent: SuiteRun) -> None:
    text = (reports["end-turn"] / "compat.md").read_text()
    assert len(text.splitlines()) < MAX_MD_LINES
    assert text.index("## Causes") < text.index("## Model × feature matrix")
    assert bent.causes[0]["id"] in text.split("## Model", 1)[0]


@pytest.mark.skipif(not (shutil.which("bash") and shutil.which("curl")), reason="bash and curl are needed")
def test_the_top_causes_curl_reproduces_the_failure(bent: SuiteRun, key: str) -> None:
    curl = bent.causes[0]["example"]["curl"]
    assert curl and key not in curl
    env = {**os.environ, "CHATCONFORM_API_KEY": key}
    done = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, env=env, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("HTTP/1.1 200")
    assert '"finish_reason":"end_turn"' in done.stdout.replace(" ", "")


def diff(old: Path, new: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "chatconform.cli", "diff", str(old / "compat.json"), str(new / "compat.json")]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, check=False)


def test_diff_of_a_clean_run_against_the_bent_one_lists_the_new_causes(
    reports: dict[str, Path], bent: SuiteRun
) -> None:
    done = diff(reports["clean"], reports["end-turn"])
    assert done.returncode == 1, done.stdout + done.stderr
    new = done.stdout.split("### New causes", 1)[1].split("###", 1)[0]
    assert all(c["id"] in new for c in bent.causes)
    as_json = json.loads(diff(reports["clean"], reports["end-turn"], "--format", "json").stdout)
    assert {c["id"] for c in as_json["causes"]["new"]} == {c["id"] for c in bent.causes}


def test_diff_of_a_run_against_itself_is_clean(reports: dict[str, Path], bent: SuiteRun) -> None:
    done = diff(reports["end-turn"], reports["end-turn"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "**0 new**" in done.stdout and "No cell changed." in done.stdout
