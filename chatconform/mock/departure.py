"""Did the client leave before the answer was whole? The one rule the ledger charges by.

ASGI's only signal of a departure is `http.disconnect` from `receive()`, and
the server can only deliver it once the event loop has run the callbacks of
the closed socket. A burst at zero latency never gives the loop that chance,
so a client that left before the last byte would look served. `Departure`
watches `receive()` in a task, and `settled()` lets the loop run a few
iterations before the last frame is sent: a client that went away before then
is seen, streamed or not, and its request is journaled `cancelled` and not
charged. What cannot be seen is a client that leaves after the last byte was
handed to the socket; it was served as far as any server can tell.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Receive

# A FIN is read in one loop iteration, turned into connection_lost in the next (asyncio and
# uvloop both defer it with call_soon), and wakes the watcher in the one after: three
# iterations are the least that sees it (tests/mock/test_ledger_rule.py), four leave a margin.
SETTLE_ITERATIONS = 4


class Departure:
    def __init__(self, receive: Receive) -> None:
        self._task = asyncio.ensure_future(_wait_disconnect(receive))

    @property
    def task(self) -> asyncio.Future[Any]:
        return self._task

    @property
    def seen(self) -> bool:
        return self._task.done()

    async def settled(self) -> bool:
        """Whether the client has left, once the loop has handled what arrived so far."""
        for _ in range(SETTLE_ITERATIONS):
            if self._task.done():
                break
            await asyncio.sleep(0)
        return self._task.done()

    async def within(self, seconds: float) -> bool:
        """Wait up to `seconds`; whether the client left meanwhile."""
        if seconds > 0 and not self._task.done():
            await asyncio.wait({self._task}, timeout=seconds)
        return self._task.done()

    def stop(self) -> None:
        self._task.cancel()


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
