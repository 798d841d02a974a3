"""Keys and header values: on no child's command line (`ps`), in no output, on every request."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from chatconform import headers
from chatconform.target import MOCK_KEYS_ENV, mock_subprocess
from tests.load.runs import KEY, accounted, read_summary

# Plain words, so that a mock masking credential-looking header values still journals them as sent.
TENANT = "blue-tenant-harbor-lantern"
ROUTE = "provider=anthropic, region=eu: west"


def descendants(pid: int) -> dict[int, str]:
    """The command lines of `pid`'s living descendants, from /proc (what `ps` shows)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                frontier.append(child)
                try:
                    cmdline = (Path("/proc") / str(child) / "cmdline").read_bytes()
                except OSError:
                    continue
                if cmdline:  # empty once the process has ended (a zombie)
                    found[child] = cmdline.replace(b"\0", b" ").decode()
    return found


def test_the_mock_gets_its_keys_from_the_environment_not_argv(monkeypatch: pytest.MonkeyPatch) -> None:
    stale = "th-stale-key-from-the-shell-0001"
    monkeypatch.setenv(MOCK_KEYS_ENV, stale)  # a value in the parent's environment must not become a mock key
    with mock_subprocess(["--latency", "none", "--api-key", KEY]) as (root, proc):
        argv = (Path("/proc") / str(proc.pid) / "cmdline").read_bytes().decode()
        ok = httpx.get(root + "/v1/models", headers={"authorization": f"Bearer {KEY}"}).status_code
        refused = httpx.get(root + "/v1/models", headers={"authorization": f"Bearer {stale}"}).status_code
    assert KEY not in argv and "--api-key" not in argv
    assert ok == 200 and refused == 401


def test_load_with_the_built_in_mock_and_workers_puts_no_secret_on_a_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    # A few seconds, not a request count: long enough to see every child process while it lives.
    command = [sys.executable, "-m", "chatconform.cli", "load", "--workers", "2", "-u", "4", "-t", "4s"]
    command += ["--output-words", "5", "--mock-latency", "none", "--report-dir", str(folder), "--only-summary"]
    command += ["--header", f"X-Tenant: {TENANT}"]
    env = {**os.environ, "CHATCONFORM_API_KEY": KEY, headers.ENV: f"X-Route: {ROUTE}"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True)
    reader.start()
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 90
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            seen.update(descendants(proc.pid))  # the mock, Locust's master and its two workers
            time.sleep(0.1)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()
    output = "".join(lines)
    assert code == 0, output
    assert len(seen) >= 4, seen  # chatconform mock, locust master, 2 workers
    assert any("chatconform.mock.cli" in c for c in seen.values()), seen
    assert sum("locust" in c for c in seen.values()) >= 1, seen
    for cmdline in seen.values():
        assert KEY not in cmdline and TENANT not in cmdline and "eu: west" not in cmdline
    summary = read_summary(folder)
    accounted(summary)
    assert summary["requests"]["succeeded"] > 0 and summary["requests"]["failed_total"] == 0
    written = output + "".join(p.read_text(errors="replace") for p in folder.iterdir() if p.is_file())
    assert KEY not in written and TENANT not in written and ROUTE not in written


def test_headers_reach_every_request_of_every_worker(tmp_path: Path) -> None:
    with mock_subprocess(["--latency", "none"], api_keys=[KEY]) as (root, _):
        folder = tmp_path / "r"
        command = [sys.executable, "-m", "chatconform.cli", "load", "--base-url", root + "/v1", "--workers", "2"]
        command += ["-u", "4", "-t", "30s", "--max-requests", "40", "--output-words", "5", "--report-dir", str(folder)]
        command += ["--header", f"X-Tenant: {TENANT}", "--only-summary", "--loglevel", "WARNING"]
        env = {**os.environ, "CHATCONFORM_API_KEY": KEY, headers.ENV: f"X-Route: {ROUTE}"}
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
        journal = httpx.get(root + "/mock/journal", headers={"authorization": f"Bearer {KEY}"}).json()["data"]
    assert done.returncode == 0, done.stdout + done.stderr
    chats = [e for e in journal if e["path"] == "/v1/chat/completions"]
    assert len(chats) == 1 + 40  # the pre-flight's one, then the run's
    assert {(e["headers"].get("x-tenant"), e["headers"].get("x-route")) for e in chats} == {(TENANT, ROUTE)}
    user_agents = {re.sub(r"[\d.]+", "", e["headers"].get("user-agent", "")) for e in chats}
    assert len(user_agents) == 2  # the pre-flight (httpx) and the Locust users (geventhttpclient)
    assert TENANT not in done.stdout + done.stderr and KEY not in done.stdout + done.stderr
