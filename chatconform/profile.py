"""Target profiles: a gateway's documented contract as data.

A profile names the models (each accepted with and without an alias prefix),
their prices, the documented parameters with defaults and ranges, the policy
for every point the vendor's documentation leaves open, and the features the
vendor claims. The mock serves a profile, the suites check against one and
the load tests price their runs with one.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

Policy = Literal["reject", "clamp", "ignore", "support"]
POLICY_VALUES: frozenset[str] = frozenset({"reject", "clamp", "ignore", "support"})
BUILTIN_PROFILES = ("tokenhub",)


class ProfileError(ValueError):
    """A profile file that cannot be used, with the reason in the message."""


@dataclass(frozen=True)
class Model:
    id: str
    tier: str
    input_per_mtok: float
    output_per_mtok: float
    note: str = ""

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """USD for one request at this model's prices."""
        return (prompt_tokens * self.input_per_mtok + completion_tokens * self.output_per_mtok) / 1e6


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    default: Any = None
    min: float | None = None
    max: float | None = None
    max_items: int | None = None
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Latency:
    ttft_ms: float = 0.0
    itl_ms: float = 0.0
    jitter_ms: float = 0.0
    tokens_per_chunk: int = 1


@dataclass(frozen=True)
class Profile:
    name: str
    alias_prefix: str
    models: tuple[Model, ...]
    params: dict[str, Param]
    policies: dict[str, str]
    features: dict[str, bool]
    expect: dict[str, Any] = field(default_factory=dict)
    latency: dict[str, Latency] = field(default_factory=dict)
    default_model_id: str = ""
    api_key_prefix: str = ""
    source: str = ""

    def model_ids(self, aliases: bool = True) -> list[str]:
        """Every accepted model ID: canonical first, then the alias form."""
        ids = [m.id for m in self.models]
        if aliases and self.alias_prefix:
            ids += [self.alias_prefix + m.id for m in self.models]
        return ids

    def resolve(self, model_id: str) -> Model | None:
        """The catalog entry for an accepted ID (either form), else None."""
        if self.alias_prefix and model_id.startswith(self.alias_prefix):
            model_id = model_id[len(self.alias_prefix) :]
        return next((m for m in self.models if m.id == model_id), None)

    def policy(self, name: str) -> str:
        """reject / clamp / ignore / support for an ambiguous point; unknown points are rejected."""
        return self.policies.get(name, "reject")

    def claims(self, feature: str) -> bool:
        return self.features.get(feature, False)

    @property
    def default_model(self) -> Model:
        return self.resolve(self.default_model_id) or self.models[0]


def load_profile(name_or_path: str | Path = "tokenhub") -> Profile:
    """Load a built-in profile by name, or a TOML file by path."""
    text, source = _read(str(name_or_path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML: {exc}") from exc
    return _build(data, source)


def _read(name_or_path: str) -> tuple[str, str]:
    if name_or_path in BUILTIN_PROFILES:
        ref = resources.files("chatconform.profiles").joinpath(f"{name_or_path}.toml")
        return ref.read_text(encoding="utf-8"), f"builtin:{name_or_path}"
    path = Path(name_or_path)
    if not path.is_file():
        raise ProfileError(f"profile {name_or_path!r} is neither a built-in ({', '.join(BUILTIN_PROFILES)}) nor a file")
    return path.read_text(encoding="utf-8"), str(path)


def _build(data: dict[str, Any], source: str) -> Profile:
    head = data.get("profile", {})
    models = tuple(_model(m, source) for m in data.get("models", []))
    if not models:
        raise ProfileError(f"{source}: a profile needs at least one [[models]] entry")
    policies = {str(k): str(v) for k, v in data.get("policies", {}).items()}
    for key, value in policies.items():
        if value not in POLICY_VALUES:
            raise ProfileError(f"{source}: policy {key}={value!r}; use one of {sorted(POLICY_VALUES)}")
    default = next((m["id"] for m in data.get("models", []) if m.get("default")), models[0].id)
    return Profile(
        name=head.get("name", Path(source).stem),
        alias_prefix=head.get("alias_prefix", ""),
        models=models,
        params={k: _param(k, v) for k, v in data.get("parameters", {}).items()},
        policies=policies,
        features={k: bool(v) for k, v in data.get("features", {}).items()},
        expect=dict(data.get("expect", {})),
        latency={k: Latency(**v) for k, v in data.get("latency", {}).items()},
        default_model_id=default,
        api_key_prefix=head.get("api_key_prefix", ""),
        source=source,
    )


def _model(entry: dict[str, Any], source: str) -> Model:
    try:
        return Model(
            id=entry["id"],
            tier=entry.get("tier", "default"),
            input_per_mtok=float(entry["input_per_mtok"]),
            output_per_mtok=float(entry["output_per_mtok"]),
            note=entry.get("note", ""),
        )
    except KeyError as exc:
        raise ProfileError(f"{source}: model entry {entry!r} lacks {exc.args[0]!r}") from exc


def _param(name: str, entry: dict[str, Any]) -> Param:
    return Param(
        name=name,
        type=entry.get("type", "any"),
        required=bool(entry.get("required", False)),
        default=entry.get("default"),
        min=entry.get("min"),
        max=entry.get("max"),
        max_items=entry.get("max_items"),
        enum=tuple(entry.get("enum", ())),
    )
