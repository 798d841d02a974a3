"""Paced SSE delivery shared by both faces: latency schedule, faults, cancellation.

A face turns a completion into frames (already-encoded SSE events); this
module sends them on time, applies the stream faults, and reports how the
stream ended (completed, fault, cancelled by the client). It is a small raw
ASGI response rather than Starlette's `StreamingResponse` because it must
notice a client disconnect during a long pause (to record the cancellation at
once) and must be able to drop the connection without a clean ending.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from chatconform.mock.faults import Fault

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class Frame:
    data: bytes
    timed: bool  # a token-bearing frame, due at the next offset of the schedule


@dataclass(frozen=True)
class StreamPlan:
    head: list[Frame]  # sent at once (OpenAI role chunk, Anthropic message_start ...)
    body: list[Frame]  # timed token frames
    tail: list[Frame]  # ending frames (finish, usage, [DONE] / message_stop)
    offsets: list[float]  # due time of each timed frame, seconds from the request start
    malformed: Callable[[bytes], bytes]  # how this face spoils a frame
    error_frame: bytes  # this face's mid-stream error event


class AbortStream(Exception):
    """Raised inside the app to make uvicorn drop the connection mid-body."""


class _QuietAbort(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], AbortStream))


logging.getLogger("uvicorn.error").addFilter(_QuietAbort())


class SSEResponse:
    """An ASGI response that plays a `StreamPlan`; `on_end(outcome)` is called once."""

    def __init__(
        self,
        plan: StreamPlan,
        fault: Fault,
        start: float,
        on_end: Callable[[str], None],
        headers: dict[str, str] | None = None,
    ) -> None:
        self.plan, self.fault, self.start, self.on_end = plan, fault, start, on_end
        extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        self.headers = _HEADERS + extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        player = asyncio.ensure_future(self._play(send))
        watcher = asyncio.ensure_future(_wait_disconnect(receive))
        done, _ = await asyncio.wait({player, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if player not in done:
            player.cancel()
            self.on_end("cancelled")
            await asyncio.gather(player, return_exceptions=True)
            return
        watcher.cancel()
        outcome = player.result() if not player.exception() else "cancelled"
        self.on_end(outcome)
        if outcome.startswith("fault:disconnect"):
            raise AbortStream(outcome)

    async def _play(self, send: Send) -> str:
        """Send every frame on time; return the outcome."""
        fault, plan = self.fault, self.plan
        shift = fault.spike_ms / 1000
        for frame in plan.head:
            await _body(send, frame.data)
        for n, frame in enumerate(plan.body):
            if n == fault.midstream_error:
                await _body(send, plan.error_frame)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return f"fault:midstream_error={n}"
            if n == fault.disconnect:
                return f"fault:disconnect={n}"
            if n == 1 and fault.stall_s:
                shift += fault.stall_s
            await _sleep_until(self.start + plan.offsets[n] + shift)
            data = plan.malformed(frame.data) if n + 1 == fault.malformed else frame.data
            await _body(send, data)
        for frame in plan.tail:
            await _body(send, frame.data)
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return f"fault:malformed={fault.malformed}" if fault.malformed else "completed"


_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


async def _body(send: Send, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _sleep_until(deadline: float) -> None:
    delay = deadline - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
