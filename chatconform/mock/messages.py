"""`POST /v1/messages`: the Anthropic face's one endpoint.

The same order as the OpenAI face (chat.py): auth, body, journal entry,
version header, fault draw, validation, answer; then a paced stream of named
events or a delayed `message` body. Only the framing differs: answers,
latency, faults, ledger and journal are shared. Errors raised here are
written in Anthropic's shape by the app's error handler (by path).
"""

from __future__ import annotations

import re
import time

from starlette.requests import Request
from starlette.responses import Response

from chatconform.mock import anthropic_face
from chatconform.mock.anthropic_request import parse_messages_request
from chatconform.mock.delivery import deliver_whole, note_refusal, request_id, schedule_for, settle, tokens_per_chunk
from chatconform.mock.errors import MockError
from chatconform.mock.faults import Fault
from chatconform.mock.generation import complete
from chatconform.mock.ledger import fingerprint
from chatconform.mock.state import MockState, bearer_key, header_key, journal_headers, parse_json, read_body
from chatconform.mock.streaming import SSEResponse

PATH = "/v1/messages"
FIRST_VERSION = "2023-01-01"
_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
# What Anthropic says for each injected status; anything else gets a generic sentence.
_FAULT_MESSAGES = {
    429: "This request would exceed the rate limit for your organization. Retry after the time given in retry-after.",
    500: "Internal server error",
    529: "Overloaded",
}


def is_anthropic_path(path: str) -> bool:
    """Paths whose errors are written in Anthropic's shape."""
    return path == PATH or path.startswith(PATH + "/")


async def messages(request: Request) -> Response:
    state: MockState = request.app.state.mock
    start = time.perf_counter()
    key = api_key(request, state)
    raw = await read_body(request, state.config.max_body_bytes)
    body = parse_json(raw)
    entry = state.journal.record(
        "anthropic", request.url.path, fingerprint(key), journal_headers(request), body, len(raw)
    )
    try:
        _check_version(request)
        fault = state.fault_for(request, raw)
        req = parse_messages_request(body, state.config.profile)
        if fault.status:
            raise _fault_error(fault)
    except MockError as exc:
        note_refusal(entry, exc)
        raise
    done = complete(req)
    entry.stream, entry.status = req.stream, 200
    entry.reply = anthropic_face.reply_summary(done)
    on_end = settle(state, key, req, done, entry)
    headers = {"request-id": request_id()}
    if req.stream:
        plan = anthropic_face.stream_plan(req, done, schedule_for(state, req), tokens_per_chunk(state, req))
        return SSEResponse(plan, fault, start, on_end, headers)  # type: ignore[return-value]
    message = anthropic_face.message_body(req, done)
    return await deliver_whole(state, req, done, fault, start, on_end, message, headers, "Internal server error")


def api_key(request: Request, state: MockState) -> str:
    """The caller's key from `x-api-key` (what gateways send) or `Authorization: Bearer` (what the
    anthropic SDK 2.x sends), with Anthropic's wording when it is missing or wrong."""
    if request.headers.get("x-api-key"):
        check, header = header_key, "x-api-key"
    elif request.headers.get("authorization"):
        check, header = bearer_key, "authorization"
    else:
        raise MockError(401, "x-api-key header is required", code="missing_api_key")
    try:
        return check(request, state)
    except MockError:
        raise MockError(401, f"invalid {header}", code="invalid_api_key") from None


def _check_version(request: Request) -> None:
    version = request.headers.get("anthropic-version")
    if version is None:
        raise MockError(400, "anthropic-version: header is required", code="missing_version")
    # Versions are dates (2023-06-01, and newer ones the SDKs send); the mock knows no list, only the form.
    if not _VERSION.fullmatch(version) or version < FIRST_VERSION:
        raise MockError(
            400,
            f"anthropic-version: invalid version {version!r}; versions are dates such as {FIRST_VERSION}",
            code="invalid_version",
        )


def _fault_error(fault: Fault) -> MockError:
    status = fault.status or 500
    headers = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
    message = _FAULT_MESSAGES.get(status, f"The service answered {status}.")
    return MockError(status, message, code="injected_fault", headers=headers)
