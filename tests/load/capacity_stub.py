"""A loopback chat server of known capacity, for testing the rate search against a computable answer.

It serves at most `slots` streams at once. A stream holds its slot for
`chunks` content chunks sent `interval_s` apart (the first one `interval_s`
after the slot was taken), then sends usage and `[DONE]`; a request beyond
the slots waits for one, in arrival order (asyncio's semaphore is fair), before
its headers. So it sustains exactly

    capacity = slots / (chunks * interval_s)   requests per second

and, offered more, queues: TTFT grows through the run. The built-in mock's
latency does not depend on load, so it has no such limit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from chatconform.server import serve_in_thread


@dataclass
class CapacityStub:
    slots: int
    chunks: int
    interval_s: float
    _gate: asyncio.Semaphore | None = field(default=None, repr=False)

    @property
    def capacity(self) -> float:
        return self.slots / (self.chunks * self.interval_s)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):  # read the whole request first
            pass
        if self._gate is None:  # made in the server's own event loop
            self._gate = asyncio.Semaphore(self.slots)
        async with self._gate:
            headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            for n in range(self.chunks):
                await asyncio.sleep(self.interval_s)
                await send(
                    {"type": "http.response.body", "body": _event(_delta({"content": f" w{n}"})), "more_body": True}
                )
        usage = {"prompt_tokens": 10, "completion_tokens": self.chunks, "total_tokens": 10 + self.chunks}
        tail = _event(_delta({}, "stop")) + _event({**_BASE, "choices": [], "usage": usage}) + b"data: [DONE]\n\n"
        await send({"type": "http.response.body", "body": tail, "more_body": False})


_BASE = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": "claude-haiku-4-5"}


def _delta(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {**_BASE, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


@contextmanager
def serve_stub(slots: int, chunks: int, interval_s: float) -> Iterator[tuple[str, CapacityStub]]:
    """Serve a stub in a thread; yield its API base URL and the stub."""
    stub = CapacityStub(slots, chunks, interval_s)
    with serve_in_thread(stub) as root:
        yield root + "/v1", stub
