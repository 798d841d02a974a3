"""Run the client drivers as subprocesses against a running mock and collect what each observed.

Each client is one process that runs all its features in a row (start-up dominates: importing litellm or
LangChain takes seconds, a request on loopback a few milliseconds), and every client's process is started at
once, so the matrix takes about as long as its slowest client. Output goes to temporary files rather than
pipes, so a chatty driver cannot block on a full pipe while the test waits for another. The mock's key
travels in the environment only, and the driver's stderr is redacted before a failing test shows it.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chatconform.redact import redact
from tests.clients.clients import CLIENTS, Client

# A wide, honest bound for a whole driver: ~10 s alone for the slowest (litellm's import), more when the
# machine's two cores are shared with the rest of the suite.
DRIVER_TIMEOUT_S = 180.0
# Host variables a driver may see; everything else (proxies, provider keys and base URLs, tracing
# switches such as LANGSMITH_TRACING) stays out, so a developer's shell cannot change what is tested.
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


@dataclass
class Run:
    client: Client
    features: list[str]
    process: subprocess.Popen[bytes]
    stdout: IO[bytes]
    stderr: IO[bytes]
    started: float
    seconds: float | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    returncode: int | None = None
    stderr_tail: str = ""

    def poll(self) -> bool:
        """Whether the driver has ended; notes when, so its time does not include the test's wait."""
        if self.seconds is None and self.process.poll() is not None:
            self.seconds = time.perf_counter() - self.started
        return self.seconds is not None

    def finish(self, timeout_s: float) -> None:
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            self.stderr_tail = f"(killed after {timeout_s:.0f} s)\n"
        self.poll()
        self.returncode = self.process.returncode
        self.results = parse_lines(_read(self.stdout))
        self.stderr_tail += redact(_read(self.stderr)[-3000:])

    def explain(self, feature: str) -> str:
        return (
            f"{self.client.id} printed no result for {feature!r} (exit code {self.returncode}, "
            f"{self.seconds or 0:.1f} s); its stderr ends with:\n{self.stderr_tail}"
        )


def _read(handle: IO[bytes]) -> str:
    handle.seek(0)
    text = handle.read().decode("utf-8", errors="replace")
    handle.close()
    return text


def parse_lines(text: str) -> dict[str, dict[str, Any]]:
    """The driver's result lines by feature; anything else a library printed on stdout is ignored."""
    results: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("feature"), str):
            results[value["feature"]] = value
    return results


def driver_env(client: Client, root: str, key: str, features: Iterable[str]) -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    return (
        env
        | dict(client.env)
        | {
            "CHATCONFORM_MOCK_ROOT": root,
            "CHATCONFORM_MOCK_KEY": key,
            "CHATCONFORM_FEATURES": ",".join(features),
            "CHATCONFORM_VARIANT": client.variant,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )


def start(client: Client, root: str, key: str, features: list[str]) -> Run:
    # Not context managers: the files outlive this call, and Run.finish reads and closes them.
    stdout, stderr = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
    command = client.command()
    process = subprocess.Popen(
        command,
        cwd=Path(command[-1]).parent,
        env=driver_env(client, root, key, features),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
    )
    return Run(client, features, process, stdout, stderr, time.perf_counter())


class Matrix:
    """Drivers started together on first use; each client's results are read when its first test asks."""

    def __init__(self, root: str, key: str, wanted: Mapping[str, list[str]], timeout_s: float = DRIVER_TIMEOUT_S):
        self._root, self._key, self._wanted, self._timeout_s = root, key, wanted, timeout_s
        self._runs: dict[str, Run] = {}

    def _start_all(self) -> None:
        for client_id, features in self._wanted.items():
            self._runs[client_id] = start(CLIENTS[client_id], self._root, self._key, features)

    def run_of(self, client: Client) -> Run:
        if not self._runs:
            self._start_all()
        if client.id not in self._runs:  # a client the session did not announce (e.g. a rerun)
            self._runs[client.id] = start(client, self._root, self._key, list(client.features))
        run = self._runs[client.id]
        if run.returncode is None:
            run.finish(max(1.0, self._timeout_s - (time.perf_counter() - run.started)))
        return run

    def wait_all(self, poll_s: float = 0.02) -> None:
        """Wait for every driver (bounded by the timeout), noting each one's end as it comes."""
        if not self._runs:
            self._start_all()
        deadline = time.perf_counter() + self._timeout_s
        while not all([run.poll() for run in self._runs.values()]) and time.perf_counter() < deadline:  # poll each
            time.sleep(poll_s)
        for run in self._runs.values():
            self.run_of(run.client)

    def observe(self, client: Client, feature: str) -> dict[str, Any] | None:
        return self.run_of(client).results.get(feature)

    def close(self) -> None:
        for run in self._runs.values():
            if run.returncode is None:
                run.finish(timeout_s=0.1)
