"""JSON mode: `response_format` json_object gives an object; json_schema gives an instance of the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from chatconform.checks.reading import parse_object, schema_problem, show, text_path
from chatconform.checks.registry import Expect, Finding, check
from chatconform.exchange import Exchange


@check("json.object", feature="json_mode", summary="with json_object the content is a JSON object")
def json_object(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    text = ex.text()
    _, why = parse_object(text)
    if why:
        yield Finding("json.object", "content is not a JSON object", text_path(ex), "a JSON object", f"{why}: {text!r}")


def requested_schema(ex: Exchange, expect: Expect) -> Any:
    """`expect["schema"]`, else the schema the request sent in response_format."""
    if "schema" in expect:
        return expect["schema"]
    body = ex.request_body if isinstance(ex.request_body, dict) else {}
    fmt = body.get("response_format") or {}
    return ((fmt.get("json_schema") if isinstance(fmt, dict) else None) or {}).get("schema")


@check(
    "json.schema_valid", feature="json_mode", summary="with json_schema the content is JSON valid against the schema"
)
def schema_valid(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    schema, text = requested_schema(ex, expect), ex.text()
    try:
        instance = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Finding(
            "json.schema_valid",
            "content is not JSON",
            text_path(ex),
            "JSON valid against the schema",
            f"{exc.msg}: {text!r}",
        )
        return
    except RecursionError:
        yield Finding(
            "json.schema_valid",
            "content is JSON nested too deeply to read",
            text_path(ex),
            "JSON valid against the schema",
            text[:80],
        )
        return
    if not isinstance(schema, dict):
        yield Finding(
            "json.schema_valid",
            "no schema to validate against",
            "$.response_format.json_schema.schema",
            "a JSON Schema object",
            show(schema),
        )
        return
    problem = schema_problem(schema, instance)
    if problem:
        yield Finding(
            "json.schema_valid",
            "content does not match the requested schema",
            text_path(ex),
            "valid against the schema",
            problem,
        )
