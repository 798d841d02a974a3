"""Loopback stand-ins for gateway mode: an upstream that journals its send times, and a gateway in front of it.

`FakeUpstream` streams OpenAI chunks and journals, per request, the `sent`
field the built-in mock's journal carries (CLOCK_MONOTONIC seconds: the first
and the last KEEP content events' send times and their count), served at
`GET /mock/journal?contains=TEXT` behind its key. It stands in for the mock
on a branch where the mock's `sent` field has not landed; `journal_size`
bounds it like the mock's journal, so a request it no longer holds can be
tested.

`Gateway` relays POST /v1/chat/completions to an upstream with httpx, event
by event, in a process of its own (`serve_child`): mode `delay` sleeps `delay_s` before relaying the first content
event (a gateway's fixed delay before its first chunk), mode `buffer` reads
the whole upstream stream and sends it at the end in one write.

    python tests/load/gateway_stub.py gateway --upstream URL [--mode delay|buffer] [--delay-ms 25]
    python tests/load/gateway_stub.py upstream --key KEY [--chunks 20] [--interval-ms 5]

print `port <n>` once listening on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
import uvicorn

from chatconform.server import bind, uvicorn_config

KEEP = 8
_BASE = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": "claude-haiku-4-5"}
_SSE = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def _delta(delta: dict[str, Any], finish: str | None = None) -> bytes:
    return _event({**_BASE, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})


async def _body(receive: Any) -> bytes:
    parts = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)


async def _json(send: Any, status: int, payload: Any) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


@dataclass
class FakeUpstream:
    key: str
    chunks: int = 20
    interval_s: float = 0.005
    journal_size: int = 500
    journal: deque[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.journal = deque(maxlen=self.journal_size)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/mock/journal":
            await self._journal(scope, send)
        else:
            await self._stream(await _body(receive), send)

    async def _journal(self, scope: dict[str, Any], send: Any) -> None:
        headers = dict(scope["headers"])
        if headers.get(b"authorization") != f"Bearer {self.key}".encode():
            await _json(send, 401, {"error": {"message": "bad key", "type": "authentication_error"}})
            return
        contains = parse_qs(scope["query_string"].decode()).get("contains", [""])[0]
        entries = [e for e in self.journal if contains in json.dumps(e["body"], ensure_ascii=False)]
        await _json(send, 200, {"object": "list", "data": entries})

    async def _stream(self, raw: bytes, send: Any) -> None:
        sent: dict[str, Any] = {"clock": "CLOCK_MONOTONIC", "received": time.monotonic(), "head": None, "end": None}
        entry = {"seq": len(self.journal) + 1, "face": "openai", "body": json.loads(raw), "outcome": "pending"}
        entry["sent"] = sent
        self.journal.append(entry)
        times: list[float] = []
        await send({"type": "http.response.start", "status": 200, "headers": _SSE})
        sent["head"] = time.monotonic()
        await send(
            {"type": "http.response.body", "body": _delta({"role": "assistant", "content": ""}), "more_body": True}
        )
        for n in range(self.chunks):
            await asyncio.sleep(self.interval_s)
            frame = _delta({"content": f" w{n}"})
            times.append(time.monotonic())
            await send({"type": "http.response.body", "body": frame, "more_body": True})
        usage = {"prompt_tokens": 10, "completion_tokens": self.chunks, "total_tokens": 10 + self.chunks}
        tail = _delta({}, "stop") + _event({**_BASE, "choices": [], "usage": usage}) + b"data: [DONE]\n\n"
        await send({"type": "http.response.body", "body": tail, "more_body": False})
        sent.update(end=time.monotonic(), content_events=len(times), first=times[:KEEP], last=times[-KEEP:])
        entry["outcome"] = "completed"


@dataclass
class Gateway:
    upstream: str
    mode: str = "delay"  # or "buffer"
    delay_s: float = 0.025
    _http: httpx.AsyncClient | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await _body(receive)
        headers = {"authorization": dict(scope["headers"]).get(b"authorization", b"").decode()}
        headers["content-type"] = "application/json"
        if self._http is None:  # one client, made in the server's own loop: making one costs milliseconds of CPU
            self._http = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_keepalive_connections=64))
        async with self._http.stream(
            "POST", self.upstream + "/v1/chat/completions", content=body, headers=headers
        ) as r:
            await send({"type": "http.response.start", "status": r.status_code, "headers": _SSE})
            if self.mode == "buffer":
                whole = b"".join([part async for part in r.aiter_raw()])
                await send({"type": "http.response.body", "body": whole, "more_body": False})
                return
            await self._relay(r, send)

    async def _relay(self, response: httpx.Response, send: Any) -> None:
        """Event by event, the first content event `delay_s` late."""
        pending, delayed = b"", False
        async for part in response.aiter_raw():
            pending += part
            *events, pending = pending.split(b"\n\n")
            for event in events:
                if not delayed and _has_content(event):
                    delayed = True
                    await _sleep_until(time.monotonic() + self.delay_s)
                await send({"type": "http.response.body", "body": event + b"\n\n", "more_body": True})
        await send({"type": "http.response.body", "body": pending, "more_body": False})


SPIN_S = 0.002


async def _sleep_until(deadline: float) -> None:
    """Sleep to `deadline` within a few microseconds: the event loop's timers round to the millisecond and wake
    late, so the last SPIN_S are spun (holding the loop that long, a fair price for a delay that is known)."""
    await asyncio.sleep(max(0.0, deadline - time.monotonic() - SPIN_S))
    while time.monotonic() < deadline:
        pass


@contextmanager
def serve_child(*args: str) -> Iterator[str]:
    """This script in a child process (`gateway ...` or `upstream ...`), like a real gateway: yield its root URL.
    Its own process: its event loop competes with neither the test's nor the upstream's."""
    with subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None
            line = child.stdout.readline().split()
            if line[:1] != ["port"]:
                raise RuntimeError(f"gateway_stub.py {args[0]} did not start")
            yield f"http://127.0.0.1:{line[1]}"
        finally:  # leaving the `with` closes the pipe
            child.terminate()
            child.wait(timeout=10)


def _has_content(event: bytes) -> bool:
    try:
        chunk = json.loads(event.partition(b"data:")[2])
        return bool(chunk["choices"][0]["delta"].get("content"))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["gateway", "upstream"])
    parser.add_argument("--upstream", default="")
    parser.add_argument("--mode", choices=["delay", "buffer"], default="delay")
    parser.add_argument("--delay-ms", type=float, default=25.0)
    parser.add_argument("--key", default="")
    parser.add_argument("--chunks", type=int, default=20)
    parser.add_argument("--interval-ms", type=float, default=5.0)
    args = parser.parse_args()
    app: Any = (
        Gateway(args.upstream.rstrip("/"), args.mode, args.delay_ms / 1000)
        if args.kind == "gateway"
        else FakeUpstream(args.key, args.chunks, args.interval_ms / 1000)
    )
    sock = bind("127.0.0.1", 0)
    print(f"port {sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn_config(app)).run(sockets=[sock])


if __name__ == "__main__":
    main()
