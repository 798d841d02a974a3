"""A deadline for request headers and body, and a cap on open connections, around uvicorn's protocol.

uvicorn has a keep-alive timeout but no deadline for receiving a request: a
client that dribbles its headers a byte at a time (slowloris) keeps its
connection, and its file descriptor, for ever, and a thousand of them starve
everyone under a 1,024 file limit. This is the smallest wrapper that closes
the gap, a subclass of uvicorn's httptools protocol (what uvicorn picks when
httptools is installed, as `uvicorn[standard]` does):

- From a connection's first byte of each request (and from accepting it) to
  the last byte of that request's body, at most `header_timeout_s` (checked
  by one sweep of all connections every second or so); then a 408 in the
  OpenAI envelope (when no answer has started) and the connection is closed.
- At most `max_connections` open at once (lowered to what the process's file
  limit leaves room for). A connection beyond the cap first evicts the oldest
  connection that is not being answered (idle keep-alive, or still sending
  its request), so slow clients cannot lock out fast ones; only when every
  connection is busy answering is the newcomer refused with a 503 envelope and
  closed.

It also gives each request's scope a probe (`departure.PEER_GONE`) that asks
the socket whether the client has left, so the ledger's rule costs the hot path
one `poll` instead of a few turns of the event loop.

It reads the protocol's `transport`, `cycle` and `scope` attributes and overrides its
parser callbacks; `tests/mock/test_connections.py` fails if an uvicorn upgrade
changes them.
"""

from __future__ import annotations

import asyncio
import json
import resource
import select
from collections import OrderedDict
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from chatconform.mock.departure import PEER_GONE

FD_RESERVE = 128  # descriptors kept free for files, the listening socket, and a burst of accepts


def connection_cap(wanted: int) -> int:
    """`wanted`, or fewer if the process's file limit would run out first."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - FD_RESERVE))


def guarded_protocol(header_timeout_s: float, max_connections: int) -> type[asyncio.Protocol]:
    """A protocol class for `uvicorn.Config(http=...)`, with its own registry of open connections."""
    registry = _Registry(connection_cap(max_connections), header_timeout_s)

    class Guarded(HttpToolsProtocol):
        since: float | None = None  # when the request now arriving began; None between requests
        _hangup: select.poll  # the socket, polled for the peer's FIN or reset

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if not registry.admit(self):
                _reply(transport, 503, "The mock has too many open connections; retry shortly.", "too_many_connections")
                return
            self._hangup = select.poll()
            self._hangup.register(transport.get_extra_info("socket").fileno(), select.POLLRDHUP)
            self.since = self.loop.time()  # a connection that never speaks has a deadline too

        def connection_lost(self, exc: Exception | None) -> None:
            registry.discard(self)
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.scope["extensions"] = {PEER_GONE: self.peer_gone}  # type: ignore[dict-item]
            self.since = self.loop.time()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self.since = None

        def peer_gone(self) -> bool:
            """Whether the client has closed its end or reset the connection: the socket says at once,
            where `http.disconnect` waits for the event loop to turn (see departure.py)."""
            return self.transport.is_closing() or bool(self._hangup.poll(0))

        @property
        def evictable(self) -> bool:
            """Not being answered: idle between requests, or still sending one."""
            cycle = self.cycle
            return self.since is not None or cycle is None or cycle.response_complete

        def close(self) -> None:
            if not self.transport.is_closing():
                self.transport.close()

        def expire(self) -> None:
            if self.transport.is_closing():
                return
            if self.cycle is None or not self.cycle.response_started:
                message = f"The request did not arrive within {header_timeout_s:g} s."
                _reply(self.transport, 408, message, "request_timeout")
            else:
                self.transport.close()

    return Guarded


class _Registry:
    """The open connections, oldest first, and one timer that sweeps them for overdue requests:
    one timer per server rather than one per request, which the hot path would pay for."""

    def __init__(self, cap: int, timeout_s: float) -> None:
        self.cap, self.timeout_s = cap, timeout_s
        self._every = min(1.0, timeout_s / 4)  # a deadline is met within this much
        self._open: OrderedDict[int, Any] = OrderedDict()
        self._sweeping: asyncio.TimerHandle | None = None

    def admit(self, protocol: Any) -> bool:
        if len(self._open) >= self.cap:
            oldest = next((p for p in self._open.values() if p.evictable), None)
            if oldest is None:
                return False
            self.discard(oldest)
            oldest.close()
        self._open[id(protocol)] = protocol
        if self._sweeping is None:
            self._sweeping = protocol.loop.call_later(self._every, self._sweep, protocol.loop)
        return True

    def discard(self, protocol: Any) -> None:
        self._open.pop(id(protocol), None)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        overdue = loop.time() - self.timeout_s
        for protocol in [p for p in self._open.values() if p.since is not None and p.since < overdue]:
            protocol.expire()
        self._sweeping = loop.call_later(self._every, self._sweep, loop) if self._open else None


def _reply(transport: asyncio.Transport, status: int, message: str, code: str) -> None:
    """An OpenAI error envelope written straight to the socket, then the connection closed."""
    body = json.dumps({"error": {"message": message, "type": "server_error", "param": None, "code": code}}).encode()
    reason = {408: "Request Timeout", 503: "Service Unavailable"}[status]
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "retry-after: 1\r\nconnection: close\r\n\r\n"
    )
    transport.write(head.encode() + body)
    transport.close()
