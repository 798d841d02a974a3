"""A check against a target that accepts and never answers, or streams forever, ends on its own: the
breaker after ten requests without any response, --max-time for the rest; what was not reached is not run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.selftest.hostile import serve_hostile

ARGS = ["--skip-preflight", "--concurrency", "1", "--models", "claude-haiku-4-5", "--request-timeout", "0.5"]


def check(base_url: str, report: Path, *extra: str) -> tuple[int, dict, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}
    env["CHATCONFORM_API_KEY"] = "th-bounded-0123456789"
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "chatconform.cli",
            "check",
            "--base-url",
            base_url,
            "--report-dir",
            str(report),
            *ARGS,
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, json.loads((report / "compat.json").read_text()), time.monotonic() - started


def test_a_target_that_never_answers_trips_the_breaker(tmp_path: Path) -> None:
    with serve_hostile() as hostile:
        code, data, seconds = check(hostile.base_url("stall-before-headers"), tmp_path / "r")
    assert code == 2
    assert "in a row got no response" in data["meta"]["stopped_by"]
    outcomes = [c["outcome"] for c in data["cases"]]
    assert outcomes.count("error") <= 12  # could not test, until the breaker
    assert outcomes.count("not_run") > 50  # the rest, reported, not dropped
    assert seconds < 120  # not ~2 s for each of ~90 tests


def test_a_target_that_streams_forever_is_bounded_by_max_time(tmp_path: Path) -> None:
    with serve_hostile() as hostile:
        code, data, seconds = check(hostile.base_url("endless-stream"), tmp_path / "r", "--max-time", "4")
    assert code == 2
    assert "--max-time 4" in data["meta"]["stopped_by"]
    assert any(c["outcome"] == "not_run" for c in data["cases"])
    assert seconds < 60
