"""Generate a JSON value that is valid against a JSON Schema, preferring values from the prompt.

The mock fills tool arguments and `json_schema` answers with this. A real
model copies what the user wrote (`city: Paris`, `'Tokyo'`) into the matching
field, so hints from the prompt are used wherever they are valid for that
field, and seeded values fill the rest. Supported: the Draft 2020-12 subset
tool definitions use in practice (see `instance`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from random import Random
from typing import Any
from urllib.parse import urlsplit

# no stubs for jsonschema here; unused-ignore keeps this clean once a config silences it globally
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped, unused-ignore]

Schema = dict[str, Any]

# A lookahead, so pairs may overlap: in "Forecast: city=Rome" both "Forecast" and "city" get a value.
_NAMED = re.compile(r"""(?=(?<![\w-])([A-Za-z_][\w-]*)\s*[:=]\s*("[^"\n]*"|'[^'\n]*'|[^\s,;]+))""")
# A single quote only opens after a non-word character, so "it's" and "Bob's" are not quotes.
_QUOTED = re.compile(r"""(?<!\w)'([^'\n]+)'(?!\w)|"([^"\n]+)\"""")
_WORDS = (  # noqa: SIM905 - a word list reads best as prose
    "alpha bravo cedar delta ember fable grove harbor island juniper "
    "kestrel lumen meadow north orchid prairie quartz river summit tundra"
).split()
_WORD_SCALARS: dict[str, Any] = {"true": True, "yes": True, "false": False, "no": False, "null": None}
_DEEP = 4  # below this depth arrays get only their minItems, so recursive schemas stay small
_MAX_DEPTH = 32  # a schema that requires endless recursion gets null here instead of a stack overflow


@dataclass(frozen=True)
class Hints:
    """Values pulled from a prompt: `name=value` pairs and a queue of quoted strings."""

    named: dict[str, str] = field(default_factory=dict)  # lower-cased property name -> raw text
    quoted: tuple[str, ...] = ()

    def with_quoted(self, quoted: tuple[str, ...]) -> Hints:
        return replace(self, quoted=quoted)


def hints_from_text(text: str) -> Hints:
    """Hints from a prompt: the first value for each name, and every quoted string in order."""
    named: dict[str, str] = {}
    for match in _NAMED.finditer(text):
        named.setdefault(match.group(1).lower(), _unquote(match.group(2)))
    quoted = tuple(m.group(1) if m.group(1) is not None else m.group(2) for m in _QUOTED.finditer(text))
    return Hints(named, quoted)


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw.rstrip(".!?)")  # "unit=celsius." ends a sentence, the period is not part of the value


def instance(schema: Schema, hints: Hints, rng: Random) -> Any:
    """A value valid against `schema`; required properties always, optional ones only when hinted.

    Handles type (also lists, with "null"), properties, required, additionalProperties, enum,
    const, strings (minLength, maxLength, format date/date-time/email/uri), integers and numbers
    (minimum, maximum, exclusive bounds, integer multipleOf), booleans, arrays (items, minItems,
    maxItems), anyOf/oneOf (first branch that validates), allOf (merged) and local $refs.
    """
    return _Builder(schema, hints, rng).value(schema, None, 0)


def format_checker() -> FormatChecker:
    """jsonschema's checker plus date-time and uri, which it only checks with optional packages."""
    checker = FormatChecker()
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", value):
        return False
    try:
        dt.datetime.fromisoformat(value.upper())  # 3.11+ reads "Z"
    except ValueError:
        return False
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme)) and " " not in value


class _Builder:
    def __init__(self, root: Schema, hints: Hints, rng: Random) -> None:
        self.root = root
        self.hints = hints
        self.rng = rng
        # a quoted value given by name to a property of this schema (city='Rome') is not free for others
        declared = _property_names(root)
        bound = {v for k, v in hints.named.items() if k in declared}
        self.queue = [q for q in hints.quoted if q not in bound]
        self.validator = Draft202012Validator(root, format_checker=format_checker())

    def valid(self, value: Any, schema: Schema) -> bool:
        # evolve keeps the root, so $refs inside `schema` still resolve
        return bool(self.validator.evolve(schema=schema).is_valid(value))

    def value(self, schema: Any, name: str | None, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            return None
        if not isinstance(schema, dict):
            return {}  # the `true` schema accepts anything; `false` has no instance to offer
        schema = self.resolve(schema)
        hinted = self.from_hints(schema, name)
        if hinted is not None:
            return hinted[0]
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        if "anyOf" in schema or "oneOf" in schema:
            return self.branch(schema, name, depth)
        return self.typed(schema, _pick_type(schema), depth)

    def resolve(self, schema: Schema) -> Schema:
        """Inline local $refs and merge allOf, so the rest sees one plain schema."""
        for _ in range(8):  # a $ref to a $ref to ...: a few hops are plenty, and a cycle must end
            if "$ref" not in schema:
                break
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**self.lookup(schema["$ref"]), **rest}
        if "allOf" in schema:
            parts = [self.resolve(p) for p in schema["allOf"] if isinstance(p, dict)]
            schema = _merge([{k: v for k, v in schema.items() if k != "allOf"}, *parts])
        return schema

    def lookup(self, ref: str) -> Schema:
        if not ref.startswith("#"):
            raise ValueError(f"only local $refs are supported, not {ref!r}")
        node: Any = self.root
        for part in filter(None, ref[1:].split("/")):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node if isinstance(node, dict) else {}

    def from_hints(self, schema: Schema, name: str | None) -> tuple[Any] | None:
        """The prompt's value for this property, as a 1-tuple, if the prompt has a valid one."""
        if name is None:
            return None
        raw = self.hints.named.get(name.lower())
        if raw is not None:
            for candidate in _candidates(raw, schema):
                if self.valid(candidate, schema):
                    return (candidate,)
        if self.queue and _accepts_string(schema) and self.valid(self.queue[0], schema):
            return (self.queue.pop(0),)
        return None

    def branch(self, schema: Schema, name: str | None, depth: int) -> Any:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        branches = schema.get("anyOf") or schema.get("oneOf") or []
        first: Any = None
        for index, option in enumerate(branches):
            candidate = self.value(_merge([rest, self.resolve(option)]), name, depth + 1)
            if self.valid(candidate, schema):
                return candidate
            first = candidate if index == 0 else first
        return first

    def typed(self, schema: Schema, kind: str, depth: int) -> Any:
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return self.array(schema, depth)
        if kind == "string":
            return self.string(schema)
        if kind in ("integer", "number"):
            return self.number(schema, kind == "integer")
        if kind == "boolean":
            return self.rng.random() < 0.5
        return None

    def object(self, schema: Schema, depth: int) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties", {})
        required = [n for n in schema.get("required", []) if isinstance(n, str)]
        wanted = [n for n in props if n in required or n.lower() in self.hints.named]
        wanted += [n for n in required if n not in props]
        extra = schema.get("additionalProperties", {})
        result: dict[str, Any] = {}
        for prop in wanted:
            sub = props.get(prop, extra if isinstance(extra, dict) else {"type": "string"})
            result[prop] = self.value(sub, prop, depth + 1)
        return result

    def array(self, schema: Schema, depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        size = min(max(self.rng.randint(1, 3), low), high) if depth < _DEEP else low
        items = schema.get("items", {"type": "string"})
        return [self.value(items, None, depth + 1) for _ in range(size)]

    def string(self, schema: Schema) -> str:
        text = _formatted(schema.get("format", ""), self.rng)
        if text is None:
            text = self.rng.choice(_WORDS)
        low = int(schema.get("minLength", 0))
        while len(text) < low:
            text += " " + self.rng.choice(_WORDS)
        return text[: schema["maxLength"]] if "maxLength" in schema else text

    def number(self, schema: Schema, integer: bool) -> int | float:
        low, high = _range(schema)
        unit = _integral_step(schema.get("multipleOf")) or (1 if integer else 0)
        if unit:
            first, last = math.ceil(low / unit), math.floor(high / unit)
            # an exclusive bound that is itself a multiple is one step outside the range
            first += 0 if self.valid(first * unit, schema) else 1
            last -= 0 if self.valid(last * unit, schema) else 1
            return self.rng.randint(first, last) * unit if first <= last else first * unit
        value = round(self.rng.uniform(low, high), 2)
        return value if self.valid(value, schema) else (low + high) / 2


def _merge(parts: list[Schema]) -> Schema:
    """allOf of objects as one schema: properties and required are unioned, other keys overwritten."""
    merged: Schema = {}
    for part in parts:
        props = {**merged.get("properties", {}), **part.get("properties", {})}
        required = list(dict.fromkeys([*merged.get("required", []), *part.get("required", [])]))
        merged = {**merged, **part, "properties": props, "required": required}
    return {k: v for k, v in merged.items() if v or k not in ("properties", "required")}


def _property_names(schema: Any) -> set[str]:
    """Every property name declared anywhere in `schema`, lower-cased."""
    if isinstance(schema, list):
        return set().union(*map(_property_names, schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    props = schema.get("properties")
    own = {str(k).lower() for k in props} if isinstance(props, dict) else set()
    return own.union(*map(_property_names, schema.values()))


def _pick_type(schema: Schema) -> str:
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


def _accepts_string(schema: Schema) -> bool:
    if "enum" in schema:
        return any(isinstance(v, str) for v in schema["enum"])
    return "string" in _types(schema)


def _candidates(raw: str, schema: Schema) -> list[Any]:
    """Readings of a hint: an enum member in any case ("Celsius" is "celsius"), the scalar it spells, the text."""
    lowered = raw.lower()
    found: list[Any] = [v for v in schema.get("enum", []) if isinstance(v, str) and v.lower() == lowered]
    if lowered in _WORD_SCALARS:
        found.append(_WORD_SCALARS[lowered])
    elif re.fullmatch(r"[+-]?\d+", raw):
        found.append(int(raw))
    elif re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", raw):
        number = float(raw)
        found += [number] if math.isfinite(number) else []  # "1e999" would serialise as Infinity
    return [*found, raw]


def _range(schema: Schema) -> tuple[float, float]:
    """The tightest bounds given (inclusive or not), or a plausible 1..100 style range when open."""
    lows = [float(schema[k]) for k in ("minimum", "exclusiveMinimum") if _is_number(schema.get(k))]
    highs = [float(schema[k]) for k in ("maximum", "exclusiveMaximum") if _is_number(schema.get(k))]
    if not lows and not highs:
        return 1.0, 100.0
    low = max(lows) if lows else (0.0 if min(highs) > 0 else min(highs) - 100)
    high = min(highs) if highs else low + 100
    return low, high


def _integral_step(step: object) -> int:
    """multipleOf as a positive int, else 0: fractional steps are not supported (float division misleads)."""
    if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0 and float(step).is_integer():
        return int(step)
    return 0


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _formatted(fmt: str, rng: Random) -> str | None:
    if fmt in ("date", "date-time"):
        day = (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 364))).isoformat()
        return day if fmt == "date" else f"{day}T{rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}:00Z"
    if fmt == "email":
        return f"{rng.choice(_WORDS)}@example.com"
    if fmt == "uri":
        return f"https://example.com/{rng.choice(_WORDS)}"
    return None
