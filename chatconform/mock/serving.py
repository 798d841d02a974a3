"""How the mock is served: the uvicorn options that apply its connection limits.

`chatconform mock` uses these; so should anything else that serves the mock
over real HTTP (`serve_in_thread(app, **serve_options(config))`), or it runs
without a header deadline or a connection cap.
"""

from __future__ import annotations

from typing import Any

from chatconform.mock.config import MockConfig
from chatconform.mock.connections import guarded_protocol


def serve_options(config: MockConfig) -> dict[str, Any]:
    """Options for `chatconform.server.uvicorn_config` / `serve_in_thread`."""
    return {"http": guarded_protocol(config.header_timeout_s, config.max_connections)}
