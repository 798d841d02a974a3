"""answers: the form a prompt asks for (bullets, numbered lists, sentences, one word, a language, JSON keys) and
tool arguments taken from the prompt (issue 12.1), in the exact voice."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator

from chatconform.mock.answers import answer
from chatconform.mock.forms import json_keys, read_form
from tests.unit.test_answers import TOOLS, WEATHER, fn, req, text_of, user

TRIP = fn(
    "book_flight",
    {
        "type": "object",
        "required": ["origin", "destination", "passengers"],
        "properties": {
            "origin": {"type": "string"},
            "destination": {"type": "string"},
            "passengers": {"type": "integer", "minimum": 1, "maximum": 9},
            "cabin": {"type": "string", "enum": ["economy", "business"]},
        },
    },
)


def lines(text: str, mark: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(mark, line)]


@pytest.mark.parametrize(
    ("prompt", "n"),
    [("Explain CAP theorem in 3 bullets", 3), ("Give five bullet points on tea.", 5), ("A bulleted list of 2", 2)],
)
def test_n_bullets(prompt: str, n: int) -> None:
    text = text_of(user(prompt))
    assert len(lines(text, r"- \S")) == n == len(text.splitlines())


@pytest.mark.parametrize(
    ("prompt", "n"), [("Give a numbered list of 4 tips for sleep", 4), ("List 3 items to pack for a hike", 3)]
)
def test_numbered_items(prompt: str, n: int) -> None:
    text = text_of(user(prompt))
    assert [line.split(".")[0] for line in text.splitlines()] == [str(i) for i in range(1, n + 1)]


def test_the_topic_stays_in_a_list() -> None:
    assert "CAP theorem" in text_of(user("Explain CAP theorem in 3 bullets"))


def test_n_sentences() -> None:
    text = text_of(user("Tell me about lighthouses in 2 sentences."))
    assert len(re.findall(r"[.!?](?:\s|$)", text)) == 2 and "lighthouses" in text


def test_one_word() -> None:
    text = text_of(user("Answer in one word: which planet is the largest, Jupiter?"))
    assert re.fullmatch(r"[A-Za-z]+", text), text


def test_in_french() -> None:
    text = text_of(user("Tell me about the sea, in French."))
    assert text.startswith("Voici") and "your" not in text


def test_json_object_has_the_keys_the_prompt_names() -> None:
    prompt = "Return a JSON object with the keys city and country for the capital of France."
    value = json.loads(text_of(user(prompt), response_format={"type": "json_object"}))
    assert list(value) == ["city", "country"] and all(isinstance(v, str) and v for v in value.values())


def test_json_object_values_the_prompt_gives() -> None:
    prompt = "Give JSON with the fields name and age for: name: 'Ada', age=36."
    value = json.loads(text_of(user(prompt), response_format={"type": "json_object"}))
    assert value == {"name": "Ada", "age": 36}


def test_json_object_without_keys_keeps_the_answer_key() -> None:
    value = json.loads(text_of(user("Tell me about tea."), response_format={"type": "json_object"}))
    assert list(value) == ["answer"] and "tea" in value["answer"]


def test_json_in_the_prompt_only_is_a_fenced_block() -> None:
    text = text_of(user("Describe Paris in JSON with the keys name and country."))
    assert text.startswith("```json\n") and text.endswith("\n```")
    assert list(json.loads(text[len("```json\n") : -len("\n```")])) == ["name", "country"]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("with the keys city and country", ("city", "country")),
        ('Use the key "answer" only', ("answer",)),
        ("fields: name, age, email", ("name", "age", "email")),
        ("the keys a_b or `c d` for the list", ("a_b", "c d")),
    ],
)
def test_json_keys(text: str, keys: tuple[str, ...]) -> None:
    assert json_keys(text) == keys


def test_forms_not_read_into_plain_prompts() -> None:
    assert read_form("What is the key point about tides?").kind == ""
    assert read_form("What is the key point about tides?").keys == ("point",)  # read, but used only for JSON
    assert text_of(user("What is the key point about tides?")).count("\n") == 0


def call_args(prompt: str, tools: list[dict[str, object]], **options: object) -> list[dict[str, object]]:
    result = answer(req(user(prompt), tools=tools, **options))
    return [json.loads(c.arguments) for c in result.tool_calls]


def test_a_city_named_after_for() -> None:
    assert call_args("What is the weather for Paris? Use get_weather.", TOOLS) == [{"city": "Paris"}]


def test_places_fan_out_without_quotes() -> None:
    assert call_args("Use get_weather for Paris and Tokyo.", TOOLS) == [{"city": "Paris"}, {"city": "Tokyo"}]


def test_enum_member_named_in_passing() -> None:
    assert call_args("get_weather for Oslo in fahrenheit", [WEATHER]) == [{"city": "Oslo", "unit": "fahrenheit"}]


def test_counted_noun_fills_its_property() -> None:
    args = call_args("Use book_flight from LHR to JFK for 2 passengers in business.", [TRIP])
    assert args == [{"origin": "LHR", "destination": "JFK", "passengers": 2, "cabin": "business"}]
    Draft202012Validator(TRIP["function"]["parameters"]).validate(args[0])  # type: ignore[index]


def test_a_count_out_of_range_falls_back_to_a_valid_value() -> None:
    (args,) = call_args("Use book_flight from LHR to JFK for 20 passengers.", [TRIP])
    assert 1 <= args["passengers"] <= 9  # type: ignore[operator]


def test_forms_are_deterministic() -> None:
    prompt = "Explain CAP theorem in 3 bullets"
    assert len({text_of(user(prompt)) for _ in range(3)}) == 1
