"""toolargs: every generated value validates, and prompt hints are used only where they are valid."""

from __future__ import annotations

from random import Random
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from chatconform.mock.toolargs import Hints, format_checker, hints_from_text, instance

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 14},
    },
    "required": ["city"],
}

SCHEMAS: list[tuple[str, dict[str, Any]]] = [
    ("empty", {}),
    ("weather", WEATHER),
    ("nullable-string", {"type": ["string", "null"]}),
    ("null-only", {"type": "null"}),
    ("integer-exclusive-multiple", {"type": "integer", "exclusiveMinimum": 10, "maximum": 50, "multipleOf": 10}),
    ("integer-only-upper", {"type": "integer", "exclusiveMaximum": -5}),
    ("number-tight-exclusive", {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.01}),
    (
        "formats",
        {
            "type": "object",
            "properties": {f: {"type": "string", "format": f} for f in ("date", "date-time", "email", "uri")},
            "required": ["date", "date-time", "email", "uri"],
        },
    ),
    (
        "string-lengths",
        {
            "type": "object",
            "required": ["long", "short"],
            "properties": {"long": {"type": "string", "minLength": 40}, "short": {"type": "string", "maxLength": 2}},
        },
    ),
    ("array-bounds", {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 4, "maxItems": 6}),
    (
        "nested-closed-object",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["user"],
            "properties": {
                "user": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "tags"],
                    "properties": {
                        "id": {"type": "integer"},
                        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
                    },
                }
            },
        },
    ),
    ("anyOf-first-impossible", {"anyOf": [{"type": "integer", "minimum": 5, "maximum": 1}, {"type": "string"}]}),
    (
        "oneOf-integer-also-number",
        {
            "oneOf": [
                {"type": "integer"},
                {"type": "number", "multipleOf": 1},
                {"type": "number", "minimum": 0.5, "maximum": 0.9},
            ]
        },
    ),
    (
        "allOf-merge",
        {
            "allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"type": "object", "properties": {"b": {"type": "boolean"}}, "required": ["b"]},
            ]
        },
    ),
    (
        "ref-defs",
        {
            "type": "object",
            "required": ["home"],
            "properties": {"home": {"$ref": "#/$defs/address"}},
            "$defs": {
                "address": {
                    "type": "object",
                    "required": ["zip"],
                    "properties": {"zip": {"type": "string", "minLength": 5, "maxLength": 5}},
                }
            },
        },
    ),
    (
        "ref-definitions",
        {
            "$ref": "#/definitions/point",
            "definitions": {
                "point": {
                    "type": "object",
                    "required": ["x", "y"],
                    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                }
            },
        },
    ),
    (
        "recursive-tree",
        {
            "$ref": "#/$defs/node",
            "$defs": {
                "node": {
                    "type": "object",
                    "required": ["name", "kids"],
                    "properties": {
                        "name": {"type": "string"},
                        "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2},
                    },
                }
            },
        },
    ),
    (
        "const-and-enum",
        {"type": "object", "required": ["v", "k"], "properties": {"v": {"const": 2}, "k": {"enum": [1, "two", None]}}},
    ),
    ("properties-without-type", {"properties": {"q": {"type": "string"}}, "required": ["q"]}),
    ("required-undeclared", {"type": "object", "required": ["extra"], "additionalProperties": {"type": "integer"}}),
    ("type-list", {"type": ["integer", "string"], "minimum": 3, "maximum": 3}),
]


def _valid(schema: dict[str, Any], value: Any) -> bool:
    return bool(Draft202012Validator(schema, format_checker=format_checker()).is_valid(value))


@pytest.mark.parametrize("schema", [s for _, s in SCHEMAS], ids=[name for name, _ in SCHEMAS])
def test_every_generated_value_validates(schema: dict[str, Any]) -> None:
    hints = hints_from_text("")
    for seed in range(20):
        value = instance(schema, hints, Random(seed))
        assert _valid(schema, value), f"seed {seed}: {value!r}"


def test_empty_schema_gives_empty_object() -> None:
    assert instance({}, Hints(), Random(0)) == {}


def test_same_rng_seed_same_value_and_seeds_vary_it() -> None:
    values = [instance(WEATHER, Hints(), Random(seed)) for seed in range(10)]
    assert values == [instance(WEATHER, Hints(), Random(seed)) for seed in range(10)]
    assert len({v["city"] for v in values}) > 1


def test_optional_properties_only_when_named() -> None:
    assert set(instance(WEATHER, hints_from_text("weather please"), Random(1))) == {"city"}
    assert set(instance(WEATHER, hints_from_text("days=3"), Random(1))) == {"city", "days"}


def test_named_hints_are_used_when_valid() -> None:
    hints = hints_from_text('Forecast: city="New York", unit: Celsius, days=3.')
    assert instance(WEATHER, hints, Random(0)) == {"city": "New York", "unit": "celsius", "days": 3}


@pytest.mark.parametrize(
    ("prompt", "field"),
    [("days=30", "days"), ("days=soon", "days"), ("unit=kelvin", "unit")],
    ids=["integer-out-of-range", "integer-not-a-number", "enum-non-member"],
)
def test_invalid_hints_are_replaced_by_valid_values(prompt: str, field: str) -> None:
    value = instance(WEATHER, hints_from_text(prompt), Random(0))
    assert field in value
    assert str(value[field]) != prompt.split("=")[1]
    assert _valid(WEATHER, value)


def test_quoted_strings_fill_string_properties_in_order() -> None:
    schema = {
        "type": "object",
        "required": ["origin", "count", "destination"],
        "properties": {"origin": {"type": "string"}, "count": {"type": "integer"}, "destination": {"type": "string"}},
    }
    value = instance(schema, hints_from_text("Fly from 'Paris' to \"Tokyo\"."), Random(0))
    assert value["origin"] == "Paris"
    assert value["destination"] == "Tokyo"


def test_quoted_string_skipped_where_invalid() -> None:
    schema = {
        "type": "object",
        "required": ["code", "name"],
        "properties": {"code": {"type": "string", "maxLength": 3}, "name": {"type": "string"}},
    }
    value = instance(schema, hints_from_text("Look up 'Amsterdam'."), Random(0))
    assert value["code"] != "Amsterdam"
    assert value["name"] == "Amsterdam"


def test_hints_from_text_parses_pairs_and_quotes() -> None:
    hints = hints_from_text("It's Bob's turn: city='Rome', unit=celsius. Then 'Oslo' and \"Lima\".")
    assert hints.named["city"] == "Rome"
    assert hints.named["unit"] == "celsius"
    assert hints.quoted == ("Rome", "Oslo", "Lima")  # apostrophes in "It's Bob's" are not quotes


def test_quoted_value_bound_by_name_is_not_reused() -> None:
    schema = {
        "type": "object",
        "required": ["country", "city"],
        "properties": {"country": {"type": "string"}, "city": {"type": "string"}},
    }
    value = instance(schema, hints_from_text("Find city='Rome' in 'Italy'."), Random(0))
    assert value == {"country": "Italy", "city": "Rome"}


@pytest.mark.parametrize(
    ("raw", "schema", "expected"),
    [
        ("yes", {"type": "boolean"}, True),
        ("2.5", {"type": "number"}, 2.5),
        ("null", {"type": ["integer", "null"]}, None),
        ("7", {"type": "string"}, "7"),
    ],
    ids=["boolean-yes", "number", "null", "digits-as-string"],
)
def test_named_hint_read_as_the_property_type(raw: str, schema: dict[str, Any], expected: Any) -> None:
    wrapper = {"type": "object", "required": ["x"], "properties": {"x": schema}}
    assert instance(wrapper, Hints({"x": raw}), Random(0)) == {"x": expected}


def test_infinite_number_hint_is_rejected() -> None:
    wrapper = {"type": "object", "required": ["x"], "properties": {"x": {"type": "number"}}}
    value = instance(wrapper, Hints({"x": "1e999"}), Random(0))
    assert value["x"] != float("inf")


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [("date-time", "2025-03-01T10:00:00Z", "2025-03-01 10:00"), ("uri", "https://a.example/x", "not a uri")],
    ids=["date-time", "uri"],
)
def test_format_checker_checks_formats_jsonschema_skips(fmt: str, good: str, bad: str) -> None:
    schema = {"type": "string", "format": fmt}
    assert _valid(schema, good)
    assert not _valid(schema, bad)


def test_format_hint_must_match_format() -> None:
    schema = {"type": "object", "required": ["when"], "properties": {"when": {"type": "string", "format": "date"}}}
    assert instance(schema, Hints({"when": "2025-12-24"}), Random(0)) == {"when": "2025-12-24"}
    assert instance(schema, Hints({"when": "tomorrow"}), Random(0))["when"] != "tomorrow"


def test_remote_ref_is_refused() -> None:
    with pytest.raises(ValueError, match="only local"):
        instance({"$ref": "https://example.com/schema.json"}, Hints(), Random(0))
