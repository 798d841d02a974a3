"""HTTP clients for the official SDK, bounded like the raw client: in total time and in size.

The SDK's `timeout` is httpx's: a bound on each read, not on the request, and
nothing bounds the size of an answer. An endpoint that keeps sending (an
endless stream, a body trickled a byte at a time, a 64 MiB body) would hang an
SDK test or fill its memory. The transports here wrap each response body:
once `total_s` has passed since the request was sent they raise the
library's `ReadTimeout`, past `max_bytes` a `ReadError`; the SDK reports them
as its own timeout and connection errors. The checks run as each piece
arrives, so a request ends at most one read timeout after its deadline.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx2

from chatconform.exchange import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    import openai


class _Bounds:
    def __init__(self, request: httpx2.Request, total_s: float, max_bytes: int) -> None:
        self.request, self.total_s, self.max_bytes = request, total_s, max_bytes
        self.deadline = time.monotonic() + total_s
        self.received = 0

    def check(self, piece: bytes) -> None:
        self.received += len(piece)
        if time.monotonic() > self.deadline:
            raise httpx2.ReadTimeout(f"the answer took longer than {self.total_s:g} s in total", request=self.request)
        if self.received > self.max_bytes:
            raise httpx2.ReadError(f"the answer is larger than {self.max_bytes} bytes", request=self.request)


class _Stream(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, bounds: _Bounds) -> None:
        self.inner, self.bounds = inner, bounds

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.inner:
            self.bounds.check(piece)
            yield piece

    def close(self) -> None:
        self.inner.close()


class _AsyncStream(httpx2.AsyncByteStream):
    def __init__(self, inner: httpx2.AsyncByteStream, bounds: _Bounds) -> None:
        self.inner, self.bounds = inner, bounds

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for piece in self.inner:
            self.bounds.check(piece)
            yield piece

    async def aclose(self) -> None:
        await self.inner.aclose()


class BoundedTransport(httpx2.BaseTransport):
    def __init__(
        self, total_s: float, max_bytes: int = DEFAULT_MAX_BYTES, inner: httpx2.BaseTransport | None = None
    ) -> None:
        self.total_s, self.max_bytes, self.inner = total_s, max_bytes, inner or httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        bounds = _Bounds(request, self.total_s, self.max_bytes)  # the clock starts before the request is sent
        response = self.inner.handle_request(request)
        assert isinstance(response.stream, httpx2.SyncByteStream)
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=_Stream(response.stream, bounds),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()


class AsyncBoundedTransport(httpx2.AsyncBaseTransport):
    def __init__(
        self, total_s: float, max_bytes: int = DEFAULT_MAX_BYTES, inner: httpx2.AsyncBaseTransport | None = None
    ) -> None:
        self.total_s, self.max_bytes, self.inner = total_s, max_bytes, inner or httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        bounds = _Bounds(request, self.total_s, self.max_bytes)
        response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        return httpx2.Response(
            response.status_code,
            headers=response.headers,
            stream=_AsyncStream(response.stream, bounds),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def sdk_http_client(total_s: float) -> openai.DefaultHttpxClient:
    import openai

    return openai.DefaultHttpxClient(transport=BoundedTransport(total_s))


def async_sdk_http_client(total_s: float) -> openai.DefaultAsyncHttpxClient:
    import openai

    return openai.DefaultAsyncHttpxClient(transport=AsyncBoundedTransport(total_s))
