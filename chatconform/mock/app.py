"""`create_app(config)`: the mock upstream as an ASGI application.

Routes: the OpenAI face at `/v1` and `/api/v1` (chat completions, models),
and the admin routes `/mock/ledger`, `/mock/journal`, `/mock/reset`, which
take the same keys. Every error, including unknown paths and wrong methods,
is answered with the OpenAI error envelope; an unexpected exception becomes a
500 envelope rather than a dropped connection.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chatconform.mock.chat import chat_completions, request_id
from chatconform.mock.config import MockConfig
from chatconform.mock.errors import MockError
from chatconform.mock.state import MockState, bearer_key
from chatconform.mock.streaming import AbortStream

log = logging.getLogger("chatconform.mock")
PREFIXES = ("/v1", "/api/v1")
MODEL_CREATED = 1_700_000_000  # a fixed timestamp: the catalog has no creation dates


def create_app(config: MockConfig | None = None) -> Starlette:
    state = MockState(config or MockConfig())
    routes = []
    for prefix in PREFIXES:
        routes += [
            Route(prefix + "/chat/completions", chat_completions, methods=["POST"]),
            Route(prefix + "/models", list_models, methods=["GET"]),
            Route(prefix + "/models/{model_id:path}", get_model, methods=["GET"]),
        ]
    routes += [
        Route("/mock/ledger", ledger, methods=["GET"]),
        Route("/mock/journal", journal, methods=["GET"]),
        Route("/mock/reset", reset, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={MockError: on_mock_error, HTTPException: on_http_error, Exception: on_crash},
    )
    app.state.mock = state
    return app


def _model_object(model_id: str) -> dict[str, object]:
    return {"id": model_id, "object": "model", "created": MODEL_CREATED, "owned_by": "anthropic"}


async def list_models(request: Request) -> Response:
    state: MockState = request.app.state.mock
    bearer_key(request, state)
    data = [_model_object(m) for m in state.config.profile.model_ids()]
    return JSONResponse({"object": "list", "data": data})


async def get_model(request: Request) -> Response:
    state: MockState = request.app.state.mock
    bearer_key(request, state)
    model_id = request.path_params["model_id"]
    if state.config.profile.resolve(model_id) is None:
        raise MockError(404, f"The model `{model_id}` does not exist.", param="model", code="model_not_found")
    return JSONResponse(_model_object(model_id))


async def ledger(request: Request) -> Response:
    state: MockState = request.app.state.mock
    return JSONResponse(state.ledger.report(bearer_key(request, state)))


async def journal(request: Request) -> Response:
    state: MockState = request.app.state.mock
    bearer_key(request, state)
    limit = request.query_params.get("limit", "")
    entries = state.journal.entries(int(limit) if limit.isdigit() else None)
    return JSONResponse({"object": "list", "data": entries})


async def reset(request: Request) -> Response:
    state: MockState = request.app.state.mock
    bearer_key(request, state)
    state.ledger.reset()
    state.journal.reset()
    return JSONResponse({"reset": True})


async def on_mock_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MockError)
    headers = {"x-request-id": request_id(), **exc.headers}
    return JSONResponse(exc.envelope(), status_code=exc.status, headers=headers)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}."
        return await on_mock_error(request, MockError(405, message, code="method_not_allowed"))
    message = f"Unknown path {request.url.path}."
    return await on_mock_error(request, MockError(exc.status_code, message, code="not_found"))


async def on_crash(request: Request, exc: Exception) -> Response:
    if isinstance(exc, AbortStream):  # a deliberate drop, not a bug; the connection closes
        return Response(status_code=500)
    log.exception("mock bug while answering %s", request.url.path)
    return await on_mock_error(request, MockError(500, "Internal error in the mock; see its log.", code="mock_bug"))
