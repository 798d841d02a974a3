"""Gateway overhead: what a gateway adds between the mock upstream and the client, request by request.

In gateway mode (`--upstream-url`: the target is a gateway whose upstream is
the chatconform mock) every load request carries a reference `(ref
<run mark>-<process>-<n>)` in its prompt. The client keeps, per succeeded
stream, the arrival times of its first and last KEEP token-bearing chunks
(`Arrivals`); the mock's journal entry of the forwarded request holds the
send times of its first and last KEEP content events (`Sent`, the journal's
`sent` field). Both are CLOCK_MONOTONIC seconds: one clock for every process
on one Linux machine, so the figures hold for a gateway on the host of the
generator and the mock, not across hosts.

Pairing, after the run (never in the hot path):
  - added TTFT: the client's first token arrival - the mock's first content send;
  - added delay per chunk: arrival - send of the events at the same position
    (content event i <-> token chunk i, and from the end for the last window).
    A gateway that merges or splits chunks changes the count: then only the
    first and the last event are paired (both are certain: the first chunk
    carries the first content, the last chunk the last), and the request is
    counted as `reshaped`;
  - coalesced: two consecutive paired events sent at least APART_S apart whose
    chunks arrived within TOGETHER_S of each other (in practice, in one read).
    `coalesced_ratio` = coalesced gaps / such gaps.
A request whose entry the journal no longer holds (it keeps its latest
entries only), or whose entry has no usable send times, is unpaired, never
guessed. The mock's own `sent` records are not interpreted any further.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chatconform.load.metrics import Sketch
from chatconform.pacing import Arrivals, Sent, pace

PLACEHOLDER = "#cc-req#"  # in a pooled body, replaced per request by its reference (payloads.tag)


def run_mark() -> str:
    """A mark unique to one run: the journal query `contains=<mark>` finds this run's requests only."""
    return "cc-" + secrets.token_hex(6)


def ref_pattern(mark: str) -> re.Pattern[str]:
    return re.compile(re.escape(mark) + r"-\d+-\d+")


@dataclass
class Overhead:
    """The gateway figures of a run, over its paired requests."""

    ttft_added: Sketch = field(default_factory=Sketch)
    chunk_added: Sketch = field(default_factory=Sketch)
    paired: int = 0
    reshaped: int = 0  # paired requests whose chunk count differed from the mock's content events
    gaps: int = 0  # consecutive paired events sent at least APART_S apart
    coalesced: int = 0  # of which arrived within TOGETHER_S
    unpaired: Counter[str] = field(default_factory=Counter)

    def add(self, arrived: Arrivals, sent: Sent) -> None:
        pacing = pace(arrived, sent)
        if not pacing.one_clock:
            self.unpaired["arrived_before_sent"] += 1  # not one clock: nothing of it can be trusted
            return
        self.paired += 1
        self.reshaped += pacing.reshaped
        self.ttft_added.add(pacing.ttft_added_ms)
        for added in pacing.chunk_added_ms:
            self.chunk_added.add(added)
        self.gaps += pacing.gaps
        self.coalesced += pacing.coalesced

    @property
    def coalesced_ratio(self) -> float | None:
        return round(self.coalesced / self.gaps, 6) if self.gaps else None

    def to_json(self) -> dict[str, Any]:
        return {
            "paired": self.paired,
            "unpaired": sum(self.unpaired.values()),
            "unpaired_by_reason": dict(sorted(self.unpaired.items())),
            "reshaped": self.reshaped,
            "ttft_added_ms": _figures(self.ttft_added),
            "chunk_added_ms": _figures(self.chunk_added),
            "coalesced_ratio": self.coalesced_ratio,
            "coalesced_gaps": self.coalesced,
            "gaps": self.gaps,
        }


def _figures(sketch: Sketch) -> dict[str, float | None]:
    stats = sketch.stats()
    return {"p50": stats["p50"], "p95": stats["p95"], "max": stats["max"]}


def reference(entry: dict[str, Any], pattern: re.Pattern[str]) -> str | None:
    """The reference of the client request a journal entry forwarded: the last one in its last message (a
    conversation resends its earlier, referenced turns), or in the whole body when it has no messages."""
    body = entry.get("body")
    messages = body.get("messages") if isinstance(body, dict) else None
    where = messages[-1] if isinstance(messages, list) and messages else body
    found = pattern.findall(json.dumps(where, ensure_ascii=False))
    return found[-1] if found else None


def attribute(arrivals: list[Arrivals], entries: list[dict[str, Any]], mark: str, dropped: int = 0) -> Overhead:
    """Pair each request's arrivals with the journal entry of its reference (the last completed one, when a
    gateway retried); `dropped`: requests the recorder did not keep (its bound), counted unpaired."""
    pattern = ref_pattern(mark)
    latest: dict[str, dict[str, Any]] = {}
    for entry in entries:  # oldest first: a later attempt replaces an earlier one
        ref = reference(entry, pattern)
        if ref is not None and (entry.get("outcome") == "completed" or ref not in latest):
            latest[ref] = entry
    result = Overhead()
    if dropped:
        result.unpaired["not_kept"] += dropped
    for arrived in arrivals:
        found = latest.get(arrived.ref)
        if found is None:
            result.unpaired["not_in_journal"] += 1
            continue
        sent = Sent.parse(found)
        if sent is None:
            result.unpaired["no_send_times"] += 1
        else:
            result.add(arrived, sent)
    return result
