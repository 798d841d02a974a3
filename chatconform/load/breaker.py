"""The circuit breaker: a run against a target that fails (nearly) every request ends early.

Without it, a wrong key or a dead route turns a load run into tens of
thousands of identical errors a second and a report that looks like a
measurement. It trips, once, on either rule:

  FIRST_FAILED   the first 50 requests of a load process all failed;
  WINDOW_RATE    at least 90% of the last 200 requests failed (after the first
                 50: a target that worked and then broke down).

Failed means any failure kind (`http_<status>`, `timeout`, `connect`,
`disconnect`, `truncated`, `malformed`, ...); requests interrupted by the end
of the run do not count. Each load process (each worker) judges its own
requests, so in a distributed run the first rule trips after at most
50 requests per worker. `--no-circuit-breaker` turns it off, e.g. to measure
a gateway's error path on purpose. A tripped run stops at once (`stopped_by:
circuit_breaker`) and exits 5 (exits.py).

Pure bookkeeping, O(1) per request: the load generator's hot path calls it.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

FIRST_FAILED = 50
WINDOW = 200
WINDOW_RATE = 0.9
_ADVICE = {
    "http_401": "the key was refused: check --api-key (or CHATCONFORM_API_KEY)",
    "http_403": "the key is not allowed: check its permissions, or a header the gateway requires (--header)",
    "http_404": "the path or the model is not served: check --base-url (does it end in /v1?) and --models",
    "http_405": "the path does not take POST: check --base-url (does it end in /v1?)",
    "http_429": "the target rate-limits this load: lower -u or --rate",
    "connect": "the target does not accept connections: is it running, at that address?",
    "timeout": "the target does not answer within --request-timeout: it stalls, or raise the bound",
}


@dataclass
class Breaker:
    first_failed: int = FIRST_FAILED
    window: int = WINDOW
    window_rate: float = WINDOW_RATE
    enabled: bool = True
    seen: int = 0
    succeeded: int = 0
    tripped: str | None = None  # the reason, once tripped
    _recent: deque[str | None] = field(default_factory=deque)  # the last `window` outcomes
    _recent_failed: int = 0

    def __post_init__(self) -> None:
        self._recent = deque(maxlen=self.window)

    def observe(self, failure: str | None) -> str | None:
        """Count one finished request; return the reason the first time the breaker trips, else None."""
        if self.tripped is not None or not self.enabled:
            return None
        self.seen += 1
        recent = self._recent
        if len(recent) == self.window and recent[0] is not None:
            self._recent_failed -= 1  # about to slide out of the window
        recent.append(failure)
        if failure is None:  # the common case, kept short: a success never trips
            self.succeeded += 1
            return None
        self._recent_failed += 1
        if self.succeeded == 0 and self.seen == self.first_failed:
            self.tripped = f"the first {self.seen} requests all failed ({self._kinds()})"
        elif len(recent) == self.window and self._recent_failed >= self.window_rate * self.window:
            self.tripped = f"{self._recent_failed} of the last {self.window} requests failed ({self._kinds()})"
        return self.tripped

    def _kinds(self) -> str:
        counts = Counter(kind for kind in self._recent if kind is not None)
        return ", ".join(f"{kind}: {n}" for kind, n in counts.most_common(3))


def advice(failed: dict[str, int]) -> str:
    """What the most frequent failure kind usually means, in one line."""
    if not failed:
        return ""
    kind = max(failed, key=lambda k: failed[k])
    if kind in _ADVICE:
        return _ADVICE[kind]
    if kind.startswith("http_5"):
        return "the target fails these requests itself: see its logs"
    return f"most requests failed as {kind}: see the README's failure kinds"
