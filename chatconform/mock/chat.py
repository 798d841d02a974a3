"""`POST /chat/completions`: the OpenAI face's one endpoint.

Order of events for a request: auth, body, journal entry, fault draw,
validation, answer; then either a paced stream or a delayed JSON body. The
ledger is charged only when the answer was delivered whole.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from chatconform.mock import openai_face
from chatconform.mock.delivery import deliver_whole, note_refusal, request_id, schedule_for, settle, tokens_per_chunk
from chatconform.mock.errors import MockError
from chatconform.mock.faults import Fault
from chatconform.mock.generation import complete
from chatconform.mock.ledger import fingerprint
from chatconform.mock.state import MockState, Prepared, bearer_key, journal_headers, parse_json, read_body
from chatconform.mock.streaming import SSEResponse
from chatconform.mock.validate import parse_chat_request

UPSTREAM_FAILED = "The upstream model failed while generating."
MEMO_MAX_BODY = 16 * 1024  # bodies with images are rarely repeated and would crowd the memo


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
        fault = state.fault_for(request, raw)
        req, done = (seen or _prepare(state, raw, body))[1:]
        if fault.status:
            raise _fault_error(fault)
    except MockError as exc:
        note_refusal(entry, exc)
        raise
    entry.stream, entry.status = req.stream, 200
    on_end = settle(state, key, req, done, entry)
    headers = {"x-request-id": request_id()}
    if req.stream:
        plan = openai_face.stream_plan(req, done, schedule_for(state, req), tokens_per_chunk(state, req))
        return SSEResponse(plan, fault, start, on_end, headers)  # type: ignore[return-value]
    body = openai_face.completion_body(req, done)
    return await deliver_whole(state, req, done, fault, start, on_end, body, headers, UPSTREAM_FAILED)


def _prepare(state: MockState, raw: bytes, body: Any) -> Prepared:
    req = parse_chat_request(body, state.config.profile)
    done = complete(req, state.config.profile.expect.named_tool_choice_finish)
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
