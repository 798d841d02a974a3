"""Reading a client's JSON Schema keywords for the generator, safely.

Sizes and bounds are checked as they are read: a keyword of the wrong type or
beyond the mock's limits raises `SchemaError` with its path, which the faces
answer with a 400 naming the field.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

MAX_VALUE_CHARS = 256 * 1024  # what one generated value may cost, in characters (and steps)
MAX_ITEMS = 10_000
MAX_BOUND = 2**53  # numbers beyond this lose integer precision as doubles
Schema = dict[str, Any]
Path = tuple[str | int, ...]


class SchemaError(ValueError):
    """A schema the mock will not generate for; `path` names the keyword, from the schema's root."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path, self.reason = path, reason

    def under(self, *prefix: str | int) -> SchemaError:
        """The same error, its path seen from further up (the request body)."""
        return SchemaError((*prefix, *self.path), self.reason)


def merge(parts: list[Schema]) -> Schema:
    """allOf of objects as one schema: properties and required are unioned, other keys overwritten."""
    merged: Schema = {}
    for part in parts:
        props = {**merged.get("properties", {}), **part.get("properties", {})}
        required = list(dict.fromkeys([*merged.get("required", []), *part.get("required", [])]))
        merged = {**merged, **part, "properties": props, "required": required}
    return {k: v for k, v in merged.items() if v or k not in ("properties", "required")}


def property_names(schema: Any) -> set[str]:
    """Every property name declared anywhere in `schema`, lower-cased."""
    if isinstance(schema, list):
        return set().union(*map(property_names, schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    props = schema.get("properties")
    own = {str(k).lower() for k in props} if isinstance(props, dict) else set()
    return own.union(*map(property_names, schema.values()))


def pick_type(schema: Schema) -> str:
    # a real value reads better than null when both are allowed
    return next((t for t in _types(schema) if t != "null"), "null")


def _types(schema: Schema) -> list[str]:
    """The declared types, or the one the keywords imply; {} and bare "properties" mean an object."""
    declared = schema.get("type")
    if isinstance(declared, list):
        return [str(t) for t in declared]
    if isinstance(declared, str):
        return [declared]
    if "items" in schema or "minItems" in schema:
        return ["array"]
    if any(k in schema for k in ("minLength", "maxLength", "format")):
        return ["string"]
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
        return ["number"]
    return ["object"]


def accepts_string(schema: Schema) -> bool:
    if "enum" in schema:
        return any(isinstance(v, str) for v in schema["enum"])
    return "string" in _types(schema)


def count(schema: Schema, key: str, default: int, path: Path, cap: int | None = None) -> int:
    """A size keyword (minLength, maxItems ...): a non-negative integer, and at most `cap` when given."""
    value = schema.get(key, default)
    if not _is_number(value) or not math.isfinite(value) or value < 0 or value != int(value):
        raise SchemaError((*path, key), f"{key} must be a non-negative integer")
    if cap is not None and value > cap:
        raise SchemaError((*path, key), f"{key} {int(value)} is above the mock's limit of {cap}")
    return int(value)


def _bound(schema: Schema, key: str, path: Path) -> float | None:
    value = schema.get(key)
    if not _is_number(value):
        return None
    if not math.isfinite(value) or abs(value) > MAX_BOUND:
        raise SchemaError((*path, key), f"{key} must be a number between -2**53 and 2**53")
    return float(value)


def range_of(schema: Schema, path: Path) -> tuple[float, float]:
    """The tightest bounds given (inclusive or not), or a plausible 1..100 style range when open."""
    lows = [b for k in ("minimum", "exclusiveMinimum") if (b := _bound(schema, k, path)) is not None]
    highs = [b for k in ("maximum", "exclusiveMaximum") if (b := _bound(schema, k, path)) is not None]
    if not lows and not highs:
        return 1.0, 100.0
    low = max(lows) if lows else (0.0 if min(highs) > 0 else min(highs) - 100)
    high = min(highs) if highs else low + 100
    return low, high


def integral_step(step: object, path: Path) -> int:
    """multipleOf as a positive int, else 0: fractional steps are not supported (float division misleads)."""
    if not _is_number(step) or not step > 0:
        return 0
    if step > MAX_BOUND:
        raise SchemaError((*path, "multipleOf"), "multipleOf must be at most 2**53")
    return int(step) if float(step).is_integer() else 0


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def without(schema: Any, keys: tuple[str, ...]) -> Any:
    """A copy of `schema` without `keys` at any level (the body nests at most 64 levels)."""
    if isinstance(schema, dict):
        return {k: without(v, keys) for k, v in schema.items() if k not in keys}
    if isinstance(schema, list):
        return [without(v, keys) for v in schema]
    return schema
