"""One billing rule for both shapes: charged when the answer was delivered whole; a client that left is not.

Journal outcomes say `cancelled` for a client that left, streamed or not, paced or at zero latency.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.mock.latency import LatencySettings
from chatconform.server import serve_in_thread
from tests.conftest import RunningMock
from tests.mock.running import ANTHROPIC_HEADERS, CHAT, MESSAGES, ask, connect, message, raw_request, running

KEY = "th-ledger-0123456789"
FACES = {"openai": (CHAT, ask, {}), "anthropic": (MESSAGES, message, ANTHROPIC_HEADERS)}


@pytest.fixture()
def slow() -> Iterator[RunningMock]:
    """Answers due after 300 ms or more: time for a client to leave before the end."""
    with running(MockConfig(api_keys=(KEY,), latency=LatencySettings(ttft_ms=300, itl_ms=20))) as mock:
        yield mock


@pytest.fixture()
def instant() -> Iterator[RunningMock]:
    """Zero latency, served as `chatconform mock` serves it: the guard's socket probe sees departures."""
    with running(MockConfig(api_keys=(KEY,))) as mock:
        yield mock


@pytest.fixture()
def instant_unguarded() -> Iterator[RunningMock]:
    """Zero latency, served by plain uvicorn: departures are seen by letting the event loop turn."""
    with serve_in_thread(create_app(MockConfig(api_keys=(KEY,)))) as root:
        yield RunningMock(root, KEY)


def _books(mock: RunningMock) -> tuple[list[dict[str, Any]], int]:
    with mock.client() as http:
        journal = http.get("/mock/journal").json()["data"]
        return journal, http.get("/mock/ledger").json()["totals"]["requests"]


def _settled(mock: RunningMock, count: int) -> list[dict[str, Any]]:
    """The journal once `count` entries have left `pending` (bounded wait)."""
    entries: list[dict[str, Any]] = []
    for _ in range(200):
        entries = _books(mock)[0]
        if len(entries) >= count and all(e["outcome"] != "pending" for e in entries):
            break
        time.sleep(0.02)
    return entries


def _leave_early(mock: RunningMock, face: str, stream: bool, wait_s: float) -> None:
    """Send a request, wait a little (or not at all), close the socket without reading the answer.

    Not waiting at all, the request and the FIN go out in one segment (TCP_CORK, then shutdown), so
    the client has left before the mock can have sent a byte, however loaded the machine is."""
    path, build, headers = FACES[face]
    body = json.dumps(build("Count from 1 to 30", stream=stream)).encode()
    with connect(mock.root) as sock:
        if not wait_s:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        sock.sendall(raw_request(path, body, {"authorization": f"Bearer {KEY}", **headers}))
        if wait_s:
            time.sleep(wait_s)
        else:
            sock.shutdown(socket.SHUT_WR)


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_client_that_leaves_a_slow_answer_is_not_charged(slow: RunningMock, face: str, stream: bool) -> None:
    _leave_early(slow, face, stream, wait_s=0.1)
    entries = _settled(slow, 1)
    assert [e["outcome"] for e in entries] == ["cancelled"]
    assert _books(slow)[1] == 0


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("server", ["instant", "instant_unguarded"])
def test_a_client_gone_before_a_zero_latency_answer_is_not_charged(
    request: pytest.FixtureRequest, server: str, face: str, stream: bool
) -> None:
    """At zero latency the answer is one burst; a client that closed before it was sent is still seen."""
    mock: RunningMock = request.getfixturevalue(server)
    for _ in range(10):
        _leave_early(mock, face, stream, wait_s=0)
    entries = _settled(mock, 10)
    assert [e["outcome"] for e in entries] == ["cancelled"] * 10
    assert _books(mock)[1] == 0


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("latency", ["instant", "slow"])
def test_an_answer_read_to_the_end_is_charged_once(
    request: pytest.FixtureRequest, face: str, stream: bool, latency: str
) -> None:
    mock: RunningMock = request.getfixturevalue(latency)
    path, build, headers = FACES[face]
    with mock.client() as http:
        response = http.post(path, json=build("Count from 1 to 5", stream=stream), headers=headers)
        assert response.status_code == 200
    entries = _settled(mock, 1)
    assert [e["outcome"] for e in entries] == ["completed"]
    assert _books(mock)[1] == 1
    assert entries[0]["usage"]["completion_tokens"] > 0
