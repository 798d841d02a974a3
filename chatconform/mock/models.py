"""`GET /v1/models` and `GET /v1/models/{id}`: the profile's catalog, in the shape of whichever API asks.

A client that asks the Anthropic way (an `x-api-key` or an `anthropic-version`
header: the Anthropic SDKs send both) gets Anthropic's shape, `{"data":
[{"type": "model", "id", "display_name", "created_at", "lifecycle"}],
"has_more", "first_id", "last_id"}`, with Anthropic's error envelope; anyone
else OpenAI's list (`{"object": "list", "data": [{"id", "object": "model",
"created", "owned_by"}]}`). The catalog has no real dates: every model is
dated `MODEL_CREATED`. Anthropic's list is one page (the catalog is short);
`limit`, `before_id` and `after_id` are not modelled.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chatconform.mock.delivery import request_id
from chatconform.mock.errors import MockError
from chatconform.mock.keys import bearer_key
from chatconform.mock.messages import ANTHROPIC
from chatconform.mock.state import MockState

MODEL_CREATED = 1_700_000_000  # a fixed timestamp: the catalog has no creation dates
_CREATED_AT = datetime.fromtimestamp(MODEL_CREATED, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def asks_anthropic(request: Request) -> bool:
    return "x-api-key" in request.headers or "anthropic-version" in request.headers


def display_name(model_id: str) -> str:
    """`claude-haiku-4-5` -> `Claude Haiku 4.5`: words capitalised, the version's numbers joined by dots."""
    words = model_id.split("-")
    digits = [w for w in words if w.isdigit() and len(w) <= 2]
    names = [w.capitalize() for w in words if not re.fullmatch(r"\d+", w)]
    return " ".join([*names, ".".join(digits)] if digits else names)


def _openai_model(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": MODEL_CREATED, "owned_by": "anthropic"}


def _anthropic_model(model_id: str) -> dict[str, Any]:
    name = display_name(model_id)
    return {"type": "model", "id": model_id, "display_name": name, "created_at": _CREATED_AT, "lifecycle": "active"}


async def list_models(request: Request) -> Response:
    state: MockState = request.app.state.mock
    if not asks_anthropic(request):
        bearer_key(request, state.keys)
        data = [_openai_model(m) for m in state.config.profile.model_ids()]
        return JSONResponse({"object": "list", "data": data})
    try:
        ANTHROPIC.authenticate(request, state)
    except MockError as exc:
        return ANTHROPIC.error_response(exc)
    models = [_anthropic_model(m) for m in state.config.profile.model_ids(aliases=False)]
    body = {"data": models, "has_more": False, "first_id": models[0]["id"], "last_id": models[-1]["id"]}
    return JSONResponse(body, headers={"request-id": request_id()})


async def get_model(request: Request) -> Response:
    state: MockState = request.app.state.mock
    model_id = request.path_params["model_id"]
    if not asks_anthropic(request):
        bearer_key(request, state.keys)
        if state.config.profile.resolve(model_id) is None:
            raise MockError(404, f"The model `{model_id}` does not exist.", param="model", code="model_not_found")
        return JSONResponse(_openai_model(model_id))
    try:
        ANTHROPIC.authenticate(request, state)
        if model_id not in state.config.profile.model_ids(aliases=False):
            raise MockError(404, f"model: {model_id}", code="not_found")
    except MockError as exc:
        return ANTHROPIC.error_response(exc)
    return JSONResponse(_anthropic_model(model_id), headers={"request-id": request_id()})
