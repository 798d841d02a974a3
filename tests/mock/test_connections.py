"""The header/body deadline and the connection cap (chatconform/mock/connections.py).

These also guard the adapter: it overrides uvicorn's httptools protocol, so an uvicorn upgrade
that renames what it relies on makes these fail rather than silently dropping the protection.
"""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.mock.journal import Journal
from chatconform.mock.serving import serve_options
from chatconform.server import serve_in_thread
from tests.conftest import RunningMock
from tests.mock.running import CHAT, ask, connect, is_openai_error, raw_request, running

KEY = "th-conn-0123456789"
AUTH = {"authorization": f"Bearer {KEY}"}
LONG = ask("Count from 1 to 20")


@pytest.fixture()
def strict() -> Iterator[RunningMock]:
    with running(MockConfig(api_keys=(KEY,), header_timeout_s=0.5, max_connections=6)) as mock:
        yield mock


def _read_all(sock: socket.socket, within_s: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes; and when it closed, seconds from now."""
    start, data = time.monotonic(), b""
    sock.settimeout(within_s)
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pass
    return data, time.monotonic() - start


def _status_and_body(data: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_headers_sent_too_slowly_get_a_408_and_a_close(strict: RunningMock) -> None:
    with connect(strict.root) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        data, closed_after = _read_all(sock, within_s=5)
    status, body = _status_and_body(data)
    assert status == 408 and body["error"]["code"] == "request_timeout"  # type: ignore[index]
    assert closed_after < 3


def test_a_connection_that_never_speaks_is_closed(strict: RunningMock) -> None:
    with connect(strict.root) as sock:
        data, closed_after = _read_all(sock, within_s=5)
    assert data.startswith(b"HTTP/1.1 408") and closed_after < 3


def test_a_body_that_never_ends_is_cut_off_and_not_journaled(strict: RunningMock) -> None:
    request = raw_request(CHAT, b"x" * 1000, AUTH)
    with connect(strict.root) as sock:
        sock.sendall(request[: len(request) - 990])  # the headers and 10 bytes of a 1000-byte body
        _, closed_after = _read_all(sock, within_s=5)
    assert closed_after < 3
    with strict.client() as http:
        assert http.get("/mock/journal").json()["data"] == []


def test_a_full_house_of_idle_connections_makes_room_for_a_new_one(strict: RunningMock) -> None:
    idle = [connect(strict.root) for _ in range(6)]
    time.sleep(0.1)
    response = httpx.post(strict.root + CHAT, json=ask(), headers=AUTH, timeout=5)
    assert response.status_code == 200
    for sock in idle:
        sock.close()


def test_when_every_connection_is_busy_a_newcomer_gets_a_503_envelope() -> None:
    config = MockConfig(api_keys=(KEY,), max_connections=2, header_timeout_s=5)
    app = create_app(config)
    with serve_in_thread(app, **serve_options(config)) as root:
        slow = {**AUTH, "x-chatconform-fault": "pace_ms=100"}
        args = {"json": LONG, "headers": slow, "timeout": 30}
        busy = [threading.Thread(target=httpx.post, args=(root + CHAT,), kwargs=args) for _ in range(2)]
        for thread in busy:
            thread.start()
        _wait_pending(app.state.mock.journal, 2)  # both are being answered, slowly: 40 chunks 100 ms apart
        with connect(root) as sock:
            data, _ = _read_all(sock, within_s=5)
        for thread in busy:
            thread.join(timeout=10)
    status, body = _status_and_body(data)
    assert status == 503 and body["error"]["code"] == "too_many_connections"  # type: ignore[index]
    assert is_openai_error(httpx.Response(503, content=data.partition(b"\r\n\r\n")[2]))


def _wait_pending(journal: Journal, count: int) -> None:
    """Until `count` requests are in the journal, pending (bounded wait)."""
    for _ in range(200):
        if sum(e["outcome"] == "pending" for e in journal.entries(None)["data"]) >= count:
            return
        time.sleep(0.02)


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


@pytest.mark.skipif(resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 4096, reason="the attacker needs 2,000 sockets")
def test_two_thousand_slowloris_connections_under_a_1024_file_limit() -> None:
    """The issue's attack: 2,000 connections dribbling headers at a mock limited to 1,024 files. Every
    one is closed within the deadline (plus a wide margin), and a normal request meanwhile takes < 1 s."""
    args = ["--port", "0", "--api-key", KEY, "--header-timeout", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatconform.mock.cli", *args], stdout=subprocess.PIPE, text=True, preexec_fn=_limited
    )
    try:
        assert proc.stdout is not None
        root = next(line for line in proc.stdout if "serving" in line).split("serving ")[1].split()[0][: -len("/v1")]
        closed, normal = asyncio.run(_attack(root))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert max(normal) < 1.0, normal
    assert len(closed) == 2000 and max(closed) < 2 + 8, max(closed)


async def _attack(root: str) -> tuple[list[float], list[float]]:
    host, port = root.removeprefix("http://").split(":")
    start, closed = time.monotonic(), []

    async def dribble() -> None:
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
            for _ in range(30):  # a header line a second, for up to 30 s
                await asyncio.sleep(1)
                if reader.at_eof() or writer.transport.is_closing():
                    break
                writer.write(b"X-Slow: 1\r\n")
            writer.close()
        except OSError:
            pass  # refused or reset: closed, which is the point
        closed.append(time.monotonic() - start)

    attackers = [asyncio.ensure_future(dribble()) for _ in range(2000)]
    await asyncio.sleep(1.0)
    normal = []
    async with httpx.AsyncClient(timeout=10) as client:
        for _ in range(3):
            began = time.perf_counter()
            response = await client.post(root + CHAT, json=ask(), headers=AUTH)
            normal.append(time.perf_counter() - began if response.status_code == 200 else float("inf"))
            await asyncio.sleep(0.3)
    await asyncio.wait(attackers, timeout=15)
    return closed, normal
