"""Open-loop arrivals and the request budget, shared by the users of one process.

Open loop: requests are due at times fixed in advance, whatever the target's
latency: t_i = i / rate (constant) or a seeded Poisson process (exponential
gaps with mean 1 / rate). There is one global sequence; with W load
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
from dataclasses import dataclass

ARRIVALS = ("closed", "constant", "poisson")


def share(total: int, index: int, count: int) -> int:
    """How many of `total` global slots belong to process `index` of `count`."""
    return len(range(index, total, count))


@dataclass(frozen=True)
class Slot:
    index: int  # position in the global schedule
    due: float  # perf_counter time at which it should be sent


class ArrivalSchedule:
    def __init__(
        self, kind: str, rate: float, start: float, limit: int, index: int = 0, count: int = 1, seed: int = 0
    ) -> None:
        if kind not in ARRIVALS[1:]:
            raise ValueError(f"arrival {kind!r}: an open-loop schedule is constant or poisson")
        if rate <= 0:
            raise ValueError("an open-loop arrival rate must be positive (--rate)")
        if not 0 <= index < count:
            raise ValueError(f"process index {index} out of range for {count} process(es)")
        self.kind, self.rate, self.start, self.limit = kind, rate, start, limit
        self._step, self._rng = count, random.Random(seed)
        self._next, self._offset = 0, 0.0  # global slot number and its offset
        self._advance(index)

    def claim(self) -> Slot | None:
        """The next slot of this process, or None once the global limit is reached.
        Users are greenlets and this never yields, so no lock is needed."""
        if self._next >= self.limit:
            return None
        slot = Slot(self._next, self.start + self._offset)
        self._advance(self._step)
        return slot

    def _advance(self, steps: int) -> None:
        for _ in range(steps):
            self._next += 1
            if self.kind == "constant":
                self._offset = self._next / self.rate
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
