"""json.object and json.schema_valid on hand-built answers."""

from __future__ import annotations

from typing import Any

from tests.checks.handmade import request, run, text_answer, text_stream, titles

PERSON: dict[str, Any] = {
    "type": "object",
    "required": ["name", "age"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
}
SCHEMA_REQ = request(response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON}})


def test_json_object_passes_an_object_streamed_or_not() -> None:
    assert run(text_answer('{"answer": "yes"}'), "json.object") == []
    assert run(text_stream('{"answer": "yes", "n": 1}'), "json.object") == []


def test_json_object_fails_on_fenced_json_and_on_an_array() -> None:
    assert titles(run(text_answer('```json\n{"a": 1}\n```'), "json.object")) == ["content is not a JSON object"]
    assert "JSON list, not an object" in run(text_answer("[1, 2]"), "json.object")[0].observed


def test_schema_valid_reads_the_schema_from_the_request() -> None:
    assert run(text_answer('{"name": "Ada", "age": 36}', req=SCHEMA_REQ), "json.schema_valid") == []
    found = run(text_answer('{"name": "Ada", "age": "36"}', req=SCHEMA_REQ), "json.schema_valid")
    assert titles(found) == ["content does not match the requested schema"]
    assert found[0].observed.startswith(".age: '36' is not of type 'integer'")


def test_schema_valid_fails_on_text_and_takes_an_expected_schema() -> None:
    assert titles(run(text_answer("Ada is 36."), "json.schema_valid", schema=PERSON)) == ["content is not JSON"]
    assert run(text_answer('{"name": "Ada", "age": 1}'), "json.schema_valid", schema=PERSON) == []
