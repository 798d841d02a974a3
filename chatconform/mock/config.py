"""Everything the mock is started with, from the CLI or a TOML file.

A TOML file may hold `[mock]` (the fields of `MockConfig` below, keys
included, and `profile`), `[latency]` (mode, ttft_ms, itl_ms, jitter_ms,
tokens_per_chunk), `[capacity]` (the fields of `CapacitySettings`: the
optional engine whose queue makes latency grow with load) and `[faults]` (the
fields of `FaultSettings`);
command-line flags override the file. Every size and time has an upper bound,
checked here, so no setting can make a request wait or grow without end.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from chatconform.mock.capacity import CapacitySettings
from chatconform.mock.faults import FaultSettings
from chatconform.mock.generation import Wording
from chatconform.mock.journal import DEFAULT_BODY_BYTES, DEFAULT_SIZE, DEFAULT_TOTAL_BYTES
from chatconform.mock.latency import LatencySettings
from chatconform.mock.prompt_cache import DEFAULT_MIN_TOKENS
from chatconform.mock.variance import MODES
from chatconform.profile import Profile, load_profile

DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024  # Anthropic's request size limit
DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_MAX_CONNECTIONS = 1000
# (lowest, highest) of each number a config may set.
_BOUNDS: dict[str, tuple[float, float]] = {
    "seed": (0, 2**63),
    "max_body_bytes": (1, 256 * 1024 * 1024),
    "journal_size": (0, 100_000),
    "journal_body_bytes": (256, 16 * 1024 * 1024),
    "journal_total_bytes": (0, 4 * 1024 * 1024 * 1024),
    "header_timeout_s": (0.1, 600.0),
    "max_connections": (1, 1_000_000),
    "cache_min_tokens": (1, 1_000_000),
}


@dataclass(frozen=True)
class MockConfig:
    profile: Profile = field(default_factory=load_profile)
    # Accepted keys. Empty: any key with the profile's prefix (e.g. "th-") is accepted.
    api_keys: tuple[str, ...] = ()
    admin_key: str | None = None  # sees and resets every tenant's /mock/* data
    latency: LatencySettings = field(default_factory=LatencySettings)
    faults: FaultSettings = field(default_factory=FaultSettings)
    capacity: CapacitySettings = field(default_factory=CapacitySettings)  # off unless tokens_per_s is set
    cache_min_tokens: int = DEFAULT_MIN_TOKENS  # the shortest prompt prefix the prompt cache keeps
    seed: int = 0  # of jitter, fault draws and, with answers "varied", of how answers are worded
    answers: str = "exact"  # or "varied": answers worded as a real model might (docs/mock-answers.md)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    journal_size: int = DEFAULT_SIZE  # entries
    journal_body_bytes: int = DEFAULT_BODY_BYTES  # of each body, kept as a bounded copy
    journal_total_bytes: int = DEFAULT_TOTAL_BYTES  # of all kept bodies; the oldest entries go first
    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S  # to receive a request's headers and body
    max_connections: int = DEFAULT_MAX_CONNECTIONS  # open at once; lowered to what the file limit allows

    def __post_init__(self) -> None:
        for name, (low, high) in _BOUNDS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise ValueError(f"[mock] {name} must be a number between {low} and {high}")
        if self.answers not in MODES:
            raise ValueError(f"[mock] answers must be one of {', '.join(MODES)}, not {self.answers!r}")

    @property
    def wording(self) -> Wording:
        return Wording(self.answers, self.seed)

    def with_overrides(self, **changes: Any) -> MockConfig:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_MOCK_KEYS = {f.name for f in fields(MockConfig)} - {"latency", "faults", "capacity"}


def load_config(path: str | Path) -> MockConfig:
    """Read a mock TOML file; unknown keys are an error, so typos do not pass silently."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    mock = dict(data.get("mock", {}))
    _known(mock, _MOCK_KEYS, "[mock]")
    latency = data.get("latency", {})
    _known(latency, {f.name for f in fields(LatencySettings)}, "[latency]")
    capacity = data.get("capacity", {})
    _known(capacity, {f.name for f in fields(CapacitySettings)}, "[capacity]")
    faults = dict(data.get("faults", {}))
    _known(faults, {f.name for f in fields(FaultSettings)}, "[faults]")
    if "error_statuses" in faults:
        faults["error_statuses"] = tuple(faults["error_statuses"])
    mock["profile"] = load_profile(mock.get("profile", "tokenhub"))
    mock["api_keys"] = tuple(mock.get("api_keys", ()))
    return MockConfig(
        latency=LatencySettings(**latency),
        faults=FaultSettings(**faults),
        capacity=CapacitySettings(**capacity),
        **mock,
    )


def _known(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
