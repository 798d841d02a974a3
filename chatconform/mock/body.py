"""Untrusted request bytes to JSON: read once, bounded, parsed once, or a 4xx that says why.

Parsing uses orjson, which is strict where the mock must be: it refuses lone
surrogates (`"\\ud800"`, which no UTF-8 response could carry back),
`NaN`/`Infinity`, and numbers that overflow a double (`1e999`), so none of
them reaches a validator, the answer engine or the journal. Before parsing a
large body its brackets are counted (a C-speed scan): a body of a million
tiny objects costs far more to parse and walk than its size suggests.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request

from chatconform.mock.errors import MockError, invalid

# Real request bodies nest a few levels; a deeper one would only exercise recursion limits downstream.
MAX_DEPTH = 64
# Objects and arrays in one body: a long conversation with images has a few thousand.
MAX_CONTAINERS = 200_000
_COUNT_FROM = 64 * 1024  # below this size a body cannot hold enough brackets to matter


class ClientGone(Exception):
    """The client left before its request body arrived: nothing to answer, nothing to journal."""


async def read_body(request: Request, limit: int) -> bytes:
    """The raw request body, or a 413 when it is larger than `limit` bytes."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise MockError(
            413, f"Request body too large: {length[:20]} bytes; the limit is {limit}.", code="request_too_large"
        )
    raw = bytearray()
    try:
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > limit:
                raise MockError(413, f"Request body too large; the limit is {limit} bytes.", code="request_too_large")
    except ClientDisconnect:
        raise ClientGone from None
    return bytes(raw)


def parse_json(raw: bytes) -> Any:
    """Untrusted bytes to JSON, or a 400 that says what is wrong."""
    if not raw:
        raise invalid("The request body is empty; send a JSON object.", None, "invalid_request_body")
    brackets = raw.count(b"[") + raw.count(b"{") if len(raw) > _COUNT_FROM else 0
    if brackets > MAX_CONTAINERS:
        message = f"The request body holds more than {MAX_CONTAINERS} JSON objects and arrays, the mock's limit."
        raise invalid(message, None, "invalid_request_body")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise invalid(f"The request body is not valid JSON: {exc}", None, "invalid_json") from None
    # Nesting needs brackets: a body with few of them cannot be deep, and counting is cheap.
    if (brackets or raw.count(b"[") + raw.count(b"{")) > MAX_DEPTH and _depth(body) > MAX_DEPTH:
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
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest
