"""Fixtures for the harness's own tests: a mock upstream on a free loopback port."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.redact import register_secret
from chatconform.server import serve_in_thread

TEST_KEY = "th-test-canary-0123456789abcdef"
register_secret(TEST_KEY)


@dataclass(frozen=True)
class RunningMock:
    root: str  # http://127.0.0.1:<port>
    key: str

    @property
    def base_url(self) -> str:
        return self.root + "/v1"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.root, headers={"authorization": f"Bearer {self.key}"}, timeout=10)


def parses_as_json(text: str) -> bool:
    """Whether an SSE data field is JSON: the mock's `malformed` fault must spoil exactly one."""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness's own tests set up every target they use: a user's CHATCONFORM_* variables (a base URL,
    a key, a profile) must not reach them, nor the inner sessions and child processes they start. The
    conformance suites, which do read those variables, are not under tests/ and are unaffected."""
    for name in [n for n in os.environ if n.startswith("CHATCONFORM_")]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def mock() -> Iterator[RunningMock]:
    """The mock with zero latency and no faults, shared by the session."""
    with serve_in_thread(create_app(MockConfig(api_keys=(TEST_KEY,)))) as root:
        yield RunningMock(root, TEST_KEY)


@pytest.fixture(scope="session")
def http(mock: RunningMock) -> Iterator[httpx.Client]:
    with mock.client() as client:
        yield client
