"""Hostile endpoints: raw asyncio socket servers that misbehave below HTTP's level of politeness.

One server on a free loopback port serves every behaviour under its own path
prefix (`/<name>/v1/...`). Each behaviour ends on its own: when the client
goes away, or after `LINGER_S` at the latest, so nothing outlives a test
session by more than that.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"
LINGER_S = 20.0  # the longest any behaviour keeps a connection
HEAD_LIMIT = 64 * 1024
HUGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    stream: bool  # the JSON body asked for a stream

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def linger(self) -> None:
        """Hold the connection until the client closes it (it has given up), at most LINGER_S."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(LINGER_S):
                while await self.reader.read(HEAD_LIMIT):
                    pass

    @property
    def content_type(self) -> str:
        return "text/event-stream" if self.stream else "application/json"


Behaviour = Callable[[Connection], Awaitable[None]]


def _head(status: str, content_type: str, length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"content-type: {content_type}", "x-request-id: req_hostile"]
    lines.append(f"content-length: {length}" if length is not None else "connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _chunk(n: int) -> bytes:
    chunk = {
        "id": "chatcmpl-hostile",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "claude-haiku-4-5",
        "choices": [{"index": 0, "delta": {"content": f"word{n} "}, "finish_reason": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


async def stall_before_headers(conn: Connection) -> None:
    await conn.linger()


async def stall_after_headers(conn: Connection) -> None:
    await conn.write(_head("200 OK", conn.content_type, None if conn.stream else 400))
    await conn.linger()


async def endless_stream(conn: Connection) -> None:
    """Valid chunks, one every 5 ms, never a finish_reason or [DONE]: about 50 kB/s, far below any size limit."""
    await conn.write(_head("200 OK", "text/event-stream"))
    for n in range(int(LINGER_S * 200)):
        await conn.write(_chunk(n))
        await asyncio.sleep(0.005)


async def trickle(conn: Connection) -> None:
    """A whole answer promised, one byte every 100 ms: every read is on time, the answer never is."""
    body = b'{"id": "chatcmpl-hostile", "object": "chat.completion", "choices": []}'
    await conn.write(_head("200 OK", "application/json", len(body)))
    for byte in body:
        await conn.write(bytes([byte]))
        await asyncio.sleep(0.1)


async def huge_body(conn: Connection) -> None:
    """A 64 MiB answer, as fast as the client takes it."""
    piece = b" " * (1024 * 1024)
    await conn.write(_head("200 OK", conn.content_type, HUGE_BYTES))
    for _ in range(HUGE_BYTES // len(piece)):
        await conn.write(piece)


async def not_json(conn: Connection) -> None:
    body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    await conn.write(_head("200 OK", "application/json", len(body)) + body)


async def closed_after_headers(conn: Connection) -> None:
    await conn.write(_head("200 OK", conn.content_type, None if conn.stream else 512))


async def closed_before_headers(conn: Connection) -> None:
    return


async def not_http(conn: Connection) -> None:
    await conn.write(b"SSH-2.0-OpenSSH_9.6\r\n")


BEHAVIOURS: dict[str, Behaviour] = {
    "stall-before-headers": stall_before_headers,
    "stall-after-headers": stall_after_headers,
    "endless-stream": endless_stream,
    "trickle": trickle,
    "huge-body": huge_body,
    "not-json": not_json,
    "closed-after-headers": closed_after_headers,
    "closed-before-headers": closed_before_headers,
    "not-http": not_http,
}


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > HEAD_LIMIT:
        raise ValueError("request head too large")
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1] if lines[0].count(" ") >= 2 else "/"
    length = next(
        (
            int(v)
            for k, _, v in (line.partition(":") for line in lines[1:])
            if k.strip().lower() == "content-length" and v.strip().isdigit()
        ),
        0,
    )
    return path, await reader.readexactly(length) if length else b""


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        path, body = await _read_request(reader)
        name = path.lstrip("/").partition("/")[0]
        try:
            stream = json.loads(body).get("stream") is True
        except (ValueError, AttributeError):
            stream = False
        await BEHAVIOURS.get(name, closed_before_headers)(Connection(reader, writer, stream))
    except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.CancelledError):
        pass  # the client went away, or the server is stopping: either way this connection ends here, quietly
    finally:
        writer.close()
        with contextlib.suppress(OSError, asyncio.CancelledError):
            await writer.wait_closed()


class HostileServer:
    def __init__(self) -> None:
        self.root = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(
            target=self._loop.run_until_complete, args=(self._main(),), daemon=True, name="selftest-hostile"
        )

    def base_url(self, name: str) -> str:
        if name not in BEHAVIOURS:
            raise KeyError(f"no hostile behaviour named {name!r}")
        return f"{self.root}/{name}/v1"

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(_serve, LOOPBACK, 0)
        self.root = f"http://{LOOPBACK}:{server.sockets[0].getsockname()[1]}"
        self._ready.set()
        async with server:
            await self._stop.wait()
        lingering = asyncio.all_tasks() - {asyncio.current_task()}
        for task in lingering:
            task.cancel()  # connections still open end with the server
        await asyncio.gather(*lingering, return_exceptions=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile server did not start within 10 s")

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)
        self._loop.close()


@contextmanager
def serve_hostile() -> Iterator[HostileServer]:
    server = HostileServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Hostile:
    name: str  # a key of BEHAVIOURS
    catches: tuple[str, ...]  # checks that must report it (one for the whole answer, one for the stream)
    # No byte came before the timeout: the target could not be tested (an error, not a contract failure).
    could_not_test: bool = False


# A whole answer and a stream through the raw client (judged by checks), and through the official SDK
# (which has no checks to name, but must end in time as well): one request per test.
RAW_TESTS = ("test_system_first", "test_stream_usage_chunk")
HOSTILE_SELECT = (
    "test_system_first or (test_stream_usage_chunk and unasked) or test_stream_sdk"
    " or (test_basic_sdk and not anthropic)"
)
HOSTILE = [
    Hostile("stall-before-headers", (), could_not_test=True),
    Hostile("stall-after-headers", ("response.ok", "stream.done")),
    Hostile("endless-stream", ("response.ok", "stream.done")),
    Hostile("trickle", ("response.ok", "stream.content_type")),
    Hostile("huge-body", ("response.ok", "stream.done")),
    Hostile("not-json", ("response.ok", "stream.content_type")),
    Hostile("closed-after-headers", ("response.ok", "stream.done")),
    Hostile("closed-before-headers", ("response.ok", "stream.content_type")),
    Hostile("not-http", ("response.ok", "stream.content_type")),
]
