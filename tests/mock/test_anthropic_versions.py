"""The Anthropic face per `anthropic-version`, `count_tokens`, and `/v1/models` asked the Anthropic way.

The official SDK (which sends 2026-10-21) parses every answer here, so the shapes are the SDK's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import pytest

from chatconform.mock.anthropic_version import VERSIONS
from chatconform.mock.config import MockConfig
from tests.conftest import RunningMock
from tests.mock.running import MESSAGES, is_anthropic_error, is_openai_error, message, running

KEY = "th-versions-0123456789"
OLD, NEW = "2023-06-01", "2026-10-21"
COUNT = MESSAGES + "/count_tokens"
TOOL = {"name": "lookup", "input_schema": {"type": "object", "properties": {"term": {"type": "string"}}}}


@pytest.fixture(scope="module")
def mock() -> Iterator[RunningMock]:
    with running(MockConfig(api_keys=(KEY,))) as running_mock:
        yield running_mock


def _post(mock: RunningMock, body: Any, version: str = NEW, path: str = MESSAGES, **headers: str) -> httpx.Response:
    sent = {"x-api-key": mock.key, "anthropic-version": version, **headers}
    return httpx.post(mock.root + path, json=body, headers=sent, timeout=10)


def _sdk(mock: RunningMock) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=mock.root, api_key=mock.key, max_retries=0, timeout=10)


def test_the_sdk_sends_the_newest_known_version() -> None:
    assert anthropic._constants.ANTHROPIC_API_VERSION == VERSIONS[-1] == NEW


@pytest.mark.parametrize("name", ["temperature", "top_p", "top_k"])
def test_sampling_parameters_are_refused_from_2026_10_21_even_at_defaults(mock: RunningMock, name: str) -> None:
    sampling: dict[str, Any] = {name: 1 if name != "top_k" else 5}
    body = message(**sampling)
    old = _post(mock, body, OLD)
    assert old.status_code == 200, old.text
    new = _post(mock, body, NEW)  # the same bytes under the newer version: not the memoised answer
    assert new.status_code == 400 and is_anthropic_error(new)
    assert new.json()["error"]["message"] == f"{name}: Extra inputs are not permitted"


def test_citations_on_user_text_are_refused_from_2026_10_21(mock: RunningMock) -> None:
    cited = {"type": "char_location", "cited_text": "x", "document_index": 0, "start_char_index": 0}
    block = {"type": "text", "text": "what about this?", "citations": [cited]}
    body = message(messages=[{"role": "user", "content": [block]}])
    assert _post(mock, body, OLD).status_code == 200
    refused = _post(mock, body, NEW)
    assert refused.status_code == 400 and refused.json()["error"]["message"].startswith(
        "messages.0.content.0.citations:"
    )


def test_fields_the_current_sdks_send_are_accepted(mock: RunningMock) -> None:
    response = _post(mock, message(speed="standard", diagnostics={}, inference_geo="us"))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("version", ["2024-01-01", "2023-13-01", "latest"])
def test_a_version_the_api_does_not_know_is_refused(mock: RunningMock, version: str) -> None:
    response = _post(mock, message(), version)
    assert response.status_code == 400 and is_anthropic_error(response)
    assert "anthropic-version: invalid version" in response.json()["error"]["message"]


def test_a_version_newer_than_the_mock_knows_follows_the_newest_rules(mock: RunningMock) -> None:
    """A future SDK's date: served as the newest version known here, sampling refused as under it."""
    assert _post(mock, message(), "2027-03-01").status_code == 200
    refused = _post(mock, message(temperature=0.5), "2027-03-01")
    assert refused.status_code == 400 and "temperature" in refused.json()["error"]["message"]


def test_count_tokens_counts_what_messages_bills(mock: RunningMock) -> None:
    client = _sdk(mock)
    ask: dict[str, Any] = {"model": "claude-haiku-4-5", "system": "Be brief.", "tools": [TOOL]}
    ask["messages"] = [{"role": "user", "content": "Use lookup for 'alpha', then say more words."}]
    counted = client.messages.count_tokens(**ask)
    created = client.messages.create(max_tokens=50, **ask)
    assert counted.input_tokens == created.usage.input_tokens > 0


@pytest.mark.parametrize(
    ("body", "message_start"),
    [
        ({**message(), "max_tokens": 10}, "max_tokens: Extra inputs are not permitted"),
        (
            {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "hi"}], "temperature": 1},
            "temperature",
        ),
        ({"model": "claude-haiku-4-5"}, "messages: Field required"),
    ],
    ids=["max-tokens", "temperature", "no-messages"],
)
def test_count_tokens_refuses_as_messages_does(mock: RunningMock, body: dict[str, Any], message_start: str) -> None:
    response = _post(mock, body, path=COUNT)
    assert response.status_code == 400 and is_anthropic_error(response)
    assert response.json()["error"]["message"].startswith(message_start)


def test_count_tokens_without_a_key_is_an_anthropic_401(mock: RunningMock) -> None:
    response = httpx.post(mock.root + COUNT, json=message(), headers={"anthropic-version": NEW})
    assert response.status_code == 401 and is_anthropic_error(response)


def test_models_asked_the_anthropic_way(mock: RunningMock) -> None:
    client = _sdk(mock)
    models = list(client.models.list())
    assert models and all(m.type == "model" and m.display_name and m.lifecycle == "active" for m in models)
    haiku = client.models.retrieve("claude-haiku-4-5")
    assert (haiku.id, haiku.display_name) == ("claude-haiku-4-5", "Claude Haiku 4.5")
    with pytest.raises(anthropic.NotFoundError):
        client.models.retrieve("claude-nonexistent-1")


def test_models_asked_the_openai_way_keep_the_openai_shape(mock: RunningMock) -> None:
    listing = httpx.get(mock.root + "/v1/models", headers={"authorization": f"Bearer {mock.key}"}).json()
    assert listing["object"] == "list" and all(m["object"] == "model" for m in listing["data"])


@pytest.mark.parametrize(
    ("headers", "anthropic_shape"),
    [
        ({"x-api-key": "th-wrong-0123456789", "anthropic-version": NEW}, True),
        ({"anthropic-version": NEW}, True),
        ({"authorization": "Bearer th-wrong-0123456789"}, False),
    ],
    ids=["wrong-x-api-key", "no-key-anthropic", "wrong-bearer-openai"],
)
def test_models_401_in_the_asking_api_envelope(
    mock: RunningMock, headers: dict[str, str], anthropic_shape: bool
) -> None:
    response = httpx.get(mock.root + "/v1/models", headers=headers)
    assert response.status_code == 401
    assert (is_anthropic_error if anthropic_shape else is_openai_error)(response), response.text
