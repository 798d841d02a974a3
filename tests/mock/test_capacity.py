"""The optional capacity model: a queue whose arithmetic is the documented formula, wired into the mock.

The queue is tested on an injected clock, exactly; through HTTP only wide bounds hold (the queue
makes later requests wait at least part of what the formula says, and refuses past `max_queue_s`).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatconform.mock.capacity import Capacity, CapacitySettings, Overloaded
from chatconform.mock.cli import add_arguments, build_config
from chatconform.mock.config import MockConfig, load_config
from chatconform.mock.prompt_cache import DEFAULT_MIN_TOKENS
from tests.mock.running import (
    ANTHROPIC_HEADERS,
    CHAT,
    MESSAGES,
    ask,
    is_anthropic_error,
    is_openai_error,
    message,
    running,
)

KEY = "th-capacity-0123456789"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_work_and_knee_follow_the_formula() -> None:
    settings = CapacitySettings(tokens_per_s=1000, prefill_ms_per_token=0.1)
    assert settings.work_s(20, 50) == pytest.approx(0.002 + 0.05)
    assert settings.knee_rps(20, 50) == pytest.approx(1 / 0.052)
    assert not CapacitySettings().enabled and CapacitySettings().describe() == "off"


def test_below_the_knee_nobody_waits_above_it_each_waits_longer() -> None:
    clock = Clock()
    engine = Capacity(CapacitySettings(tokens_per_s=100, prefill_ms_per_token=1.0), clock)
    work = 10 * 0.001 + 5 / 100  # W = 0.06 s for 10 prompt and 5 output tokens
    shifts = []
    for _ in range(5):  # every 0.1 s: below the knee (1 / 0.06 = 16.7 per s)
        shifts.append(engine.admit(10, 5))
        clock.t += 0.1
    assert shifts == pytest.approx([0.01] * 5)  # only the request's own prefill
    assert engine.backlog_s() == 0
    shifts = []
    for _ in range(5):  # every 0.05 s: above it, the wait grows by W - 0.05 per request
        shifts.append(engine.admit(10, 5))
        clock.t += 0.05
    assert shifts == pytest.approx([0.01 + n * (work - 0.05) for n in range(5)])


def test_a_queue_longer_than_max_queue_s_is_refused() -> None:
    clock = Clock()
    engine = Capacity(CapacitySettings(tokens_per_s=10, max_queue_s=1.0), clock)
    assert engine.admit(0, 6) == 0  # 0.6 s of work
    assert engine.admit(0, 6) == pytest.approx(0.6)  # waits 0.6 s: within the bound
    with pytest.raises(Overloaded):
        engine.admit(0, 6)  # would wait 1.2 s
    clock.t += 0.5
    assert engine.admit(0, 1) == pytest.approx(0.7)  # the refused request added no work


@pytest.mark.parametrize(
    "bad", [{"tokens_per_s": 0}, {"tokens_per_s": 10, "prefill_ms_per_token": -1}, {"tokens_per_s": True}]
)
def test_settings_are_bounded(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="capacity"):
        CapacitySettings(**bad)


def test_flags_and_config_file(tmp_path: Path) -> None:
    config = tmp_path / "mock.toml"
    config.write_text("[capacity]\ntokens_per_s = 500\nmax_queue_s = 4\n")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    built = build_config(parser.parse_args(["--config", str(config), "--prefill-ms-per-token", "0.5"]))
    assert built.capacity == CapacitySettings(tokens_per_s=500, prefill_ms_per_token=0.5, max_queue_s=4)
    assert build_config(parser.parse_args([])).capacity == CapacitySettings()  # off by default
    assert load_config(config).cache_min_tokens == DEFAULT_MIN_TOKENS
    config.write_text("[capacity]\ntokens_per_sec = 500\n")
    with pytest.raises(ValueError, match="tokens_per_sec"):
        load_config(config)


def _auth(key: str) -> dict[str, str]:
    """The key as either face takes it (the OpenAI face reads the bearer, the Anthropic face x-api-key first)."""
    return {"authorization": f"Bearer {key}", "x-api-key": key}


async def _together(root: str, path: str, body: dict[str, Any], headers: dict[str, str], n: int) -> list[Any]:
    async with httpx.AsyncClient(base_url=root, headers=headers, timeout=30) as http:
        return list(await asyncio.gather(*(http.post(path, json=body) for _ in range(n))))


def test_requests_queue_for_the_engine() -> None:
    """Four requests at once, 0.25 s of work each: the last waits about 0.75 s (at least half of it)."""
    body = ask("Reply with exactly: " + " ".join(["word"] * 9), stream=True)
    with running(MockConfig(api_keys=(KEY,))) as probe, probe.client() as http:
        tokens = http.post(CHAT, json={**body, "stream": False}).json()["usage"]["completion_tokens"]
    config = MockConfig(api_keys=(KEY,), capacity=CapacitySettings(tokens_per_s=tokens / 0.25))
    with running(config) as mock:
        responses = asyncio.run(_together(mock.root, CHAT, body, _auth(mock.key), 4))
        with mock.client() as http:
            entries = http.get("/mock/journal").json()["data"]
    assert [r.status_code for r in responses] == [200] * 4
    waits = sorted(e["sent"]["first"][0] - e["sent"]["received"] for e in entries)
    assert waits[0] < 0.2 and waits[-1] > 0.375 and waits[-1] < 5


@pytest.mark.parametrize(
    ("path", "build", "headers", "status", "envelope"),
    [(CHAT, ask, {}, 503, is_openai_error), (MESSAGES, message, ANTHROPIC_HEADERS, 529, is_anthropic_error)],
)
def test_overload_is_refused_in_the_face_words(
    path: str, build: Any, headers: dict[str, str], status: int, envelope: Any
) -> None:
    body = build("Reply with exactly: " + " ".join(["word"] * 9))
    config = MockConfig(api_keys=(KEY,), capacity=CapacitySettings(tokens_per_s=10, max_queue_s=0.2))
    with running(config) as mock:
        responses = asyncio.run(_together(mock.root, path, body, {**_auth(mock.key), **headers}, 3))
        with mock.client() as http:
            outcomes = sorted(e["outcome"] for e in http.get("/mock/journal").json()["data"])
    refused = [r for r in responses if r.status_code != 200]
    assert len(refused) == 2 and all(r.status_code == status and envelope(r) for r in refused)
    assert outcomes == ["completed", "overloaded", "overloaded"]
