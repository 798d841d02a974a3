"""Fault injection: decide, per request, what goes wrong and how.

Faults are configured at start (`FaultSettings`, from the CLI or a TOML
`[faults]` table) with probabilities drawn from one seeded generator, so a
run is reproducible; or forced for a single request with the header
`X-Chatconform-Fault: status=429; retry_after=2` (several `key=value`
pairs separated by `;`); or armed through the admin route `POST /mock/faults`
for the next N requests whose body contains a marker (`ArmedFaults`), which
reaches the mock behind a gateway that does not forward client headers.
A forced fault always applies; the header wins over an armed fault.

Kinds:
  status=<code>          error before any byte of the answer (429, 500, 503, 529, ...)
  retry_after=<s>        Retry-After on that error (default 1 for 429 and 529)
  spike_ms=<ms>          extra delay before the first token
  stall_s=<s>            after the first chunk, send nothing for this long (bounded), then continue
  disconnect=<n>         close the connection after n chunks, without an ending
  malformed=<n>          the n-th chunk is cut JSON
  midstream_error=<n>    after n chunks, an error event, then the stream ends without [DONE]
  pace_ms=<ms>           an extra pause before every chunk: a slow but never silent stream

Every value must be a finite, non-negative number; in a header or an armed
fault a value above its bound (`_CAPS`) is clamped to it, in the settings it is
refused. Armed faults belong to the key that armed them and apply to its
requests only; the admin key's apply to anyone's.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, fields

FAULT_HEADER = "x-chatconform-fault"
# Upper bounds: a larger value in a header is clamped to them, in the settings it is refused.
MAX_STALL_S = 600.0
MAX_PACE_MS = 10_000.0
MAX_SPIKE_MS = 60_000.0
MAX_RETRY_AFTER_S = 3600.0
MAX_CHUNK_INDEX = 1_000_000  # disconnect, malformed, midstream_error: later than any answer's last chunk
MAX_ARMED = 1000  # armed faults kept at once per key; the oldest go first
MAX_ARMED_TOTAL = 10_000
_CAPS = {
    "stall_s": MAX_STALL_S,
    "pace_ms": MAX_PACE_MS,
    "spike_ms": MAX_SPIKE_MS,
    "retry_after": MAX_RETRY_AFTER_S,
    "disconnect": MAX_CHUNK_INDEX,
    "malformed": MAX_CHUNK_INDEX,
    "midstream_error": MAX_CHUNK_INDEX,
}
_FLOATS = ("retry_after", "spike_ms", "stall_s", "pace_ms")


@dataclass(frozen=True)
class Fault:
    status: int | None = None
    retry_after: float | None = None
    spike_ms: float = 0.0
    stall_s: float = 0.0
    disconnect: int | None = None
    malformed: int | None = None
    midstream_error: int | None = None
    pace_ms: float = 0.0

    @property
    def kind(self) -> str:
        """A short label for the journal and error accounting."""
        for name in ("status", "disconnect", "malformed", "midstream_error", "stall_s", "spike_ms", "pace_ms"):
            if getattr(self, name):
                return f"{name}={getattr(self, name)}"
        return ""


NO_FAULT = Fault()


@dataclass(frozen=True)
class FaultSettings:
    """Probabilities per request; each is drawn independently, in this order."""

    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (429, 500, 503, 529)
    retry_after_s: float = 1.0
    spike_rate: float = 0.0
    spike_ms: float = 2000.0
    stall_rate: float = 0.0
    stall_s: float = 5.0
    disconnect_rate: float = 0.0
    disconnect_after: int = 3
    malformed_rate: float = 0.0
    malformed_at: int = 2
    midstream_error_rate: float = 0.0
    midstream_error_after: int = 3

    def __post_init__(self) -> None:
        for f in fields(self):
            _check_setting(f.name, getattr(self, f.name))

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) > 0 for f in fields(self) if f.name.endswith("_rate"))


_SETTING_CAPS = {
    "retry_after_s": MAX_RETRY_AFTER_S,
    "spike_ms": MAX_SPIKE_MS,
    "stall_s": MAX_STALL_S,
    "disconnect_after": MAX_CHUNK_INDEX,
    "malformed_at": MAX_CHUNK_INDEX,
    "midstream_error_after": MAX_CHUNK_INDEX,
}


def _check_setting(name: str, value: object) -> None:
    if name == "error_statuses":
        statuses = value if isinstance(value, tuple) else ()
        if not statuses or not all(isinstance(v, int) and 400 <= v <= 599 for v in statuses):
            raise ValueError("fault error_statuses must be HTTP statuses between 400 and 599")
        return
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"fault {name} must be a finite number")
    high = 1.0 if name.endswith("_rate") else _SETTING_CAPS[name]
    if not 0 <= value <= high:
        raise ValueError(f"fault {name} must be between 0 and {high:g}")


class FaultPlan:
    def __init__(self, settings: FaultSettings, seed: int = 0) -> None:
        self._settings = settings
        self._active = settings.active  # read on every request: computed once
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def draw(self, header: str | None) -> Fault:
        """The fault for one request: the header's, else a random draw, else none."""
        if header:
            return parse_header(header)
        if not self._active:
            return NO_FAULT
        with self._lock:
            return self._draw()

    def _draw(self) -> Fault:
        s, rng = self._settings, self._rng
        if rng.random() < s.error_rate:
            status = rng.choice(s.error_statuses)
            return Fault(status=status, retry_after=s.retry_after_s if status in (429, 529) else None)
        return Fault(
            spike_ms=s.spike_ms if rng.random() < s.spike_rate else 0.0,
            stall_s=s.stall_s if rng.random() < s.stall_rate else 0.0,
            disconnect=s.disconnect_after if rng.random() < s.disconnect_rate else None,
            malformed=s.malformed_at if rng.random() < s.malformed_rate else None,
            midstream_error=s.midstream_error_after if rng.random() < s.midstream_error_rate else None,
        )


def parse_header(header: str) -> Fault:
    """Parse `key=value; key=value`; raise ValueError naming a bad pair."""
    values: dict[str, float | int] = {}
    names = {f.name for f in fields(Fault)}
    for pair in filter(None, (p.strip() for p in header.split(";"))):
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or key not in names:
            raise ValueError(f"unknown fault {pair!r}; use {', '.join(sorted(names))}")
        values[key] = _number(key, raw)
    status = values.get("status")
    if status is not None and not 400 <= int(status) <= 599:
        raise ValueError("fault status must be between 400 and 599")
    if status in (429, 529) and "retry_after" not in values:
        values["retry_after"] = 1.0
    return Fault(**values)  # type: ignore[arg-type]


def _number(key: str, raw: str) -> float | int:
    """One fault value: a finite, non-negative number, clamped to its upper bound."""
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"fault {key} needs a number, got {raw.strip()[:40]!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"fault {key} must be a finite number")
    if number < 0:
        raise ValueError(f"fault {key} must not be negative")
    if key == "status":
        return int(number) if number <= 999 else 999  # refused below: not between 400 and 599
    number = min(number, _CAPS[key])
    return number if key in _FLOATS else int(number)


@dataclass
class Armed:
    fault: Fault
    spec: str  # as given, for listing
    remaining: int
    match: str | None  # applies only to request bodies containing this text; None: to any request
    owner: str | None  # the key fingerprint that armed it, whose requests it applies to; None: the admin's, any key


class ArmedFaults:
    """Faults armed through the admin route, each for its next `count` matching requests.

    A marker (a nonce the client put in its prompt) ties a fault to one test's
    requests, so tests running at the same time do not take each other's faults,
    and a gateway's retries of the same request meet the same fault."""

    def __init__(self) -> None:
        self._armed: list[Armed] = []
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._armed)  # read without the lock: the hot path only needs "maybe"

    def arm(self, spec: str, count: int = 1, match: str | None = None, owner: str | None = None) -> Fault:
        """Parse `spec` (the header syntax) and arm it for `owner`'s requests (None: anyone's);
        raise ValueError naming what is wrong."""
        if not 1 <= count <= 1_000_000:
            raise ValueError("count must be between 1 and 1000000")
        if match is not None and not match.strip():
            raise ValueError("match must not be blank")
        fault = parse_header(spec)
        if fault == NO_FAULT:
            raise ValueError("the fault is empty; give at least one key=value pair")
        with self._lock:
            self._armed.append(Armed(fault, spec[:1000], count, match, owner))
            own = [id(a) for a in self._armed if a.owner == owner]
            stale = set(own[: max(0, len(own) - MAX_ARMED)])
            self._armed = [a for a in self._armed if id(a) not in stale][-MAX_ARMED_TOTAL:]
        return fault

    def take(self, body: bytes, owner: str) -> Fault | None:
        """The first armed fault that applies to this request of `owner`'s, counting it down."""
        with self._lock:
            for armed in self._armed:
                if armed.owner not in (None, owner):
                    continue
                if armed.match is None or armed.match.encode() in body:
                    armed.remaining -= 1
                    if armed.remaining == 0:
                        self._armed.remove(armed)  # safe: the loop ends here
                    return armed.fault
        return None

    def clear(self, match: str | None = None, owner: str | None = None) -> int:
        """Disarm `owner`'s faults (None: everyone's), or only those armed with `match`; return how many."""
        with self._lock:
            kept = [a for a in self._armed if not (owner in (None, a.owner) and match in (None, a.match))]
            removed = len(self._armed) - len(kept)
            self._armed = kept
        return removed

    def listing(self, owner: str | None = None) -> list[dict[str, object]]:
        """`owner`'s armed faults (None: everyone's)."""
        with self._lock:
            mine = [a for a in self._armed if owner in (None, a.owner)]
            return [{"fault": a.spec, "remaining": a.remaining, "match": a.match} for a in mine]
