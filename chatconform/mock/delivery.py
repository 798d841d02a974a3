"""Delivering an answer, shared by both faces: pacing, the books, and broken bodies.

A face decides the framing (OpenAI chunks or Anthropic events, a
`chat.completion` or a `message`); this module decides when the bytes go out,
what an injected fault does to a whole (non-streamed) answer, and closes the
books once: the ledger is charged only for an answer delivered whole.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from chatconform.mock.departure import Departure
from chatconform.mock.errors import MockError
from chatconform.mock.faults import Fault
from chatconform.mock.generation import Completion
from chatconform.mock.ids import new_id
from chatconform.mock.journal import Entry
from chatconform.mock.latency import MAX_SCHEDULE_S
from chatconform.mock.prompt_cache import NO_CACHE, CacheUse
from chatconform.mock.request import ChatRequest
from chatconform.mock.state import MockState
from chatconform.mock.streaming import AbortStream

OnEnd = Callable[[str], None]


def request_id() -> str:
    return new_id("req_")


def schedule_for(state: MockState, req: ChatRequest, shift: float = 0.0) -> Any:
    """The stream's schedule, every offset `shift` seconds later (the capacity model's queue and prefill)."""
    if not shift:
        return lambda n: state.latency.schedule(req.model, n)
    return lambda n: [t + shift for t in state.latency.schedule(req.model, n)]


def tokens_per_chunk(state: MockState, req: ChatRequest) -> int:
    return state.latency.for_model(req.model).tokens_per_chunk


def settle(state: MockState, key: str, req: ChatRequest, done: Completion, entry: Entry, use: CacheUse) -> Any:
    """The callback that closes the books for one request, once. The journal's `usage` is the face-neutral
    count (prompt, completion, total), with the prompt-cache reads and writes when there were any."""

    def on_end(outcome: str) -> None:
        entry.outcome = outcome
        if outcome == "completed":
            cost = state.ledger.charge(key, req.model, done.prompt_tokens, done.completion_tokens, use)
            usage = done.usage()
            if use != NO_CACHE:
                usage |= {"cache_read_tokens": use.read, "cache_write_tokens": use.written}
            entry.usage, entry.charged_usd = usage, round(cost, 9)

    return on_end


def note_refusal(entry: Entry, exc: MockError) -> None:
    """Record in the journal how a refused request ended: an injected fault or a plain error."""
    entry.status = exc.status
    entry.outcome = f"fault:status={exc.status}" if exc.code == "injected_fault" else "error"


async def deliver_whole(
    state: MockState,
    req: ChatRequest,
    done: Completion,
    fault: Fault,
    start: float,
    on_end: OnEnd,
    body: dict[str, Any],
    headers: dict[str, str],
    failure_message: str,
) -> Response:
    """A non-streamed answer, when its last token would have been generated, spoilt as the fault says:
    `midstream_error` becomes a 500 with `failure_message`, `disconnect` drops the connection half-way,
    `malformed` sends half the body. Waiting and sending happen in the response, which watches for
    the client leaving: a client gone before the body is sent is `cancelled`, as a stream would be."""
    if fault.midstream_error is not None:
        await asyncio.sleep(whole_delay(state, req, done, fault, start))
        on_end(f"fault:midstream_error={fault.midstream_error}")
        raise MockError(500, failure_message, code="upstream_error")
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()  # as Starlette's JSONResponse
    if fault.disconnect is not None or fault.malformed is not None:
        await asyncio.sleep(whole_delay(state, req, done, fault, start))
        on_end("fault:" + fault.kind)
        return BrokenBody(data, cut=fault.disconnect is not None, headers=headers)
    return WholeBody(data, headers, whole_delay(state, req, done, fault, start), on_end)


def whole_delay(state: MockState, req: ChatRequest, done: Completion, fault: Fault, start: float) -> float:
    """Seconds until a non-streamed answer is due: when its last token would have been generated."""
    chunks = max(1, -(-len(done.pieces) // tokens_per_chunk(state, req)) + len(done.tool_calls))
    offsets = state.latency.schedule(req.model, chunks)
    paced = min(chunks * fault.pace_ms / 1000, MAX_SCHEDULE_S)
    return max(0.0, offsets[-1] + paced + fault.spike_ms / 1000 + fault.stall_s - (time.perf_counter() - start))


class WholeBody(Response):
    """A JSON body sent after `delay`, unless the client leaves first; `on_end(outcome)` is called once."""

    def __init__(self, data: bytes, headers: dict[str, str], delay: float, on_end: OnEnd) -> None:
        super().__init__(data, media_type="application/json", headers=headers)
        self.delay, self.on_end = delay, on_end

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        departure = Departure(scope, receive)
        try:
            if await departure.within(self.delay) or await departure.settled():
                self.on_end("cancelled")
                return
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            await send({"type": "http.response.body", "body": self.body, "more_body": False})
        finally:
            departure.stop()
        self.on_end("completed")


class BrokenBody(Response):
    """Half a JSON body: announced whole and dropped (disconnect), or sent cut (malformed)."""

    def __init__(self, data: bytes, cut: bool, headers: dict[str, str]) -> None:
        super().__init__(data[: len(data) // 2], media_type="application/json", headers=headers)
        self._announced = len(data) if cut else None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._announced is None:
            await super().__call__(scope, receive, send)
            return
        headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        headers.append((b"content-length", str(self._announced).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": True})
        raise AbortStream("disconnect")
