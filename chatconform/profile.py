"""Target profiles: a gateway's documented contract as data.

A profile names the models (each accepted with and without an alias prefix),
their prices, the documented parameters with defaults and ranges, the policy
for every point the vendor's documentation leaves open, and the features the
vendor claims. The mock serves a profile, the suites check against one and
the load tests price their runs with one.
"""

from __future__ import annotations

import tomllib
import typing
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from chatconform.features import CLAIMS, nearest
from chatconform.fields import EXPECTABLE, field_names
from chatconform.typed import conforms, describe

Policy = Literal["reject", "clamp", "ignore", "support"]
POLICY_VALUES: frozenset[str] = frozenset({"reject", "clamp", "ignore", "support"})
# How a report names the behaviour a policy expects: the profile says "reject", the target "rejected".
OBSERVED_AS: dict[str, str] = {"reject": "rejected", "clamp": "clamped", "ignore": "ignored", "support": "supported"}
BUILTIN_PROFILES = ("tokenhub", "claude")
# The points a vendor's documentation may leave open, each a key of a profile's [policies] table.
POLICY_POINTS: dict[str, str] = {
    "temperature_above_max": "temperature above the documented maximum",
    "temperature_below_min": "temperature below the documented minimum",
    "top_p_above_max": "top_p above the documented maximum",
    "top_p_below_min": "top_p below the documented minimum",
    "temperature_and_top_p": "temperature and top_p in one request",
    "stop_more_than_max": "more stop sequences than documented",
    "tool_role": 'role "tool" with tool_call_id (the OpenAI form of a tool result)',
    "n_above_one": "n > 1",
}
# [fields]: the fate a field is expected to meet (chatconform.fields). A field the profile does not name
# follows its [parameters] table: a documented parameter works (mapped, or honoured where Anthropic has no
# counterpart and the gateway itself must do it), `n` follows the n_above_one policy, and any other field
# gets the profile's "*" entry, by default "rejected": a gateway that cannot honour a field says so with a
# 400 naming it, as OpenAI does for a parameter a model does not support (docs/fields.md).
FIELD_DEFAULT = "rejected"
HONOURED_BY_THE_GATEWAY = frozenset({"stream_options", "response_format"})
POLICY_FATES = {"reject": "rejected", "support": "honoured", "ignore": "dropped", "clamp": "altered"}


class ProfileError(ValueError):
    """A profile file that cannot be used, with the reason in the message."""


@dataclass(frozen=True)
class CachePrices:
    """The profile's `[prices]` table: what prompt-cache tokens cost, as multiples of a model's input price.
    The defaults are Anthropic's published ones: a 5-minute write 1.25x, a 1-hour write 2x, a read 0.1x."""

    cache_write_5m: float = 1.25
    cache_write_1h: float = 2.0
    cache_read: float = 0.1


@dataclass(frozen=True)
class Model:
    id: str
    tier: str
    input_per_mtok: float
    output_per_mtok: float
    note: str = ""
    prices: CachePrices = field(default_factory=CachePrices)

    def cost(
        self,
        prompt_tokens: int,
        completion_tokens: int,
        cache_read: int = 0,
        cache_write_5m: int = 0,
        cache_write_1h: int = 0,
    ) -> float:
        """USD for one request at this model's prices; `prompt_tokens` counts every input token, the cached
        ones (`cache_read`) and those written to the cache (`cache_write_*`) included."""
        p = self.prices
        plain = prompt_tokens - cache_read - cache_write_5m - cache_write_1h
        cached = cache_read * p.cache_read + cache_write_5m * p.cache_write_5m + cache_write_1h * p.cache_write_1h
        return ((plain + cached) * self.input_per_mtok + completion_tokens * self.output_per_mtok) / 1e6


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
class ProfileExpect:
    """The profile's `[expect]` table: values where correct gateways legitimately differ, with the
    defaults every check and suite uses when a profile is silent (the one place they are written)."""

    named_tool_choice_finish: str = "tool_calls"  # after a forced, named tool call; OpenAI itself sends "stop"
    # The target's model answers exactly as the prompt pins (the built-in mock's default): what a real model
    # may legitimately choose otherwise (no tool call under auto, an answer that ends before the bound) then
    # fails the test instead of leaving it inconclusive.
    exact_answers: bool = False
    unknown_model_status: int = 404  # OpenAI: 404 with code model_not_found
    unknown_model_code: str = "model_not_found"
    oversized_body_status: int = 413  # a body over the target's size limit
    # A photo OpenAI's own vision guide uses, for the https image URL test.
    vision_image_url: str = (
        "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/"
        "2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg"
    )
    # Gateway mode: what the gateway sends upstream, and answers when the upstream fails.
    upstream_max_tokens_default: int | dict[str, int] | None = None  # None: the max_tokens parameter's default
    upstream_status_429: tuple[int, ...] = (429,)
    upstream_status_529: tuple[int, ...] = (503, 529)  # Anthropic's overloaded_error: never a 500
    upstream_status_500: tuple[int, ...] = (500, 502)
    upstream_status_503: tuple[int, ...] = (503,)
    upstream_timeout_status: tuple[int, ...] = (408, 504)  # a stalled upstream given up before the answer
    # The p95 delay a gateway may add to each streamed chunk, over what the upstream took (gateway.stream_pacing).
    gateway_chunk_added_p95_ms: float = 50.0
    # Upstream fields a gateway may add although the client sent nothing that maps to them (e.g. "top_k").
    upstream_added_fields: tuple[str, ...] = ()

    def upstream_statuses(self, upstream_status: int) -> tuple[int, ...]:
        """The client statuses accepted for an upstream error status before any byte."""
        value = getattr(self, f"upstream_status_{upstream_status}", None)
        return tuple(value) if value is not None else (upstream_status,)


@dataclass(frozen=True)
class Profile:
    name: str
    alias_prefix: str
    models: tuple[Model, ...]
    params: dict[str, Param]
    policies: dict[str, str]
    features: dict[str, bool]
    expect: ProfileExpect = field(default_factory=lambda: ProfileExpect())
    latency: dict[str, Latency] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # [fields] as written, "*" included
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

    def field_fate(self, name: str) -> str:
        """The fate the profile expects for a request field (see FIELD_DEFAULT for the defaults)."""
        if name in self.fields:
            return self.fields[name]
        if name == "n":
            return POLICY_FATES[self.policy("n_above_one")]
        if name in self.params:
            return "honoured" if name in HONOURED_BY_THE_GATEWAY else "mapped"
        return self.fields.get("*", FIELD_DEFAULT)

    @property
    def default_model(self) -> Model:
        return self.resolve(self.default_model_id) or self.models[0]


def load_profile(name_or_path: str | Path = "tokenhub") -> Profile:
    """Load a built-in profile by name, or a TOML file by path; a ProfileError names any mistake."""
    text, source = _read(str(name_or_path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML: {exc}") from exc
    return _build(data, source)


@cache
def builtin_profile(name: str = "tokenhub") -> Profile:
    """A built-in profile, loaded once per process."""
    return load_profile(name)


def _read(name_or_path: str) -> tuple[str, str]:
    if name_or_path in BUILTIN_PROFILES:
        ref = resources.files("chatconform.profiles").joinpath(f"{name_or_path}.toml")
        return ref.read_text(encoding="utf-8"), f"builtin:{name_or_path}"
    path = Path(name_or_path)
    if not path.is_file():
        raise ProfileError(f"profile {name_or_path!r} is neither a built-in ({', '.join(BUILTIN_PROFILES)}) nor a file")
    return path.read_text(encoding="utf-8"), str(path)


def _build(data: dict[str, Any], source: str) -> Profile:
    strict = _Strict(source)
    strict.keys("", data, SECTIONS)
    head = strict.table("profile", data.get("profile", {}), PROFILE_KEYS)
    prices = _prices(strict.table("prices", data.get("prices", {}), PRICES_KEYS), strict)
    models = tuple(_model(m, strict, prices) for m in data.get("models", []))
    if not models:
        raise ProfileError(f"{source}: a profile needs at least one [[models]] entry")
    policies = {str(k): str(v) for k, v in strict.table("policies", data.get("policies", {}), POLICY_POINTS).items()}
    for key, value in policies.items():
        if value not in POLICY_VALUES:
            raise ProfileError(f"{source}: [policies] {key} = {value!r}; use one of {sorted(POLICY_VALUES)}")
    default = next((m["id"] for m in data.get("models", []) if m.get("default")), models[0].id)
    params = {
        k: _param(k, strict.table(f"parameters.{k}", v, PARAM_KEYS)) for k, v in _tables(data, "parameters", strict)
    }
    latency = {k: Latency(**strict.table(f"latency.{k}", v, LATENCY_KEYS)) for k, v in _tables(data, "latency", strict)}
    return Profile(
        name=head.get("name", Path(source).stem),
        alias_prefix=head.get("alias_prefix", ""),
        models=models,
        params=params,
        policies=policies,
        features={k: bool(v) for k, v in strict.table("features", data.get("features", {}), CLAIMS).items()},
        expect=_expect(strict.table("expect", data.get("expect", {}), EXPECT_KEYS), strict),
        latency=latency,
        fields=_fields(strict.table("fields", data.get("fields", {}), ("*", *field_names())), strict),
        default_model_id=default,
        api_key_prefix=head.get("api_key_prefix", ""),
        source=source,
    )


# What a profile may hold: sections, and the keys of each. Anything else is a typo until proven otherwise.
SECTIONS = ("profile", "features", "policies", "expect", "fields", "parameters", "models", "latency", "prices")
PROFILE_KEYS = ("name", "description", "base_url", "api_key_prefix", "alias_prefix", "currency")
MODEL_KEYS = ("id", "tier", "input_per_mtok", "output_per_mtok", "note", "default")
PARAM_KEYS = ("type", "required", "default", "min", "max", "max_items", "enum")
LATENCY_KEYS = tuple(f.name for f in fields(Latency))
EXPECT_KEYS = tuple(f.name for f in fields(ProfileExpect))
PRICES_KEYS = tuple(f.name for f in fields(CachePrices))


class _Strict:
    """Rejects unknown sections and keys with the file, the key and the nearest valid name."""

    def __init__(self, source: str) -> None:
        self.source = source

    def keys(self, where: str, table: Any, allowed: Any) -> None:
        if not isinstance(table, dict):
            raise ProfileError(f"{self.source}: [{where}] must be a table")
        for key in table:
            if key not in allowed:
                place = f"unknown key {key!r} in [{where}]" if where else f"unknown section [{key}]"
                raise ProfileError(f"{self.source}: {place}{nearest(key, allowed)}")

    def table(self, where: str, table: Any, allowed: Any) -> dict[str, Any]:
        self.keys(where, table, allowed)
        return dict(table)


def _tables(data: dict[str, Any], section: str, strict: _Strict) -> list[tuple[str, Any]]:
    value = data.get(section, {})
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ProfileError(f"{strict.source}: [{section}] must hold tables, e.g. [{section}.name]")
    return list(value.items())


def _expect(table: dict[str, Any], strict: _Strict) -> ProfileExpect:
    hints = typing.get_type_hints(ProfileExpect)
    for key, value in table.items():
        if not conforms(value, hints[key]):
            raise ProfileError(f"{strict.source}: [expect] {key} = {value!r}: expected {describe(hints[key])}")
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
    return ProfileExpect(**values)


def _fields(table: dict[str, Any], strict: _Strict) -> dict[str, str]:
    for key, value in table.items():
        if value not in EXPECTABLE:
            raise ProfileError(
                f"{strict.source}: [fields] {key} = {value!r}; use one of {', '.join(EXPECTABLE)}"
                f"{nearest(str(value), EXPECTABLE)}"
            )
    return {str(k): str(v) for k, v in table.items()}


def _prices(table: dict[str, Any], strict: _Strict) -> CachePrices:
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ProfileError(f"{strict.source}: [prices] {key} = {value!r}: expected a number >= 0")
    return CachePrices(**{k: float(v) for k, v in table.items()})


def _model(entry: Any, strict: _Strict, prices: CachePrices) -> Model:
    strict.keys("[models]", entry, MODEL_KEYS)
    try:
        return Model(
            id=entry["id"],
            tier=entry.get("tier", "default"),
            input_per_mtok=float(entry["input_per_mtok"]),
            output_per_mtok=float(entry["output_per_mtok"]),
            note=entry.get("note", ""),
            prices=prices,
        )
    except KeyError as exc:
        raise ProfileError(f"{strict.source}: model entry {entry!r} lacks {exc.args[0]!r}") from exc


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
