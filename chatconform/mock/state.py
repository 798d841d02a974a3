"""What one running mock holds, shared by its faces: models, latency, faults, books."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from chatconform.mock.config import MockConfig
from chatconform.mock.errors import MockError, invalid
from chatconform.mock.faults import FAULT_HEADER, Fault, FaultPlan
from chatconform.mock.journal import Journal
from chatconform.mock.latency import LatencyModel
from chatconform.mock.ledger import Ledger
from chatconform.redact import redact_headers


@dataclass
class MockState:
    config: MockConfig
    latency: LatencyModel = field(init=False)
    faults: FaultPlan = field(init=False)
    ledger: Ledger = field(default_factory=Ledger)
    journal: Journal = field(init=False)

    def __post_init__(self) -> None:
        self.latency = LatencyModel(self.config.profile, self.config.latency, self.config.seed)
        self.faults = FaultPlan(self.config.faults, self.config.seed)
        self.journal = Journal(self.config.journal_size)

    def accepts(self, key: str) -> bool:
        if self.config.api_keys:
            return any(hmac.compare_digest(key.encode(), k.encode()) for k in self.config.api_keys)
        return key.startswith(self.config.profile.api_key_prefix)

    def fault_for(self, request: Request) -> Fault:
        try:
            return self.faults.draw(request.headers.get(FAULT_HEADER))
        except ValueError as exc:
            raise invalid(f"Bad {FAULT_HEADER} header: {exc}", None, "invalid_fault") from exc


def bearer_key(request: Request, state: MockState) -> str:
    """The caller's key from `Authorization: Bearer <key>`, or a 401 as OpenAI words it."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if not header:
        raise MockError(401, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                        type="invalid_request_error", code="missing_api_key")
    return _checked(key.strip() if scheme.lower() == "bearer" else "", state, "invalid_request_error")


def _checked(key: str, state: MockState, error_type: str) -> str:
    if not key or not state.accepts(key):
        # Never echo the key: it would end up in logs and reports.
        raise MockError(401, "Incorrect API key provided.", type=error_type, code="invalid_api_key")
    return key


def header_key(request: Request, state: MockState) -> str:
    """The caller's key from `x-api-key` (the Anthropic convention)."""
    return _checked(request.headers.get("x-api-key", "").strip(), state, "authentication_error")


async def json_body(request: Request, limit: int) -> Any:
    """The request body as JSON, or a 413 / 400 that says what is wrong."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise MockError(413, f"Request body too large: {length} bytes; the limit is {limit}.", code="request_too_large")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise MockError(413, f"Request body too large; the limit is {limit} bytes.", code="request_too_large")
    if not raw:
        raise invalid("The request body is empty; send a JSON object.", None, "invalid_request_body")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(f"The request body is not valid JSON: {exc}", None, "invalid_json") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def journal_headers(request: Request) -> dict[str, str]:
    return redact_headers(dict(request.headers))
