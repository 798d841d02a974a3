"""Every field the official Anthropic SDKs' types declare required is in the mock's answers.

The Node SDK's declarations (`messages.d.ts`, from the committed lockfile) are read as the list of
required fields: a field declared without `?` must be present, null where the type allows it. The
Python SDK parses the same answers (refusal details included) into its own models.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import httpx
import pytest

from chatconform.mock.config import MockConfig
from chatconform.sse import parse
from tests.conftest import RunningMock
from tests.mock.running import ANTHROPIC_HEADERS, MESSAGES, message, running

KEY = "th-sdk-fields-0123456789"
DECLARATIONS = (
    Path(__file__).parents[1] / "clients/node/node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts"
)
TOOL = {"name": "lookup", "input_schema": {"type": "object", "properties": {"term": {"type": "string"}}}}


def required_fields(interface: str) -> set[str]:
    """The fields `export interface <name>` declares without `?`, from the Node SDK's types."""
    text = DECLARATIONS.read_text(encoding="utf-8")
    body = text.split(f"export interface {interface} {{", 1)[1].split("\n}", 1)[0]
    return set(re.findall(r"^    ([a-z_]+): ", body, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running(MockConfig(api_keys=(KEY,))) as running_mock:
        yield running_mock


def _post(mock: RunningMock, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(mock.root + MESSAGES, json=body, headers={"x-api-key": mock.key, **ANTHROPIC_HEADERS})


@pytest.mark.skipif(not DECLARATIONS.exists(), reason="the Node SDK is not installed (./install.sh runs npm ci)")
def test_whole_and_streamed_answers_hold_every_required_field(mock: RunningMock) -> None:
    assert {"id", "usage", "stop_details"} <= required_fields("Message")  # the declarations were read
    text = _post(mock, message()).json()
    called = _post(mock, message("Use lookup for 'alpha'.", tools=[TOOL], tool_choice={"type": "any"})).json()
    assert required_fields("Message") <= set(text)
    assert required_fields("Usage") <= set(text["usage"])
    assert required_fields("TextBlock") <= set(text["content"][0])
    assert required_fields("ToolUseBlock") <= set(called["content"][0])
    events = {e.event: json.loads(e.data) for e in parse(_post(mock, message(stream=True)).content).events}
    assert required_fields("Message") <= set(events["message_start"]["message"])
    assert required_fields("MessageDeltaUsage") <= set(events["message_delta"]["usage"])
    assert required_fields("TextBlock") <= set(events["content_block_start"]["content_block"])


def test_a_refusal_carries_stop_details(mock: RunningMock) -> None:
    client = anthropic.Anthropic(base_url=mock.root, api_key=mock.key, max_retries=0, timeout=10)
    answer = client.messages.create(
        model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "chatconform:refuse"}]
    )
    assert answer.stop_reason == "refusal"
    assert answer.stop_details is not None and answer.stop_details.type == "refusal"
    plain = client.messages.create(
        model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "hi"}]
    )
    assert plain.stop_details is None and plain.content[0].type == "text" and plain.content[0].citations is None
    with client.messages.stream(
        model="claude-haiku-4-5", max_tokens=50, messages=[{"role": "user", "content": "chatconform:refuse"}]
    ) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "refusal" and final.stop_details is not None


def test_a_tool_use_block_names_its_caller(mock: RunningMock) -> None:
    client = anthropic.Anthropic(base_url=mock.root, api_key=mock.key, max_retries=0, timeout=10)
    answer = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=50,
        tools=[TOOL],  # type: ignore[list-item]
        tool_choice={"type": "any"},
        messages=[{"role": "user", "content": "Use lookup for 'alpha'."}],
    )
    block = answer.content[0]
    assert block.type == "tool_use" and block.caller is not None and block.caller.type == "direct"
