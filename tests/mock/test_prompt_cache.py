"""Prompt caching on both faces: `cache_control` breakpoints write a prefix, later requests read it.

Counts are checked against each other (the prefix written once is what is read later; input tokens plus
cache tokens are the prompt), prices against the profile's multipliers, expiry on an injected clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatconform.mock.config import MockConfig
from chatconform.mock.prompt_cache import Block, CacheControlError, PromptCache, plan
from chatconform.profile import load_profile
from chatconform.sse import parse
from tests.conftest import RunningMock
from tests.mock.running import ANTHROPIC_HEADERS, CHAT, MESSAGES, running

KEYS = ("th-cache-a-0123456789", "th-cache-b-0123456789")
LONG = "lorem ipsum dolor sit amet " * 300  # about 1,500 tokens: above the 1,024-token minimum
MODEL = "claude-haiku-4-5"


@pytest.fixture()
def mock() -> Iterator[RunningMock]:
    """A mock of its own: the cache and the ledger start empty."""
    with running(MockConfig(api_keys=KEYS)) as running_mock:
        yield running_mock


def _system(control: Any = None, text: str = LONG) -> list[dict[str, Any]]:
    block: dict[str, Any] = {"type": "text", "text": text}
    if control is not None:
        block["cache_control"] = control
    return [block]


def _anthropic(mock: RunningMock, key: str = KEYS[0], **body: Any) -> httpx.Response:
    payload = {"model": MODEL, "max_tokens": 50, "messages": [{"role": "user", "content": "Reply with exactly: ok"}]}
    headers = {"x-api-key": key, **ANTHROPIC_HEADERS}
    return httpx.post(mock.root + MESSAGES, json={**payload, **body}, headers=headers, timeout=10)


def _usage(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json()["usage"])


def _ledger(mock: RunningMock, key: str = KEYS[0]) -> dict[str, Any]:
    report = httpx.get(mock.root + "/mock/ledger", headers={"authorization": f"Bearer {key}"}).json()
    return dict(report["totals"])


def test_a_breakpoint_writes_then_reads_the_prefix(mock: RunningMock) -> None:
    first = _usage(_anthropic(mock, system=_system({"type": "ephemeral"})))
    second = _usage(_anthropic(mock, system=_system({"type": "ephemeral"})))
    written = first["cache_creation_input_tokens"]
    assert written > 1024 and first["cache_read_input_tokens"] == 0
    assert first["cache_creation"] == {"ephemeral_5m_input_tokens": written, "ephemeral_1h_input_tokens": 0}
    assert (second["cache_read_input_tokens"], second["cache_creation_input_tokens"]) == (written, 0)
    assert first["input_tokens"] == second["input_tokens"] > 0  # the tokens after the breakpoint
    plain = _usage(_anthropic(mock, system=_system()))  # the same prompt, no breakpoint
    assert plain["input_tokens"] == first["input_tokens"] + written
    assert (plain["cache_creation_input_tokens"], plain["cache_read_input_tokens"]) == (0, 0)


def test_the_ledger_prices_cache_tokens_at_the_profile_multipliers(mock: RunningMock) -> None:
    first = _usage(_anthropic(mock, system=_system({"type": "ephemeral", "ttl": "1h"})))
    second = _usage(_anthropic(mock, system=_system({"type": "ephemeral", "ttl": "1h"})))
    written = first["cache_creation"]["ephemeral_1h_input_tokens"]
    assert written == first["cache_creation_input_tokens"] > 0 and second["cache_read_input_tokens"] == written
    model = next(m for m in load_profile("tokenhub").models if m.id == MODEL)
    prices = model.prices
    inputs = first["input_tokens"] * 2 + written * prices.cache_write_1h + written * prices.cache_read
    outputs = first["output_tokens"] + second["output_tokens"]
    expected = (inputs * model.input_per_mtok + outputs * model.output_per_mtok) / 1e6
    books = _ledger(mock)
    assert books["cost_usd"] == pytest.approx(expected, rel=1e-6)
    assert (books["cache_write_tokens"], books["cache_read_tokens"]) == (written, written)
    assert books["prompt_tokens"] == 2 * (first["input_tokens"] + written)  # every input token is counted


def test_caches_belong_to_their_key(mock: RunningMock) -> None:
    _usage(_anthropic(mock, system=_system({"type": "ephemeral"})))
    other = _usage(_anthropic(mock, key=KEYS[1], system=_system({"type": "ephemeral"})))
    assert other["cache_read_input_tokens"] == 0 and other["cache_creation_input_tokens"] > 0


def test_a_short_prefix_is_not_cached(mock: RunningMock) -> None:
    for _ in range(2):
        usage = _usage(_anthropic(mock, system=_system({"type": "ephemeral"}, text="short system prompt")))
        assert (usage["cache_creation_input_tokens"], usage["cache_read_input_tokens"]) == (0, 0)


def test_streamed_usage_matches_the_whole_answer(mock: RunningMock) -> None:
    _usage(_anthropic(mock, system=_system({"type": "ephemeral"})))
    whole = _usage(_anthropic(mock, system=_system({"type": "ephemeral"})))
    raw = _anthropic(mock, system=_system({"type": "ephemeral"}), stream=True).content
    events = {e.event: e.data for e in parse(raw).events}
    start = json.loads(events["message_start"])["message"]["usage"]
    ending = json.loads(events["message_delta"])["usage"]
    for name in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"):
        assert start[name] == ending[name] == whole[name], name


@pytest.mark.parametrize(
    ("system", "where"),
    [
        (_system({"type": "persistent"}), "system.0"),
        (_system({"type": "ephemeral", "ttl": "1d"}), "system.0"),
        ([*_system(), *[{"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}] * 5], "system.5"),
        (
            [
                {"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "b", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
            ],
            "system.1",
        ),
    ],
    ids=["not-ephemeral", "bad-ttl", "five-breakpoints", "1h-after-5m"],
)
def test_a_refused_cache_control_names_its_block(mock: RunningMock, system: Any, where: str) -> None:
    response = _anthropic(mock, system=system)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error" and body["error"]["message"].startswith(where + ": ")


def test_the_openai_face_reports_cached_tokens(mock: RunningMock) -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}]},
        {"role": "user", "content": "Reply with exactly: ok"},
    ]
    headers = {"authorization": f"Bearer {KEYS[0]}"}
    usages = [
        httpx.post(mock.root + CHAT, json={"model": MODEL, "messages": messages}, headers=headers).json()["usage"]
        for _ in range(2)
    ]
    written = usages[0]["prompt_tokens_details"]["cache_write_tokens"]
    assert written > 1024 and usages[0]["prompt_tokens_details"]["cached_tokens"] == 0
    assert usages[1]["prompt_tokens_details"] == {"cached_tokens": written, "audio_tokens": 0}
    assert usages[0]["prompt_tokens"] == usages[1]["prompt_tokens"] > written  # cached tokens stay in the count
    bad = [{**messages[0], "content": [{**messages[0]["content"][0], "cache_control": {"type": "x"}}]}, messages[1]]
    refused = httpx.post(mock.root + CHAT, json={"model": MODEL, "messages": bad}, headers=headers)
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "messages[0].content[0].cache_control"


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _blocks(*texts: str, marks: tuple[int, ...] = (), ttl: str = "5m") -> list[Block]:
    control = {"type": "ephemeral", "ttl": ttl}
    return [Block(t, 600, control if i in marks else None) for i, t in enumerate(texts)]


def test_entries_expire_after_their_ttl_and_a_read_refreshes_them() -> None:
    clock = Clock()
    cache = PromptCache(clock=clock)
    request = plan(_blocks("a", "b", "c", marks=(1,)), 2000)
    assert request is not None
    assert cache.use("k", "m", request).write_5m == 1200
    clock.t = 299
    assert cache.use("k", "m", request).read == 1200  # read at 299 s: refreshed until 599 s
    clock.t = 598
    assert cache.use("k", "m", request).read == 1200
    clock.t = 598 + 301
    again = cache.use("k", "m", request)
    assert (again.read, again.write_5m) == (0, 1200)  # expired: written anew


def test_a_longer_prompt_reads_the_shared_prefix_within_the_lookback() -> None:
    cache = PromptCache(clock=Clock())
    short = plan(_blocks("a", "b", marks=(1,)), 5000)
    longer = plan(_blocks("a", "b", "c", "d", marks=(3,)), 5000)
    assert short is not None and longer is not None
    cache.use("k", "m", short)
    use = cache.use("k", "m", longer)
    assert (use.read, use.write_5m) == (1200, 1200)  # the first two blocks read, the next two written
    assert cache.use("k", "other-model", longer).read == 0


def test_plan_refuses_what_the_api_refuses() -> None:
    with pytest.raises(CacheControlError) as raised:
        plan(_blocks(*"abcde", marks=(0, 1, 2, 3, 4)), 5000)
    assert raised.value.where == 4
    assert plan(_blocks("a", "b"), 5000) is None  # no breakpoint: nothing to plan
