"""A normal request is answered within 1 s while the mock is under each hostile load of issue 13.

The mock runs as `chatconform mock` in its own process; hostile clients run in threads here for a
few seconds while five normal requests are timed. The bound is wide on purpose (the machine is
shared); the slowloris case is in test_connections.py.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conftest import RunningMock
from tests.mock.running import ANTHROPIC_HEADERS, CHAT, MESSAGES, ask, message, mock_process

KEY = "th-responsive-0123456789"
AUTH = {"authorization": f"Bearer {KEY}"}
Hostile = Callable[[httpx.Client, threading.Event], None]


@pytest.fixture(scope="module")
def target() -> Iterator[RunningMock]:
    with mock_process(KEY) as mock:
        yield mock


def _repeat(send: Callable[[httpx.Client], object]) -> Hostile:
    def run(client: httpx.Client, stop: threading.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(httpx.HTTPError):  # a hostile client that times out or is cut off tries again
                send(client)

    return run


def _schema(min_length: int) -> dict[str, object]:
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "minLength": min_length}}}
    return ask("Answer in JSON", response_format=fmt)


@functools.cache
def _huge_text() -> bytes:
    return json.dumps(ask("word " * 6_000_000)).encode()  # 30 MB of prompt, built once, when first sent


@functools.cache
def _many_objects() -> bytes:
    return json.dumps({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}] * 150_000}).encode()


LONE = json.dumps(message("PLACEHOLDER")).replace('"PLACEHOLDER"', '"\\ud800"').encode()
JSON = {"content-type": "application/json"}

SITUATIONS: dict[str, tuple[Hostile, int]] = {
    "oversized-schemas": (
        _repeat(lambda c: (c.post(CHAT, json=_schema(10_000_000)), c.post(CHAT, json=_schema(250_000)))),
        3,
    ),
    "30-MB-bodies": (_repeat(lambda c: c.post(CHAT, content=_huge_text(), headers=JSON, timeout=60)), 2),
    "a-body-of-150000-objects": (_repeat(lambda c: c.post(CHAT, content=_many_objects(), headers=JSON, timeout=60)), 2),
    "lone-surrogates": (_repeat(lambda c: c.post(MESSAGES, content=LONE, headers={**JSON, **ANTHROPIC_HEADERS})), 4),
    "long-zero-latency-streams": (_repeat(lambda c: c.post(CHAT, json=ask("Write 20000 words", stream=True))), 2),
    "requests-left-pending": (
        _repeat(lambda c: c.post(CHAT, json=ask(), headers={"x-chatconform-fault": "spike_ms=60000"}, timeout=1)),
        8,
    ),
    "journal-searches": (_repeat(lambda c: c.get("/mock/journal", params={"contains": "never-there"})), 3),
}


@pytest.mark.parametrize("situation", SITUATIONS)
def test_a_normal_request_is_answered_within_a_second(target: RunningMock, situation: str) -> None:
    hostile, threads = SITUATIONS[situation]
    stop = threading.Event()
    clients = [httpx.Client(base_url=target.root, headers=AUTH, timeout=30) for _ in range(threads)]
    workers = [threading.Thread(target=hostile, args=(c, stop), daemon=True) for c in clients]
    for worker in workers:
        worker.start()
    took = []
    try:
        time.sleep(1.0)  # the hostile load is under way
        with httpx.Client(base_url=target.root, headers=AUTH, timeout=10) as normal:
            for _ in range(5):
                began = time.perf_counter()
                response = normal.post(CHAT, json=ask("Reply with exactly: still here"))
                took.append(time.perf_counter() - began)
                assert (
                    response.status_code == 200 and response.json()["choices"][0]["message"]["content"] == "still here"
                )
                time.sleep(0.3)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=90)
        for client in clients:
            client.close()
    assert max(took) < 1.0, [round(t, 3) for t in took]
