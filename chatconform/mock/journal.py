"""The request journal: the last requests the mock received and how each ended.

Suites read it to see what a gateway sent upstream (gateway mode) and how a
request ended (completed, failed, cancelled by the client). Image data URIs
are shortened and keys appear only as fingerprints.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

DATA_URI_KEEP = 48


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


class Journal:
    def __init__(self, size: int = 500) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, face: str, path: str, key: str, headers: dict[str, str], body: Any) -> Entry:
        entry = Entry(next(self._seq), time.time(), face, path, key, headers, _shorten(body))
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self._entries)
        if limit is not None:
            items = items[-limit:] if limit > 0 else []
        return [vars(e).copy() for e in items]

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()


def _shorten(body: Any) -> Any:
    """A copy of the body with long data URIs cut, so the journal stays small."""
    if not _has_data_uri(body):
        return body
    body = copy.deepcopy(body)
    _cut(body)
    return body


def _has_data_uri(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("data:") and len(value) > DATA_URI_KEEP
    if isinstance(value, dict):
        return any(_has_data_uri(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_data_uri(v) for v in value)
    return False


def _cut(value: Any) -> None:
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for k, v in items:
        if isinstance(v, str) and _has_data_uri(v):
            value[k] = v[:DATA_URI_KEEP] + f"...({len(v)} chars)"
        else:
            _cut(v)
