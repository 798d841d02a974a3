"""The *shape* of an answer, for snapshots: its keys and value types, projected onto the schema.

Shapes catch format drift (a field renamed, moved, turned into an object)
while staying stable across runs and across correct gateways:
- only the keys the schema defines are kept, so extra fields are benign;
- optional keys that are null, and fields correct gateways legitimately
  differ on (`IGNORED`), are left out;
- values become their JSON type name (a nullable field its declared types,
  `string|null`), except where the schema fixes them (`const`/`enum`:
  `object`, `role`, `finish_reason`, `type`), which stay literal;
- runs of identically shaped items (the content chunks of a stream) collapse
  into one, so chunk counts do not matter; a stream's deltas are merged into
  one shape, so neither does how the answer is split across chunks.
"""

from __future__ import annotations

from typing import Any

from chatconform import schemas
from chatconform.exchange import Exchange
from chatconform.wire import DONE

IGNORED = frozenset(
    {
        "system_fingerprint",
        "service_tier",
        "logprobs",
        "refusal",
        "obfuscation",
        "prompt_tokens_details",
        "completion_tokens_details",
    }
)
DONE_MARK = DONE  # where the terminators fall in the sequence
NOT_JSON = "<not a JSON object>"


def shape(schema_name: str, instance: Any) -> Any:
    """The shape of `instance` as seen through schema `schema_name`."""
    return _shape(schemas.schema(schema_name), instance)


def stream_shape(ex: Exchange) -> list[Any]:
    """The collapsed sequence of chunk shapes of a streamed answer, with `[DONE]` marks, then every delta
    merged into one shape. Which chunk carries which delta field (the role alone or with the first text,
    the last text with the finish_reason, arguments in one fragment or many) is how a gateway splits an
    answer, not its format: in the sequence a delta object shows as "object"."""
    chunks = [shape("chat.completion.chunk", c) if isinstance(c, dict) else NOT_JSON for c in ex.chunks()]
    deltas: Any = {}
    for chunk in chunks:
        for choice in chunk.get("choices", []) if isinstance(chunk, dict) else []:
            if isinstance(choice, dict) and isinstance(choice.get("delta"), dict):
                deltas = merge(deltas, choice["delta"])
                choice["delta"] = "object"
    return [*collapse(chunks + [DONE_MARK] * ex.done_count), {"deltas": deltas}]


def merge(a: Any, b: Any) -> Any:
    """One shape covering both: keys united, list items merged, differing types joined (`array|string`)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in sorted({*a, *b})}
    if isinstance(a, list) and isinstance(b, list):
        items = a + b
        if items and all(isinstance(i, dict) for i in items):
            merged: Any = {}
            for item in items:
                merged = merge(merged, item)
            return [merged]
        return collapse(items)
    if a == b:
        return a
    return "|".join(sorted({*str(a).split("|"), *str(b).split("|")}))


def collapse(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if not out or out[-1] != item:
            out.append(item)
    return out


def _resolve(node: dict[str, Any], instance: Any) -> dict[str, Any]:
    """Follow a `$ref` to a sibling schema file, and pick the `anyOf` branch that fits the instance."""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.endswith(".json"):
        return _resolve(schemas.schema(ref.removesuffix(".json")), instance)
    for branch in node.get("anyOf", ()):
        resolved = _resolve(branch, instance)
        if json_type(instance) in _types(resolved) or (isinstance(instance, dict) and "properties" in resolved):
            return resolved
    return node


def _types(node: dict[str, Any]) -> list[str]:
    declared = node.get("type", [])
    return [declared] if isinstance(declared, str) else list(declared)


def _shape(node: dict[str, Any], instance: Any) -> Any:
    node = _resolve(node, instance)
    if isinstance(instance, dict):
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return "object"
        required = set(node.get("required", ()))
        return {
            key: _shape(properties[key], value)
            for key, value in sorted(instance.items())
            if key in properties and key not in IGNORED and (value is not None or key in required)
        }
    if isinstance(instance, list):
        items = node.get("items", {})
        return collapse([_shape(items if isinstance(items, dict) else {}, v) for v in instance])
    if "const" in node or "enum" in node:
        return instance
    declared = _types(node)
    if "null" in declared and len(declared) > 1:
        return "|".join(declared)  # present-or-null is one shape: a gateway may send either
    return json_type(instance)


def json_type(value: Any) -> str:
    """The JSON Schema type name of a parsed JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
