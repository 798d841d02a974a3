"""Start one Locust run in a child process: the command line and its environment.

Locust runs in its own process because it monkey-patches the interpreter
with gevent and, with `--processes`, forks it; the `chatconform load` process
keeps the mock, the sweep loop and the plots out of that. The API key and the
custom headers travel in environment variables, never on a command line
(`ps` shows those to every user of the machine).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatconform import headers
from chatconform.load import scenarios
from chatconform.load.options import API_KEY_ENV, MOCK_ENV, OPTIONS, UPSTREAM_KEY_ENV

HERE = Path(__file__).resolve().parent
LOCUSTFILE = HERE / "locustfile.py"
STAGES_LOCUSTFILE = HERE / "stages_locustfile.py"


@dataclass
class Launch:
    base_url: str
    api_key: str
    is_mock: bool
    users: int
    spawn_rate: float
    run_time: str
    stop_timeout: float
    scenario: str
    report_dir: Path
    workers: int = 0
    headful: bool = False
    headers: dict[str, str] = field(default_factory=dict)  # custom headers, handed over in the environment
    options: dict[str, Any] = field(default_factory=dict)  # values of OPTIONS by dest name
    extra: list[str] = field(default_factory=list)  # anything else, passed to Locust as given

    def command(self) -> list[str]:
        files = str(LOCUSTFILE) + (f",{STAGES_LOCUSTFILE}" if self.options.get("stages") else "")
        cmd = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            files,
            "--host",
            self.base_url,
            "-u",
            str(self.users),
            "-r",
            f"{self.spawn_rate:g}",
            "-t",
            self.run_time,
            "--stop-timeout",
            f"{self.stop_timeout:g}",
            "--report-dir",
            str(self.report_dir),
            "--html",
            str(self.report_dir / "locust.html"),
            "--csv",
            str(self.report_dir / "locust"),
        ]
        cmd += ["--autostart", "--autoquit", "30", "--web-host", "127.0.0.1"] if self.headful else ["--headless"]
        if self.workers:
            port = free_port()
            cmd += [
                "--processes",
                str(self.workers),
                "--master-bind-host",
                "127.0.0.1",
                "--master-bind-port",
                str(port),
                "--master-port",
                str(port),
            ]
        cmd += forwarded(self.options)
        return [*cmd, *self.extra, scenarios.get(self.scenario).user_class]

    def run(self) -> int:
        self.report_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, API_KEY_ENV: self.api_key, "PYTHONUNBUFFERED": "1"}
        env.pop(MOCK_ENV, None)
        env.pop(headers.ENV, None)
        env.update(headers.to_env(self.headers))
        if self.is_mock:
            env[MOCK_ENV] = "1"
        if self.options.get("upstream_key"):  # a secret: the environment carries it, never the command line
            env[UPSTREAM_KEY_ENV] = self.options["upstream_key"]
        return supervise(self.command(), env)


def worker(extra: list[str]) -> int:
    """Run a Locust worker of chatconform's scenarios, e.g. with `--master-host 10.0.0.5`."""
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker", *extra]
    return supervise(command, {**os.environ, "PYTHONUNBUFFERED": "1"})


def supervise(command: list[str], env: dict[str, str]) -> int:
    """Run Locust and pass it each Ctrl-C (and SIGTERM) exactly once; return its exit code.

    Locust runs in a process group of its own, so a Ctrl-C in the terminal
    reaches this process only, and is forwarded: one signal, one clean stop
    (Locust stops its users and writes the report). Were both in the
    terminal's group, Locust would get it twice, and this process would die
    first, taking the report with it. Its stdin is not the terminal: a
    process outside the foreground group that touches the terminal is
    stopped by the kernel (so Locust's w/W/s/S keys are not available here).
    A third Ctrl-C kills Locust outright.
    """
    child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, process_group=0)
    interrupts = 0

    def forward(signum: int, _frame: Any) -> None:
        nonlocal interrupts
        interrupts += signum == signal.SIGINT
        child.send_signal(signal.SIGKILL if interrupts >= 3 else signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def forwarded(values: dict[str, Any]) -> list[str]:
    """The load options as Locust arguments; secrets (the key, header values) go in the environment instead."""
    out: list[str] = []
    for option in OPTIONS:
        value = values.get(option.dest)
        if option.secret or option.dest == "report_dir" or value is None or value is False or value in ("", []):
            continue
        if value is True:  # a store_true flag
            out.append(option.flag(locust=True))
            continue
        for item in value if isinstance(value, list) else [value]:
            out += [option.flag(locust=True), f"{item:g}" if isinstance(item, float) else str(item)]
    return out


def free_port() -> int:
    """A loopback port for the Locust master: --processes workers must know it before it binds."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
