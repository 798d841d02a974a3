"""Where a stream's time goes between the upstream mock and the client: the gateway's own delay.

The mock journals, per upstream request, when it sent its content events
(`sent`: CLOCK_MONOTONIC seconds of the first and the last KEEP, and their
count; see chatconform.mock.sent). The client knows when each token-bearing
chunk arrived, on the same clock (`time.perf_counter()` and
`time.monotonic()` both read CLOCK_MONOTONIC on Linux: PERF_TO_MONOTONIC is
0 there). Paired, they say what the gateway added:

- **added TTFT**: the client's first token − the mock's first content event;
- **added delay per chunk**: arrival − send, for each event paired. Events
  pair by position when the gateway relays one chunk per upstream event (the
  counts match), else only the first and the last pair (both are certain):
  a gateway that splits or merges events has no one-to-one map, and guessing
  one would invent figures (the request is then `reshaped`);
- **coalesced**: two consecutive paired events sent at least APART_S apart
  whose chunks arrived within TOGETHER_S (in practice, in one read);
- **held**: the whole stream buffered and flushed at the end, i.e. the first
  token arrived only after the mock had sent its last content event, on a
  stream long enough (MIN_EVENTS, MIN_SPAN_S) to tell that from a fast relay.

One request's figures are a `Pacing`; the load generator aggregates them
over a run (chatconform.load.overhead), the gateway-mode check judges one
(chatconform.checks.pacing). The same clock means the figures hold for a
gateway, mock and client on one machine (the benchmark and CI set-up);
across machines they are only as good as the clocks' sync.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

KEEP = 8  # send and arrival times kept at each end of a stream (the mock keeps 8 too)
APART_S = 0.001  # events sent at least this far apart...
TOGETHER_S = 0.0001  # ...that arrive this close together were coalesced on the way
MIN_EVENTS = 3
MIN_SPAN_S = 0.02
CLOCK = "CLOCK_MONOTONIC"


def _perf_to_monotonic() -> float:
    """What turns a time.perf_counter() reading (the client's clock) into time.monotonic() (the mock's): 0 on
    Linux, where both read CLOCK_MONOTONIC; elsewhere the offset between the two clocks, measured once."""
    perf, mono = time.get_clock_info("perf_counter"), time.get_clock_info("monotonic")
    return 0.0 if perf.implementation == mono.implementation else time.monotonic() - time.perf_counter()


PERF_TO_MONOTONIC = _perf_to_monotonic()


@dataclass(frozen=True)
class Arrivals:
    """When the token-bearing chunks of one stream arrived (monotonic seconds), the first and last KEEP."""

    ref: str  # the request's reference in gateway-mode load runs ("" where the caller pairs it itself)
    first: tuple[float, ...]  # chunks 0 .. KEEP-1
    last: tuple[float, ...]  # chunks chunks-len(last) .. chunks-1 (overlaps `first` in a short stream)
    chunks: int

    @classmethod
    def of(cls, ref: str, token_times: Sequence[float], offset: float = PERF_TO_MONOTONIC) -> Arrivals:
        """From perf_counter times; `offset` turns them into time.monotonic() seconds."""
        times = list(token_times)
        return cls(ref, tuple(t + offset for t in times[:KEEP]), tuple(t + offset for t in times[-KEEP:]), len(times))

    def to_wire(self) -> list[Any]:
        return [self.ref, list(self.first), list(self.last), self.chunks]

    @classmethod
    def from_wire(cls, data: list[Any]) -> Arrivals:
        ref, first, last, chunks = data
        return cls(str(ref), tuple(map(float, first)), tuple(map(float, last)), int(chunks))


@dataclass(frozen=True)
class Sent:
    """When the mock sent the content events of one upstream request (the journal's `sent` field)."""

    first: tuple[float, ...]
    last: tuple[float, ...]
    events: int

    @classmethod
    def parse(cls, entry: Any) -> Sent | None:
        """The send times of a journal entry, or None when it has none that can be trusted."""
        sent = entry.get("sent") if isinstance(entry, dict) else None
        if not isinstance(sent, dict) or sent.get("clock") != CLOCK:
            return None
        first, last, events = _times(sent.get("first")), _times(sent.get("last")), sent.get("content_events")
        if first is None or last is None or type(events) is not int or not events >= max(len(first), len(last)):
            return None
        return cls(first, last, events)


def _times(value: Any) -> tuple[float, ...] | None:
    """A non-empty list of numbers as a tuple, else None."""
    if not isinstance(value, list) or not value or not all(type(t) in (int, float) for t in value):
        return None
    return tuple(float(t) for t in value)


def _positions(first: tuple[float, ...], last: tuple[float, ...], count: int) -> dict[int, float]:
    """Times by position in the stream, from the first and last windows."""
    times = dict(enumerate(first))
    times.update({count - len(last) + j: t for j, t in enumerate(last)})
    return times


def pairs(arrived: Arrivals, sent: Sent) -> list[tuple[int, float, float]]:
    """(position, send, arrival) of the events that can be paired with certainty, in stream order."""
    sends = _positions(sent.first, sent.last, sent.events)
    if arrived.chunks != sent.events:  # merged or split on the way: only the two ends are certain
        return sorted({(0, sent.first[0], arrived.first[0]), (sent.events - 1, sent.last[-1], arrived.last[-1])})
    arrivals = _positions(arrived.first, arrived.last, arrived.chunks)
    return [(i, sends[i], arrivals[i]) for i in sorted(sends.keys() & arrivals.keys())]


@dataclass(frozen=True)
class Pacing:
    """One request's pairing; delays in milliseconds."""

    ttft_added_ms: float
    chunk_added_ms: tuple[float, ...]
    gaps: int  # consecutive paired events sent at least APART_S apart
    coalesced: int  # of which arrived within TOGETHER_S
    held: bool
    reshaped: bool  # the gateway merged or split chunks: only the ends were paired
    upstream_events: int
    upstream_span_ms: float  # the mock's first to last content event

    @property
    def coalesced_ratio(self) -> float:
        return self.coalesced / self.gaps if self.gaps else 0.0

    @property
    def one_clock(self) -> bool:
        """False when an event arrived before it was sent: not one clock, so nothing of it can be trusted."""
        return self.ttft_added_ms >= 0 and all(v >= 0 for v in self.chunk_added_ms)


def pace(arrived: Arrivals, sent: Sent) -> Pacing:
    """What the gateway added to one stream."""
    matched = pairs(arrived, sent)
    apart = [a2 - a1 for (i, s1, a1), (j, s2, a2) in itertools.pairwise(matched) if j == i + 1 and s2 - s1 >= APART_S]
    span = sent.last[-1] - sent.first[0]
    return Pacing(
        ttft_added_ms=_ms(arrived.first[0] - sent.first[0]),
        chunk_added_ms=tuple(_ms(arrival - send) for _, send, arrival in matched),
        gaps=len(apart),
        coalesced=sum(1 for gap in apart if gap < TOGETHER_S),
        held=sent.events >= MIN_EVENTS and span >= MIN_SPAN_S and arrived.first[0] >= sent.last[-1],
        reshaped=arrived.chunks != sent.events,
        upstream_events=sent.events,
        upstream_span_ms=_ms(span),
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100.0 * len(ordered))))
    return ordered[rank - 1]
