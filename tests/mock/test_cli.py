"""`chatconform mock` as a user starts it: a real process, its flags and config file, the SDK against it."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai

from chatconform.target import mock_subprocess

KEY = "th-cli-canary-0123456789abcdef"


def test_sdk_against_the_command(tmp_path: Path) -> None:
    with mock_subprocess(["--api-key", KEY]) as (root, _):
        client = openai.OpenAI(base_url=root + "/v1", api_key=KEY, max_retries=0, timeout=10)
        ask = [{"role": "user", "content": "Reply with exactly: cli-ok"}]
        whole = client.chat.completions.create(model="anthropic/claude-haiku-4-5", messages=ask)  # type: ignore[arg-type]
        streamed = client.chat.completions.create(model="claude-haiku-4-5", messages=ask, stream=True)  # type: ignore[arg-type]
        text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
        also = openai.OpenAI(base_url=root + "/api/v1", api_key=KEY, max_retries=0)
        assert also.chat.completions.create(model="claude-4-opus", messages=ask).choices[0].message.content == "cli-ok"  # type: ignore[arg-type]
    assert whole.choices[0].message.content == "cli-ok"
    assert text == "cli-ok"


def test_flags_set_latency_and_faults() -> None:
    args = [
        "--api-key",
        KEY,
        "--ttft-ms",
        "120",
        "--itl-ms",
        "0",
        "--fault",
        "error_rate=1",
        "--fault",
        "error_statuses=503",
    ]
    with mock_subprocess(args) as (root, _):
        start = time.perf_counter()
        response = httpx.post(
            root + "/v1/chat/completions",
            headers={"authorization": f"Bearer {KEY}"},
            json={"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}]},
        )
        elapsed = time.perf_counter() - start
    assert response.status_code == 503
    assert elapsed < 5  # the error comes before any token: no time-to-first-token wait


def test_config_file(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text(f'[mock]\napi_keys = ["{KEY}"]\n\n[latency]\nttft_ms = 150\n')
    with mock_subprocess(["--config", str(config)]) as (root, _):
        start = time.perf_counter()
        response = httpx.post(
            root + "/v1/chat/completions",
            headers={"authorization": f"Bearer {KEY}"},
            json={"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}]},
        )
        elapsed = time.perf_counter() - start
        wrong = httpx.get(root + "/v1/models", headers={"authorization": "Bearer th-not-configured"})
    assert response.status_code == 200 and elapsed >= 0.15
    assert wrong.status_code == 401


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text("[faults]\nerror_rat = 0.5\n")
    result = subprocess.run(
        [sys.executable, "-m", "chatconform.cli", "mock", "--config", str(config), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "error_rat" in result.stderr and "Traceback" not in result.stderr


def test_the_key_stays_out_of_the_journal() -> None:
    with mock_subprocess(["--api-key", KEY]) as (root, _):
        headers = {"authorization": f"Bearer {KEY}", "x-custom": f"key={KEY}"}
        httpx.post(
            root + "/v1/chat/completions",
            headers=headers,
            json={"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}]},
        )
        journal = httpx.get(root + "/mock/journal", headers={"authorization": f"Bearer {KEY}"}).json()
    assert journal["data"] and KEY not in json.dumps(journal)
