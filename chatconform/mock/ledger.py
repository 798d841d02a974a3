"""The billing ledger: what each API key has been charged, at the profile's prices.

Cache reads and writes (`prompt_cache`) are priced at the profile's `[prices]`
multipliers of the input price. Only successful requests are charged (the documented TokenHub rule): an
error, an injected fault or a stream the client abandoned costs nothing.
Keys are stored by fingerprint, never in clear; each key reads and resets its
own charges, the admin key (owner None) everyone's. At most `MAX_KEYS` keys
are kept (the least recently charged goes first).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from chatconform.mock.prompt_cache import NO_CACHE, CacheUse
from chatconform.profile import Model

MAX_KEYS = 10_000  # keys kept at once; the least recently charged is forgotten first


@lru_cache(maxsize=64)  # a run uses a handful of keys, and this runs on every request
def fingerprint(api_key: str) -> str:
    """A stable, non-reversible name for a key, safe to log and report."""
    return "key-" + hashlib.sha256(api_key.encode()).hexdigest()[:10]


@dataclass
class Charge:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_read_tokens: int = 0  # of the prompt tokens, those read from the prompt cache
    cache_write_tokens: int = 0  # ... and those written to it
    cost_usd: float = 0.0

    def add(self, prompt_tokens: int, completion_tokens: int, use: CacheUse, cost: float) -> None:
        self.merge(Charge(1, prompt_tokens, completion_tokens, use.read, use.written, cost))

    def merge(self, other: Charge) -> None:
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cache_read_tokens += other.cache_read_tokens
        self.cache_write_tokens += other.cache_write_tokens
        self.cost_usd += other.cost_usd


class Ledger:
    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._lock = threading.Lock()
        self._max_keys = max_keys
        self._totals: OrderedDict[str, Charge] = OrderedDict()  # least recently charged first
        self._by_model: dict[str, dict[str, Charge]] = {}

    def charge(
        self, api_key: str, model: Model, prompt_tokens: int, completion_tokens: int, use: CacheUse = NO_CACHE
    ) -> float:
        cost = model.cost(prompt_tokens, completion_tokens, use.read, use.write_5m, use.write_1h)
        key = fingerprint(api_key)
        with self._lock:
            total = self._totals.get(key)
            if total is None:
                total = self._totals[key] = Charge()
                self._by_model[key] = defaultdict(Charge)
                if len(self._totals) > self._max_keys:  # a mock that accepts any key must not grow without end
                    old, _ = self._totals.popitem(last=False)
                    del self._by_model[old]
            self._totals.move_to_end(key)
            total.add(prompt_tokens, completion_tokens, use, cost)
            self._by_model[key][model.id].add(prompt_tokens, completion_tokens, use, cost)
        return cost

    def report(self, owner: str | None) -> dict[str, Any]:
        """What `owner` (a key's fingerprint) was charged; None, the admin: every key's, summed and by key."""
        with self._lock:
            keys = list(self._totals) if owner is None else [owner]
            by_key = {k: (self._totals.get(k, Charge()), dict(self._by_model.get(k, {}))) for k in keys}
        totals, by_model = Charge(), defaultdict[str, Charge](Charge)
        for charge, models in by_key.values():
            totals.merge(charge)
            for model, part in models.items():
                by_model[model].merge(part)
        report: dict[str, Any] = {"key": owner or "all", "currency": "USD", "totals": _rounded(totals)}
        report["by_model"] = {m: _rounded(c) for m, c in by_model.items()}
        if owner is None:
            report["by_key"] = {k: _rounded(charge) for k, (charge, _) in by_key.items()}
        return report

    def reset(self, owner: str | None) -> None:
        with self._lock:
            if owner is None:
                self._totals.clear()
                self._by_model.clear()
            else:
                self._totals.pop(owner, None)
                self._by_model.pop(owner, None)


def _rounded(charge: Charge) -> dict[str, Any]:
    data = asdict(charge)
    data["cost_usd"] = round(data["cost_usd"], 9)
    return data
