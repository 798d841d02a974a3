"""Did the client leave before the answer was whole? The one rule the ledger charges by.

ASGI's only signal of a departure is `http.disconnect` from `receive()`, and
the server can only deliver it once the event loop has run the callbacks of
the closed socket. A burst at zero latency never gives the loop that chance,
so a client that left before the last byte would look served. Two ways to see
it before the last frame is sent (`settled()`):

- Served by `chatconform mock` (or with `serving.serve_options`), the
  connection guard puts a probe in the scope (`PEER_GONE`) that asks the
  socket itself (one `poll` with no wait): cheap enough for the hot path.
- Otherwise, the loop is let run a few iterations while a task watches
  `receive()`.

During a wait (time to first token, pauses, a whole answer's delay) the
watcher task sees a departure at once. A client gone before the last frame is
journaled `cancelled` and not charged, streamed or not. What cannot be seen is
a client that leaves after the last byte was handed to the socket: it was
served as far as any server can tell.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.types import Receive, Scope

PEER_GONE = "chatconform.peer_gone"  # scope["extensions"] key: () -> bool, whether the client has left
# Without the probe: a FIN is read in one loop iteration, turned into connection_lost in the next
# (asyncio and uvloop both defer it with call_soon), and wakes the watcher in the one after: three
# iterations are the least that sees it (tests/mock/test_ledger_rule.py), four leave a margin.
SETTLE_ITERATIONS = 4


class Departure:
    def __init__(self, scope: Scope, receive: Receive) -> None:
        extensions = scope.get("extensions") or {}
        self._probe: Callable[[], bool] | None = extensions.get(PEER_GONE)
        self._receive = receive
        self._task: asyncio.Future[Any] | None = None

    @property
    def task(self) -> asyncio.Future[Any]:
        """The watcher: done once `receive()` said the client left."""
        if self._task is None:
            self._task = asyncio.ensure_future(_wait_disconnect(self._receive))
        return self._task

    async def settled(self) -> bool:
        """Whether the client has left, as far as the socket has said so far."""
        if self._task is not None and self._task.done():
            return True
        if self._probe is not None:
            return self._probe()
        task = self.task
        for _ in range(SETTLE_ITERATIONS):
            if task.done():
                break
            await asyncio.sleep(0)
        return task.done()

    async def within(self, seconds: float) -> bool:
        """Wait up to `seconds`; whether the client left meanwhile."""
        if seconds > 0:
            await asyncio.wait({self.task}, timeout=seconds)
        return self._task is not None and self._task.done()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
