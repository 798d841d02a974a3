"""The mock's generators are linear in what they emit and bounded, and large answers are not memoised."""

from __future__ import annotations

import contextlib
import json
import time
from random import Random
from typing import Any

import pytest

from chatconform.mock.app import create_app
from chatconform.mock.chat import OPENAI
from chatconform.mock.config import MockConfig
from chatconform.mock.generation import MEMO_MAX_PIECES, complete, memoisable
from chatconform.mock.pipeline import _prepare
from chatconform.mock.request import READ_WINDOW
from chatconform.mock.schema_keywords import MAX_ITEMS, MAX_VALUE_CHARS, SchemaError
from chatconform.mock.toolargs import Hints, hints_from_text, instance
from chatconform.mock.validate import parse_chat_request
from chatconform.profile import load_profile

PROFILE = load_profile()


def test_a_long_string_is_built_in_one_pass() -> None:
    """minLength at the cap: the old `+=` builder took minutes at a million characters; this is one join."""
    began = time.perf_counter()
    value = instance({"type": "string", "minLength": MAX_VALUE_CHARS - 100}, Hints(), Random(0))
    assert len(value) >= MAX_VALUE_CHARS - 100
    assert time.perf_counter() - began < 5  # a wide bound: linear work of a quarter of a megabyte


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        ({"type": "string", "minLength": 10_000_000}, ("minLength",)),
        ({"type": "array", "minItems": MAX_ITEMS + 1}, ("minItems",)),
        ({"type": "integer", "maximum": 1e300}, ("maximum",)),
        ({"type": "integer", "multipleOf": 2**60}, ("multipleOf",)),
        (
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "array", "minItems": 9000}}},
            ("properties", "a", "items"),
        ),
    ],
    ids=["minLength", "minItems", "maximum", "multipleOf", "budget"],
)
def test_beyond_the_caps_is_refused_naming_the_keyword(schema: dict[str, Any], where: tuple[str, ...]) -> None:
    if where == ("properties", "a", "items"):
        schema["properties"]["a"]["items"] = {"type": "string", "minLength": 100}
    with pytest.raises(SchemaError) as refused:
        instance(schema, Hints(), Random(0))
    assert refused.value.path == where


def test_branches_that_fail_cannot_multiply_the_work() -> None:
    """anyOf nested 20 deep, each first branch impossible: 2**20 candidates unbounded; the budget stops it."""
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(20):
        schema = {"anyOf": [{"type": "integer", "minimum": 5, "maximum": 1}, {"type": "array", "items": schema}]}
    began = time.perf_counter()
    with contextlib.suppress(SchemaError):  # refused, or produced: either way, quickly
        instance(schema, Hints(), Random(0))
    assert time.perf_counter() - began < 10


def test_a_catastrophic_pattern_is_not_run() -> None:
    schema = {"type": "object", "required": ["q"], "properties": {"q": {"type": "string", "pattern": "^(a+)+$"}}}
    hints = hints_from_text("q=" + "a" * 40 + "!")
    began = time.perf_counter()
    value = instance(schema, hints, Random(0))
    assert isinstance(value["q"], str) and time.perf_counter() - began < 5


def test_the_answer_rules_read_a_bounded_window() -> None:
    long_line = "x" * (4 * READ_WINDOW)
    body = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": f"Reply with exactly: {long_line}"}]}
    done = complete(parse_chat_request(body, PROFILE))
    assert len(done.text) <= 2 * READ_WINDOW + 1
    assert done.prompt_tokens >= 1  # the whole prompt is still counted


def test_long_answers_are_not_memoised() -> None:
    body = {
        "model": "claude-haiku-4-5",
        "messages": [{"role": "user", "content": "Write 20000 words"}],
        "max_tokens": 30000,
    }
    done = complete(parse_chat_request(body, PROFILE))
    assert len(done.pieces) > MEMO_MAX_PIECES and not memoisable(done)
    app = create_app(MockConfig())
    raw = json.dumps(body).encode()
    _prepare(OPENAI, app.state.mock, ("openai", "", raw), body, None, "")
    assert app.state.mock.requests.get(("openai", "", raw)) is None
