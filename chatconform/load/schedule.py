"""Open-loop arrivals and the request budget, shared by the users of one process.

Open loop: requests are due at times fixed in advance, whatever the target's
latency: t_i = i / rate (constant), a seeded Poisson process (exponential
gaps with mean 1 / rate), or the offsets of a trace (`--trace`, trace.py).
Times count from the first claim, when the first user is ready to send, not
from the test start: the time Locust takes to spawn that user is not the
target's, and would show as send lag on the first slots. There is one global sequence; with W load
processes, process k serves slots k, k + W, k + 2W, ... so together they
follow it exactly. A free user claims the next slot and sleeps until it is
due; when every user is busy, the slot is served late, and the gap between
intended and actual send time (send lag) is recorded: a growing lag means the
generator, not the target, is saturated (raise --users).

Closed loop needs no schedule: each user sends its next request as soon as
the previous one ended.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

ARRIVALS = ("closed", "constant", "poisson")  # --arrival; a trace replay has arrival "trace"


def share(total: int, index: int, count: int) -> int:
    """How many of `total` global slots belong to process `index` of `count`."""
    return len(range(index, total, count))


@dataclass(frozen=True)
class Slot:
    index: int  # position in the global schedule
    due: float  # perf_counter time at which it should be sent


class ArrivalSchedule:
    def __init__(
        self,
        kind: str,
        rate: float,
        start: float | None,
        limit: int,
        index: int = 0,
        count: int = 1,
        seed: int = 0,
        offsets: Sequence[float] = (),
    ) -> None:
        """`start`: perf_counter time of slot 0's offset, or None for the time of the first claim;
        `offsets`: a trace's send offsets in seconds from its first request, non-decreasing (kind "trace")."""
        if kind not in ("constant", "poisson", "trace"):
            raise ValueError(f"arrival {kind!r}: an open-loop schedule is constant, poisson or trace")
        if kind != "trace" and rate <= 0:
            raise ValueError("an open-loop arrival rate must be positive (--rate)")
        if not 0 <= index < count:
            raise ValueError(f"process index {index} out of range for {count} process(es)")
        self.kind, self.rate, self.start = kind, rate, start
        self.limit = min(limit, len(offsets)) if kind == "trace" else limit
        self._offsets = offsets
        self._step, self._rng = count, random.Random(seed)
        self._next, self._offset = 0, offsets[0] if kind == "trace" and offsets else 0.0  # global slot and offset
        self._advance(index)

    def claim(self, now: float | None = None) -> Slot | None:
        """The next slot of this process, or None once the global limit is reached.
        Users are greenlets and this never yields, so no lock is needed."""
        if self._next >= self.limit:
            return None
        if self.start is None:
            self.start = time.perf_counter() if now is None else now
        slot = Slot(self._next, self.start + self._offset)
        self._advance(self._step)
        return slot

    @property
    def exhausted(self) -> bool:
        """Every slot of this process has been claimed."""
        return self._next >= self.limit

    def _advance(self, steps: int) -> None:
        for _ in range(steps):
            self._next += 1
            if self.kind == "constant":
                self._offset = self._next / self.rate
            elif self.kind == "trace":
                self._offset = self._offsets[self._next] if self._next < len(self._offsets) else self._offset
            else:
                self._offset += self._rng.expovariate(self.rate)


class Budget:
    """At most `limit` requests from this process (its share of --max-requests)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    def take(self) -> bool:
        if self.used >= self.limit:
            return False
        self.used += 1
        return True

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit
