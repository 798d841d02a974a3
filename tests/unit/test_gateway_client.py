"""The client side of gateway mode against a live mock: MockAdmin on another root and key, armed faults, the
journal search, and RawClient.abandon (a client that leaves a stream half-way)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from chatconform.client import MockAdmin, RawClient
from chatconform.profile import load_profile
from chatconform.target import Target
from tests.conftest import RunningMock

PROFILE = load_profile("tokenhub")


@pytest.fixture
def raw(mock: RunningMock) -> Iterator[RawClient]:
    # The client's own key is not one the mock accepts: MockAdmin must use the key it is given.
    with RawClient(Target(mock.base_url, "th-not-a-mock-key", PROFILE), timeout_s=10) as client:
        yield client


@pytest.fixture
def ours(mock: RunningMock) -> Iterator[RawClient]:
    with RawClient(Target(mock.base_url, mock.key, PROFILE), timeout_s=10) as client:
        yield client


def body(text: str, **extra: object) -> dict[str, object]:
    return {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": text}], **extra}


def test_probe_uses_the_given_root_and_key(raw: RawClient, mock: RunningMock) -> None:
    assert MockAdmin.probe(raw) is None  # the target's key is refused
    admin = MockAdmin.probe(raw, mock.base_url.removesuffix("/v1"), mock.key)
    assert admin is not None and admin.root == mock.root


def test_armed_faults_and_the_marker_search(raw: RawClient, ours: RawClient, mock: RunningMock) -> None:
    admin = MockAdmin(raw, mock.root, mock.key)
    admin.arm_fault("status=503", count=2, match="cc-unit-0001")
    assert ours.chat(body("cc-unit-0001 Reply with exactly: a")).status == 503
    assert ours.chat(body("Reply with exactly: b")).status == 200
    admin.disarm("cc-unit-0001")
    assert ours.chat(body("cc-unit-0001 Reply with exactly: a")).status == 200
    found = admin.forwarded("cc-unit-0001", face="openai")
    assert [e["status"] for e in found] == [503, 200]
    assert admin.forwarded("cc-unit-0001") == []  # nothing on the Anthropic face
    with pytest.raises(RuntimeError, match="answered 400"):
        admin.arm_fault("no-such-fault=1")


def test_abandon_leaves_a_stream_and_the_mock_sees_it_cancelled(
    raw: RawClient, ours: RawClient, mock: RunningMock
) -> None:
    admin = MockAdmin(raw, mock.root, mock.key)
    admin.arm_fault("pace_ms=100", match="cc-unit-0002")
    start = time.perf_counter()
    ex = ours.abandon(body("cc-unit-0002 Count from 1 to 30", stream=True), events=3)
    assert ex.error == "abandoned" and ex.status == 200 and len(ex.events) >= 3
    assert time.perf_counter() - start < 3  # the whole count takes about 6 s
    [entry] = admin.forwarded("cc-unit-0002", face="openai", settle_s=3)
    assert entry["outcome"] == "cancelled"
