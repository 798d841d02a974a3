"""Exchanges: one request and everything that came back, with arrival times.

Suites, load tests and self-tests all produce `Exchange` objects; checks only
read them. `send` never raises for what a server does: a stall, an endless
stream, a huge body or a dropped connection ends up in `Exchange.error`,
within the deadline, so a hostile endpoint becomes a failed check, not a hang.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from chatconform.redact import redact_headers
from chatconform.sse import Event, SSEReader
from chatconform.wire import DONE, loads

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


@dataclass
class Exchange:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""
    body: Any = None
    events: list[Event] = field(default_factory=list)
    sse_problems: list[str] = field(default_factory=list)
    t_start: float = 0.0
    t_headers: float | None = None
    t_end: float = 0.0
    error: str | None = None  # "timeout", "disconnect", "too_large", "connect": what the transport saw

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_stream(self) -> bool:
        return self.content_type == "text/event-stream"

    @property
    def request_id(self) -> str:
        """The best identifier to quote in a failure: header, then body or first chunk id."""
        for name in ("x-request-id", "request-id", "x-chatconform-request-id"):
            if name in self.headers:
                return self.headers[name]
        source = self.body if isinstance(self.body, dict) else next(iter(self.chunks()), None)
        value = source.get("id") if isinstance(source, dict) else None
        return str(value) if value else "-"

    def data_events(self) -> list[Event]:
        """The `message` events (what OpenAI streams use), in order."""
        return [e for e in self.events if e.event == "message"]

    def chunks(self) -> list[Any]:
        """Parsed JSON of every data event before `[DONE]`; unparsable ones become None."""
        out: list[Any] = []
        for event in self.data_events():
            if event.data == DONE:
                break
            out.append(loads(event.data))
        return out

    @property
    def done_count(self) -> int:
        return sum(1 for e in self.data_events() if e.data == DONE)


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    json_body: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Exchange:
    """Send one request and record the whole answer, bounded by `timeout_s` overall."""
    headers = dict(headers or {})
    body = content if content is not None else (json.dumps(json_body).encode() if json_body is not None else None)
    if body is not None and content is None:
        headers.setdefault("content-type", "application/json")
    ex = Exchange(method, url, redact_headers(headers), json_body if content is None else content)
    reader, received = SSEReader(), bytearray()
    ex.t_start = time.perf_counter()
    try:
        _receive(client, ex, (method, url, body, headers), ex.t_start + timeout_s, max_bytes, reader, received)
    except httpx.TimeoutException:
        ex.error = "timeout"
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        ex.error = f"disconnect: {type(exc).__name__}"
    except httpx.ConnectError as exc:
        ex.error = f"connect: {exc}"
    ex.t_end = time.perf_counter()
    ex.raw = bytes(received)
    if ex.is_stream:
        if ex.error is None:
            reader.close(ex.t_end)
        ex.events, ex.sse_problems = reader.events, reader.problems
    elif ex.raw:
        ex.body = loads(ex.raw)
    return ex


def _receive(
    client: httpx.Client,
    ex: Exchange,
    request: tuple[str, str, bytes | None, dict[str, str]],
    deadline: float,
    max_bytes: int,
    reader: SSEReader,
    received: bytearray,
) -> None:
    """Read the response into `received` (and `reader` for a stream) until it ends,
    grows past `max_bytes`, or passes the deadline; a stall raises httpx's timeout."""
    method, url, body, headers = request
    timeout = httpx.Timeout(max(0.001, deadline - time.perf_counter()))
    with client.stream(method, url, content=body, headers=headers, timeout=timeout) as resp:
        ex.t_headers = time.perf_counter()
        ex.status = resp.status_code
        ex.headers = {k.lower(): v for k, v in resp.headers.items()}
        streaming = ex.is_stream
        for chunk in resp.iter_bytes():
            now = time.perf_counter()
            received += chunk
            if streaming:
                reader.feed(chunk, now)
            if len(received) > max_bytes:
                ex.error = "too_large"
                return
            if now > deadline:
                ex.error = "timeout"
                return
