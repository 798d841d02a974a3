"""Large requests, off the event loop and a few at a time.

A 30 MB body costs seconds of parsing, validating and counting; done on the
event loop it would stop every other client for that long. Large bodies take
one of `slots` places before they are read (so memory holds at most that many
of them) and are processed on one worker thread, which the interpreter
switches away from every few milliseconds, so the loop keeps answering small
requests meanwhile. A request that finds no place within its wait gets a 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from chatconform.mock.errors import MockError

HEAVY_SLOTS = 2


class HeavyGate:
    def __init__(self, slots: int = HEAVY_SLOTS) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._executor: ThreadPoolExecutor | None = None

    @property
    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:  # most mocks never see a large body
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatconform-mock-heavy")
        return self._executor

    @asynccontextmanager
    async def slot(self, wait_s: float) -> AsyncIterator[None]:
        try:
            await asyncio.wait_for(self._slots.acquire(), wait_s)
        except TimeoutError:
            message = "The mock is busy with other large requests; retry shortly."
            raise MockError(503, message, code="mock_busy", headers={"retry-after": "1"}) from None
        try:
            yield
        finally:
            self._slots.release()
