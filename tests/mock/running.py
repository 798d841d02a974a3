"""Helpers for the hardening tests: a mock of one's own, served as `chatconform mock` serves it, and envelopes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from chatconform import schemas
from chatconform.mock.anthropic_face import ERROR_TYPES
from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.mock.keyfile import KEYS_ENV
from chatconform.mock.serving import serve_options
from chatconform.server import serve_in_thread
from chatconform.target import mock_subprocess
from tests.conftest import RunningMock

ANTHROPIC_HEADERS = {"anthropic-version": "2023-06-01"}
CHAT = "/v1/chat/completions"
MESSAGES = "/v1/messages"


@contextmanager
def running(config: MockConfig) -> Iterator[RunningMock]:
    """A mock on a free loopback port, with the header deadline and connection cap of the CLI."""
    with serve_in_thread(create_app(config), **serve_options(config)) as root:
        yield RunningMock(root, config.api_keys[0] if config.api_keys else "th-any-0123456789")


@contextmanager
def mock_process(key: str) -> Iterator[RunningMock]:
    """`chatconform mock` in its own process, its key by environment, as a user runs it: a test that
    loads it then measures the mock, not an interpreter shared with its own clients."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(KEYS_ENV, key)
        with mock_subprocess([]) as (root, _):
            yield RunningMock(root, key)


def ask(text: str = "Reply with exactly: ok", **extra: Any) -> dict[str, Any]:
    return {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": text}], **extra}


def message(text: str = "Reply with exactly: ok", **extra: Any) -> dict[str, Any]:
    return {**ask(text), "max_tokens": 100, **extra}


def is_openai_error(response: httpx.Response) -> bool:
    try:
        return schemas.explain("error", response.json()) is None
    except ValueError:
        return False


def is_anthropic_error(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    return (
        body.get("type") == "error"
        and isinstance(error, dict)
        and error.get("type") in {*ERROR_TYPES.values(), "invalid_request_error", "api_error"}
        and isinstance(error.get("message"), str)
    )


def raw_request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    )
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + "\r\n").encode() + body


def connect(root: str) -> socket.socket:
    host, port = root.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)
