"""`POST /chat/completions`: the OpenAI face's one endpoint.

Order of events for a request: auth, body, journal entry, fault draw,
validation, answer; then either a paced stream or a delayed JSON body. The
ledger is charged only when the answer was delivered whole.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chatconform.mock import openai_face
from chatconform.mock.errors import MockError
from chatconform.mock.faults import Fault
from chatconform.mock.generation import Completion, complete
from chatconform.mock.ids import new_id
from chatconform.mock.journal import Entry
from chatconform.mock.ledger import fingerprint
from chatconform.mock.request import ChatRequest
from chatconform.mock.state import MockState, Prepared, bearer_key, journal_headers, parse_json, read_body
from chatconform.mock.streaming import AbortStream, SSEResponse
from chatconform.mock.validate import parse_chat_request

MEMO_MAX_BODY = 16 * 1024  # bodies with images are rarely repeated and would crowd the memo


def request_id() -> str:
    return new_id("req_")


async def chat_completions(request: Request) -> Response:
    state: MockState = request.app.state.mock
    start = time.perf_counter()
    key = bearer_key(request, state)
    raw = await read_body(request, state.config.max_body_bytes)
    seen = state.requests.get(raw)
    body = seen.body if seen else parse_json(raw)
    path = request.scope["path"]
    entry = state.journal.record("openai", path, fingerprint(key), journal_headers(request), body, len(raw))
    try:
        fault = state.fault_for(request)
        req, done = (seen or _prepare(state, raw, body))[1:]
        if fault.status:
            raise _fault_error(fault)
    except MockError as exc:
        entry.status = exc.status
        entry.outcome = f"fault:status={exc.status}" if exc.code == "injected_fault" else "error"
        raise
    entry.stream, entry.status = req.stream, 200
    on_end = settle(state, key, req, done, entry)
    headers = {"x-request-id": request_id()}
    if req.stream:
        plan = openai_face.stream_plan(req, done, schedule_for(state, req), tokens_per_chunk(state, req))
        return SSEResponse(plan, fault, start, on_end, headers)  # type: ignore[return-value]
    return await _whole(state, req, done, fault, start, on_end, headers)


def _prepare(state: MockState, raw: bytes, body: Any) -> Prepared:
    req = parse_chat_request(body, state.config.profile)
    done = complete(req, str(state.config.profile.expect.get("named_tool_choice_finish", "tool_calls")))
    prepared = Prepared(body, req, done)
    if len(raw) <= MEMO_MAX_BODY:
        state.requests.put(raw, prepared)
    return prepared


def _fault_error(fault: Fault) -> MockError:
    status = fault.status or 500
    headers = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
    messages = {
        429: "Rate limit reached for requests. Retry after the time given in Retry-After.",
        529: "The upstream model is overloaded. Try again later.",
        503: "The service is temporarily unavailable.",
    }
    message = messages.get(status, "The server had an error while processing your request.")
    return MockError(status, message, code="injected_fault", headers=headers)


def schedule_for(state: MockState, req: ChatRequest) -> Any:
    return lambda n: state.latency.schedule(req.model, n)


def tokens_per_chunk(state: MockState, req: ChatRequest) -> int:
    return state.latency.for_model(req.model).tokens_per_chunk


def settle(state: MockState, key: str, req: ChatRequest, done: Completion, entry: Entry) -> Any:
    """The callback that closes the books for one request, once."""

    def on_end(outcome: str) -> None:
        entry.outcome = outcome
        if outcome == "completed":
            state.ledger.charge(key, req.model, done.prompt_tokens, done.completion_tokens)
            entry.usage = done.usage()

    return on_end


async def _whole(
    state: MockState, req: ChatRequest, done: Completion, fault: Fault, start: float, on_end: Any,
    headers: dict[str, str],
) -> Response:
    await wait_for_whole(state, req, done, fault, start)
    body = openai_face.completion_body(req, done)
    if fault.midstream_error is not None:
        on_end(f"fault:midstream_error={fault.midstream_error}")
        raise MockError(500, "The upstream model failed while generating.", code="upstream_error")
    if fault.disconnect is not None or fault.malformed is not None:
        on_end("fault:" + fault.kind)
        return BrokenBody(json.dumps(body).encode(), cut=fault.disconnect is not None, headers=headers)
    on_end("completed")
    return JSONResponse(body, headers=headers)


async def wait_for_whole(state: MockState, req: ChatRequest, done: Completion, fault: Fault, start: float) -> None:
    """A non-streamed answer arrives when the last token would have been generated."""
    chunks = max(1, -(-len(done.pieces) // tokens_per_chunk(state, req)) + len(done.tool_calls))
    offsets = state.latency.schedule(req.model, chunks)
    delay = offsets[-1] + fault.spike_ms / 1000 + fault.stall_s - (time.perf_counter() - start)
    if delay > 0:
        await asyncio.sleep(delay)


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
