"""`chatconform mock` start-up: keys from the environment or a private file (never `ps`), the admin key,
one-line start-up errors, and a banner that states the latency in force."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from chatconform.profile import load_profile
from chatconform.target import mock_subprocess
from tests.e2e.litellm_gateway import MASTER_KEY_ENV, UPSTREAM_KEY_ENV, child_env, config_without_keys
from tests.mock.running import CHAT, ask

KEY_A, KEY_B = "th-env-a-" + secrets.token_hex(8), "th-env-b-" + secrets.token_hex(8)


def _status(root: str, key: str, path: str = CHAT) -> int:
    if path == CHAT:
        return httpx.post(root + CHAT, json=ask(), headers={"authorization": f"Bearer {key}"}, timeout=10).status_code
    return httpx.get(root + path, headers={"authorization": f"Bearer {key}"}, timeout=10).status_code


def _command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`chatconform mock` that is expected to stop at once (a start-up error)."""
    command = [sys.executable, "-m", "chatconform.cli", "mock", "--port", "0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


def test_keys_from_the_environment_stay_off_the_command_line() -> None:
    # mock_subprocess hands its keys over in CHATCONFORM_MOCK_API_KEYS, the child's environment.
    with mock_subprocess([], api_keys=[KEY_A, KEY_B]) as (root, proc):
        assert _status(root, KEY_A) == 200 and _status(root, KEY_B) == 200
        assert _status(root, "th-not-one-of-them-0123") == 401
        command = _command_line(proc.pid)
    assert KEY_A not in command and KEY_B not in command


def test_a_private_key_file_is_read(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"# the mock's keys\n{KEY_A}\n\n{KEY_B}\n")
    keys.chmod(0o600)
    with mock_subprocess(["--api-key-file", str(keys)]) as (root, proc):
        assert _status(root, KEY_B) == 200 and _status(root, "th-other-0123456789") == 401
        assert KEY_A not in _command_line(proc.pid)


@pytest.mark.parametrize("mode", [0o640, 0o604], ids=["group-readable", "world-readable"])
def test_an_exposed_key_file_is_refused_in_one_line(tmp_path: Path, mode: int) -> None:
    keys = tmp_path / "keys"
    keys.write_text(KEY_A + "\n")
    keys.chmod(mode)
    result = _start("--api-key-file", str(keys))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "readable by group or others" in lines[0] and f"chmod 600 {keys}" in lines[0]
    assert KEY_A not in result.stderr + result.stdout


def test_a_missing_key_file_is_one_line(tmp_path: Path) -> None:
    result = _start("--api-key-file", str(tmp_path / "absent"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_the_admin_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    admin = "admin-" + secrets.token_hex(12)
    monkeypatch.setenv("CHATCONFORM_MOCK_ADMIN_KEY", admin)
    with mock_subprocess(["--api-key", KEY_A]) as (root, proc):
        httpx.post(root + CHAT, json=ask(), headers={"authorization": f"Bearer {KEY_A}"}, timeout=10)
        books = httpx.get(root + "/mock/ledger", headers={"authorization": f"Bearer {admin}"}, timeout=10).json()
        assert books["totals"]["requests"] == 1 and "by_key" in books
        assert _status(root, admin) == 401  # not a chat key
        assert admin not in _command_line(proc.pid)


def test_a_busy_port_is_one_line_naming_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "chatconform.cli", "mock", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "already in use" in lines[0]


def test_the_banner_states_the_latency_in_force() -> None:
    command = [sys.executable, "-m", "chatconform.mock.cli", "--port", "0", "--ttft-ms", "200", "--itl-ms", "20"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        banner = child.stdout.readline()
    finally:
        child.terminate()
        child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()
    assert "latency ttft 200 ms, itl 20 ms" in banner and "latency none" not in banner


def test_bad_limits_are_one_line() -> None:
    result = _start("--header-timeout", "0", "--max-connections", "0")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_the_litellm_launcher_writes_no_key_and_passes_them_by_environment() -> None:
    """tests/e2e/litellm_gateway.py: the config file names environment variables, the child's environment
    holds the values, and neither is on a command line."""
    upstream, master = "th-up-" + secrets.token_hex(8), "th-gw-" + secrets.token_hex(8)
    config = config_without_keys(load_profile("tokenhub"), "http://127.0.0.1:1", 5.0)
    text = repr(config)
    assert upstream not in text and master not in text
    assert config["general_settings"]["master_key"] == "os.environ/" + MASTER_KEY_ENV
    assert {d["litellm_params"]["api_key"] for d in config["model_list"]} == {"os.environ/" + UPSTREAM_KEY_ENV}
    env = child_env(upstream, master)
    assert env[UPSTREAM_KEY_ENV] == upstream and env[MASTER_KEY_ENV] == master
