"""The admin routes, per tenant: `/mock/ledger`, `/mock/journal`, `/mock/faults`, `/mock/reset`.

Each key sees, arms and resets only its own data (see `keys`); the admin key
sees and resets everyone's, and the faults it arms apply to any key's
requests. Answers are ASCII JSON, so whatever text a request carried, the
journal can always be served.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chatconform.mock.body import parse_json, read_body
from chatconform.mock.errors import invalid
from chatconform.mock.keys import tenant
from chatconform.mock.state import MockState

MAX_ADMIN_BODY = 64 * 1024


class AsciiJSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()


async def ledger(request: Request) -> Response:
    state: MockState = request.app.state.mock
    return AsciiJSON(state.ledger.report(tenant(request, state.keys)))


async def journal(request: Request) -> Response:
    state: MockState = request.app.state.mock
    owner = tenant(request, state.keys)
    limit = request.query_params.get("limit", "")
    contains = request.query_params.get("contains") or None
    return AsciiJSON(state.journal.entries(owner, int(limit) if limit.isdigit() else None, contains))


async def reset(request: Request) -> Response:
    state: MockState = request.app.state.mock
    owner = tenant(request, state.keys)
    state.ledger.reset(owner)
    state.journal.reset(owner)
    state.cache.reset(owner)
    state.armed.clear(owner=owner)
    return AsciiJSON({"reset": True})


async def faults(request: Request) -> Response:
    """Arm a fault for the next requests (POST {"fault": "status=429", "count": 1, "match": "nonce"}),
    list the armed ones (GET), or disarm them (DELETE, `?match=` for one marker's)."""
    state: MockState = request.app.state.mock
    owner = tenant(request, state.keys)
    if request.method == "DELETE":
        return AsciiJSON({"removed": state.armed.clear(request.query_params.get("match"), owner)})
    if request.method == "POST":
        spec, count, match = _armed_fault(parse_json(await read_body(request, MAX_ADMIN_BODY)))
        try:
            state.armed.arm(spec, count, match, owner)
        except ValueError as exc:
            raise invalid(f"Bad fault: {exc}", None, "invalid_fault") from exc
    return AsciiJSON({"object": "list", "data": state.armed.listing(owner)})


def _armed_fault(body: object) -> tuple[str, int, str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("fault"), str):
        raise invalid('Send {"fault": "key=value; ...", "count": N, "match": "text"}.', "fault", "invalid_fault")
    count, match = body.get("count", 1), body.get("match")
    if not isinstance(count, int) or isinstance(count, bool):
        raise invalid("count must be an integer.", "count", "invalid_fault")
    if match is not None and not isinstance(match, str):
        raise invalid("match must be a string.", "match", "invalid_fault")
    return body["fault"], count, match


ROUTES = [
    Route("/mock/ledger", ledger, methods=["GET"]),
    Route("/mock/journal", journal, methods=["GET"]),
    Route("/mock/reset", reset, methods=["POST"]),
    Route("/mock/faults", faults, methods=["GET", "POST", "DELETE"]),
]
