"""The journal is bounded: a prefix of each body, a count of entries, a total size; drops are counted."""

from __future__ import annotations

import json

import pytest

from chatconform.mock.config import MockConfig
from chatconform.mock.journal import Journal
from chatconform.mock.redaction import BLOB_KEEP
from tests.mock.running import CHAT, ask, running

KEY = "th-journal-0123456789"


def test_a_long_body_is_kept_as_a_bounded_prefix() -> None:
    config = MockConfig(api_keys=(KEY,), journal_body_bytes=4096)
    prompt = "many words " * 30_000  # 330,000 characters of text, not a blob
    with running(config) as mock, mock.client() as http:
        assert http.post(CHAT, json=ask(prompt)).status_code == 200
        entry = http.get("/mock/journal").json()["data"][-1]
    kept = entry["body"]["messages"][0]["content"]
    assert kept.startswith("many words many") and kept.endswith(f"...({len(prompt)} chars)")
    assert len(json.dumps(entry["body"])) < 4096 + 200
    assert entry["body"]["model"] == "claude-haiku-4-5"


def test_many_small_items_are_cut_and_counted() -> None:
    config = MockConfig(api_keys=(KEY,), journal_body_bytes=2048)
    messages = [{"role": "user", "content": f"message {n}"} for n in range(5000)]
    with running(config) as mock, mock.client() as http:
        assert http.post(CHAT, json={"model": "claude-haiku-4-5", "messages": messages}).status_code == 200
        kept = http.get("/mock/journal").json()["data"][-1]["body"]["messages"]
    assert kept[0] == {"role": "user", "content": "message 0"}
    assert kept[-1].startswith("...(") and kept[-1].endswith(" more items)")
    assert int(kept[-1][4:].split()[0]) + len(kept) - 1 == 5000


def test_image_data_keeps_its_head_and_length() -> None:
    journal = Journal(body_bytes=64 * 1024)
    data = "A" * 5000
    body = {"messages": [{"content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64," + data}}]}]}
    kept = journal.keep(body, json.dumps(body).encode()).value
    url = kept["messages"][0]["content"][0]["image_url"]["url"]
    assert url == "data:image/png;base64," + data[: BLOB_KEEP - len("data:image/png;base64,")] + "...(5022 chars)"


@pytest.mark.parametrize(("size", "total"), [(5, 10**9), (10_000, 40_000)], ids=["entry-count", "total-bytes"])
def test_the_oldest_entries_go_first_and_are_counted(size: int, total: int) -> None:
    config = MockConfig(api_keys=(KEY,), journal_size=size, journal_total_bytes=total)
    with running(config) as mock, mock.client() as http:
        for n in range(30):
            http.post(CHAT, json=ask(f"request {n:02d} " + "padding " * 300))
        listing = http.get("/mock/journal").json()
    kept = [e["body"]["messages"][0]["content"][:10] for e in listing["data"]]
    assert len(kept) + listing["dropped"] == 30
    assert listing["dropped"] > 0 and kept[-1] == "request 29"
    assert kept == sorted(kept)  # the newest are the ones kept
    if size == 5:
        assert len(kept) == 5


def test_drops_are_counted_per_key() -> None:
    other = "th-journal-other-0123456789"
    with running(MockConfig(api_keys=(KEY, other), journal_size=4)) as mock, mock.client() as http:
        for _ in range(6):
            http.post(CHAT, json=ask())
        http.post(CHAT, json=ask(), headers={"authorization": f"Bearer {other}"})
        mine = http.get("/mock/journal").json()
        theirs = http.get("/mock/journal", headers={"authorization": f"Bearer {other}"}).json()
    assert (len(mine["data"]), mine["dropped"]) == (3, 3)
    assert (len(theirs["data"]), theirs["dropped"]) == (1, 0)
