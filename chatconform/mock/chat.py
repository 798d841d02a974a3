"""`POST /chat/completions`: the OpenAI face's parsing and framing for the request pipeline.

The key comes as `Authorization: Bearer`; the body is checked by
`validate.parse_chat_request`; answers are framed by `openai_face`; errors use
OpenAI's `{"error": {...}}` envelope with `x-request-id`.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chatconform.mock import openai_face
from chatconform.mock.cache_blocks import Located, openai_blocks
from chatconform.mock.delivery import request_id
from chatconform.mock.errors import MockError, invalid
from chatconform.mock.generation import Completion, complete
from chatconform.mock.keys import bearer_key
from chatconform.mock.openai_errors import param_path
from chatconform.mock.pipeline import Face, handle
from chatconform.mock.prompt_cache import CacheUse
from chatconform.mock.request import ChatRequest
from chatconform.mock.schema_keywords import SchemaError
from chatconform.mock.state import MockState
from chatconform.mock.streaming import StreamPlan
from chatconform.mock.validate import parse_chat_request

_FAULT_MESSAGES = {
    429: "Rate limit reached for requests. Retry after the time given in Retry-After.",
    529: "The upstream model is overloaded. Try again later.",
    503: "The service is temporarily unavailable.",
}


class OpenAIFace(Face):
    name = "openai"
    request_id_header = "x-request-id"
    failure_message = "The upstream model failed while generating."
    fault_messages = _FAULT_MESSAGES
    fault_default = "The server had an error while processing your request."

    def authenticate(self, request: Request, state: MockState) -> str:
        return bearer_key(request, state.keys)

    def check_headers(self, headers: Headers) -> str:
        """Nothing to check: the OpenAI API has no version header."""
        return ""

    def prepare(self, body: Any, state: MockState, dialect: str) -> tuple[ChatRequest, Completion]:
        profile = state.config.profile
        req = parse_chat_request(body, profile)
        try:
            return req, complete(req, profile.expect.named_tool_choice_finish, state.config.wording)
        except SchemaError as exc:
            param = param_path(list(exc.path))
            raise invalid(f"Invalid schema at `{param}`: {exc.reason}.", param, "invalid_schema") from None

    def cache_blocks(self, body: Any, req: ChatRequest) -> list[Located]:
        return openai_blocks(body, req)

    def refused_cache_control(self, where: str) -> MockError:
        path, _, reason = where.partition(": ")
        return invalid(f"Invalid '{path}.cache_control': {reason}", f"{path}.cache_control", "invalid_value")

    def stream_plan(
        self, req: ChatRequest, done: Completion, use: CacheUse, offsets_for: Any, tokens_per_chunk: int
    ) -> StreamPlan:
        return openai_face.stream_plan(req, done, use, offsets_for, tokens_per_chunk)

    def whole_body(self, req: ChatRequest, done: Completion, use: CacheUse) -> dict[str, Any]:
        return openai_face.completion_body(req, done, use)

    def overloaded(self) -> MockError:
        """What a saturated upstream answers through an OpenAI-style API: 503, retry shortly."""
        message = "The engine is currently overloaded, please try again later."
        return MockError(503, message, code="engine_overloaded", headers={"retry-after": "1"})

    def error_response(self, exc: MockError) -> Response:
        headers = {"x-request-id": request_id(), **exc.headers}
        return JSONResponse(exc.envelope(), status_code=exc.status, headers=headers)


OPENAI = OpenAIFace()


async def chat_completions(request: Request) -> Response:
    return await handle(OPENAI, request)
