"""Read a geventhttpclient response one socket read at a time: the one place that uses its internals.

Why internals: geventhttpclient's public reads (`read(n)`, `readline`,
iteration) wait for a given length or separator, so an SSE event would be
stamped with the time a block filled up or a line ended, not the time it
arrived; and the SSE spec allows lines ended by CR alone, which a
`readline(b"\\n")` would hold back until the end of the stream. TTFT and ITL
need "the bytes that have arrived, now". geventhttpclient offers that only
through its parser state: the body buffer its parser callback fills
(`_body_buffer`), the socket (`_sock`), and the public `feed`,
`message_complete` and `block_size`. The alternative, a client of our own on
h11 and gevent sockets, would parse chunked bodies in Python and cost the
generator a good share of its capacity (bench/load_capacity.py).

So the private names live here only, and `tests/load/test_readsome.py`
checks them against the installed geventhttpclient (verified with 2.6):
an upgrade that renames or changes them fails that test, and at run time
fails the first request with IncompatibleClient, not a quiet AttributeError
in a greenlet.
"""

from __future__ import annotations

from typing import Any

import geventhttpclient


class IncompatibleClient(RuntimeError):
    """The installed geventhttpclient no longer has the internals read_some relies on."""


def read_some(response: Any) -> bytes:
    """The body bytes that have arrived: what is buffered, else the next socket read; b"" at the end.

    A connection cut mid-body raises (from `feed`: the parser sees the end
    before the body's length or last chunk), so a cut stream is never a
    short success.
    """
    try:
        buffer: bytearray = response._body_buffer
        while not buffer and not response.message_complete and response._sock is not None:
            response.feed(response._sock.recv(response.block_size))
    except AttributeError as exc:
        raise IncompatibleClient(
            f"geventhttpclient {geventhttpclient.__version__} changed the response internals that "
            f"chatconform.load.readsome reads ({exc}); pin geventhttpclient<3 or update readsome.py"
        ) from exc
    data = bytes(buffer)
    del buffer[:]
    return data
