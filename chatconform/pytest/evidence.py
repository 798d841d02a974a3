"""What a failing test keeps as evidence: the request that failed (to repeat it with curl), and when nothing
came back, what the transport saw (the test could not be run, it did not fail).

"Could not test" is narrow on purpose: no status at all, and either the
connection never opened (refused, DNS, TLS: httpx's ConnectError) or no byte
arrived before the deadline. A stall after the headers, an endless stream, a
body cut short or bytes that are not HTTP are the target's doing, and stay
contract failures.

An SDK call that raised is told apart the same way: the SDK wraps httpx's
errors, so the cause chain says whether the connection failed; a timeout
counts as "before any byte" only when no frame of the response body's reader
(`chatconform.sdk_http`) is on its traceback.
"""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Iterable
from typing import Any, Literal

from chatconform.exchange import Exchange
from chatconform.redact import MASK, SECRET_HEADERS, redact, redact_headers
from chatconform.report.model import RequestRecord

BODY_LIMIT = 64 * 1024  # characters of body a record keeps; past it the curl says it cannot repeat the request
LINE_LIMIT = 300
SDK_BODY_READERS = frozenset({"__iter__", "__aiter__"})  # the body streams of chatconform.sdk_http


def request_record(ex: Exchange, secret_names: Iterable[str] = ()) -> RequestRecord:
    """The exchange's request, bounded and without secrets. `secret_names`: headers whose values are
    secrets although not registered ones (the run's custom headers)."""
    secret = {n.lower() for n in secret_names} | SECRET_HEADERS
    headers = tuple(
        (name.lower(), MASK if name.lower() in secret else value)
        for name, value in redact_headers(ex.request_headers).items()
    )
    body, encoding = _body(ex.request_body)
    truncated = len(body) > BODY_LIMIT
    return RequestRecord(ex.method, redact(ex.url), headers, body[:BODY_LIMIT], encoding, truncated)


def _body(sent: Any) -> tuple[str, Literal["text", "base64"]]:
    if sent is None:
        return "", "text"
    if isinstance(sent, bytes | bytearray):
        # Bytes a test chose (malformed JSON, odd encodings) are repeated byte for byte.
        return base64.b64encode(bytes(sent)).decode("ascii"), "base64"
    # What `chatconform.exchange.send` put on the wire for a JSON body.
    return redact(json.dumps(sent)), "text"


def transport_failure(ex: Exchange) -> str | None:
    """One line saying why nothing could be tested, or None when the target answered (however badly)."""
    if ex.status is not None:
        return None
    error = ex.error or ""
    if error.startswith("connect"):
        return _line(f"could not test: {ex.method} {ex.url}: {error}")
    if error == "timeout" and ex.t_headers is None:
        return _line(f"could not test: {ex.method} {ex.url}: no byte of an answer before the request timeout")
    return None


SdkVerdict = tuple[Literal["error", "fail"], str]


def sdk_failure(exc: BaseException) -> SdkVerdict | None:
    """For an exception from the official SDK (or httpx under it): ("error", line) when the target could not
    be reached, ("fail", line) when it answered and the SDK refused the answer; None for any other exception."""
    kind = _sdk_kind(exc)
    if kind is None:
        return None
    return kind, _line(_describe(exc))


def _sdk_kind(exc: BaseException) -> Literal["error", "fail"] | None:
    module = type(exc).__module__.split(".")[0]
    if module not in ("openai", "httpx", "httpx2", "httpcore", "anthropic"):
        return None
    if getattr(exc, "status_code", None) is not None:
        return "fail"  # the target answered with an error status
    root = _root(exc)
    name = type(root).__name__
    if name in ("ConnectError", "ConnectTimeout", "PoolTimeout"):
        return "error"
    if name in ("ReadTimeout", "TimeoutException", "APITimeoutError") and not _read_the_body(root):
        return "error"
    return "fail"


def _root(exc: BaseException) -> BaseException:
    seen = {id(exc)}
    while exc.__cause__ is not None and id(exc.__cause__) not in seen:
        exc = exc.__cause__
        seen.add(id(exc))
    return exc


def _read_the_body(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return any(f.name in SDK_BODY_READERS and f.filename.endswith("sdk_http.py") for f in frames)


def _describe(exc: BaseException) -> str:
    """`openai.BadRequestError: <message> (status 400, request req_1)`: the SDK's own words, in one line."""
    parts = [f"{type(exc).__module__.split('.')[0]}.{type(exc).__name__}: {_one_line(str(exc)) or '(no message)'}"]
    root = _root(exc)
    if root is not exc:
        parts.append(f"caused by {type(root).__name__}: {_one_line(str(root))}")
    facts = []
    if (status := getattr(exc, "status_code", None)) is not None:
        facts.append(f"status {status}")
    if request_id := getattr(exc, "request_id", None):
        facts.append(f"request {request_id}")
    return "; ".join(parts) + (f" ({', '.join(facts)})" if facts else "")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _line(text: str) -> str:
    text = redact(_one_line(text))
    return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 3] + "..."
