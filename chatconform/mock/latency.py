"""The mock's latency model: time to first token, inter-token delay, jitter.

Per model tier from the profile (`realistic`), all zero (`none`, the default
for conformance runs), or overridden for every model by explicit values.
Chunk times are scheduled against absolute deadlines from the request start,
so a late wake-up does not push every later chunk back (no drift).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from chatconform.profile import Latency, Model, Profile

MODES = ("none", "realistic")
# Upper bounds of the settings, and of any answer's schedule: no request waits for ever.
_CAPS = {"ttft_ms": 60_000.0, "itl_ms": 10_000.0, "jitter_ms": 10_000.0, "tokens_per_chunk": 1000}
MAX_SCHEDULE_S = 600.0


@dataclass(frozen=True)
class LatencySettings:
    mode: str = "none"
    ttft_ms: float | None = None  # overrides for every model, whatever the mode
    itl_ms: float | None = None
    jitter_ms: float | None = None
    tokens_per_chunk: int | None = None

    def __post_init__(self) -> None:
        for name, high in _CAPS.items():
            value = getattr(self, name)
            if value is None:
                continue
            low = 1 if name == "tokens_per_chunk" else 0
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise ValueError(f"latency {name} must be a number between {low} and {high:g}")

    def describe(self) -> str:
        """The latency in force, for the start-up banner: the mode and every explicit override."""
        units = {"ttft_ms": ("ttft", " ms"), "itl_ms": ("itl", " ms"), "jitter_ms": ("jitter", " ms")}
        units["tokens_per_chunk"] = ("tokens per chunk", "")
        given = [f"{units[n][0]} {getattr(self, n):g}{units[n][1]}" for n in _CAPS if getattr(self, n) is not None]
        base = "realistic (per-tier presets)" if self.mode == "realistic" else "none"
        if not given:
            return base
        return ", ".join(given) + (" over realistic presets" if self.mode == "realistic" else "")


class LatencyModel:
    def __init__(self, profile: Profile, settings: LatencySettings, seed: int = 0) -> None:
        if settings.mode not in MODES:
            raise ValueError(f"latency mode {settings.mode!r}; use one of {', '.join(MODES)}")
        self._profile = profile
        self._settings = settings
        self._rng = random.Random(seed)

    def for_model(self, model: Model) -> Latency:
        base = self._profile.latency.get(model.tier, Latency()) if self._settings.mode == "realistic" else Latency()
        s = self._settings
        return Latency(
            ttft_ms=base.ttft_ms if s.ttft_ms is None else s.ttft_ms,
            itl_ms=base.itl_ms if s.itl_ms is None else s.itl_ms,
            jitter_ms=base.jitter_ms if s.jitter_ms is None else s.jitter_ms,
            tokens_per_chunk=max(1, base.tokens_per_chunk if s.tokens_per_chunk is None else s.tokens_per_chunk),
        )

    def schedule(self, model: Model, chunks: int) -> list[float]:
        """Offsets in seconds from the request start at which each chunk is due."""
        lat = self.for_model(model)
        if lat.ttft_ms == 0 and lat.itl_ms == 0:
            return [0.0] * chunks
        offsets = []
        t = self._jittered(lat.ttft_ms, lat.jitter_ms)
        cap = MAX_SCHEDULE_S * 1000
        for _ in range(chunks):
            offsets.append(min(t, cap) / 1000)  # a long answer at a slow pace ends at the cap, in a rush
            t += self._jittered(lat.itl_ms, lat.jitter_ms)
        return offsets

    def _jittered(self, value_ms: float, jitter_ms: float) -> float:
        if jitter_ms <= 0:
            return value_ms
        return max(0.0, value_ms + self._rng.uniform(-jitter_ms, jitter_ms))
