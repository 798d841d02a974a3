"""A new user's first `chatconform load` against a target that cannot work: short, clear, non-zero, cheap.

The figures of the issue's "done when" are asserted with its own bounds:
at most 30 lines of output, a suggestion naming the fix, a non-zero exit
within 15 s, fewer than 100 requests received by the target.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chatconform.load import exits
from chatconform.load.cli import add_arguments
from chatconform.load.options import misspelt
from chatconform.server import serve_in_thread
from chatconform.target import mock_subprocess
from tests.load.runs import KEY, accounted, read_summary, run_load, run_plain_locust

WRONG = "th-load-wrong-key-0123456789"


@pytest.fixture(scope="module")
def mock_root() -> Iterator[str]:
    """The mock without latency, accepting KEY only: its root URL (no /v1)."""
    with mock_subprocess(["--latency", "none"], api_keys=[KEY]) as (root, _):
        yield root


class Counting:
    """A stub target that counts what it receives: 401 for everything, or a gateway served under /v1 only."""

    def __init__(self, mode: str) -> None:
        self.mode, self.received = mode, 0

    async def answer(self, request: Request) -> Response:
        self.received += 1
        if self.mode == "refuse":
            return JSONResponse({"error": {"message": "Invalid API key", "code": "invalid_api_key"}}, 401)
        if request.url.path == "/v1/models":
            return JSONResponse({"object": "list", "data": [{"id": "claude-haiku-4-5", "object": "model"}]})
        return JSONResponse({"error": {"message": "Not found", "type": "invalid_request_error"}}, 404)


def first_contact(tmp_path: Path, base_url: str, key: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = run_load(tmp_path / "r", "--base-url", base_url, "-t", "30s", env={"CHATCONFORM_API_KEY": key})
    return done, time.monotonic() - start


def assert_short_and_clear(done: subprocess.CompletedProcess[str], seconds: float, fix: str, key: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == exits.PREFLIGHT_FAILED, output
    assert seconds < 15, output
    assert len(output.splitlines()) <= 30, output
    assert any(line.strip().startswith("fix:") and fix in line for line in output.splitlines()), output
    assert "Traceback" not in output and key not in output


def test_a_wrong_key_is_one_clear_message(tmp_path: Path, mock_root: str) -> None:
    done, seconds = first_contact(tmp_path, mock_root + "/v1", WRONG)
    assert_short_and_clear(done, seconds, "check the key given with --api-key", WRONG)
    assert "the key was refused (HTTP 401): the gateway said 'Incorrect API key provided.'" in done.stdout
    assert "(2 requests sent, nothing else; exit code 6" in done.stdout
    assert not (tmp_path / "r").exists()  # no run, no report


@pytest.mark.parametrize("mode", ["refuse", "v1-only"])
def test_a_counting_target_receives_a_handful_of_requests(tmp_path: Path, mode: str) -> None:
    counter = Counting(mode)
    app = Starlette(routes=[Route("/{path:path}", counter.answer, methods=["GET", "POST"])])
    with serve_in_thread(app) as root:
        done, seconds = first_contact(tmp_path, root + ("/v1" if mode == "refuse" else ""), WRONG)
    fix = "check the key given with --api-key" if mode == "refuse" else f"use --base-url {root}/v1"
    assert_short_and_clear(done, seconds, fix, WRONG)
    assert counter.received == (2 if mode == "refuse" else 3)  # GET models, POST chat (+ GET /v1/models)


def test_an_unreachable_host_is_one_clear_message(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        done, seconds = first_contact(tmp_path, f"http://127.0.0.1:{port}/v1", KEY)
    assert_short_and_clear(done, seconds, "is the gateway running, on that port?", KEY)
    assert f"nothing listens at 127.0.0.1:{port} (connection refused)" in done.stdout


def test_the_circuit_breaker_ends_an_all_failing_run_early(tmp_path: Path, mock_root: str) -> None:
    folder = tmp_path / "r"
    done = run_load(
        folder,
        "--base-url",
        mock_root + "/v1",
        "--skip-preflight",
        "-u",
        "4",
        "-t",
        "60s",
        env={"CHATCONFORM_API_KEY": WRONG},
    )
    output = done.stdout + done.stderr
    assert done.returncode == exits.TARGET_FAILED, output
    summary = read_summary(folder)
    accounted(summary)
    assert summary["run"]["stopped_by"] == "circuit_breaker"
    assert summary["alarm"]["kind"] == "circuit_breaker"
    assert summary["alarm"]["message"].startswith("circuit breaker: the first 50 requests all failed (http_401: 50)")
    assert 50 <= summary["requests"]["sent"] < 100
    assert "TARGET FAILED THE RUN; fix: the key was refused: check --api-key" in done.stdout
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<div class='alarm'><b>The target failed the run.</b>" in page and WRONG not in page + output


@pytest.mark.parametrize("slo", [[], ["--slo", "error_rate=1"]], ids=["no-slo", "slo-that-passes"])
def test_a_run_where_every_request_failed_never_exits_0(tmp_path: Path, mock_root: str, slo: list[str]) -> None:
    folder = tmp_path / "r"
    args = ["--base-url", mock_root + "/v1", "--skip-preflight", "--no-circuit-breaker", "-u", "2", "-t", "60s"]
    done = run_load(folder, *args, "--max-requests", "20", *slo, env={"CHATCONFORM_API_KEY": WRONG})
    assert done.returncode == exits.TARGET_FAILED, done.stdout + done.stderr
    summary = read_summary(folder)
    assert summary["alarm"]["kind"] == "all_failed" and summary["run"]["stopped_by"] == "max_requests"
    assert summary["slo"]["passed"] is True  # nothing to gate on, or a gate that holds: still not a pass


def test_ctrl_c_writes_the_report_as_interrupted_without_a_traceback(tmp_path: Path, mock_root: str) -> None:
    folder = tmp_path / "r"
    command = [sys.executable, "-m", "chatconform.cli", "load", "--base-url", mock_root + "/v1"]
    command += ["-u", "2", "-t", "60s", "--output-words", "5", "--report-dir", str(folder)]
    log = tmp_path / "out.txt"
    with log.open("w") as out:
        # A session of its own: the test plays the terminal, whose Ctrl-C goes to the foreground process group.
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CHATCONFORM_API_KEY": KEY},
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while "All users spawned" not in log.read_text() and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.2)
            time.sleep(1.0)  # some requests in flight and done
            os.killpg(proc.pid, signal.SIGINT)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    output = log.read_text()
    assert code == exits.INTERRUPTED, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
    summary = read_summary(folder)
    accounted(summary)
    assert summary["run"]["stopped_by"] == "interrupted" and summary["requests"]["succeeded"] > 0
    assert "interrupted: the figures cover the run until Ctrl-C" in output


def test_a_misspelt_option_names_the_one_meant(tmp_path: Path) -> None:
    done = run_load(tmp_path / "r", "--modles", "claude-haiku-4-5", timeout=60)
    assert done.returncode == exits.USAGE
    assert done.stdout.strip() == "chatconform load: unknown option --modles; did you mean --models?"


def test_no_option_of_locust_is_taken_for_a_typo() -> None:
    code = (
        "from locust.argument_parser import get_parser; "
        "print(' '.join(s for a in get_parser()._actions for s in a.option_strings))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    locust_flags = done.stdout.split()
    assert "--run-time" in locust_flags and len(locust_flags) > 50
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    ours = parser.parse_args([]).known_flags
    assert misspelt([f for f in locust_flags if f not in ours], ours) is None


def test_plain_locust_runs_the_preflight_too(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        done = run_plain_locust(tmp_path, "-t", "5s", "--host", f"http://127.0.0.1:{port}/v1", "StreamingChatUser")
    assert done.returncode == exits.PREFLIGHT_FAILED, done.stdout + done.stderr
    assert "pre-flight failed: nothing listens at" in done.stdout
