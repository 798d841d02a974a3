"""The schemas accept what the official SDK builds and reject mutated objects."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openai.types import CompletionUsage, Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from chatconform import schemas

USAGE = CompletionUsage(prompt_tokens=9, completion_tokens=3, total_tokens=12)
COMPLETION = ChatCompletion.model_validate(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "claude-haiku-4-5",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "logprobs": None,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                },
            }
        ],
        "usage": USAGE.model_dump(),
    }
)
CHUNK = ChatCompletionChunk.model_validate(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": None,
                "delta": {
                    "role": "assistant",
                    "content": "hi",
                    "tool_calls": [
                        {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": ""}}
                    ],
                },
            }
        ],
    }
)
USAGE_CHUNK = ChatCompletionChunk.model_validate(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [],
        "usage": USAGE.model_dump(),
    }
)
ERROR = {"error": {"message": "bad", "type": "invalid_request_error", "param": None, "code": None}}
MODELS = {"object": "list", "data": [Model(id="m", object="model", created=1, owned_by="anthropic").model_dump()]}
REQUEST = {
    "model": "m",
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "hi"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}},
            ],
        }
    ],
}

VALID: list[tuple[str, str, Any]] = [
    ("chat.completion", "completion", COMPLETION.model_dump(mode="json")),
    ("chat.completion.chunk", "chunk", CHUNK.model_dump(mode="json", exclude_unset=True)),
    ("chat.completion.chunk", "usage-chunk", USAGE_CHUNK.model_dump(mode="json")),
    ("usage", "usage", USAGE.model_dump(mode="json")),
    ("error", "error", ERROR),
    ("models.list", "models", MODELS),
    ("chat.request", "request", REQUEST),
]


@pytest.mark.parametrize(("name", "instance"), [(v[0], v[2]) for v in VALID], ids=[v[1] for v in VALID])
def test_sdk_objects_validate(name: str, instance: Any) -> None:
    assert schemas.explain(name, instance) is None


def _set(path: str, value: Any) -> Callable[[Any], None]:
    def apply(obj: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parents:
            obj = obj[part]
        obj[last] = value

    return apply


def _drop(path: str) -> Callable[[Any], None]:
    def apply(obj: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parents:
            obj = obj[part]
        del obj[last]

    return apply


MUTANTS: list[tuple[str, str, Any, Callable[[Any], None], str]] = [
    ("finish-end-turn", "chat.completion", COMPLETION, _set("choices.0.finish_reason", "end_turn"), "finish_reason"),
    ("finish-empty", "chat.completion", COMPLETION, _set("choices.0.finish_reason", ""), "finish_reason"),
    ("object-wrong", "chat.completion", COMPLETION, _set("object", "chat.completion.chunk"), "object"),
    ("created-string", "chat.completion", COMPLETION, _set("created", "1700000000"), "created"),
    ("created-float", "chat.completion", COMPLETION, _set("created", 1.5), "created"),
    (
        "arguments-object",
        "chat.completion",
        COMPLETION,
        _set("choices.0.message.tool_calls.0.function.arguments", {}),
        "arguments",
    ),
    ("logprobs-missing", "chat.completion", COMPLETION, _drop("choices.0.logprobs"), "logprobs"),
    ("role-user", "chat.completion", COMPLETION, _set("choices.0.message.role", "user"), "role"),
    ("usage-string", "chat.completion", COMPLETION, _set("usage.total_tokens", "12"), "total_tokens"),
    ("chunk-no-index", "chat.completion.chunk", CHUNK, _drop("choices.0.delta.tool_calls.0.index"), "index"),
    (
        "chunk-finish-tool-use",
        "chat.completion.chunk",
        CHUNK,
        _set("choices.0.finish_reason", "tool_use"),
        "finish_reason",
    ),
    ("chunk-object", "chat.completion.chunk", CHUNK, _set("object", "chat.completion"), "object"),
    ("error-missing-code", "error", ERROR, _drop("error.code"), "code"),
    ("error-detail-style", "error", ERROR, _drop("error"), "error"),
    ("models-object", "models.list", MODELS, _set("object", "models"), "object"),
]


@pytest.mark.parametrize(("name", "base", "mutate", "field"), [m[1:] for m in MUTANTS], ids=[m[0] for m in MUTANTS])
def test_mutated_objects_fail_with_one_clear_sentence(
    name: str, base: Any, mutate: Callable[[Any], None], field: str
) -> None:
    instance = copy.deepcopy(base.model_dump(mode="json") if hasattr(base, "model_dump") else base)
    mutate(instance)
    message = schemas.explain(name, instance)
    assert message is not None and field in message
    assert "\n" not in message


def test_every_schema_file_is_draft_2020_12_with_an_id() -> None:
    files = [f for f in resources.files("chatconform.schema_files").iterdir() if f.name.endswith(".json")]
    assert len(files) >= 7
    for entry in files:
        document = json.loads(entry.read_text())
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert document["$id"] == schemas.BASE + entry.name
        Draft202012Validator.check_schema(document)
