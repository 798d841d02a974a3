"""The request journal: the last requests the mock received and how each ended.

Suites read it to see what a gateway sent upstream (gateway mode), what the
mock answered (`reply`: stop reason, content blocks, text, usage, on the
Anthropic face) and how a request ended (completed, failed, cancelled by the
client). `entries(contains=...)` finds the requests that carried a marker. Long unbroken
strings (image data URIs, base64 sources) are shortened and keys appear only
as fingerprints.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from chatconform.redact import redact_headers

BLOB_MIN = 1024  # an unbroken string this long is image data, not words worth keeping
BLOB_KEEP = 48


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


class Journal:
    def __init__(self, size: int = 500) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, face: str, path: str, key: str, headers: dict[str, str], body: Any, size: int) -> Entry:
        """Add an entry; `size` is the body's length in bytes (a small body holds no blob)."""
        kept = _shorten(body) if size > BLOB_MIN else body
        entry = Entry(next(self._seq), time.time(), face, path, key, headers, kept)
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, limit: int | None = None, contains: str | None = None) -> list[dict[str, Any]]:
        """The latest `limit` entries, oldest first; with `contains`, only those whose body holds that text."""
        with self._lock:
            items = list(self._entries)
        if contains:
            items = [e for e in items if contains in json.dumps(e.body, ensure_ascii=False)]
        if limit is not None:
            items = items[-limit:] if limit > 0 else []
        # Headers were masked on the way in; redact again on the way out, in case a
        # key travelled somewhere unusual (a custom header, a query string).
        return [{**vars(e), "headers": redact_headers(e.headers)} for e in items]

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()


def _shorten(body: Any) -> Any:
    """A copy of the body with blobs cut, so the journal stays small."""
    body = copy.deepcopy(body)
    _cut(body)
    return body


def _is_blob(value: Any) -> bool:
    return isinstance(value, str) and len(value) > BLOB_MIN and " " not in value[:BLOB_MIN]


def _cut(value: Any) -> None:
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        if _is_blob(v):
            value[k] = v[:BLOB_KEEP] + f"...({len(v)} chars)"
        else:
            _cut(v)
