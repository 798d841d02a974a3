"""Run the shipped suites against a target in a child pytest and read what its report says.

A child process, not `pytest.main` here: this process already has the
plugin loaded, and a run against a hostile endpoint must not be able to hang
or crash the session that judges it. Plugin autoloading is off in the child
(the plugin and syrupy are named), which halves its start-up: hypothesis and
locust's pytest plugins are of no use to the suites.

`RunPool` starts the runs of all collected self-tests as soon as the first
one asks, two at a time, so a self-test session costs about half the sum of
its runs on two cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

REPO = Path(__file__).resolve().parents[2]
SUITES = REPO / "suites"
MODEL = "claude-haiku-4-5"
OUTPUT_TAIL = 3000
WORKERS = 2  # a child run keeps a core busy
WAITING_WORKERS = 3


@dataclass(frozen=True)
class SuiteRun:
    exit_code: int | None  # None: the run overran its wall-clock limit and was killed
    seconds: float
    cases: list[dict[str, Any]]  # compat.json's cases
    output: str  # the tail of the child's stdout and stderr
    causes: tuple[dict[str, Any], ...] = ()  # compat.json's causes, most tests first

    @property
    def failing_checks(self) -> set[str]:
        return {f["check"] for c in self.cases if c["outcome"] == "fail" for f in c["findings"]}

    @property
    def outcomes(self) -> Counter[str]:
        return Counter(c["outcome"] for c in self.cases)

    def describe(self) -> str:
        """Everything needed to see why an assertion on this run failed."""
        lines = [f"exit code {self.exit_code} after {self.seconds:.1f} s; outcomes {dict(self.outcomes)}"]
        for case in self.cases:
            if case["outcome"] in ("fail", "error"):
                found = "; ".join(f"[{f['check']}] {f['title']}" for f in case["findings"]) or case["detail"]
                lines.append(f"  {case['outcome']}: {case['nodeid'].rsplit('::', 1)[-1]}: {found}")
        return "\n".join([*lines, "--- output ---", self.output])


def run_suites(
    base_url: str,
    api_key: str,
    select: str,
    *,
    request_timeout: float = 10.0,
    wall_limit_s: float = 120.0,
    keep_report: Path | None = None,
    options: tuple[str, ...] = (),
) -> SuiteRun:
    """The suites for one model with `-k select` against `base_url`; killed after `wall_limit_s`. With
    `keep_report`, the report is written there and stays."""
    with tempfile.TemporaryDirectory(prefix="chatconform-selftest-") as tmp:
        report_dir = keep_report or Path(tmp) / "report"
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(SUITES),
            "-p",
            "chatconform.pytest.plugin",
            "-p",
            "syrupy",
            "-p",
            "no:randomly",
            "-q",
            "--base-url",
            base_url,
            "--models",
            MODEL,
            "-k",
            select,
            "--report-dir",
            str(report_dir),
            "--request-timeout",
            str(request_timeout),
            *options,
        ]
        # The outer session's settings are not the child's.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATCONFORM_", "PYTEST_"))}
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        env["CHATCONFORM_API_KEY"] = api_key  # keys travel in the environment, never on a command line
        started = time.monotonic()
        try:
            done = subprocess.run(
                command, cwd=REPO, env=env, capture_output=True, text=True, timeout=wall_limit_s, check=False
            )
            code, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            code, output = None, _text(exc.stdout) + _text(exc.stderr) + f"\nkilled after {wall_limit_s} s"
        seconds = time.monotonic() - started
        report = _report(report_dir / "compat.json")
        cases, causes = report.get("cases", []), report.get("causes", [])
        return SuiteRun(code, seconds, cases, output[-OUTPUT_TAIL:], tuple(causes))


def _text(data: str | bytes | None) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data or ""


def _report(path: Path) -> dict[str, Any]:
    """compat.json (format chatconform-compat/2), or {} when the run wrote none."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


class Plan(Protocol):
    """A self-test case that needs one suite run: a mutation, a benign variation or a hostile endpoint."""

    @property
    def name(self) -> str: ...


def plan_key(plan: Plan) -> str:
    return f"{type(plan).__name__}:{plan.name}"


class RunPool:
    """Suite runs keyed by plan, started in the background and awaited by plan.

    Two lanes: runs that keep a core busy go WORKERS at a time; runs that
    mostly wait (against a stalling endpoint) go in a lane of their own, so
    their waiting overlaps the busy runs instead of holding their places."""

    def __init__(self, launch: Callable[[Any], SuiteRun], waits: Callable[[Any], bool]) -> None:
        self.launch, self.waits = launch, waits
        self.busy = ThreadPoolExecutor(WORKERS, "selftest-run")
        self.waiting = ThreadPoolExecutor(WAITING_WORKERS, "selftest-wait")
        self.futures: dict[str, Future[SuiteRun]] = {}

    def start(self, plans: Iterable[Plan]) -> None:
        for plan in plans:
            key = plan_key(plan)
            if key not in self.futures:
                lane = self.waiting if self.waits(plan) else self.busy
                self.futures[key] = lane.submit(self.launch, plan)

    def result(self, plan: Plan) -> SuiteRun:
        self.start([plan])
        return self.futures[plan_key(plan)].result()

    def close(self) -> None:
        for future in self.futures.values():
            future.cancel()
        self.busy.shutdown(wait=True)
        self.waiting.shutdown(wait=True)
