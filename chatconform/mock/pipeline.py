"""One request pipeline for both faces: what happens to a chat request, in order.

Auth, body, journal entry, header checks, fault draw, validation and answer;
then a paced stream or a delayed whole body, and the ledger when the answer was
delivered whole. A `Face` (chat.py for OpenAI, messages.py for Anthropic)
supplies only what differs: its parsing (how the key is sent, version headers,
the request parser) and its framing (stream plan, whole body, error envelope,
fault wording).

A body larger than `INLINE_BODY_MAX` (or of unknown length) is parsed,
validated and answered on a worker thread, one at a time, after taking one of
`HEAVY_SLOTS` slots: the event loop keeps serving everyone else, and memory is
bounded by the slots rather than by how many large bodies arrive at once.
Small bodies, the hot path, stay on the loop.
"""

from __future__ import annotations

import asyncio
import functools
import time
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from chatconform.mock.body import parse_json, read_body
from chatconform.mock.delivery import deliver_whole, note_refusal, request_id, schedule_for, settle, tokens_per_chunk
from chatconform.mock.errors import MockError
from chatconform.mock.faults import Fault
from chatconform.mock.generation import Completion, memoisable
from chatconform.mock.journal import Entry
from chatconform.mock.ledger import fingerprint
from chatconform.mock.request import ChatRequest
from chatconform.mock.state import MockState, Prepared, journal_headers
from chatconform.mock.streaming import SSEResponse, StreamPlan

INLINE_BODY_MAX = 64 * 1024
MEMO_MAX_BODY = 16 * 1024  # bodies with images are rarely repeated and would crowd the memo
HEAVY_WAIT_S = 10.0  # a large body that finds every slot taken this long gets a 503


class Face(ABC):
    """What one API face supplies to the pipeline."""

    name: ClassVar[str]  # "openai" or "anthropic", as the journal shows it
    request_id_header: ClassVar[str]
    failure_message: ClassVar[str]  # a whole answer's `midstream_error` fault, as a 500
    fault_messages: ClassVar[dict[int, str]]  # what the API says with an injected status
    fault_default: ClassVar[str]  # for any other status; may name it as {status}

    @abstractmethod
    def authenticate(self, request: Request, state: MockState) -> str:
        """The caller's key, or a 401 in this face's words."""

    @abstractmethod
    def check_headers(self, headers: Headers) -> None:
        """Refuse headers this face requires (after the request is journaled)."""

    @abstractmethod
    def prepare(self, body: Any, state: MockState) -> tuple[ChatRequest, Completion]:
        """The validated request and its answer, or a 4xx naming the field."""

    @abstractmethod
    def stream_plan(self, req: ChatRequest, done: Completion, offsets_for: Any, tokens_per_chunk: int) -> StreamPlan:
        """The encoded events of a streamed answer."""

    @abstractmethod
    def whole_body(self, req: ChatRequest, done: Completion) -> dict[str, Any]:
        """A non-streamed answer."""

    def fault_error(self, fault: Fault) -> MockError:
        """An injected status, worded as this API words it, with `retry-after` when the fault has one."""
        status = fault.status or 500
        headers = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        message = self.fault_messages.get(status, self.fault_default.format(status=status))
        return MockError(status, message, code="injected_fault", headers=headers)

    @abstractmethod
    def error_response(self, exc: MockError) -> Response:
        """Any refusal, in this face's envelope."""

    def reply(self, done: Completion) -> dict[str, Any] | None:
        """What the journal records as the intended answer (the Anthropic face's `reply`)."""
        return None


async def handle(face: Face, request: Request) -> Response:
    state: MockState = request.app.state.mock
    start = time.perf_counter()
    try:
        key = face.authenticate(request, state)
        entry, fault, prepared = await _intake(face, state, request, key)
        return await _answer(face, state, key, entry, fault, prepared, start)
    except MockError as exc:
        return face.error_response(exc)


async def _intake(face: Face, state: MockState, request: Request, key: str) -> tuple[Entry, Fault, Prepared]:
    """Body to journal entry, fault and answer; large bodies off the loop, under a slot."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= INLINE_BODY_MAX:
        raw = await read_body(request, state.config.max_body_bytes)
        return _accept(face, state, request, key, raw)
    async with state.heavy.slot(HEAVY_WAIT_S):
        raw = await read_body(request, state.config.max_body_bytes)
        work = functools.partial(_accept, face, state, request, key, raw)
        return await asyncio.get_running_loop().run_in_executor(state.heavy.executor, work)


def _accept(face: Face, state: MockState, request: Request, key: str, raw: bytes) -> tuple[Entry, Fault, Prepared]:
    """Journal the request, then check it; a refusal is journaled with its status before it is raised."""
    memo_key = (face.name, raw)
    seen = state.requests.get(memo_key)
    body = seen.body if seen else parse_json(raw)
    kept = seen.kept if seen else state.journal.keep(body, raw)
    headers = request.headers
    owner = fingerprint(key)
    entry = state.journal.record(face.name, request.scope["path"], owner, journal_headers(headers), kept)
    try:
        face.check_headers(headers)
        fault = state.fault_for(headers, raw, owner)
        prepared = seen or _prepare(face, state, memo_key, body, kept)
        if fault.status:
            raise face.fault_error(fault)
    except MockError as exc:
        note_refusal(entry, exc)
        raise
    return entry, fault, prepared


def _prepare(face: Face, state: MockState, memo_key: tuple[str, bytes], body: Any, kept: Any) -> Prepared:
    req, done = face.prepare(body, state)
    prepared = Prepared(body, kept, req, done, face.reply(done))
    if len(memo_key[1]) <= MEMO_MAX_BODY and memoisable(done):
        state.requests.put(memo_key, prepared)
    return prepared


async def _answer(
    face: Face,
    state: MockState,
    key: str,
    entry: Entry,
    fault: Fault,
    prepared: Prepared,
    start: float,
) -> Response:
    req, done = prepared.req, prepared.done
    entry.stream, entry.status = req.stream, 200
    if prepared.reply is not None:
        entry.reply = prepared.reply
    on_end = settle(state, key, req, done, entry)
    headers = {face.request_id_header: request_id()}
    if req.stream:
        plan = face.stream_plan(req, done, schedule_for(state, req), tokens_per_chunk(state, req))
        return SSEResponse(plan, fault, start, on_end, headers)  # type: ignore[return-value]
    body = face.whole_body(req, done)
    return await deliver_whole(state, req, done, fault, start, on_end, body, headers, face.failure_message)
