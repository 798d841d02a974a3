"""An optional capacity model: a mock whose latency grows with load, with a knee that can be predicted.

The mock is one engine with a fixed throughput: it decodes `tokens_per_s`
output tokens per second and prefills a prompt token in `prefill_ms_per_token`,
and it works on one request's share at a time, first come first served. A
request that needs P prompt and C output tokens costs the engine

    W = P * prefill_ms_per_token / 1000 + C / tokens_per_s   (seconds)

and is admitted at `start = max(arrival, free)`, after which the engine is
busy until `free = start + W`. Its time to first token gains the wait
`start - arrival` and its own prefill `P * prefill_ms_per_token / 1000`; every
later token moves by as much (the stream itself keeps the latency model's
pace, as a batching server's does). So for requests of one shape the mock
serves at most `1 / W` requests per second: below that rate the wait stays
near 0 (exactly 0 for evenly spaced arrivals; `rho * W / (2 * (1 - rho))` on
average for Poisson ones, rho = rate * W, the M/D/1 queue), above it the wait
grows with every request. A request that would wait more than `max_queue_s`
is refused at once as overloaded (the face's 529/503), as a saturated
upstream does, so no queue grows without end. Work is not given back when a
client leaves: the engine spent it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_CAPS = {"tokens_per_s": (1.0, 10_000_000.0), "prefill_ms_per_token": (0.0, 1000.0), "max_queue_s": (0.0, 600.0)}


@dataclass(frozen=True)
class CapacitySettings:
    tokens_per_s: float | None = None  # None: no capacity model (the default), latency does not grow with load
    prefill_ms_per_token: float = 0.0
    max_queue_s: float = 30.0

    def __post_init__(self) -> None:
        for name, (low, high) in _CAPS.items():
            value = getattr(self, name)
            if value is None and name == "tokens_per_s":
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise ValueError(f"capacity {name} must be a number between {low:g} and {high:g}")

    @property
    def enabled(self) -> bool:
        return self.tokens_per_s is not None

    def work_s(self, prompt_tokens: int, output_tokens: int) -> float:
        """W: the engine time one request costs."""
        return self.prefill_s(prompt_tokens) + output_tokens / (self.tokens_per_s or 1.0)

    def prefill_s(self, prompt_tokens: int) -> float:
        return prompt_tokens * self.prefill_ms_per_token / 1000

    def knee_rps(self, prompt_tokens: int, output_tokens: int) -> float:
        """The highest sustainable rate of requests of this shape: 1 / W."""
        return 1.0 / self.work_s(prompt_tokens, output_tokens)

    def describe(self) -> str:
        if not self.enabled:
            return "off"
        return (
            f"{self.tokens_per_s:g} output tokens/s, prefill {self.prefill_ms_per_token:g} ms/token, "
            f"queue up to {self.max_queue_s:g} s"
        )


class Overloaded(Exception):
    """The engine's queue is longer than `max_queue_s`: the request is refused, not queued."""


class Capacity:
    """The engine's queue: `admit` returns how much later than planned a request's first token comes."""

    def __init__(self, settings: CapacitySettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self._clock = settings, clock
        self._free = 0.0  # when the engine has finished the work admitted so far
        self._lock = threading.Lock()

    def admit(self, prompt_tokens: int, output_tokens: int) -> float:
        """The request's shift in seconds (its wait for the engine plus its own prefill), or Overloaded."""
        s = self.settings
        now = self._clock()
        with self._lock:
            start = max(now, self._free)
            if start - now > s.max_queue_s:
                raise Overloaded(f"{start - now:.1f} s of queued work ahead")
            self._free = start + s.work_s(prompt_tokens, output_tokens)
        return start - now + s.prefill_s(prompt_tokens)

    def backlog_s(self) -> float:
        """Seconds of admitted work not yet done: 0 when the engine is idle."""
        return max(0.0, self._free - self._clock())
