"""The endpoint under test: a user's gateway, or the built-in mock started on demand.

With no base URL, chatconform starts its own mock on a free loopback port
and never falls back to a paid public endpoint. The mock runs in a thread
for the suites (cheap, same process) and in a subprocess for load runs (so
the load generator's gevent patching and the server's event loop never share
a process or a core).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from chatconform.profile import Profile
from chatconform.redact import register_secret

MOCK_KEYS_ENV = "CHATCONFORM_MOCK_API_KEYS"  # read by `chatconform mock`, comma-separated
_SERVING = re.compile(r"serving (http://[\d.]+:\d+)/v1")


@dataclass(frozen=True)
class Target:
    base_url: str  # ends with the API version segment, e.g. http://127.0.0.1:8000/v1
    api_key: str
    profile: Profile
    is_mock: bool = False
    headers: dict[str, str] = field(default_factory=dict)  # custom headers for every request (values are secrets)

    @property
    def root_url(self) -> str:
        """The server root: where the mock's admin routes live."""
        return re.sub(r"/(api/)?v1/?$", "", self.base_url)

    @property
    def label(self) -> str:
        return "built-in mock" if self.is_mock else self.base_url


def session_key(profile: Profile) -> str:
    """A fresh key for a mock run, shaped like the profile's keys."""
    key = (profile.api_key_prefix or "key-") + "mock-" + secrets.token_hex(16)
    register_secret(key)
    return key


@contextmanager
def mock_subprocess(
    args: list[str], timeout_s: float = 30.0, api_keys: Sequence[str] = ()
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run `chatconform mock --port 0 <args>` as a child; yield (root URL, process).

    Keys never reach the child's command line, which every user of the
    machine can read (`ps`): `api_keys`, and any `--api-key KEY` in `args`,
    are handed over in the environment (MOCK_KEYS_ENV, comma-separated).
    The child runs in a process group of its own, so a Ctrl-C in the
    terminal stops the run that uses the mock, not the mock under it; this
    context manager ends it.
    """
    rest, keys = _without_keys(args)
    keys += list(api_keys)
    if any("," in key for key in keys):
        raise ValueError("a mock API key cannot contain ','")
    command = [sys.executable, "-m", "chatconform.mock.cli", "--host", "127.0.0.1", "--port", "0", *rest]
    env = {k: v for k, v in os.environ.items() if k != MOCK_KEYS_ENV}
    env.update({"PYTHONUNBUFFERED": "1", **({MOCK_KEYS_ENV: ",".join(keys)} if keys else {})})
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, process_group=0
    )
    # Keep reading the child's output once it has started, or a full pipe would block its logging.
    drain = threading.Thread(target=_drain, args=(proc,), daemon=True)
    try:
        url = _wait_for_url(proc, timeout_s)
        drain.start()
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if drain.is_alive():
            drain.join(timeout=5)  # the pipe ends with the child
        if proc.stdout is not None:
            proc.stdout.close()  # else an unclosed-file ResourceWarning at garbage collection


def _without_keys(args: list[str]) -> tuple[list[str], list[str]]:
    """Split `--api-key KEY` and `--api-key=KEY` out of a mock command line: (the rest, the keys)."""
    rest: list[str] = []
    keys: list[str] = []
    items = iter(args)
    for arg in items:
        if arg == "--api-key":
            keys.append(next(items, ""))
        elif arg.startswith("--api-key="):
            keys.append(arg.partition("=")[2])
        else:
            rest.append(arg)
    return rest, [k for k in keys if k]


def _drain(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for _ in proc.stdout:
        pass


def _wait_for_url(proc: subprocess.Popen[str], timeout_s: float) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        match = _SERVING.search(line)
        if match:
            return match.group(1)
    raise RuntimeError("the mock did not start:\n" + "".join(seen[-20:]))
