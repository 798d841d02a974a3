"""The JSON Schemas of the top-level `schemas/` folder, loaded once and cross-referenced.

The folder ships in the wheel as the data package `chatconform.schema_files`
(see pyproject.toml); in a checkout the editable install maps that name to
`schemas/` itself, so both read the same files.

Every schema carries an `$id`; `referencing` resolves the relative `$ref`s
between them, so `chat.completion.json` can point at `usage.json`.
A failed validation reads as one sentence, chosen by `best_match`.

`is_valid` is the hot-path gate (the mock validates every request): it uses
`fastjsonschema`, which compiles a schema to Python and is about ten times
faster than `jsonschema` on a valid request. It knows drafts up to 7, which
covers every keyword used here, so the schema is bundled (cross-file `$ref`s
become local `$defs`) and handed over as draft 7. Explanations of a failure
always come from `jsonschema`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "https://chatconform.dev/schemas/"


@cache
def _registry() -> Registry:
    folder = resources.files("chatconform.schema_files")
    resources_ = []
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            contents = json.loads(entry.read_text(encoding="utf-8"))
            resources_.append((contents["$id"], Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources_)


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator for one schema, by short name (e.g. "chat.completion")."""
    uri = BASE + name + ".json"
    schema = _registry().contents(uri)
    return Draft202012Validator(schema, registry=_registry())


@cache
def _fast(name: str) -> Callable[[Any], Any]:
    bundled = json.loads(json.dumps(schema(name)))
    definitions = bundled.setdefault("$defs", {})
    _inline_refs(bundled, definitions)
    bundled["$schema"] = "http://json-schema.org/draft-07/schema#"
    bundled.pop("$id", None)
    validate: Callable[[Any], Any] = fastjsonschema.compile(bundled)
    return validate


def _inline_refs(node: Any, definitions: dict[str, Any]) -> None:
    """Point every `"$ref": "<file>.json"` at a local copy under `$defs`."""
    if isinstance(node, list):
        for item in node:
            _inline_refs(item, definitions)
    elif isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.endswith(".json"):
            local = ref[: -len(".json")]
            if local not in definitions:
                # A deep copy: the registry's own documents must stay untouched.
                other = {k: v for k, v in json.loads(json.dumps(schema(local))).items() if k not in ("$id", "$schema")}
                definitions[local] = other
                _inline_refs(other, definitions)
            node["$ref"] = f"#/$defs/{local}"
        for key, value in list(node.items()):
            if key != "$ref":
                _inline_refs(value, definitions)


def is_valid(name: str, instance: Any) -> bool:
    """Fast yes/no; use `first_error` or `explain` to learn why not."""
    try:
        _fast(name)(instance)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema(name: str) -> dict[str, Any]:
    """The raw schema document, by short name."""
    contents: dict[str, Any] = _registry().contents(BASE + name + ".json")
    return contents


def first_error(name: str, instance: Any) -> ValidationError | None:
    """The most relevant validation error, or None when the instance is valid."""
    if is_valid(name, instance):
        return None
    error: ValidationError | None = best_match(validator(name).iter_errors(instance))
    return error


def json_path(error: ValidationError) -> str:
    """`$.choices[0].finish_reason` style path of an error."""
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def explain(name: str, instance: Any) -> str | None:
    """One sentence naming the failing field, or None when valid."""
    error = first_error(name, instance)
    if error is None:
        return None
    return f"{json_path(error)}: {_short(error.message)}"


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."
