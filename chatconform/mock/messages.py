"""`POST /v1/messages`: the Anthropic face's parsing and framing for the request pipeline.

The key comes as `x-api-key` (or `Authorization: Bearer`, as the SDK 2.x
sends it); `anthropic-version` is required and decides what is refused
(`anthropic_version`); the body is checked by
`anthropic_request`; answers are framed by `anthropic_face` as named events or
a `message`; errors use `{"type": "error", ...}` with `request-id`. Every path
under `/v1/messages` answers errors in this shape.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chatconform.mock import anthropic_face
from chatconform.mock.anthropic_messages import bad
from chatconform.mock.anthropic_request import parse_count_request, parse_messages_request
from chatconform.mock.anthropic_version import check_version, refuse_for_version
from chatconform.mock.body import parse_json, read_body
from chatconform.mock.cache_blocks import Located, anthropic_blocks
from chatconform.mock.delivery import request_id
from chatconform.mock.errors import MockError
from chatconform.mock.generation import Completion, complete, prompt_tokens
from chatconform.mock.keys import bearer_key, header_key
from chatconform.mock.pipeline import Face, handle
from chatconform.mock.prompt_cache import CacheUse
from chatconform.mock.request import ChatRequest
from chatconform.mock.schema_keywords import SchemaError
from chatconform.mock.state import MockState
from chatconform.mock.streaming import StreamPlan

PATH = "/v1/messages"
# What Anthropic says for each injected status; anything else gets a generic sentence.
_FAULT_MESSAGES = {
    429: "This request would exceed the rate limit for your organization. Retry after the time given in retry-after.",
    500: "Internal server error",
    529: "Overloaded",
}


def _anthropic_path(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """A path in the OpenAI form the answer engine reads, as the client sent it to this face."""
    if path[:1] == ("tools",) and path[2:4] == ("function", "parameters"):
        return ("tools", path[1], "input_schema", *path[4:])
    if path[:3] == ("response_format", "json_schema", "schema"):
        return ("output_format", "schema", *path[3:])
    return path


def is_anthropic_path(path: str) -> bool:
    """Paths whose errors are written in Anthropic's shape."""
    return path == PATH or path.startswith(PATH + "/")


class AnthropicFace(Face):
    name = "anthropic"
    request_id_header = "request-id"
    failure_message = "Internal server error"
    fault_messages = _FAULT_MESSAGES
    fault_default = "The service answered {status}."

    def authenticate(self, request: Request, state: MockState) -> str:
        """The key from `x-api-key` (what gateways send) or `Authorization: Bearer` (what the
        anthropic SDK 2.x sends), with Anthropic's wording when it is missing or wrong."""
        if request.headers.get("x-api-key"):
            check, header = header_key, "x-api-key"
        elif request.headers.get("authorization"):
            check, header = bearer_key, "authorization"
        else:
            raise MockError(401, "x-api-key header is required", code="missing_api_key")
        try:
            return check(request, state.keys)
        except MockError:
            raise MockError(401, f"invalid {header}", code="invalid_api_key") from None

    def check_headers(self, headers: Headers) -> str:
        return check_version(headers.get("anthropic-version"))

    def prepare(self, body: Any, state: MockState, dialect: str) -> tuple[ChatRequest, Completion]:
        refuse_for_version(body, dialect)
        req = parse_messages_request(body, state.config.profile)
        try:
            return req, complete(req, wording=state.config.wording)
        except SchemaError as exc:
            raise bad(".".join(map(str, _anthropic_path(exc.path))), exc.reason) from None

    def cache_blocks(self, body: Any, req: ChatRequest) -> list[Located]:
        return anthropic_blocks(body, req)

    def refused_cache_control(self, where: str) -> MockError:
        return bad(*where.split(": ", 1))

    def stream_plan(
        self, req: ChatRequest, done: Completion, use: CacheUse, offsets_for: Any, tokens_per_chunk: int
    ) -> StreamPlan:
        return anthropic_face.stream_plan(req, done, use, offsets_for, tokens_per_chunk)

    def whole_body(self, req: ChatRequest, done: Completion, use: CacheUse) -> dict[str, Any]:
        return anthropic_face.message_body(req, done, use)

    def overloaded(self) -> MockError:
        """Anthropic's answer when it has no capacity: 529 `overloaded_error`."""
        return MockError(529, "Overloaded", code="overloaded")

    def error_response(self, exc: MockError) -> Response:
        rid = request_id()
        body = anthropic_face.error_body(exc.status, exc.message, rid)
        return JSONResponse(body, status_code=exc.status, headers={"request-id": rid, **exc.headers})

    def reply(self, done: Completion, use: CacheUse) -> dict[str, Any] | None:
        return anthropic_face.reply_summary(done, use)


ANTHROPIC = AnthropicFace()


async def messages(request: Request) -> Response:
    return await handle(ANTHROPIC, request)


async def count_tokens(request: Request) -> Response:
    """`POST /v1/messages/count_tokens`: the prompt's input tokens, as `/v1/messages` would count them
    (before any prompt cache: what a request costs uncached). Checked as a message request is, per
    version; not journaled and not charged (the API does not bill it)."""
    state: MockState = request.app.state.mock
    ANTHROPIC.authenticate(request, state)
    version = ANTHROPIC.check_headers(request.headers)
    body = parse_json(await read_body(request, state.config.max_body_bytes))
    refuse_for_version(body, version)
    req = parse_count_request(body, state.config.profile)
    return JSONResponse({"input_tokens": prompt_tokens(req)}, headers={"request-id": request_id()})
