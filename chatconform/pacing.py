"""Where a stream's time goes between the upstream mock and the client: the gateway's own delay.

The mock journals, per upstream request, when it sent its content events
(`sent`: CLOCK_MONOTONIC seconds, the first and the last few, and their
count; see chatconform.mock.sent). The client knows when each token-bearing
chunk arrived, on the same clock (`time.perf_counter()` and
`time.monotonic()` both read CLOCK_MONOTONIC on Linux). Paired, they say what
the gateway added:

- **added TTFT**: the client's first token − the mock's first content event;
- **added delay per chunk**: arrival − send, for each event paired. Events
  pair by position when the gateway relays one chunk per upstream event (the
  count matches), else only the first and the last pair: a gateway that
  splits or merges events has no one-to-one map, and guessing one would
  invent figures;
- **coalesced**: events the mock sent at least COALESCE_GAP_S apart that
  reached the client in one read, over the gaps paired;
- **held**: the whole stream buffered and flushed at the end, i.e. the first
  token arrived only after the mock had sent its last content event, on a
  stream long enough (MIN_EVENTS, MIN_SPAN_S) to tell that from a fast relay.

The same clock means the figures hold for a gateway, mock and client on one
machine (the benchmark and CI set-up); across machines they are only as good
as the clocks' sync.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

COALESCE_GAP_S = 0.001  # events sent this far apart are distinct sends
SAME_READ_S = 0.0001  # arrivals closer than this came in one read (one timestamp per read)
MIN_EVENTS = 3
MIN_SPAN_S = 0.02


@dataclass(frozen=True)
class Pacing:
    """One request's pairing; delays in milliseconds."""

    ttft_added_ms: float
    chunk_added_ms: tuple[float, ...]
    coalesced: int  # paired gaps that were sent apart but arrived together
    gaps: int  # paired gaps that were sent apart
    held: bool
    upstream_events: int
    client_events: int
    upstream_span_ms: float  # the mock's first to last content event

    @property
    def coalesced_ratio(self) -> float:
        return self.coalesced / self.gaps if self.gaps else 0.0


def pair(arrivals: Sequence[float], sent: Mapping[str, Any] | None) -> Pacing | None:
    """`arrivals`: the client's token-bearing chunks' arrival times, in order. None when either side has
    nothing to pair (no content event, or a journal entry without send times)."""
    first, last, count = _sent_events(sent)
    if not arrivals or not first or count == 0:
        return None
    pairs = _pairs(list(arrivals), first, last, count)
    gaps = [(s2 - s1, a2 - a1) for (s1, a1), (s2, a2) in itertools.pairwise(pairs)]
    apart = [arrived for sent_gap, arrived in gaps if sent_gap >= COALESCE_GAP_S]
    span = last[-1] - first[0]
    held = count >= MIN_EVENTS and span >= MIN_SPAN_S and arrivals[0] >= last[-1]
    return Pacing(
        ttft_added_ms=_ms(arrivals[0] - first[0]),
        chunk_added_ms=tuple(_ms(a - s) for s, a in pairs),
        coalesced=sum(1 for arrived in apart if arrived < SAME_READ_S),
        gaps=len(apart),
        held=held,
        upstream_events=count,
        client_events=len(arrivals),
        upstream_span_ms=_ms(span),
    )


def _sent_events(sent: Mapping[str, Any] | None) -> tuple[list[float], list[float], int]:
    if not isinstance(sent, Mapping):
        return [], [], 0
    first, last, count = sent.get("first"), sent.get("last"), sent.get("content_events")
    if not isinstance(first, list) or not isinstance(last, list) or not isinstance(count, int):
        return [], [], 0
    numbers = [x for x in (*first, *last) if isinstance(x, int | float) and not isinstance(x, bool)]
    if len(numbers) != len(first) + len(last) or not last:
        return [], [], 0
    return [float(x) for x in first], [float(x) for x in last], count


def _pairs(arrivals: list[float], first: list[float], last: list[float], count: int) -> list[tuple[float, float]]:
    """(sent, arrived) for the events that pair, in order of sending."""
    if len(arrivals) != count:
        ends = [(first[0], arrivals[0])]
        return ends if count == 1 and len(arrivals) == 1 else [*ends, (last[-1], arrivals[-1])]
    by_index = dict(enumerate(first))
    by_index.update({count - len(last) + j: t for j, t in enumerate(last)})
    return [(t, arrivals[i]) for i, t in sorted(by_index.items())]


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100.0 * len(ordered))))
    return ordered[rank - 1]
