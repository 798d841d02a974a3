"""Everything the mock is started with, from the CLI or a TOML file.

A TOML file may hold `[mock]` (api_keys, seed, max_body_bytes, journal_size,
profile), `[latency]` (mode, ttft_ms, itl_ms, jitter_ms, tokens_per_chunk)
and `[faults]` (the fields of `FaultSettings`); command-line flags override
the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from chatconform.mock.faults import FaultSettings
from chatconform.mock.latency import LatencySettings
from chatconform.profile import Profile, load_profile

DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024  # Anthropic's request size limit


@dataclass(frozen=True)
class MockConfig:
    profile: Profile = field(default_factory=load_profile)
    # Accepted keys. Empty: any key with the profile's prefix (e.g. "th-") is accepted.
    api_keys: tuple[str, ...] = ()
    latency: LatencySettings = field(default_factory=LatencySettings)
    faults: FaultSettings = field(default_factory=FaultSettings)
    seed: int = 0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    journal_size: int = 500

    def with_overrides(self, **changes: Any) -> MockConfig:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_config(path: str | Path) -> MockConfig:
    """Read a mock TOML file; unknown keys are an error, so typos do not pass silently."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    mock = data.get("mock", {})
    _known(mock, {"api_keys", "seed", "max_body_bytes", "journal_size", "profile"}, "[mock]")
    profile = load_profile(mock.get("profile", "tokenhub"))
    latency = data.get("latency", {})
    _known(latency, {f.name for f in fields(LatencySettings)}, "[latency]")
    faults = dict(data.get("faults", {}))
    _known(faults, {f.name for f in fields(FaultSettings)}, "[faults]")
    if "error_statuses" in faults:
        faults["error_statuses"] = tuple(faults["error_statuses"])
    return MockConfig(
        profile=profile,
        api_keys=tuple(mock.get("api_keys", ())),
        latency=LatencySettings(**latency),
        faults=FaultSettings(**faults),
        seed=int(mock.get("seed", 0)),
        max_body_bytes=int(mock.get("max_body_bytes", DEFAULT_MAX_BODY_BYTES)),
        journal_size=int(mock.get("journal_size", 500)),
    )


def _known(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
