"""The billing ledger: what each API key has been charged, at the profile's prices.

Only successful requests are charged (the documented TokenHub rule): an
error, an injected fault or a stream the client abandoned costs nothing.
Keys are stored by fingerprint, never in clear.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from chatconform.profile import Model


@lru_cache(maxsize=64)  # a run uses a handful of keys, and this runs on every request
def fingerprint(api_key: str) -> str:
    """A stable, non-reversible name for a key, safe to log and report."""
    return "key-" + hashlib.sha256(api_key.encode()).hexdigest()[:10]


@dataclass
class Charge:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0

    def add(self, prompt_tokens: int, completion_tokens: int, cost: float) -> None:
        self.requests += 1
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.cost_usd += cost


class Ledger:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: dict[str, Charge] = defaultdict(Charge)
        self._by_model: dict[str, dict[str, Charge]] = defaultdict(lambda: defaultdict(Charge))

    def charge(self, api_key: str, model: Model, prompt_tokens: int, completion_tokens: int) -> float:
        cost = model.cost(prompt_tokens, completion_tokens)
        key = fingerprint(api_key)
        with self._lock:
            self._totals[key].add(prompt_tokens, completion_tokens, cost)
            self._by_model[key][model.id].add(prompt_tokens, completion_tokens, cost)
        return cost

    def report(self, api_key: str) -> dict[str, Any]:
        key = fingerprint(api_key)
        with self._lock:
            totals = asdict(self._totals.get(key, Charge()))
            by_model = {m: asdict(c) for m, c in self._by_model.get(key, {}).items()}
        totals["cost_usd"] = round(totals["cost_usd"], 9)
        for charge in by_model.values():
            charge["cost_usd"] = round(charge["cost_usd"], 9)
        return {"key": key, "currency": "USD", "totals": totals, "by_model": by_model}

    def reset(self) -> None:
        with self._lock:
            self._totals.clear()
            self._by_model.clear()
