"""The two servers of bench/mock_throughput.py, each run in its own process.

    python bench/servers.py mock [--itl-ms N]   the chatconform mock as `chatconform mock` serves it, zero latency
    python bench/servers.py bare                a bare ASGI app that streams the same bytes

Prints `port <n>` once listening on 127.0.0.1 (port picked by the OS).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mock_throughput import BODY, KEY

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.mock.generation import complete
from chatconform.mock.latency import LatencySettings
from chatconform.mock.openai_face import stream_plan
from chatconform.mock.prompt_cache import NO_CACHE
from chatconform.mock.serving import serve_options
from chatconform.mock.validate import parse_chat_request
from chatconform.profile import load_profile
from chatconform.server import bind, uvicorn_config


def the_same_frames() -> list[bytes]:
    """The frames the mock sends for the benchmark request, built by the mock's own code."""
    req = parse_chat_request(json.loads(BODY), load_profile())
    plan = stream_plan(req, complete(req), NO_CACHE, lambda n: [0.0] * n, 1)
    return [*plan.head, *plan.body, *plan.tail]


def bare_app() -> Any:
    frames = the_same_frames()
    headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        more = True
        while more:  # read the request body, as any server must
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for frame in frames:
            await send({"type": "http.response.body", "body": frame, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["mock", "bare"])
    parser.add_argument("--itl-ms", type=float, default=0.0)
    args = parser.parse_args()
    options: dict[str, Any] = {}
    if args.kind == "mock":
        config = MockConfig(api_keys=(KEY,), latency=LatencySettings(itl_ms=args.itl_ms))
        app = create_app(config)
        options = serve_options(config)  # as `chatconform mock` serves it: header deadline, connection cap
    else:
        app = bare_app()
    sock = bind()
    print("port", sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn_config(app, **options)).run(sockets=[sock])


if __name__ == "__main__":
    main()
