"""Generate a JSON value that is valid against a JSON Schema, preferring values from the prompt.

The mock fills tool arguments and `json_schema` answers with this. A real
model copies what the user wrote (`city: Paris`, `'Tokyo'`) into the matching
field, so hints from the prompt are used wherever they are valid for that
field, and seeded values fill the rest. Supported: the Draft 2020-12 subset
tool definitions use in practice (see `instance`).

The schema is the client's, so generation is bounded: every step spends from
a budget of `MAX_VALUE_CHARS` (discarded branch candidates included), so the
work is linear in what is produced and capped; `minLength` above that budget,
`minItems` above `MAX_ITEMS` and bounds beyond ±`MAX_BOUND` are refused with
a `SchemaError` naming the keyword's path, which the faces turn into a 400.
`pattern` is not honoured, and is dropped before validating candidates: a
client's regular expression must not be able to backtrack for ever.
"""

from __future__ import annotations

import math
from random import Random
from typing import Any

# no stubs for jsonschema here; unused-ignore keeps this clean once a config silences it globally
from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

from chatconform.mock.formats import WORDS, format_checker, formatted
from chatconform.mock.hints import Hints, candidates, hints_from_text, mentioned_member
from chatconform.mock.schema_keywords import (
    MAX_ITEMS,
    MAX_VALUE_CHARS,
    Path,
    Schema,
    SchemaError,
    accepts_string,
    count,
    integral_step,
    merge,
    pick_type,
    property_names,
    range_of,
    without,
)

__all__ = ["Hints", "SchemaError", "format_checker", "hints_from_text", "instance"]


_DEEP = 4  # below this depth arrays get only their minItems, so recursive schemas stay small
_MAX_DEPTH = 32  # a schema that requires endless recursion gets null here instead of a stack overflow
_NOT_HONOURED = ("pattern", "patternProperties")


def instance(schema: Schema, hints: Hints, rng: Random, extra: float = 0.0) -> Any:
    """A value valid against `schema`; required properties always, optional ones when hinted (and, with
    `extra` above 0, each other optional one with that chance: a real model adds some of its own).

    Handles type (also lists, with "null"), properties, required, additionalProperties, enum,
    const, strings (minLength, maxLength, format date/date-time/email/uri), integers and numbers
    (minimum, maximum, exclusive bounds, integer multipleOf), booleans, arrays (items, minItems,
    maxItems), anyOf/oneOf (first branch that validates), allOf (merged) and local $refs.
    Raises SchemaError for a schema beyond the mock's limits or one it cannot follow.
    """
    root = without(schema, _NOT_HONOURED)
    builder = _Builder(root, hints, rng, extra)
    try:
        return builder.value(root, None, 0, ())
    except SchemaError:
        raise
    except Exception as exc:
        # The schema is the client's, interpreted here and by jsonschema (UnknownType, Unresolvable refs,
        # TypeErrors on odd keyword values ...): whatever it makes either raise is a refusal, not a crash.
        raise SchemaError(builder.where, f"the mock cannot generate a value here ({type(exc).__name__})") from None


class _Builder:
    def __init__(self, root: Schema, hints: Hints, rng: Random, extra: float) -> None:
        self.root = root
        self.hints = hints
        self.rng = rng
        self.extra = extra
        # a quoted value given by name to a property of this schema (city='Rome') is not free for others
        declared = property_names(root)
        bound = {v for k, v in hints.named.items() if k in declared}
        self.queue = [q for q in hints.quoted if q not in bound]
        self.places = [p for p in hints.places if p not in bound and p not in self.queue]
        self.validator = Draft202012Validator(root, format_checker=format_checker())
        self.left = MAX_VALUE_CHARS
        self.where: Path = ()  # the schema path being generated, for errors

    def spend(self, cost: int, path: Path) -> None:
        self.left -= cost
        if self.left < 0:
            reason = f"the value this schema asks for is larger than the mock's limit of {MAX_VALUE_CHARS} characters"
            raise SchemaError(path, reason)

    def valid(self, value: Any, schema: Schema) -> bool:
        # evolve keeps the root, so $refs inside `schema` still resolve
        return bool(self.validator.evolve(schema=schema).is_valid(value))

    def value(self, schema: Any, name: str | None, depth: int, path: Path) -> Any:
        self.where = path
        self.spend(1, path)
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
            if not isinstance(schema["enum"], list) or not schema["enum"]:
                raise SchemaError((*path, "enum"), "enum must be a non-empty array")
            return self.rng.choice(schema["enum"])
        if "anyOf" in schema or "oneOf" in schema:
            return self.branch(schema, name, depth, path)
        return self.typed(schema, pick_type(schema), depth, path)

    def resolve(self, schema: Schema) -> Schema:
        """Inline local $refs and merge allOf, so the rest sees one plain schema."""
        for _ in range(8):  # a $ref to a $ref to ...: a few hops are plenty, and a cycle must end
            if "$ref" not in schema:
                break
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**self.lookup(schema["$ref"]), **rest}
        if "allOf" in schema:
            parts = [self.resolve(p) for p in schema["allOf"] if isinstance(p, dict)]
            schema = merge([{k: v for k, v in schema.items() if k != "allOf"}, *parts])
        return schema

    def lookup(self, ref: str) -> Schema:
        if not ref.startswith("#"):
            raise SchemaError((*self.where, "$ref"), f"only local $refs are supported, not {str(ref)[:80]!r}")
        node: Any = self.root
        for part in filter(None, ref[1:].split("/")):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node if isinstance(node, dict) else {}

    def from_hints(self, schema: Schema, name: str | None) -> tuple[Any] | None:
        """The prompt's value for this property, as a 1-tuple, if the prompt has a valid one: given by name,
        an enum member named in passing, the next quoted string, the next named place."""
        if name is None:
            return None
        raw = self.hints.named.get(name.lower())
        if raw is not None:
            for candidate in candidates(raw, schema):
                if self.valid(candidate, schema):
                    return (candidate,)
        member = mentioned_member(schema, self.hints)
        if member is not None:
            return member
        for queue in (self.queue, self.places):
            if queue and accepts_string(schema) and self.valid(queue[0], schema):
                return (queue.pop(0),)
        return None

    def wants(self, prop: str, schema: Any, required: list[str], depth: int) -> bool:
        """Whether an object gets this property: required, hinted by name or by a member of its enum, or
        (with `extra`, at the top level only, so a recursive schema stays small) drawn as one a model adds
        of its own accord."""
        if prop in required or prop.lower() in self.hints.named:
            return True
        if isinstance(schema, dict) and mentioned_member(self.resolve(schema), self.hints) is not None:
            return True
        return depth == 0 and self.extra > 0 and self.rng.random() < self.extra

    def branch(self, schema: Schema, name: str | None, depth: int, path: Path) -> Any:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        keyword = "anyOf" if schema.get("anyOf") else "oneOf"
        branches = schema.get(keyword) or []
        first: Any = None
        for index, option in enumerate(branches):
            candidate = self.value(merge([rest, self.resolve(option)]), name, depth + 1, (*path, keyword, index))
            if self.valid(candidate, schema):
                return candidate
            first = candidate if index == 0 else first
        return first

    def typed(self, schema: Schema, kind: str, depth: int, path: Path) -> Any:
        if kind == "object":
            return self.object(schema, depth, path)
        if kind == "array":
            return self.array(schema, depth, path)
        if kind == "string":
            return self.string(schema, path)
        if kind in ("integer", "number"):
            return self.number(schema, kind == "integer", path)
        if kind == "boolean":
            return self.rng.random() < 0.5
        return None

    def object(self, schema: Schema, depth: int, path: Path) -> dict[str, Any]:
        props: dict[str, Any] = schema.get("properties", {})
        required = [n for n in schema.get("required", []) if isinstance(n, str)]
        wanted = [n for n in props if self.wants(n, props[n], required, depth)]
        wanted += [n for n in required if n not in props]
        extra = schema.get("additionalProperties", {})
        result: dict[str, Any] = {}
        for prop in wanted:
            self.spend(len(prop) + 4, path)
            sub = props.get(prop, extra if isinstance(extra, dict) else {"type": "string"})
            where = (*path, "properties", prop) if prop in props else (*path, "additionalProperties")
            result[prop] = self.value(sub, prop, depth + 1, where)
        return result

    def array(self, schema: Schema, depth: int, path: Path) -> list[Any]:
        low = count(schema, "minItems", 0, path, MAX_ITEMS)
        high = count(schema, "maxItems", max(low, 3), path)
        size = min(max(self.rng.randint(1, 3), low), high) if depth < _DEEP else low
        items = schema.get("items", {"type": "string"})
        return [self.value(items, None, depth + 1, (*path, "items")) for _ in range(size)]

    def string(self, schema: Schema, path: Path) -> str:
        first = formatted(schema.get("format", ""), self.rng)
        words = [self.rng.choice(WORDS) if first is None else first]
        low = count(schema, "minLength", 0, path, MAX_VALUE_CHARS)
        length = len(words[0])
        while length < low:  # a list joined once: linear in the length, where `+=` on a str is not
            words.append(self.rng.choice(WORDS))
            length += 1 + len(words[-1])
        text = " ".join(words)
        if "maxLength" in schema:
            text = text[: count(schema, "maxLength", 0, path)]
        self.spend(len(text), path)
        return text

    def number(self, schema: Schema, integer: bool, path: Path) -> int | float:
        low, high = range_of(schema, path)
        unit = integral_step(schema.get("multipleOf"), path) or (1 if integer else 0)
        if unit:
            first, last = math.ceil(low / unit), math.floor(high / unit)
            # an exclusive bound that is itself a multiple is one step outside the range
            first += 0 if self.valid(first * unit, schema) else 1
            last -= 0 if self.valid(last * unit, schema) else 1
            return self.rng.randint(first, last) * unit if first <= last else first * unit
        value = round(self.rng.uniform(low, high), 2)
        return value if self.valid(value, schema) else (low + high) / 2
