"""One request pipeline for both faces: what happens to a chat request, in order.

Auth, body, journal entry, header checks, fault draw, validation and answer;
then the prompt cache (what was read and written), the capacity model's queue
(when it is on), a paced stream or a delayed whole body, and the ledger when
the answer was delivered whole. A `Face` (chat.py for OpenAI, messages.py for
Anthropic) supplies only what differs: its parsing (how the key is sent,
version headers, the request parser, where `cache_control` sits) and its
framing (stream plan, whole body, usage, error envelope, fault wording).

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
from chatconform.mock.cache_blocks import Located, cache_plan
from chatconform.mock.capacity import Overloaded
from chatconform.mock.delivery import deliver_whole, note_refusal, request_id, schedule_for, settle, tokens_per_chunk
from chatconform.mock.errors import MockError
from chatconform.mock.faults import Fault
from chatconform.mock.generation import Completion, memoisable
from chatconform.mock.journal import Entry
from chatconform.mock.ledger import fingerprint
from chatconform.mock.prompt_cache import NO_CACHE, CacheUse
from chatconform.mock.request import ChatRequest
from chatconform.mock.sent import SendTimes, Stamped, now
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
    def check_headers(self, headers: Headers) -> str:
        """Refuse headers this face requires (after the request is journaled); return the dialect they ask
        for (the Anthropic face's `anthropic-version`, "" on the OpenAI face), which `prepare` is given."""

    @abstractmethod
    def prepare(self, body: Any, state: MockState, dialect: str) -> tuple[ChatRequest, Completion]:
        """The validated request and its answer, or a 4xx naming the field."""

    def cache_blocks(self, body: Any, req: ChatRequest) -> list[Located]:
        """The request as prompt-cache blocks, in the order the cache reads them (`cache_blocks`)."""
        return []

    @abstractmethod
    def refused_cache_control(self, where: str) -> MockError:
        """A `cache_control` the API refuses (`where`: "<path>: <reason>"), in this face's words."""

    @abstractmethod
    def stream_plan(
        self, req: ChatRequest, done: Completion, use: CacheUse, offsets_for: Any, tokens_per_chunk: int
    ) -> StreamPlan:
        """The encoded events of a streamed answer."""

    @abstractmethod
    def whole_body(self, req: ChatRequest, done: Completion, use: CacheUse) -> dict[str, Any]:
        """A non-streamed answer."""

    @abstractmethod
    def overloaded(self) -> MockError:
        """The refusal of a request the capacity model has no room for."""

    def fault_error(self, fault: Fault) -> MockError:
        """An injected status, worded as this API words it, with `retry-after` when the fault has one."""
        status = fault.status or 500
        headers = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        message = self.fault_messages.get(status, self.fault_default.format(status=status))
        return MockError(status, message, code="injected_fault", headers=headers)

    @abstractmethod
    def error_response(self, exc: MockError) -> Response:
        """Any refusal, in this face's envelope."""

    def reply(self, done: Completion, use: CacheUse) -> dict[str, Any] | None:
        """What the journal records as the intended answer (the Anthropic face's `reply`)."""
        return None


async def handle(face: Face, request: Request) -> Response:
    state: MockState = request.app.state.mock
    start = time.perf_counter()
    times = SendTimes(now())  # the journal entry's `sent`: stamped as each part is handed to the server
    try:
        key = face.authenticate(request, state)
        entry, fault, prepared = await _intake(face, state, request, key, times)
        return await _answer(face, state, key, entry, fault, prepared, start, times)
    except MockError as exc:
        return Stamped(face.error_response(exc), times)  # type: ignore[return-value]


async def _intake(
    face: Face, state: MockState, request: Request, key: str, times: SendTimes
) -> tuple[Entry, Fault, Prepared]:
    """Body to journal entry, fault and answer; large bodies off the loop, under a slot."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= INLINE_BODY_MAX:
        raw = await read_body(request, state.config.max_body_bytes)
        return _accept(face, state, request, key, raw, times)
    async with state.heavy.slot(HEAVY_WAIT_S):
        raw = await read_body(request, state.config.max_body_bytes)
        work = functools.partial(_accept, face, state, request, key, raw, times)
        return await asyncio.get_running_loop().run_in_executor(state.heavy.executor, work)


def _accept(
    face: Face, state: MockState, request: Request, key: str, raw: bytes, times: SendTimes
) -> tuple[Entry, Fault, Prepared]:
    """Journal the request, then check it; a refusal is journaled with its status before it is raised."""
    headers = request.headers
    # The same body may mean another request under another version: the version is part of the memo key.
    memo_key = (face.name, headers.get("anthropic-version", ""), raw)
    seen = state.requests.get(memo_key)
    body = seen.body if seen else parse_json(raw)
    kept = seen.kept if seen else state.journal.keep(body, raw)
    owner = fingerprint(key)
    entry = state.journal.record(face.name, request.scope["path"], owner, journal_headers(headers), kept)
    entry.sent = times
    try:
        dialect = face.check_headers(headers)
        fault = state.fault_for(headers, raw, owner)
        prepared = seen or _prepare(face, state, memo_key, body, kept, dialect)
        if fault.status:
            raise face.fault_error(fault)
    except MockError as exc:
        note_refusal(entry, exc)
        raise
    return entry, fault, prepared


def _prepare(
    face: Face, state: MockState, memo_key: tuple[str, str, bytes], body: Any, kept: Any, dialect: str
) -> Prepared:
    req, done = face.prepare(body, state, dialect)
    plan, refused = cache_plan(face.cache_blocks(body, req), req, state.config.cache_min_tokens)
    if refused:
        raise face.refused_cache_control(refused)
    prepared = Prepared(body, kept, req, done, face.reply(done, NO_CACHE), plan)
    if len(memo_key[2]) <= MEMO_MAX_BODY and memoisable(done):
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
    times: SendTimes,
) -> Response:
    req, done = prepared.req, prepared.done
    shift = _queue(face, state, entry, done)
    use = state.cache.use(entry.key, req.model.id, prepared.cache) if prepared.cache is not None else NO_CACHE
    entry.stream, entry.status = req.stream, 200
    reply = prepared.reply if use is NO_CACHE else face.reply(done, use)
    if reply is not None:
        entry.reply = reply
    on_end = settle(state, key, req, done, entry, use)
    headers = {face.request_id_header: request_id()}
    if req.stream:
        offsets = schedule_for(state, req, shift)
        plan = face.stream_plan(req, done, use, offsets, tokens_per_chunk(state, req))
        return SSEResponse(plan, fault, start, on_end, headers, times)  # type: ignore[return-value]
    body = face.whole_body(req, done, use)
    whole = await deliver_whole(state, req, done, fault, start + shift, on_end, body, headers, face.failure_message)
    return Stamped(whole, times)  # type: ignore[return-value]


def _queue(face: Face, state: MockState, entry: Entry, done: Completion) -> float:
    """How much later the answer starts because the engine is busy (capacity model), 0 when it is off."""
    if state.capacity is None:
        return 0.0
    try:
        return state.capacity.admit(done.prompt_tokens, done.completion_tokens)
    except Overloaded:
        refusal = face.overloaded()
        note_refusal(entry, refusal)
        entry.outcome = "overloaded"
        raise refusal from None
