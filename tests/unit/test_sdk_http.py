"""The SDK's HTTP clients end a request at its total deadline and at the size limit, whatever the server does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

from chatconform.sdk_http import AsyncBoundedTransport, BoundedTransport

URL = "http://127.0.0.1:1/v1/chat/completions"


def pieces(count: int, size: int = 10, pause_s: float = 0.0) -> Iterator[bytes]:
    for _ in range(count):
        time.sleep(pause_s)
        yield b"x" * size


def client(
    count: int, size: int = 10, pause_s: float = 0.0, total_s: float = 5.0, max_bytes: int = 1000
) -> httpx2.Client:
    """A client whose server answers `count` pieces of `size` bytes, `pause_s` apart."""
    inner = httpx2.MockTransport(lambda request: httpx2.Response(200, content=pieces(count, size, pause_s)))
    return httpx2.Client(transport=BoundedTransport(total_s, max_bytes, inner))


def test_an_answer_within_bounds_passes_unchanged() -> None:
    with client(5) as http:
        assert http.post(URL).content == b"x" * 50


def test_an_answer_that_keeps_coming_ends_at_the_deadline() -> None:
    started = time.monotonic()
    with client(1000, pause_s=0.01, total_s=0.2) as http, pytest.raises(httpx2.ReadTimeout, match=r"0\.2 s in total"):
        http.post(URL)
    assert time.monotonic() - started < 2.0  # the server would have taken 10 s


def test_an_answer_larger_than_the_limit_ends_there() -> None:
    with client(1000, size=100, max_bytes=1000) as http, pytest.raises(httpx2.ReadError, match="1000 bytes"):
        http.post(URL)


async def _slow_pieces() -> AsyncIterator[bytes]:
    for _ in range(1000):
        await asyncio.sleep(0.01)
        yield b"data: {}\n\n"


def test_the_async_client_ends_at_the_deadline_too() -> None:
    async def main() -> None:
        inner = httpx2.MockTransport(lambda request: httpx2.Response(200, content=_slow_pieces()))
        async with httpx2.AsyncClient(transport=AsyncBoundedTransport(0.2, inner=inner)) as http:
            with pytest.raises(httpx2.ReadTimeout):
                await http.post(URL)

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 2.0
