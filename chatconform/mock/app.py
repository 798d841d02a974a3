"""`create_app(config)`: the mock upstream as an ASGI application.

Routes: the OpenAI face at `/v1` and `/api/v1` (chat completions, models),
the Anthropic face at `/v1/messages` (and `/v1/messages/count_tokens`;
`/v1/models` answers in Anthropic's shape when asked the Anthropic way, see
`models`), and the admin routes (`admin`), per
key. Both faces are always served, through one request pipeline
(`pipeline`). Every error, including unknown paths and wrong methods, is
answered with the envelope of the face its path belongs to (Anthropic's
`{"type": "error", ...}` under `/v1/messages`, OpenAI's elsewhere); an
unexpected exception becomes a 500 envelope rather than a dropped connection.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from chatconform.mock import admin
from chatconform.mock.body import ClientGone
from chatconform.mock.chat import OPENAI, chat_completions
from chatconform.mock.config import MockConfig
from chatconform.mock.errors import MockError
from chatconform.mock.messages import ANTHROPIC, count_tokens, is_anthropic_path, messages
from chatconform.mock.models import get_model, list_models
from chatconform.mock.state import MockState
from chatconform.mock.streaming import AbortStream

log = logging.getLogger("chatconform.mock")
Handler = Callable[[Request], Awaitable[Response]]
PREFIXES = ("/v1", "/api/v1")


class MockApp:
    """The ASGI entry point. The hot route (POST chat completions) is called
    directly, the rest through Starlette: Starlette's middleware wraps every
    `send`, which costs more than a whole SSE event at zero latency."""

    def __init__(self, state: MockState, rest: Starlette, hot: dict[tuple[str, str], Handler]) -> None:
        self.state = State({"mock": state})
        self.rest = rest
        self.hot = hot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.hot.get((scope.get("method", ""), scope.get("path", ""))) if scope["type"] == "http" else None
        if handler is None:
            await self.rest(scope, receive, send)
            return
        scope["app"] = self
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except ClientGone:
            return  # nothing arrived whole, so nothing to answer
        except Exception as exc:  # a bug in the mock: still an envelope, never a dropped connection
            response = await on_crash(request, exc)
        await response(scope, receive, send)


def create_app(config: MockConfig | None = None) -> MockApp:
    state = MockState(config or MockConfig())
    hot: dict[tuple[str, str], Handler] = {("POST", p + "/chat/completions"): chat_completions for p in PREFIXES}
    hot["POST", "/v1/messages"] = messages
    routes = []
    for prefix in PREFIXES:
        routes += [
            Route(prefix + "/chat/completions", chat_completions, methods=["POST"]),
            Route(prefix + "/models", list_models, methods=["GET"]),
            Route(prefix + "/models/{model_id:path}", get_model, methods=["GET"]),
        ]
    routes += [
        Route("/v1/messages", messages, methods=["POST"]),
        Route("/v1/messages/count_tokens", count_tokens, methods=["POST"]),
        *admin.ROUTES,
    ]
    rest = Starlette(
        routes=routes,
        exception_handlers={
            MockError: on_mock_error,
            HTTPException: on_http_error,
            ClientGone: on_client_gone,
            Exception: on_crash,
        },
    )
    rest.state.mock = state
    return MockApp(state, rest, hot)


async def on_mock_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MockError)
    face = ANTHROPIC if is_anthropic_path(request.url.path) else OPENAI
    return face.error_response(exc)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}."
        return await on_mock_error(request, MockError(405, message, code="method_not_allowed"))
    message = f"Unknown path {request.url.path}."
    return await on_mock_error(request, MockError(exc.status_code, message, code="not_found"))


async def on_client_gone(request: Request, exc: Exception) -> Response:
    return Response(status_code=400)  # never sent: uvicorn drops what is sent to a closed connection


async def on_crash(request: Request, exc: Exception) -> Response:
    if isinstance(exc, AbortStream):  # a deliberate drop, not a bug; the connection closes
        return Response(status_code=500)
    log.exception("mock bug while answering %s", request.url.path)
    return await on_mock_error(request, MockError(500, "Internal error in the mock; see its log.", code="mock_bug"))
