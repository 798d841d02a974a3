"""Run in a child process by test_readsome.py (geventhttpclient needs gevent, kept out of pytest's process).

Serves three answers from a raw socket server and reads them with
chatconform.load.readsome.read_some through a real geventhttpclient
connection; prints one JSON line of what it saw.
"""

from __future__ import annotations

import json
import socket
import threading
import time

from geventhttpclient import HTTPClient

from chatconform.load.readsome import IncompatibleClient, read_some

GAP_S = 0.3
PIECES = [b"data: one\n\n", b"data: two\r\r", b"data: three\n\n"]
HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"


def chunked(piece: bytes) -> bytes:
    return f"{len(piece):x}\r\n".encode() + piece + b"\r\n"


def serve(listener: socket.socket, sent_at: list[float]) -> None:
    for answer in ("stream", "cut"):
        conn, _ = listener.accept()
        conn.recv(65536)
        if answer == "stream":
            conn.sendall(HEAD + b"transfer-encoding: chunked\r\n\r\n")
            for piece in PIECES:
                time.sleep(GAP_S)
                sent_at.append(time.perf_counter())
                conn.sendall(chunked(piece))
            conn.sendall(b"0\r\n\r\n")
        else:  # a content-length body cut halfway
            conn.sendall(HEAD + b"content-length: 100\r\n\r\n" + b"x" * 50)
        time.sleep(0.2)
        conn.close()


def main() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    sent_at: list[float] = []
    threading.Thread(target=serve, args=(listener, sent_at), daemon=True).start()
    port = listener.getsockname()[1]
    out: dict[str, object] = {}

    client = HTTPClient("127.0.0.1", port, concurrency=1, network_timeout=5)
    response = client.request("GET", "/")
    out["buffer_type"] = type(response._body_buffer).__name__
    reads, read_at = [], []
    while data := read_some(response):
        reads.append(data.decode())
        read_at.append(time.perf_counter())
    out["reads"] = reads
    # Each read came back with the piece just sent, before the next one was (GAP_S later).
    out["on_arrival"] = [b - a for a, b in zip(sent_at, read_at, strict=False)]
    out["last_read"] = read_some(response).decode()
    client.close()

    client = HTTPClient("127.0.0.1", port, concurrency=1, network_timeout=5)
    response = client.request("GET", "/")
    got = b""
    try:
        while data := read_some(response):
            got += data
        out["cut"] = f"no error after {len(got)} bytes"
    except Exception as exc:  # what a cut body raises, whatever its class
        out["cut"] = f"raised {type(exc).__name__} after {len(got)} bytes"
    client.close()

    try:  # a response without the internals, as after an incompatible upgrade
        read_some(object())
    except IncompatibleClient as exc:
        out["incompatible"] = str(exc)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
