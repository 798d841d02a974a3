"""The JSON Schemas in `chatconform/schemas/`, loaded once and cross-referenced.

Every schema carries an `$id`; `referencing` resolves the relative `$ref`s
between them, so `chat.completion.json` can point at `usage.json`.
A failed validation reads as one sentence, chosen by `best_match`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "https://chatconform.dev/schemas/"

@cache
def _registry() -> Registry:
    folder = resources.files("chatconform.schemas")
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


def schema(name: str) -> dict[str, Any]:
    """The raw schema document, by short name."""
    contents: dict[str, Any] = _registry().contents(BASE + name + ".json")
    return contents


def first_error(name: str, instance: Any) -> ValidationError | None:
    """The most relevant validation error, or None when the instance is valid."""
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
