"""Gateway mode: a gateway relays a stream as the upstream sends it, never holding it back.

The upstream mock journals when it sent each content event; the client's
chunks carry their arrival times on the same clock (chatconform.pacing pairs
them). A gateway that buffers the whole answer and flushes it at the end
turns a stream into a slow non-stream: the client's first token then arrives
after the upstream's last. A gateway that adds a delay to every chunk shows
as a p95 added delay above the profile's bound
(`[expect] gateway_chunk_added_p95_ms`, by default 50 ms).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.answer import stream_choices
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, undecided
from chatconform.checks.registry import check
from chatconform.exchange import Exchange
from chatconform.pacing import Arrivals, Pacing, Sent, pace, percentile
from chatconform.wire import delta_chars


def content_arrivals(ex: Exchange) -> list[float]:
    """When each token-bearing chunk of a stream arrived (perf_counter: CLOCK_MONOTONIC on Linux)."""
    times = [event.t for event in ex.data_events()]
    out = []
    for position, choice in stream_choices(ex):
        delta = choice.get("delta")
        if isinstance(delta, dict) and delta_chars(delta) and position < len(times):
            out.append(times[position])
    return out


def measure(ex: Exchange, upstream: Any) -> Pacing | None:
    """This exchange paired with the upstream's journal entry, when both sides have times."""
    sent, arrivals = Sent.parse(upstream), content_arrivals(ex)
    return pace(Arrivals.of("", arrivals), sent) if sent is not None and arrivals else None


@check(
    "gateway.stream_pacing",
    feature="translation",
    summary="a stream is relayed as the upstream sends it: not buffered and flushed at the end, and the "
    "p95 delay the gateway adds per chunk within the profile's gateway_chunk_added_p95_ms",
    reads=("upstream",),
    gate="stream.content_type",
    tolerates="chunks split or merged (then only the first and the last event are paired); any delay within the bound",
)
def stream_pacing(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    upstream = expect.upstream
    if not isinstance(upstream, dict):
        return  # no upstream request arrived: the translation checks report it
    pacing = measure(ex, upstream)
    if pacing is None:
        if "sent" not in upstream:
            yield undecided(
                "the upstream mock journals no send times (a chatconform mock older than this harness?)",
                "$.upstream.sent",
                "send times in the journal",
                "absent",
            )
        return
    if not _one_clock(ex, pacing):
        yield undecided(
            "the upstream's send times and the client's arrival times are not on one clock (the mock on "
            "another machine?): the pacing cannot be judged",
            "$.upstream.sent",
            "the mock, the gateway and chatconform on one machine",
            f"added TTFT {pacing.ttft_added_ms:.1f} ms in a request of {(ex.t_end - ex.t_start) * 1000:.1f} ms",
        )
        return
    if pacing.held:
        yield Finding(
            "the gateway held the stream back: its first token arrived after the upstream had sent its last",
            "$.chunks",
            "tokens relayed as the upstream sends them",
            f"first token {pacing.ttft_added_ms:.1f} ms after the upstream's first of {pacing.upstream_events} "
            f"events, which it sent over {pacing.upstream_span_ms:.1f} ms",
        )
        return
    bound = expect.profile.expect.gateway_chunk_added_p95_ms
    p95 = percentile(pacing.chunk_added_ms, 95)
    if p95 > bound:
        yield Finding(
            f"the gateway adds {p95:.1f} ms per chunk (p95), above the profile's {bound:g} ms",
            "$.chunks",
            f"p95 added delay per chunk <= {bound:g} ms",
            f"p95 {p95:.1f} ms over {len(pacing.chunk_added_ms)} paired events; added TTFT "
            f"{pacing.ttft_added_ms:.1f} ms",
        )


def _one_clock(ex: Exchange, pacing: Pacing) -> bool:
    """Whether the pairing can be true: nothing arrived before it was sent, and the time the gateway added
    fits in the request the client timed (CLOCK_MONOTONIC of two machines differs by hours or days)."""
    took_ms = (ex.t_end - ex.t_start) * 1000
    return pacing.one_clock and pacing.ttft_added_ms <= took_ms and max(pacing.chunk_added_ms) <= took_ms
