"""Serve an ASGI app with uvicorn on 127.0.0.1, on a port the OS picks.

The socket is bound before uvicorn starts (port 0), so parallel runs never
collide and the caller learns the real port without parsing logs. A real
server is needed, not `httpx.ASGITransport`: that transport buffers whole
responses, which hides streaming and timing.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"


def bind(host: str = LOOPBACK, port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: Any, **options: Any) -> uvicorn.Config:
    """The one uvicorn configuration used for the mock, benchmarks included."""
    options.setdefault("log_level", "warning")
    options.setdefault("lifespan", "off")
    options.setdefault("access_log", False)
    options.setdefault("backlog", 2048)
    # Keep-alive long enough for load generators that pause between requests.
    options.setdefault("timeout_keep_alive", 30)
    return uvicorn.Config(app, **options)


@contextmanager
def serve_in_thread(app: Any, host: str = LOOPBACK, port: int = 0, **options: Any) -> Iterator[str]:
    """Run `app` in a background thread; yield its base URL (`http://127.0.0.1:<port>`)."""
    sock = bind(host, port)
    server = uvicorn.Server(uvicorn_config(app, **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="chatconform-server")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start within 10 s")
        time.sleep(0.005)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
