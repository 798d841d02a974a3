"""One chat request over geventhttpclient, timed as its bytes arrive.

geventhttpclient is what Locust's FastHttpUser runs on, but its streaming
helper (`iter_content`) waits for a full block of the asked size, which
would stamp events with the time the block filled up, and it ends quietly
when the connection drops, which would count a cut stream as complete. So
the response is read here one socket read at a time (`readsome.py`), and
transport errors are kept: a stream cut mid-body is a `disconnect`, not a
short success.

Every request is bounded: a whole-request deadline (`gevent.Timeout`), the
socket timeouts, and a cap on response bytes.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

import gevent
from geventhttpclient import URL, HTTPClient
from geventhttpclient.response import HTTPParseError, HTTPSocketPoolResponse

from chatconform.load.readsome import read_some
from chatconform.load.timing import StreamObserver, Timing, observe_body

MAX_RESPONSE_BYTES = 8 * 1024 * 1024
_BLOCK = 64 * 1024


class _Deadline(Exception):
    """The whole-request deadline passed."""


class _TooLarge(Exception):
    """The response grew past the byte cap."""


@dataclass
class Outcome:
    timing: Timing
    failure: str | None  # None: succeeded; else http_<status>, timeout, connect, disconnect, malformed, ...
    streamed: bool
    received: int  # response bytes
    text: str | None = None  # the streamed answer's text, when asked for (keep_text)


class ChatClient:
    """A keep-alive connection for one Locust user (one greenlet, so concurrency 1)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout_s: float,
        max_bytes: int = MAX_RESPONSE_BYTES,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        url = URL(base_url)
        self.path = url.path.rstrip("/") + "/chat/completions"
        self.timeout_s, self.max_bytes = timeout_s, max_bytes
        self.http = HTTPClient.from_url(
            url, concurrency=1, network_timeout=timeout_s, block_size=_BLOCK, connection_timeout=min(10.0, timeout_s)
        )
        self.headers = {  # custom headers first: the ones the client sets win (headers.py refuses them anyway)
            **(extra_headers or {}),
            "authorization": f"Bearer {api_key}",
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
        }

    def close(self) -> None:
        self.http.close()

    def post(self, data: bytes, streamed: bool, keep_text: bool = False) -> Outcome:
        """Send one encoded request body; `streamed` says whether it asked for a stream; `keep_text` keeps a
        streamed answer's text (a conversation resends it)."""
        start = time.perf_counter()
        response: HTTPSocketPoolResponse | None = None
        try:
            with gevent.Timeout(self.timeout_s, _Deadline):
                response = self.http.request("POST", self.path, body=data, headers=self.headers)
                return self._read(response, start, streamed, keep_text)
        except _Deadline:
            return Outcome(Timing(start, time.perf_counter()), "timeout", streamed, 0)
        except _TooLarge:
            return Outcome(Timing(start, time.perf_counter()), "too_large", streamed, 0)
        except (HTTPParseError, OSError) as exc:
            return Outcome(Timing(start, time.perf_counter()), _transport_kind(exc), streamed, 0)
        finally:
            if response is not None:
                response.release()  # returns a finished connection, closes a broken one

    def _read(self, response: HTTPSocketPoolResponse, start: float, streamed: bool, keep_text: bool) -> Outcome:
        status = response.status_code
        if status >= 400 or (streamed and not _is_stream(response)):
            raw = self._body(response)
            kind = f"http_{status}" if status >= 400 else "malformed"
            return Outcome(Timing(start, time.perf_counter()), kind, streamed, len(raw))
        if not streamed:
            raw = self._body(response)
            timing, failure = observe_body(start, time.perf_counter(), raw)
            return Outcome(timing, failure, False, len(raw))
        return self._stream(response, start, keep_text)

    def _stream(self, response: HTTPSocketPoolResponse, start: float, keep_text: bool) -> Outcome:
        observer, received, error = StreamObserver(start, keep_text), 0, None
        try:
            while data := read_some(response):
                received += len(data)
                observer.feed(data, time.perf_counter())
                if received > self.max_bytes:
                    error = "too_large"
                    break
        except (HTTPParseError, OSError) as exc:
            error = _transport_kind(exc)
        failure = observer.finish(time.perf_counter(), error)
        text = None if observer.text is None else "".join(observer.text)
        return Outcome(observer.timing, failure, True, received, text)

    def _body(self, response: HTTPSocketPoolResponse) -> bytes:
        length = response.content_length
        if length is not None and length > self.max_bytes:
            raise _TooLarge
        parts, size = [], 0
        while chunk := response.read(_BLOCK):
            parts.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
        return b"".join(parts)


def _is_stream(response: HTTPSocketPoolResponse) -> bool:
    value = response.get("content-type") or ""
    text = value if isinstance(value, str) else ",".join(value)
    return text.split(";")[0].strip().lower() == "text/event-stream"


def _transport_kind(exc: BaseException) -> str:
    """What a transport error means for the load report."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError | socket.gaierror):
        return "connect"
    return "disconnect"
