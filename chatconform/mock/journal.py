"""The request journal: the last requests the mock received and how each ended.

Suites read it to see what a gateway sent upstream (gateway mode), what the
mock answered (`reply`: stop reason, content blocks, text, usage, on the
Anthropic face) and how a request ended (completed, failed, cancelled by the
client). `entries(contains=...)` finds the requests that carried a marker;
`sent` says when each part of the answer went out (`sent.py`).

Bounded three ways: each body is kept as a bounded, masked copy
(`body_bytes`, see `redaction`), at most `size` entries are kept, and at most
`total_bytes` of kept bodies; the oldest entries go first and are counted in
the listing's `dropped`. Entries belong to the key that sent them: a tenant
lists and resets only its own (`owner=None` is the admin, who sees all).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from chatconform.mock.redaction import Kept, keep_body
from chatconform.mock.sent import SendTimes

DEFAULT_SIZE = 500
DEFAULT_BODY_BYTES = 64 * 1024
DEFAULT_TOTAL_BYTES = 16 * 1024 * 1024
_HEADERS_COST = 512  # what an entry's headers and fields cost the total, roughly


@dataclass
class Entry:
    seq: int
    time: float
    face: str  # "openai" or "anthropic"
    path: str
    key: str  # ledger fingerprint, never the key
    headers: dict[str, str]
    body: Any
    status: int = 0
    outcome: str = "pending"  # completed, error, fault:<kind>, cancelled
    stream: bool = False
    usage: dict[str, int] = field(default_factory=dict)
    reply: dict[str, Any] = field(default_factory=dict)  # what the answer was meant to be, before faults
    charged_usd: float = 0.0  # what the ledger charged for this request (0 unless delivered whole)
    sent: SendTimes | None = None  # when each part of the answer was handed to the server (`sent`)
    cost: int = field(default=0, repr=False)  # what the entry counts against the journal's total
    _text: str | None = field(default=None, repr=False)  # the kept body as JSON, once searched

    def listing(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if k not in ("cost", "_text")}
        out["sent"] = self.sent.listing() if self.sent is not None else None
        return out

    def holds(self, text: str) -> bool:
        """Whether the kept body holds `text`; serialised on the first search only, searches repeat."""
        if self._text is None:
            self._text = json.dumps(self.body, ensure_ascii=False)
        return text in self._text


class Journal:
    def __init__(
        self,
        size: int = DEFAULT_SIZE,
        body_bytes: int = DEFAULT_BODY_BYTES,
        total_bytes: int = DEFAULT_TOTAL_BYTES,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.size, self.body_bytes, self.total_bytes = size, body_bytes, total_bytes
        self._secrets = secrets
        self._entries: deque[Entry] = deque()
        self._total = 0
        self._dropped: Counter[str] = Counter()
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def keep(self, body: Any, raw: bytes) -> Kept:
        """What an entry keeps of `body` (parsed from `raw`): computed once per distinct body."""
        return keep_body(body, raw, self.body_bytes, self._secrets)

    def record(self, face: str, path: str, key: str, headers: dict[str, str], kept: Kept) -> Entry:
        entry = Entry(next(self._seq), time.time(), face, path, key, headers, kept.value, cost=kept.size)
        entry.cost += _HEADERS_COST
        with self._lock:
            self._entries.append(entry)
            self._total += entry.cost
            while len(self._entries) > self.size or (self._total > self.total_bytes and len(self._entries) > 1):
                old = self._entries.popleft()
                self._total -= old.cost
                self._dropped[old.key] += 1
        return entry

    def entries(self, owner: str | None, limit: int | None = None, contains: str | None = None) -> dict[str, Any]:
        """The latest `limit` entries of `owner` (None: everyone's), oldest first, and how many were dropped;
        with `contains`, only those whose body holds that text."""
        with self._lock:
            items = [e for e in self._entries if owner is None or e.key == owner]
            dropped = self._dropped[owner] if owner is not None else sum(self._dropped.values())
        if contains:
            items = [e for e in items if e.holds(contains)]
        if limit is not None:
            items = items[-limit:] if limit > 0 else []
        return {"object": "list", "data": [e.listing() for e in items], "dropped": dropped}

    def reset(self, owner: str | None) -> None:
        with self._lock:
            kept = deque(e for e in self._entries if owner is not None and e.key != owner)
            self._entries, self._total = kept, sum(e.cost for e in kept)
            if owner is None:
                self._dropped.clear()
            else:
                self._dropped.pop(owner, None)
