"""Gateway mode as the suites run it: tag a request, find what the gateway sent upstream, arm upstream faults.

Every request carries a fresh marker on a line of its own in the last user
message (`(ref cc-...)`); the marker survives any faithful translation, so the
upstream mock's journal finds the request the gateway forwarded (and its
retries), and a fault armed with the marker hits only that request, however
many tests run at once and whether or not the gateway forwards headers.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chatconform.client import MockAdmin
from chatconform.prompts import chat, user
from chatconform.pytest.settings import CheckSettings

SETTLE_S = 2.0  # how long an upstream request may stay pending after the client's answer ended


def marker() -> str:
    return "cc-" + secrets.token_hex(8)


def tagged(text: str, mark: str) -> str:
    """The prompt with the marker on its own line, where no mock rule reads it."""
    return f"{text}\n(ref {mark})"


def model_of(settings: CheckSettings) -> str:
    """The model the gateway tests use: the first one --models selected, else the profile's default."""
    return settings.models[0] if settings.models else settings.profile.default_model.id


def ask(model: str, text: str, mark: str, *before: dict[str, Any], **params: Any) -> dict[str, Any]:
    """A chat body whose last user message is `text`, tagged."""
    return chat(model, *before, user(tagged(text, mark)), **params)


def streamed(params: dict[str, Any], mode: str) -> dict[str, Any]:
    """`params` for the delivery mode; streams ask for usage, so it can be compared."""
    if mode == "stream":
        return {**params, "stream": True, "stream_options": {"include_usage": True}}
    return params


def found(upstream: MockAdmin, mark: str, settle_s: float = SETTLE_S) -> dict[str, Any]:
    """The expect keys of the translation checks: the last upstream request with the marker, and their count."""
    entries = upstream.forwarded(mark, settle_s=settle_s)
    return {"upstream": entries[-1] if entries else None, "upstream_count": len(entries)}


@contextmanager
def armed(upstream: MockAdmin, mark: str, fault: str, count: int = 10) -> Iterator[None]:
    """`fault` for the next `count` upstream requests with the marker (a gateway's retries meet it too)."""
    upstream.arm_fault(fault, count=count, match=mark)
    try:
        yield
    finally:
        upstream.disarm(mark)
