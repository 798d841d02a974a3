"""`--trace FILE`: replay recorded traffic, open loop, at the offsets it was recorded with.

The file is JSON Lines, one request per line:

    {"offset_s": 0.0,  "prompt_tokens": 812, "output_tokens": 120}
    {"offset_s": 0.35, "prompt_tokens": 64,  "output_tokens": 400, "model": "claude-haiku-4-5"}

  offset_s      when to send it, in seconds from the replay's start (or `offset_ms`
                in milliseconds); non-decreasing down the file
  prompt_tokens the prompt's length: filler words sized so that the mock counts
                exactly this many prompt tokens (a real tokenizer counts about as many)
  output_tokens the answer's length: "Write N - 1 words" (the mock answers N tokens)
                with `max_tokens` N, so a real model stops at N however wordy it is
  model         optional: a model of the profile; without it, the run's --models in turn

Blank lines are skipped; anything else that is not such an object (an unknown
key, a negative count, an offset that goes back) is an error naming the line,
before anything is sent. Offsets count from the first line's. Each request
is sent when due, whatever the target's latency, and the send lag (how late
each went out) is reported as for any open-loop run. The run ends when the
last request has finished (`stopped_by: trace_end`), or at -t. At most
--max-requests lines are read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import orjson

KEYS = {"offset_s", "offset_ms", "prompt_tokens", "output_tokens", "model"}
MAX_TOKENS = 200_000  # a count beyond this is a unit mistake, not a request
PEAK_WINDOW_S = 4.0  # users enough for every request due within this many seconds (4 s of latency)


class TraceError(ValueError):
    """A trace that cannot be replayed, with the file and line."""


@dataclass(frozen=True)
class TraceRequest:
    offset_s: float
    prompt_tokens: int
    output_tokens: int
    model: str | None = None


def load_trace(path: str | Path, limit: int) -> list[TraceRequest]:
    """The first `limit` requests of a trace file, their offsets counted from the first one's."""
    requests: list[TraceRequest] = []
    try:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if len(requests) >= limit:
                    break
                if line.strip():
                    requests.append(_request(line, f"{path}:{number}", requests[-1] if requests else None))
    except OSError as exc:
        raise TraceError(f"--trace {path}: {exc.strerror or exc}") from None
    if not requests:
        raise TraceError(f"--trace {path}: no requests in the file")
    first = requests[0].offset_s
    return [TraceRequest(r.offset_s - first, r.prompt_tokens, r.output_tokens, r.model) for r in requests]


def _request(line: str, where: str, previous: TraceRequest | None) -> TraceRequest:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise TraceError(f"{where}: not a JSON object") from None
    if not isinstance(data, dict):
        raise TraceError(f"{where}: not a JSON object")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise TraceError(f"{where}: unknown key {unknown[0]!r}; a line has {', '.join(sorted(KEYS))}")
    if ("offset_s" in data) == ("offset_ms" in data):
        raise TraceError(f"{where}: give one of offset_s and offset_ms")
    offset = _number(data, "offset_s", where) if "offset_s" in data else _number(data, "offset_ms", where) / 1000
    if previous is not None and offset < previous.offset_s:
        raise TraceError(f"{where}: offset {offset:g} s is before the previous line's ({previous.offset_s:g} s)")
    model = data.get("model")
    if model is not None and (not isinstance(model, str) or not model):
        raise TraceError(f"{where}: model must be a model ID (a string)")
    return TraceRequest(offset, _count(data, "prompt_tokens", where, 0), _count(data, "output_tokens", where, 1), model)


def _number(data: dict[str, object], key: str, where: str) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise TraceError(f"{where}: {key} must be a non-negative number")
    return float(value)


def _count(data: dict[str, object], key: str, where: str, low: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_TOKENS:
        raise TraceError(f"{where}: {key} must be a whole number from {low} to {MAX_TOKENS}")
    return value


def peak(requests: list[TraceRequest], window_s: float = PEAK_WINDOW_S) -> int:
    """The most requests due within any `window_s` seconds: how many users a replay needs to keep them on time."""
    most, first = 0, 0
    for last, request in enumerate(requests):
        while request.offset_s - requests[first].offset_s >= window_s:
            first += 1
        most = max(most, last - first + 1)
    return most


def span_s(requests: list[TraceRequest]) -> float:
    return requests[-1].offset_s if requests else 0.0
