"""JSON mode: `response_format` json_object gives a parsable object; json_schema (when the profile claims it)
gives an instance of the schema; streamed and not."""

from __future__ import annotations

import pytest

from chatconform.checks import RESPONSE_CHECKS, STREAM_CHECKS
from chatconform.prompts import chat, user

pytestmark = pytest.mark.json_mode

MODES = ["nonstream", "stream"]
JSON_MAX_TOKENS = 300
# `role` is required and the prompt does not name it: only a model that saw the schema includes it, so a
# gateway that downgrades json_schema to json_object (the model then writes just the data the prompt gives,
# `name` and `age`) fails the schema even when the model answers well.
PERSON = {
    "type": "object",
    "required": ["name", "age", "role"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "role": {"type": "string", "enum": ["mathematician", "engineer", "other"]},
    },
}


def json_body(model, prompt, response_format, stream):
    return chat(model, user(prompt), response_format=response_format, max_tokens=JSON_MAX_TOKENS, stream=stream or None)


@pytest.mark.parametrize("mode", MODES)
def test_json_object(raw, conform, model, mode):
    conform.requires("json_object")
    stream = mode == "stream"
    prompt = 'Answer in JSON: what is the capital of France? Use the key "answer".'
    ex = raw.chat(json_body(model, prompt, {"type": "json_object"}, stream))
    conform.check(ex, *(STREAM_CHECKS if stream else RESPONSE_CHECKS), "json.object", finish_reason="stop")


@pytest.mark.parametrize("mode", MODES)
def test_json_schema(raw, conform, model, mode):
    conform.requires("json_schema")
    stream = mode == "stream"
    response_format = {"type": "json_schema", "json_schema": {"name": "person", "strict": True, "schema": PERSON}}
    prompt = "Extract the person described here as JSON: name: 'Ada', age=36."
    ex = raw.chat(json_body(model, prompt, response_format, stream))
    conform.check(ex, *(STREAM_CHECKS if stream else RESPONSE_CHECKS), "json.schema_valid", finish_reason="stop")
