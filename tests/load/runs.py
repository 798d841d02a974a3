"""Whole `chatconform load` runs in a child process, for the tests that need them, and what they wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from chatconform.load import summary as summary_module
from chatconform.redact import register_secret

KEY = "th-load-test-0123456789abcdef"
register_secret(KEY)
ROOT = Path(__file__).resolve().parents[2]


def run_load(
    folder: Path, *args: str, timeout: float = 90, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHATCONFORM_API_KEY": KEY, **(env or {})}
    command = [
        sys.executable,
        "-m",
        "chatconform.cli",
        "load",
        "--report-dir",
        str(folder),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=folder.parent)


def run_plain_locust(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`locust -f loadtests/locustfile.py --headless <args>`, as a user of plain Locust runs it."""
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "locustfile.py"), "--headless", *args]
    env = {**os.environ, "CHATCONFORM_API_KEY": KEY}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=cwd, env=env)


def read_summary(folder: Path) -> dict[str, Any]:
    summary: dict[str, Any] = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary_module.validate(summary) is None
    return summary


def accounted(summary: dict[str, Any]) -> None:
    req = summary["requests"]
    assert req["sent"] == req["succeeded"] + sum(req["failed"].values()) + req["interrupted"]
    assert req["failed_total"] == sum(req["failed"].values())
