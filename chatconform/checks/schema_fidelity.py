"""Schema fidelity: whether a JSON Schema arrived with its meaning, not its bytes.

A gateway rewrites a tool's `parameters` into Anthropic's `input_schema` (and a `json_schema` response
format into `output_format`); a faithful rewrite may reorder keys, add an empty `$defs`, write
`required: []` or `type: ["string"]` for `type: "string"`, since none of that changes what validates.
Every keyword that constrains or instructs (`additionalProperties`, `enum`, `const`, `pattern`, `format`,
`minimum`, `items`, nested `properties`, `$ref` and `$defs` with content, `description`) must arrive
unchanged; a lost, changed or added one is a finding naming the keyword and its path in the schema.

Written here rather than taken from a library: the JSON Schema libraries validate instances against a
schema; none compares two schemas keyword by keyword while naming where they differ.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chatconform.checks.finding import Finding, show

# Keyword values that validate exactly what their absence validates.
NO_OPS: dict[str, Any] = {
    "$defs": {},
    "definitions": {},
    "required": [],
    "properties": {},
    "patternProperties": {},
    "dependentSchemas": {},
    "additionalProperties": True,
    "unevaluatedProperties": True,
    "allOf": [],
}
IGNORED = frozenset({"$schema", "$comment"})  # the dialect and comments: no instance changes verdict
NAMED_SUBSCHEMAS = frozenset({"properties", "$defs", "definitions", "patternProperties", "dependentSchemas"})
SUBSCHEMA = frozenset(
    {"items", "additionalProperties", "unevaluatedProperties", "not", "contains", "propertyNames", "if", "then"}
    | {"else", "additionalItems", "unevaluatedItems"}
)
SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
UNORDERED = frozenset({"required", "enum"})  # lists whose order means nothing
ABSENT = "(absent)"


@dataclass(frozen=True)
class Difference:
    path: str  # where in the schema, e.g. "$.properties.route.additionalProperties"
    keyword: str
    kind: str  # lost / changed / gained
    sent: Any
    received: Any

    def finding(self, where: str, prefix: str) -> Finding:
        title = f"{where}: {self.keyword} {self.kind} at {self.path}"
        sent = ABSENT if self.kind == "gained" else show(self.sent)
        received = ABSENT if self.kind == "lost" else show(self.received)
        return Finding(title, prefix + self.path[1:], sent, received)


def differences(sent: Any, received: Any, path: str = "$") -> Iterator[Difference]:
    """Every difference of meaning between two schemas, outermost first."""
    if not isinstance(sent, dict) or not isinstance(received, dict):
        if _canonical(sent) != _canonical(received):
            yield Difference(path, "(schema)", "changed", sent, received)
        return
    want, got = normal(sent), normal(received)
    nested: list[Iterator[Difference]] = []  # this level's keywords first, then what is inside them
    for key, value in want.items():
        where = f"{path}.{key}"
        if key not in got:
            yield Difference(path, key, "lost", value, None)
        elif key in NAMED_SUBSCHEMAS and isinstance(value, dict) and isinstance(got[key], dict):
            nested.append(_named(value, got[key], where))
        elif key in SUBSCHEMA and isinstance(value, dict):
            nested.append(differences(value, got[key], where))
        elif key in SUBSCHEMA_LISTS and _same_length(value, got[key]):
            nested += [differences(a, b, f"{where}[{i}]") for i, (a, b) in enumerate(zip(value, got[key], strict=True))]
        elif _canonical(value, key) != _canonical(got[key], key):
            yield Difference(path, key, "changed", value, got[key])
    for key in got.keys() - want.keys():
        yield Difference(path, key, "gained", None, got[key])
    for inner in nested:
        yield from inner


def normal(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without its no-op keywords, `type: [x]` written `type: x`."""
    out = {k: v for k, v in schema.items() if k not in IGNORED and not (k in NO_OPS and v == NO_OPS[k])}
    kind = out.get("type")
    if isinstance(kind, list) and len(kind) == 1:
        out["type"] = kind[0]
    return out


def findings(sent: Any, received: Any, where: str, prefix: str) -> list[Finding]:
    """One finding per difference; `prefix` is the JSON path of the received schema (e.g. `upstream: $.x`)."""
    return [d.finding(where, prefix) for d in differences(sent, received)]


def _named(want: dict[str, Any], got: dict[str, Any], path: str) -> Iterator[Difference]:
    for name, schema in want.items():
        if name not in got:
            yield Difference(path, name, "lost", schema, None)
        else:
            yield from differences(schema, got[name], f"{path}.{name}")
    for name in got.keys() - want.keys():
        yield Difference(path, name, "gained", None, got[name])


def _same_length(a: Any, b: Any) -> bool:
    return isinstance(a, list) and isinstance(b, list) and len(a) == len(b)


def _canonical(value: Any, key: str = "") -> str:
    if key in UNORDERED and isinstance(value, list):
        return json.dumps(sorted(json.dumps(v, sort_keys=True) for v in value))
    return json.dumps(value, sort_keys=True)
