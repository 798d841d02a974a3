"""Goodput: the requests that met every per-request objective, as a share and as a rate.

    --goodput ttft_ms=500,tpot_ms=50

An SLO (slo.py) bounds a run as a whole (its p95 TTFT, its error rate); a
goodput objective bounds each request. A request is *good* when it
succeeded and each of its figures is within its bound:

  ttft_ms      time to first token; a non-streamed answer's first token arrives
               with the whole body, so its TTFT is its end-to-end time
  tpot_ms      time per output token after the first
  e2e_ms       end-to-end time
  itl_max_ms   the longest gap between two token chunks (a stall mid-stream)

A request without a figure (TPOT of a one-token or non-streamed answer, ITL
of an answer in one chunk) is not judged on it. Failed requests are never
good. The share is good / finished (succeeded + failed); the rate is good
requests per second over the run's window (summary.py), as guidellm, vLLM's
benchmark and AIPerf define goodput.
"""

from __future__ import annotations

import itertools

from chatconform.load.timing import Timing

OBJECTIVES = ("ttft_ms", "tpot_ms", "e2e_ms", "itl_max_ms")


class GoodputError(ValueError):
    """A --goodput value that cannot be understood, with the reason."""


def parse(text: str | None) -> dict[str, float]:
    """`ttft_ms=500,tpot_ms=50` -> {"ttft_ms": 500.0, "tpot_ms": 50.0}; empty for no text."""
    objectives: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        name, sep, raw = (s.strip() for s in part.partition("="))
        if not sep or name not in OBJECTIVES:
            raise GoodputError(f"--goodput {part!r}: use NAME=MS with NAME one of {', '.join(OBJECTIVES)}")
        try:
            value = float(raw)
        except ValueError:
            raise GoodputError(f"--goodput {part!r}: {raw!r} is not a number") from None
        if not value > 0:  # also false for NaN
            raise GoodputError(f"--goodput {part!r}: the bound must be a positive number of milliseconds")
        objectives[name] = value
    return objectives


def missed(objectives: dict[str, float], timing: Timing, streamed: bool) -> tuple[str, ...]:
    """The objectives a succeeded request missed (empty: it was good)."""
    if not objectives:
        return ()
    out = []
    for name, bound in objectives.items():
        value = figure(name, timing, streamed)
        if value is not None and value > bound:
            out.append(name)
    return tuple(out)


def figure(name: str, timing: Timing, streamed: bool) -> float | None:
    if name == "e2e_ms":
        return timing.e2e_ms
    if name == "ttft_ms":
        return timing.ttft_ms if streamed else timing.e2e_ms
    if name == "tpot_ms":
        return timing.tpot_ms if streamed else None
    times = timing.token_times
    return max((b - a) * 1000 for a, b in itertools.pairwise(times)) if streamed and len(times) > 1 else None


def describe(objectives: dict[str, float]) -> str:
    return ", ".join(f"{name} <= {bound:g}" for name, bound in objectives.items())
