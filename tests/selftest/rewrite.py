"""A rewriting layer around the mock: the traffic of a gateway with one known bug (or one harmless quirk).

`RewritingApp` wraps an ASGI app. It reads the whole request, lets a
`Rewrite` edit the chat request before the app sees it, captures the app's
whole answer (status, headers, JSON body or SSE data payloads), lets the
`Rewrite` edit that, and sends the result with its own framing and in pieces
of its choosing. Buffering the answer is fine here: mutation runs judge what
arrives, not when (the mock answers at once with zero latency).

`VariantServer` serves many rewrites on one port, each under its own path
prefix (`/<name>/v1/...`) with its own mock, so concurrent runs never share
a ledger. With `answers="varied"` those mocks answer as another model
might (`--answers varied --seed N`): the mutations must be caught through
benign answer variation too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.profile import Profile, load_profile
from chatconform.server import serve_in_thread
from chatconform.sse import parse

DONE = "[DONE]"
Event = dict[str, Any] | str


@dataclass
class Reply:
    """The mock's answer, open to edits: set `status`, `headers`, `body` or `events`."""

    request: Any  # the request body as the mock received it (after request edits); None if not JSON
    status: int
    headers: dict[str, str]  # lower-case names
    raw: bytes  # the body as received; used as is when `body` and `events` stay None
    body: Any = None  # parsed JSON of a non-stream answer
    # A stream's events in order: each JSON object parsed (edit it in place), any other payload
    # (`[DONE]`, text that is not JSON) as its string.
    events: list[Event] | None = None

    @property
    def is_stream(self) -> bool:
        return self.events is not None

    def chunks(self) -> list[dict[str, Any]]:
        """The stream's JSON chunks, live: editing one edits the reply."""
        return [e for e in self.events or [] if isinstance(e, dict)]

    def payloads(self) -> list[str]:
        return [e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in self.events or []]


def sse(events: list[str]) -> bytes:
    """OpenAI's framing: `data: <payload>` and a blank line per event."""
    return "".join(f"data: {e}\n\n" for e in events).encode()


RequestEdit = Callable[[dict[str, Any]], None]
ReplyEdit = Callable[[Reply], None]


@dataclass(frozen=True)
class Rewrite:
    request: RequestEdit | None = None  # edits a chat request in place
    reply: ReplyEdit | None = None  # edits the answer in place
    frame: Callable[[list[str]], bytes] = sse  # a stream's payloads to bytes
    # The last word on the encoded body and its headers (content-encoding, transfer framing).
    finish: Callable[[bytes, dict[str, str]], bytes] | None = None
    pieces: tuple[int, ...] = ()  # send the body in pieces of these sizes, cycled (each one HTTP chunk of a stream)


@dataclass
class _Captured:
    start: Message = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


class RewritingApp:
    def __init__(self, inner: ASGIApp, rewrite: Rewrite) -> None:
        self.inner, self.rewrite = inner, rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        content = await _read_body(receive)
        request = _loads(content)
        if self.rewrite.request is not None and isinstance(request, dict) and scope["path"].endswith("/completions"):
            self.rewrite.request(request)
            content = json.dumps(request).encode()
            scope = {**scope, "headers": _set_length(scope["headers"], len(content))}
        captured = _Captured()
        await self.inner(scope, _replay(content, receive), captured.send)
        reply = _reply(request, captured)
        if self.rewrite.reply is not None:
            self.rewrite.reply(reply)
        await self._emit(reply, send)

    async def _emit(self, reply: Reply, send: Send) -> None:
        if reply.events is not None:
            body = self.rewrite.frame(reply.payloads())
        elif reply.body is not None:
            body = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            body = reply.raw
        headers = {k: v for k, v in reply.headers.items() if k not in ("content-length", "transfer-encoding")}
        if reply.events is None:
            headers["content-length"] = str(len(body))
        if self.rewrite.finish is not None:
            body = self.rewrite.finish(body, headers)
        raw_headers = [(k.encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": reply.status, "headers": raw_headers})
        for piece in _split(body, self.rewrite.pieces):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _reply(request: Any, captured: _Captured) -> Reply:
    headers = {k.decode().lower(): v.decode() for k, v in captured.start.get("headers", [])}
    reply = Reply(request, int(captured.start.get("status", 500)), headers, bytes(captured.body))
    if headers.get("content-type", "").startswith("text/event-stream"):
        reply.events = [_event(e.data) for e in parse(reply.raw).events]
    else:
        reply.body = _loads(reply.raw)
    return reply


def _event(data: str) -> Event:
    parsed = _loads(data)
    return parsed if isinstance(parsed, dict) else data


def _split(body: bytes, sizes: tuple[int, ...]) -> Iterator[bytes]:
    if not sizes:
        yield body
        return
    at, n = 0, 0
    while at < len(body):
        size = sizes[n % len(sizes)]
        yield body[at : at + size]
        at, n = at + size, n + 1


async def _read_body(receive: Receive) -> bytes:
    content = bytearray()
    while True:
        message = await receive()
        content += message.get("body", b"")
        if not message.get("more_body"):
            return bytes(content)


def _replay(content: bytes, receive: Receive) -> Receive:
    """The request body once, then the real channel (so the app still hears a disconnect)."""
    pending = [{"type": "http.request", "body": content, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _set_length(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    return [*kept, (b"content-length", str(length).encode())]


def _loads(data: str | bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


class VariantServer:
    """Routes `/<name>/...` to a fresh mock behind the rewrite named `name`."""

    def __init__(
        self, rewrites: Mapping[str, Rewrite], profile: Profile, api_key: str, answers: str = "exact", seed: int = 0
    ) -> None:
        self.rewrites, self.profile, self.api_key = rewrites, profile, api_key
        self.answers, self.seed = answers, seed  # how the mocks behind the rewrites word their answers
        self.apps: dict[str, ASGIApp] = {}
        self.root = ""

    def base_url(self, name: str) -> str:
        if name not in self.rewrites:
            raise KeyError(f"no rewrite named {name!r}")
        return f"{self.root}/{name}/v1"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        name, _, rest = scope["path"].lstrip("/").partition("/")
        if name not in self.rewrites:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"no such variant"})
            return
        if name not in self.apps:
            config = MockConfig(profile=self.profile, api_keys=(self.api_key,), answers=self.answers, seed=self.seed)
            mock = create_app(config)
            self.apps[name] = RewritingApp(mock, self.rewrites[name])
        path = "/" + rest
        await self.apps[name]({**scope, "path": path, "raw_path": path.encode()}, receive, send)


@contextmanager
def serve_variants(
    rewrites: Mapping[str, Rewrite], api_key: str, answers: str = "exact", seed: int = 0
) -> Iterator[VariantServer]:
    """The rewrites served on one port; `answers="varied"` puts the mock's varied voice (by `seed`) behind them."""
    server = VariantServer(rewrites, load_profile(), api_key, answers, seed)
    with serve_in_thread(server) as root:
        server.root = root
        yield server
