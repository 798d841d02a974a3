"""JSON mode: `response_format` json_object gives an object; json_schema gives an instance of the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from chatconform.answer import parse_object, text, text_path
from chatconform.checks.common import schema_problem
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import check
from chatconform.checks.response import delivered
from chatconform.exchange import Exchange


@check(
    "json.object",
    feature="json_mode",
    summary="with json_object the content is a JSON object",
    gate=delivered,
    tolerates="whitespace, key order and keys of the model's own choosing",
)
def json_object(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    content = text(ex)
    _, why = parse_object(content)
    if why:
        yield Finding("content is not a JSON object", text_path(ex), "a JSON object", f"{why}: {content!r}")


def requested_schema(ex: Exchange, expect: Expect) -> Any:
    """`expect.schema`, else the schema the request sent in response_format."""
    if expect.schema is not None:
        return expect.schema
    body = ex.request_body if isinstance(ex.request_body, dict) else {}
    fmt = body.get("response_format") or {}
    return ((fmt.get("json_schema") if isinstance(fmt, dict) else None) or {}).get("schema")


@check(
    "json.schema_valid",
    feature="json_mode",
    summary="with json_schema the content is JSON valid against the schema",
    reads=("schema",),
    gate=delivered,
    tolerates="whitespace, key order, and any instance the schema accepts",
)
def schema_valid(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    schema, content = requested_schema(ex, expect), text(ex)
    try:
        instance = json.loads(content)
    except json.JSONDecodeError as exc:
        yield Finding("content is not JSON", text_path(ex), "JSON valid against the schema", f"{exc.msg}: {content!r}")
        return
    except RecursionError:
        yield Finding(
            "content is JSON nested too deeply to read", text_path(ex), "JSON valid against the schema", content[:80]
        )
        return
    if not isinstance(schema, dict):
        yield Finding(
            "no schema to validate against",
            "$.response_format.json_schema.schema",
            "a JSON Schema object",
            show(schema),
        )
        return
    if problem := schema_problem(schema, instance):
        yield Finding("content does not match the requested schema", text_path(ex), "valid against the schema", problem)
