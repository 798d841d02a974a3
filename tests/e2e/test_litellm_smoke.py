"""LiteLLM's proxy runs offline in front of the mock's Anthropic face and translates both ways.

A smoke test, not the suites: it proves the loop works (OpenAI SDK -> LiteLLM ->
`POST /v1/messages` on the mock -> back) and that the journal shows what the
gateway sent upstream. Skipped when `.venv-litellm` has not been created.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from chatconform.profile import load_profile
from chatconform.target import mock_subprocess, session_key
from tests.e2e.litellm_gateway import INSTALL_HINT, Gateway, installed, litellm_gateway

pytestmark = pytest.mark.skipif(not installed(), reason=f"LiteLLM is not installed; create it with: {INSTALL_HINT}")

PROFILE = load_profile("tokenhub")
SYSTEM = "You are a terse assistant."
ASK: Any = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "Reply with exactly: through the gateway"},
]


class Upstream:
    def __init__(self, root: str, key: str) -> None:
        self.root, self.key = root, key

    def journal(self, limit: int = 1) -> list[dict[str, Any]]:
        headers = {"authorization": f"Bearer {self.key}"}
        response = httpx.get(f"{self.root}/mock/journal", params={"limit": limit}, headers=headers, timeout=10)
        response.raise_for_status()
        entries: list[dict[str, Any]] = response.json()["data"]
        return entries


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    key = session_key(PROFILE)
    with mock_subprocess([], api_keys=[key]) as (root, _):
        yield Upstream(root, key)


@pytest.fixture(scope="module")
def gateway(upstream: Upstream) -> Iterator[Gateway]:
    with litellm_gateway(PROFILE, upstream.root, upstream.key) as running:
        yield running


@pytest.fixture(scope="module")
def client(gateway: Gateway) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.base_url, api_key=gateway.master_key, max_retries=0, timeout=30)


def assert_translated(entry: dict[str, Any], stream: bool) -> None:
    """What a correct OpenAI-to-Anthropic translation sends upstream."""
    body = entry["body"]
    assert entry["face"] == "anthropic" and entry["path"] == "/v1/messages"
    assert entry["status"] == 200 and entry["outcome"] == "completed"
    assert entry["headers"].get("anthropic-version"), "no anthropic-version header upstream"
    system = body["system"] if isinstance(body["system"], str) else "".join(b["text"] for b in body["system"])
    assert system == SYSTEM, "the system message was not hoisted into `system`"
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert isinstance(body["max_tokens"], int) and body["max_tokens"] >= 1
    assert body["model"] == "claude-sonnet-4-6"  # the alias prefix is gone upstream
    assert bool(body.get("stream")) is stream


def test_non_streamed_request(client: openai.OpenAI, upstream: Upstream, gateway: Gateway) -> None:
    response = client.chat.completions.create(model="anthropic/claude-sonnet-4-6", messages=ASK)  # type: ignore[arg-type]
    assert response.choices[0].message.content == "through the gateway", gateway.log_tail()
    assert response.choices[0].finish_reason == "stop"
    [entry] = upstream.journal()
    assert_translated(entry, stream=False)
    assert response.usage is not None
    assert response.usage.prompt_tokens == entry["usage"]["prompt_tokens"]
    assert response.usage.completion_tokens == entry["usage"]["completion_tokens"]


def test_streamed_request(client: openai.OpenAI, upstream: Upstream, gateway: Gateway) -> None:
    chunks = list(client.chat.completions.create(model="anthropic/claude-sonnet-4-6", messages=ASK, stream=True))  # type: ignore[call-overload]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "through the gateway", gateway.log_tail()
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    [entry] = upstream.journal()
    assert_translated(entry, stream=True)
