"""Tenant isolation of `/mock/*`, the admin key, and secrets masked in what the journal keeps."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import httpx
import pytest

from chatconform.mock.config import MockConfig
from tests.conftest import RunningMock
from tests.mock.running import ANTHROPIC_HEADERS, CHAT, MESSAGES, ask, message, running

ALICE, BOB = "th-alice-0123456789abcdef", "th-bob-0123456789abcdef"
ADMIN = "admin-" + secrets.token_hex(12)


@pytest.fixture()
def shared() -> Iterator[RunningMock]:
    """The default mock: any th- key is accepted, and each one is its own tenant."""
    with running(MockConfig(admin_key=ADMIN)) as mock:
        yield mock


def client(mock: RunningMock, key: str) -> httpx.Client:
    return httpx.Client(base_url=mock.root, headers={"authorization": f"Bearer {key}"}, timeout=10)


def test_a_key_sees_only_its_own_journal_and_ledger(shared: RunningMock) -> None:
    with client(shared, ALICE) as alice, client(shared, BOB) as bob:
        assert alice.post(CHAT, json=ask("alice-secret-prompt")).status_code == 200
        assert bob.post(CHAT, json=ask("bob was here")).status_code == 200
        mine = alice.get("/mock/journal").json()["data"]
        assert [e["body"]["messages"][0]["content"] for e in mine] == ["alice-secret-prompt"]
        assert "alice-secret-prompt" not in json.dumps(bob.get("/mock/journal").json())
        assert bob.get("/mock/journal", params={"contains": "alice"}).json()["data"] == []
        assert alice.get("/mock/ledger").json()["totals"]["requests"] == 1
        assert bob.get("/mock/ledger").json()["totals"]["requests"] == 1


def test_a_key_arms_faults_only_for_itself(shared: RunningMock) -> None:
    with client(shared, ALICE) as alice, client(shared, BOB) as bob:
        assert bob.post("/mock/faults", json={"fault": "status=500", "count": 3}).status_code == 200
        assert [alice.post(CHAT, json=ask()).status_code for _ in range(3)] == [200, 200, 200]
        assert alice.get("/mock/faults").json()["data"] == []
        assert len(bob.get("/mock/faults").json()["data"]) == 1
        assert alice.delete("/mock/faults").json()["removed"] == 0
        assert bob.post(CHAT, json=ask()).status_code == 500


def test_a_key_resets_only_its_own_data(shared: RunningMock) -> None:
    with client(shared, ALICE) as alice, client(shared, BOB) as bob:
        alice.post(CHAT, json=ask())
        bob.post(CHAT, json=ask())
        bob.post("/mock/faults", json={"fault": "status=429", "match": "never-0"})
        assert alice.post("/mock/reset").json() == {"reset": True}
        assert alice.get("/mock/journal").json()["data"] == []
        assert alice.get("/mock/ledger").json()["totals"]["requests"] == 0
        assert len(bob.get("/mock/journal").json()["data"]) == 1
        assert bob.get("/mock/ledger").json()["totals"]["requests"] == 1
        assert len(bob.get("/mock/faults").json()["data"]) == 1


def test_the_admin_key_sees_arms_and_resets_everyone(shared: RunningMock) -> None:
    with client(shared, ALICE) as alice, client(shared, BOB) as bob, client(shared, ADMIN) as admin:
        alice.post(CHAT, json=ask())
        bob.post(MESSAGES, json=message(), headers=ANTHROPIC_HEADERS)
        assert len(admin.get("/mock/journal").json()["data"]) == 2
        books = admin.get("/mock/ledger").json()
        assert books["totals"]["requests"] == 2 and len(books["by_key"]) == 2
        assert admin.post("/mock/faults", json={"fault": "status=503", "count": 2}).status_code == 200
        assert alice.post(CHAT, json=ask()).status_code == 503
        assert bob.post(CHAT, json=ask()).status_code == 503
        admin.post("/mock/reset")
        assert alice.get("/mock/ledger").json()["totals"]["requests"] == 0
        assert bob.get("/mock/journal").json()["data"] == []


def test_the_admin_key_is_not_a_chat_key(shared: RunningMock) -> None:
    with client(shared, ADMIN) as admin:
        assert admin.post(CHAT, json=ask()).status_code == 401


def test_credentials_are_masked_in_every_journaled_header(shared: RunningMock) -> None:
    token = "sk-live-" + secrets.token_hex(16)
    headers = {
        "x-custom-auth": "plain-secret-value-123",
        "x-tenant-token": "another-secret-456",
        "x-forward": f"Bearer {secrets.token_hex(12)}",
        "x-upstream": token,
        "x-trace-id": "trace-visible-789",
    }
    with client(shared, ALICE) as alice:
        alice.post(CHAT, json=ask(), headers=headers)
        alice.post(MESSAGES, json=message(), headers={**headers, **ANTHROPIC_HEADERS, "x-api-key": ALICE})
        listing = alice.get("/mock/journal").json()
    text = json.dumps(listing)
    for secret in ("plain-secret-value-123", "another-secret-456", token, ALICE, headers["x-forward"].split()[1]):
        assert secret not in text
    for entry in listing["data"]:
        assert entry["headers"]["x-custom-auth"] == "***" and entry["headers"]["authorization"] == "***"
        assert entry["headers"]["x-trace-id"] == "trace-visible-789"


def test_keys_in_a_body_are_masked(shared: RunningMock) -> None:
    token = "sk-ant-" + secrets.token_hex(16)
    with client(shared, ALICE) as alice:
        alice.post(CHAT, json=ask(f"my key is {token}, keep it safe"))
        body = alice.get("/mock/journal").json()["data"][-1]["body"]
    assert token not in json.dumps(body)
    assert body["messages"][0]["content"] == "my key is ***, keep it safe"
