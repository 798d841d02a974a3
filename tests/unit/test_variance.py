"""variance: the varied voice words answers otherwise per seed, and every answer stays valid for its request."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from chatconform.mock import tokens
from chatconform.mock.cli import add_arguments, build_config
from chatconform.mock.config import MockConfig
from chatconform.mock.generation import Wording, complete
from chatconform.mock.request import ChatRequest
from tests.unit.test_answers import TIME, WEATHER, images_of, png_part, req, user

SEEDS = range(20)


def done(request: ChatRequest, seed: int) -> Any:
    return complete(request, wording=Wording("varied", seed))


def texts(request: ChatRequest) -> list[str]:
    return [done(request, seed).text for seed in SEEDS]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_same_seed_same_answer_and_seeds_differ() -> None:
    request = req(user("Tell me about lighthouses."))
    assert done(request, 3) == done(req(user("Tell me about lighthouses.")), 3)
    assert len(set(texts(request))) >= 5


def test_exact_mode_is_the_default_and_unchanged() -> None:
    request = req(user("Reply with exactly: pong"))
    assert complete(request).text == "pong" == complete(request, wording=Wording()).text


def test_an_exact_reply_keeps_its_words() -> None:
    found = texts(req(user("Reply with exactly: Hello there, friend")))
    assert all(words(t) == ["hello", "there", "friend"] for t in found)
    assert len(set(found)) > 1


def test_a_list_keeps_its_count() -> None:
    for text in texts(req(user("Explain CAP theorem in 3 bullets"))):
        assert len([line for line in text.splitlines() if re.match(r"[-*\u2022] \S", line)]) == 3, text
    for text in texts(req(user("Give a numbered list of 4 tips for sleep"))):
        assert len([line for line in text.splitlines() if re.match(r"\d+[.)] \S", line)]) == 4, text


def test_a_count_with_commas_keeps_them() -> None:
    for text in texts(req(user("Count from 1 to 12, separated by commas."))):
        assert text == ", ".join(str(n) for n in range(1, 13))


def test_json_object_keeps_the_named_keys() -> None:
    request = req(user("Return a JSON object with the keys city and country."), response_format={"type": "json_object"})
    shapes = set()
    for text in texts(request):
        value = json.loads(text)
        assert isinstance(value, dict) and {"city", "country"} <= set(value)
        shapes.add(text)
    assert len(shapes) > 3


def test_json_schema_answers_stay_valid() -> None:
    schema = {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}, "tags": {"type": "array"}},
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "p", "schema": schema}}
    found = texts(req(user("Extract: name: 'Ada'"), response_format=fmt))
    for text in found:
        value = json.loads(text)
        Draft202012Validator(schema).validate(value)
        assert value["name"] == "Ada"
    assert any("age" in json.loads(t) for t in found)  # optional properties of the model's own


def test_tool_arguments_stay_valid_and_keep_the_prompt_values() -> None:
    schema = WEATHER["function"]["parameters"]
    request = req(user("Use get_weather for 'Paris'."), tools=[WEATHER, TIME])
    for seed in SEEDS:
        (call,) = done(request, seed).tool_calls
        value = json.loads(call.arguments)
        Draft202012Validator(schema).validate(value)
        assert value["city"] == "Paris"


def test_auto_may_drop_or_reorder_parallel_calls_but_required_keeps_them() -> None:
    prompt = "First get_time, then get_weather for 'Paris'."
    auto = [tuple(c.name for c in done(req(user(prompt), tools=[WEATHER, TIME]), s).tool_calls) for s in SEEDS]
    assert set(auto) > {("get_time", "get_weather")}  # another order or one call, for some seed
    forced = req(user(prompt), tools=[WEATHER, TIME], tool_choice="required")
    for seed in SEEDS:
        answer = done(forced, seed)
        assert [c.name for c in answer.tool_calls] == ["get_time", "get_weather"] and answer.text == ""


def test_text_before_a_tool_call_under_auto() -> None:
    request = req(user("Use get_weather for 'Paris'."), tools=[WEATHER])
    assert any(done(request, seed).text for seed in SEEDS)


def test_colour_named_within_its_family() -> None:
    message = user([{"type": "text", "text": "Describe it."}, png_part((255, 0, 0))])
    found = texts(req(message, images=images_of(message)))
    assert len(set(found)) > 2
    shades = {"red", "crimson", "scarlet", "cherry"}
    assert all(shades & set(words(t)) for t in found), found


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_stop_and_max_tokens_still_exact(seed: int) -> None:
    prompt = "Count from 1 to 30, separated by commas."
    full = done(req(user(prompt)), seed)
    stopped = done(req(user(prompt), stop=[", 5"]), seed)
    assert full.text.startswith(stopped.text) and ", 5" not in stopped.text
    assert stopped.finish_reason == "stop" and stopped.stop_sequence == ", 5"
    bounded = done(_bounded(7), seed)
    assert bounded.finish_reason == "length" and bounded.completion_tokens == 7 == len(bounded.pieces)
    assert tokens.count(bounded.text) <= 7


def _bounded(max_tokens: int) -> ChatRequest:
    request = req(user("Write 300 words about rivers."))
    request.max_tokens = max_tokens
    return request


def test_config_and_cli_take_the_mode() -> None:
    assert MockConfig().wording == Wording("exact", 0)
    assert MockConfig(answers="varied", seed=4).wording == Wording("varied", 4)
    with pytest.raises(ValueError, match="answers must be one of exact, varied"):
        MockConfig(answers="creative")
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert build_config(parser.parse_args(["--answers", "varied", "--seed", "9"])).wording == Wording("varied", 9)
