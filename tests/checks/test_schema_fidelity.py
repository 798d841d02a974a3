"""Schema fidelity: schemas compared for meaning; no-op rewrites pass, every lost constraint is named with its path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chatconform.checks.schema_fidelity import differences, findings

RICH: dict[str, Any] = {
    "type": "object",
    "description": "A trip.",
    "required": ["route", "travellers"],
    "additionalProperties": False,
    "$defs": {"airport": {"type": "string", "pattern": "^[A-Z]{3}$"}},
    "properties": {
        "route": {
            "type": "object",
            "required": ["from", "to"],
            "properties": {"from": {"$ref": "#/$defs/airport"}, "to": {"$ref": "#/$defs/airport"}},
        },
        "date": {"type": "string", "format": "date"},
        "cabin": {"enum": ["economy", "business"]},
        "travellers": {
            "type": "array",
            "items": {"type": "object", "properties": {"age": {"type": "integer", "minimum": 0}}},
        },
        "currency": {"const": "EUR"},
    },
}


def _edited(edit: Any) -> dict[str, Any]:
    schema = copy.deepcopy(RICH)
    edit(schema)
    return schema


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.update({"$defs": {**s["$defs"]}}),
        lambda s: s["properties"]["date"].update({"$comment": "x"}),
        lambda s: s["properties"]["route"].update({"$defs": {}, "patternProperties": {}}),
        lambda s: s["properties"]["travellers"]["items"].update({"required": []}),
        lambda s: s["properties"]["date"].update({"type": ["string"]}),
        lambda s: s.update({"required": ["travellers", "route"]}),
        lambda s: s["properties"]["cabin"].update({"enum": ["business", "economy"]}),
        lambda s: s.update({"$schema": "https://json-schema.org/draft/2020-12/schema"}),
    ],
    ids=["same", "comment", "empty-defs", "empty-required", "type-list", "required-order", "enum-order", "dialect"],
)
def test_a_rewrite_that_keeps_the_meaning_passes(edit: Any) -> None:
    assert list(differences(RICH, _edited(edit))) == []


def test_key_order_does_not_matter() -> None:
    reordered = dict(reversed(list(copy.deepcopy(RICH).items())))
    assert list(differences(RICH, reordered)) == []


@pytest.mark.parametrize(
    ("edit", "keyword", "path"),
    [
        (lambda s: s.pop("additionalProperties"), "additionalProperties", "$"),
        (lambda s: s.pop("description"), "description", "$"),
        (lambda s: s.pop("$defs"), "$defs", "$"),
        (lambda s: s["$defs"]["airport"].pop("pattern"), "pattern", "$.$defs.airport"),
        (lambda s: s["properties"]["date"].pop("format"), "format", "$.properties.date"),
        (lambda s: s["properties"]["cabin"].pop("enum"), "enum", "$.properties.cabin"),
        (lambda s: s["properties"]["currency"].pop("const"), "const", "$.properties.currency"),
        (
            lambda s: s["properties"]["route"]["properties"]["to"].pop("$ref"),
            "$ref",
            "$.properties.route.properties.to",
        ),
        (
            lambda s: s["properties"]["travellers"]["items"]["properties"]["age"].pop("minimum"),
            "minimum",
            "$.properties.travellers.items.properties.age",
        ),
        (lambda s: s["properties"].pop("currency"), "currency", "$.properties"),
        (lambda s: s["properties"]["travellers"].pop("items"), "items", "$.properties.travellers"),
    ],
    ids=[
        "additionalProperties",
        "description",
        "defs",
        "pattern",
        "format",
        "enum",
        "const",
        "ref",
        "nested-minimum",
        "property",
        "items",
    ],
)
def test_a_lost_keyword_is_named_with_its_path(edit: Any, keyword: str, path: str) -> None:
    found = list(differences(RICH, _edited(edit)))
    assert [(d.keyword, d.kind, d.path) for d in found] == [(keyword, "lost", path)]


def test_a_changed_and_a_gained_keyword_are_findings() -> None:
    changed = _edited(lambda s: s["properties"]["date"].update({"format": "date-time"}))
    gained = _edited(lambda s: s["properties"]["route"].update({"additionalProperties": False}))
    assert [(d.keyword, d.kind) for d in differences(RICH, changed)] == [("format", "changed")]
    assert [(d.keyword, d.kind) for d in differences(RICH, gained)] == [("additionalProperties", "gained")]


def test_findings_name_the_keyword_and_point_into_the_upstream_body() -> None:
    stripped = {k: v for k, v in RICH.items() if k != "additionalProperties"}
    [finding] = findings(RICH, {**stripped, "$defs": RICH["$defs"]}, "tool book input_schema", "upstream: $.tools[0]")
    assert "additionalProperties lost" in finding.title
    assert finding.path == "upstream: $.tools[0]"
    assert finding.observed == "(absent)" and finding.expected == "false"
    [nested] = findings(RICH, _edited(lambda s: s["properties"]["date"].pop("format")), "t", "upstream: $.s")
    assert nested.path == "upstream: $.s.properties.date"
