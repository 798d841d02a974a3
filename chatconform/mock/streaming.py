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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import Receive, Scope, Send

from chatconform.mock.departure import Departure
from chatconform.mock.faults import NO_FAULT, Fault
from chatconform.mock.latency import MAX_SCHEDULE_S
from chatconform.mock.sent import SendTimes, now


@dataclass(frozen=True)
class StreamPlan:
    # Each item is one encoded SSE event. Plain bytes: a 50-token answer has 50 of them per request.
    head: list[bytes]  # sent at once (OpenAI role chunk, Anthropic message_start ...)
    body: list[bytes]  # token events, each due at its offset of the schedule
    tail: list[bytes]  # ending events (finish, usage, [DONE] / message_stop)
    offsets: list[float]  # due time of each timed frame, seconds from the request start
    malformed: Callable[[bytes], bytes]  # how this face spoils a frame
    error_frame: bytes  # this face's mid-stream error event


BURST_FRAMES = 256  # frames sent at zero latency between two turns of the event loop


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
        times: SendTimes | None = None,
    ) -> None:
        self.plan, self.fault, self.start, self.on_end = plan, fault, start, on_end
        self.times = times or SendTimes(start)
        extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        self.headers = _HEADERS + extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        departure = Departure(scope, receive)
        try:
            self.times.head = now()
            await send({"type": "http.response.start", "status": 200, "headers": self.headers})
            if self._paced:
                outcome = await self._play_watched(send, departure)
            elif self.fault == NO_FAULT:
                # Nothing to wait for and nothing to spoil: the frames go out in one burst, and
                # the per-frame bookkeeping of `_play` would cost more than the sends themselves.
                outcome = await self._burst(send, departure)
            else:
                outcome = await self._play(send, departure)
        finally:
            departure.stop()
        self.on_end(outcome)
        if outcome.startswith("fault:disconnect"):
            raise AbortStream(outcome)

    @property
    def _paced(self) -> bool:
        offsets = self.plan.offsets  # non-decreasing: the last is the largest
        fault = self.fault
        return bool(fault.spike_ms or fault.stall_s or fault.pace_ms or (offsets and offsets[-1] > 0))

    async def _play_watched(self, send: Send, departure: Departure) -> str:
        """Play while watching for the client to leave; a departure cancels the player."""
        player: asyncio.Future[Any] = asyncio.ensure_future(self._play(send, departure))
        done, _ = await asyncio.wait({player, departure.task}, return_when=asyncio.FIRST_COMPLETED)
        if player not in done:
            player.cancel()
            await asyncio.gather(player, return_exceptions=True)
            return "cancelled"
        return "cancelled" if player.exception() else player.result()

    async def _burst(self, send: Send, departure: Departure) -> str:
        plan, times = self.plan, self.times
        frames = [*plan.head, *plan.body, *plan.tail]
        last = frames.pop()
        body = range(len(plan.head), len(plan.head) + len(plan.body))
        for start in range(0, len(frames), BURST_FRAMES):
            if start:
                await asyncio.sleep(0)  # a long answer must not hold the loop from everyone else
            for n in range(start, min(start + BURST_FRAMES, len(frames))):
                if n in body:
                    times.content(now())
                await send({"type": "http.response.body", "body": frames[n], "more_body": True})
        return await _finish(send, departure, last, "completed", times)

    async def _play(self, send: Send, departure: Departure) -> str:
        """Send every frame on time; return the outcome."""
        fault, plan = self.fault, self.plan
        shift, pace = fault.spike_ms / 1000, fault.pace_ms / 1000
        for frame in plan.head:
            await _body(send, frame)
        for n, frame in enumerate(plan.body):
            if n == fault.midstream_error:
                await _body(send, plan.error_frame)
                self.times.end = now()
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return f"fault:midstream_error={n}"
            if n == fault.disconnect:
                return f"fault:disconnect={n}"
            if n == 1 and fault.stall_s:
                shift += fault.stall_s
            await _sleep_until(self.start + plan.offsets[n] + shift + min((n + 1) * pace, MAX_SCHEDULE_S))
            data = plan.malformed(frame) if n + 1 == fault.malformed else frame
            self.times.content(now())
            await _body(send, data)
        *tail, last = plan.tail
        for frame in tail:
            await _body(send, frame)
        outcome = f"fault:malformed={fault.malformed}" if fault.malformed else "completed"
        return await _finish(send, departure, last, outcome, self.times)


async def _finish(send: Send, departure: Departure, last: bytes, outcome: str, times: SendTimes) -> str:
    """Send the last frame and end the body, unless the client has left: then nothing was delivered whole."""
    if await departure.settled():
        return "cancelled"
    times.end = now()
    await send({"type": "http.response.body", "body": last, "more_body": False})
    return outcome


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
