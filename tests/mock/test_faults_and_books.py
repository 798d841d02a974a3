"""Fault injection, the billing ledger, the journal and the latency model."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatconform import schemas
from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.mock.faults import FaultPlan, FaultSettings, parse_header
from chatconform.mock.latency import LatencySettings
from chatconform.server import serve_in_thread
from chatconform.sse import parse
from tests.conftest import RunningMock, parses_as_json

ASK = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Count from 1 to 6"}]}


def post(http: httpx.Client, fault: str, **extra: Any) -> httpx.Response:
    return http.post("/v1/chat/completions", json={**ASK, **extra}, headers={"x-chatconform-fault": fault})


@pytest.mark.parametrize(("status", "retry_after"), [(429, "1"), (500, None), (503, None), (529, "1")])
def test_injected_status_is_an_envelope(http: httpx.Client, status: int, retry_after: str | None) -> None:
    response = post(http, f"status={status}")
    assert response.status_code == status
    assert schemas.explain("error", response.json()) is None
    assert response.headers.get("retry-after") == retry_after


def test_retry_after_value_is_kept(http: httpx.Client) -> None:
    assert post(http, "status=429; retry_after=7").headers["retry-after"] == "7"


def test_disconnect_drops_the_stream(http: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        post(http, "disconnect=2", stream=True)


def test_disconnect_drops_a_whole_body(http: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        post(http, "disconnect=1")


def test_malformed_chunk(http: httpx.Client) -> None:
    events = parse(post(http, "malformed=2", stream=True).content).events
    bad = [e.data for e in events if e.data != "[DONE]" and not parses_as_json(e.data)]
    assert len(bad) == 1


def test_midstream_error_ends_without_done(http: httpx.Client) -> None:
    events = parse(post(http, "midstream_error=2", stream=True).content).events
    assert json.loads(events[-1].data)["error"]["code"] == "upstream_error"
    assert all(e.data != "[DONE]" for e in events)


@pytest.mark.parametrize("header", ["bogus=1", "status=abc", "status=200", "stall_s=-1", "status"])
def test_bad_fault_header_is_a_400(http: httpx.Client, header: str) -> None:
    response = post(http, header)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_fault"


def test_seeded_fault_draws_repeat() -> None:
    settings = FaultSettings(error_rate=0.3, disconnect_rate=0.2)
    plan_a, plan_b = FaultPlan(settings, seed=7), FaultPlan(settings, seed=7)
    draws_a = [plan_a.draw(None) for _ in range(200)]
    assert draws_a == [plan_b.draw(None) for _ in range(200)]
    errors = sum(1 for d in draws_a if d.status)
    assert 30 <= errors <= 90  # 30% of 200, with a wide margin


def test_header_parsing() -> None:
    fault = parse_header("status=529; stall_s=99999")
    assert (fault.status, fault.retry_after, fault.stall_s) == (529, 1.0, 600.0)


@pytest.fixture()
def fresh() -> Iterator[RunningMock]:
    """A mock of its own, so ledger and journal totals are exact."""
    with serve_in_thread(create_app(MockConfig(api_keys=("th-books-a", "th-books-b")))) as root:
        yield RunningMock(root, "th-books-a")


def test_ledger_charges_only_successes_per_key(fresh: RunningMock) -> None:
    with fresh.client() as http:
        ok = http.post("/v1/chat/completions", json=ASK).json()["usage"]
        streamed = [
            e.data
            for e in parse(
                http.post(
                    "/v1/chat/completions",
                    json={
                        **ASK,
                        "model": "anthropic/claude-4-opus",
                        "stream": True,
                        "stream_options": {"include_usage": True},
                    },
                ).content
            ).events
        ]
        stream_usage = json.loads(streamed[-2])["usage"]
        assert post(http, "status=500").status_code == 500
        assert http.post("/v1/chat/completions", json={**ASK, "temperature": 9}).status_code == 400
        assert len(parse(post(http, "midstream_error=1", stream=True).content).events) > 0
        books = http.get("/mock/ledger").json()
    haiku, opus = books["by_model"]["claude-haiku-4-5"], books["by_model"]["claude-4-opus"]
    assert haiku["requests"] == 1 and opus["requests"] == 1
    assert haiku["prompt_tokens"] == ok["prompt_tokens"]
    expected = (ok["prompt_tokens"] * 1.0 + ok["completion_tokens"] * 5.0) / 1e6
    expected += (stream_usage["prompt_tokens"] * 15.0 + stream_usage["completion_tokens"] * 75.0) / 1e6
    assert books["totals"]["cost_usd"] == pytest.approx(expected, abs=1e-9)
    other = httpx.get(fresh.root + "/mock/ledger", headers={"authorization": "Bearer th-books-b"}).json()
    assert other["totals"]["requests"] == 0
    assert "th-books" not in json.dumps(books)


def test_journal_records_outcomes_and_reset(fresh: RunningMock) -> None:
    with fresh.client() as http:
        http.post("/v1/chat/completions", json=ASK)
        post(http, "status=429")
        entries = http.get("/mock/journal").json()["data"]
        assert [e["outcome"] for e in entries] == ["completed", "fault:status=429"]
        assert entries[0]["headers"]["authorization"] == "***"
        assert entries[0]["body"] == ASK
        assert http.post("/mock/reset").json() == {"reset": True}
        assert http.get("/mock/journal").json()["data"] == []
        assert http.get("/mock/ledger").json()["totals"]["requests"] == 0


def test_client_disconnect_is_journaled_as_cancelled() -> None:
    config = MockConfig(api_keys=("th-cancel",), latency=LatencySettings(ttft_ms=50, itl_ms=50))
    with serve_in_thread(create_app(config)) as root:
        headers = {"authorization": "Bearer th-cancel"}
        with httpx.Client(base_url=root, headers=headers) as http:
            with http.stream("POST", "/v1/chat/completions", json={**ASK, "stream": True}) as response:
                next(response.iter_bytes())
            entry: dict[str, Any] = {}
            for _ in range(100):  # the server notices within a few ms; bounded wait
                entry = http.get("/mock/journal").json()["data"][-1]
                if entry["outcome"] != "pending":
                    break
                time.sleep(0.02)
            assert entry["outcome"] == "cancelled"
            assert http.get("/mock/ledger").json()["totals"]["requests"] == 0


def test_latency_model_delays_first_token() -> None:
    config = MockConfig(api_keys=("th-slow",), latency=LatencySettings(ttft_ms=150, itl_ms=10))
    with serve_in_thread(create_app(config)) as root:
        start = time.perf_counter()
        response = httpx.post(root + "/v1/chat/completions", json=ASK, headers={"authorization": "Bearer th-slow"})
        elapsed = time.perf_counter() - start
    assert response.status_code == 200
    # 150 ms to the first token plus 10 ms per further chunk; a wide bound for a shared machine.
    assert 0.15 <= elapsed < 2.0
