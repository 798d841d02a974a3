"""When the mock sent each part of an answer, for the journal: the load generator pairs these times with the
arrival times it measured to tell the gateway's delay from the mock's (issue 11).

One clock for the machine: CLOCK_MONOTONIC, in seconds, read with
`time.monotonic()`. On Linux every process reads the same clock with
`time.monotonic()` or `time.perf_counter()` (Python) and
`process.hrtime.bigint()` (Node), so a client on the same machine compares
its own readings with these directly. It is not wall time, and it means
nothing on another machine.

Bounded: the first and the last `KEEP` content events, their count, and when
the request arrived, the head went out and the last byte went out. A content
event is one timed frame of a stream: an OpenAI chunk with a content or
tool-call delta, an Anthropic `content_block_delta` (with the block start or
stop riding along); the role chunk, `message_start`, the finish and usage
chunks are not content. A whole (non-streamed) answer has none: its `head`
is when its body went out.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send

KEEP = 8
CLOCK = "CLOCK_MONOTONIC"
now = time.monotonic


class SendTimes:
    __slots__ = ("count", "end", "first", "head", "last", "received")

    def __init__(self, received: float) -> None:
        self.received = received
        self.head: float | None = None
        self.end: float | None = None
        self.count = 0
        self.first: list[float] = []
        self.last: deque[float] = deque(maxlen=KEEP)

    def content(self, at: float) -> None:
        """One content event sent at `at`."""
        if self.count < KEEP:
            self.first.append(at)
        self.last.append(at)
        self.count += 1

    def listing(self) -> dict[str, Any]:
        """The journal's `sent` field: `first[i]` is content event i, `last[j]` event `count - len(last) + j`."""
        return {
            "clock": CLOCK,
            "received": self.received,
            "head": self.head,
            "end": self.end,
            "content_events": self.count,
            "first": self.first,
            "last": list(self.last),
        }


class Stamped:
    """An ASGI response wrapped so that `times` records when its head and its last body part were handed to
    `send`: a whole answer or a refusal, which have no content events of their own."""

    def __init__(self, inner: Callable[[Scope, Receive, Send], Awaitable[None]], times: SendTimes) -> None:
        self.inner, self.times = inner, times

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        times = self.times

        async def stamping(message: Message) -> None:
            if message["type"] == "http.response.start":
                times.head = now()
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                times.end = now()
            await send(message)

        await self.inner(scope, receive, stamping)
