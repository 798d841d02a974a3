"""What one running mock holds, shared by its faces: models, latency, faults, books."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from starlette.requests import Request

from chatconform.mock.config import MockConfig
from chatconform.mock.errors import MockError, invalid
from chatconform.mock.faults import FAULT_HEADER, ArmedFaults, Fault, FaultPlan
from chatconform.mock.generation import Completion
from chatconform.mock.journal import Journal
from chatconform.mock.latency import LatencyModel
from chatconform.mock.ledger import Ledger
from chatconform.mock.memo import LRU
from chatconform.mock.request import ChatRequest
from chatconform.redact import MASK, SECRET_HEADERS


class Prepared(NamedTuple):
    """What a request body becomes before any fault or framing applies: a pure function of it."""

    body: Any
    req: ChatRequest
    done: Completion


# Real request bodies nest a few levels; a deeper one would only exercise recursion limits downstream.
MAX_DEPTH = 64


@dataclass
class MockState:
    config: MockConfig
    latency: LatencyModel = field(init=False)
    faults: FaultPlan = field(init=False)
    armed: ArmedFaults = field(default_factory=ArmedFaults)  # POST /mock/faults
    ledger: Ledger = field(default_factory=Ledger)
    journal: Journal = field(init=False)
    # Raw request body -> its parsed, validated and answered form, for bodies seen before.
    requests: LRU[Prepared] = field(default_factory=lambda: LRU(256))

    def __post_init__(self) -> None:
        self.latency = LatencyModel(self.config.profile, self.config.latency, self.config.seed)
        self.faults = FaultPlan(self.config.faults, self.config.seed)
        self.journal = Journal(self.config.journal_size)

    def accepts(self, key: str) -> bool:
        if self.config.api_keys:
            return any(hmac.compare_digest(key.encode(), k.encode()) for k in self.config.api_keys)
        return key.startswith(self.config.profile.api_key_prefix)

    def fault_for(self, request: Request, body: bytes = b"") -> Fault:
        """The header's fault, else an armed one whose marker is in `body`, else a seeded draw."""
        header = request.headers.get(FAULT_HEADER)
        if not header and self.armed:
            armed = self.armed.take(body)
            if armed is not None:
                return armed
        try:
            return self.faults.draw(header)
        except ValueError as exc:
            raise invalid(f"Bad {FAULT_HEADER} header: {exc}", None, "invalid_fault") from exc


def bearer_key(request: Request, state: MockState) -> str:
    """The caller's key from `Authorization: Bearer <key>`, or a 401 as OpenAI words it."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if not header:
        raise MockError(
            401,
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
            type="invalid_request_error",
            code="missing_api_key",
        )
    return _checked(key.strip() if scheme.lower() == "bearer" else "", state, "invalid_request_error")


def _checked(key: str, state: MockState, error_type: str) -> str:
    if not key or not state.accepts(key):
        # Never echo the key: it would end up in logs and reports.
        raise MockError(401, "Incorrect API key provided.", type=error_type, code="invalid_api_key")
    return key


def header_key(request: Request, state: MockState) -> str:
    """The caller's key from `x-api-key` (the Anthropic convention)."""
    return _checked(request.headers.get("x-api-key", "").strip(), state, "authentication_error")


async def read_body(request: Request, limit: int) -> bytes:
    """The raw request body, or a 413 when it is larger than `limit` bytes."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise MockError(413, f"Request body too large: {length} bytes; the limit is {limit}.", code="request_too_large")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise MockError(413, f"Request body too large; the limit is {limit} bytes.", code="request_too_large")
    return bytes(raw)


def parse_json(raw: bytes) -> Any:
    """Untrusted bytes to JSON, or a 400 that says what is wrong."""
    if not raw:
        raise invalid("The request body is empty; send a JSON object.", None, "invalid_request_body")
    try:
        body = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise invalid(f"The request body is not valid JSON: {exc}", None, "invalid_json") from exc
    # Nesting needs brackets: a body with few of them cannot be deep, and counting is cheap.
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _depth(body) > MAX_DEPTH:
        raise invalid(f"The request body is nested deeper than {MAX_DEPTH} levels.", None, "invalid_json")
    return body


def _depth(value: Any) -> int:
    """Nesting depth, computed without recursion (the body is untrusted)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def journal_headers(request: Request) -> dict[str, str]:
    """Headers for the journal, credentials masked (the journal redacts the rest when read)."""
    return {k: (MASK if k in SECRET_HEADERS else v) for k, v in request.headers.items()}
