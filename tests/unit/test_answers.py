"""answers: the mock's rules, in the order docs/mock-answers.md gives them."""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from chatconform.mock import tokens
from chatconform.mock.answers import Answer, answer, request_seed
from chatconform.mock.request import ChatRequest
from chatconform.mock.vision import decode_image_url
from chatconform.profile import load_profile

PROFILE = load_profile()
MODEL = PROFILE.default_model


def fn(name: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "description": f"The {name} tool."}
    if parameters is not None:
        spec["parameters"] = parameters
    return {"type": "function", "function": spec}


WEATHER = fn(
    "get_weather",
    {
        "type": "object",
        "required": ["city"],
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 14},
        },
    },
)
TIME = fn("get_time", {"type": "object", "required": ["timezone"], "properties": {"timezone": {"type": "string"}}})
PING = fn("ping")
TOOLS = [WEATHER, TIME, PING]


def user(content: str | list[dict[str, Any]]) -> dict[str, Any]:
    return {"role": "user", "content": content}


def req(*messages: dict[str, Any], **options: Any) -> ChatRequest:
    return ChatRequest(model=MODEL, model_name=MODEL.id, messages=list(messages), max_tokens=1024, **options)


def text_of(*messages: dict[str, Any], **options: Any) -> str:
    result = answer(req(*messages, **options))
    assert result.tool_calls == ()
    return result.text


def called(result: Answer) -> list[tuple[str, dict[str, Any]]]:
    return [(call.name, json.loads(call.arguments)) for call in result.tool_calls]


# determinism


def test_same_request_same_answer() -> None:
    messages = [user("Tell me about lighthouses.")]
    assert answer(req(*messages)) == answer(req(*[dict(m) for m in messages]))


@pytest.mark.parametrize(
    "change",
    [
        {"stream": True, "include_usage": True},
        {"max_tokens": 5},
        {"stop": ["\n", "."]},
        {"temperature": 0.2},
        {"top_p": 0.5},
        {"user": "someone"},
        {"model_name": PROFILE.alias_prefix + MODEL.id},
    ],
    ids=["stream", "max_tokens", "stop", "temperature", "top_p", "user", "alias-model-name"],
)
def test_framing_and_truncation_do_not_change_the_answer(change: dict[str, Any]) -> None:
    base = req(user("Tell me about lighthouses."), tools=TOOLS)
    changed = replace(base, **change)
    assert request_seed(changed) == request_seed(base)
    assert answer(changed) == answer(base)


@pytest.mark.parametrize(
    "change",
    [
        {"messages": [user("Tell me about harbours.")]},
        {"seed": 7},
        {"tools": [PING]},
        {"tool_choice": "none"},
        {"parallel_tool_calls": False},
        {"response_format": {"type": "json_object"}},
        {"model": PROFILE.models[-1] if PROFILE.models[-1] != MODEL else PROFILE.models[0]},
    ],
    ids=["messages", "seed", "tools", "tool_choice", "parallel_tool_calls", "response_format", "model"],
)
def test_what_decides_the_answer_changes_the_seed(change: dict[str, Any]) -> None:
    base = req(user("Tell me about lighthouses."))
    assert request_seed(replace(base, **change)) != request_seed(base)


def test_seed_is_64_bit() -> None:
    assert 0 <= request_seed(req(user("hi"))) < 2**64


# directives


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Reply with exactly: pong", "pong"),
        ("respond WITH exactly:   Hello, world!  ", "Hello, world!"),
        ('Please say exactly: "quoted words"\nand nothing else', "quoted words"),
        ("Always reply with exactly: 'OK'", "OK"),
        ("Count from 1 to 5.", "1, 2, 3, 4, 5"),
        ("count from -2 to 2", "-2, -1, 0, 1, 2"),
        ("Count from 3 to 1", "3, 2, 1"),
        ("First: count from 1 to 3. Then reply with exactly: no", "1, 2, 3"),
    ],
    ids=[
        "reply",
        "respond-case-spaces",
        "say-double-quotes-rest-of-line",
        "always-single-quotes",
        "count",
        "count-negative",
        "count-down",
        "earliest-directive-wins",
    ],
)
def test_directive(prompt: str, expected: str) -> None:
    assert text_of(user(prompt)) == expected


@pytest.mark.parametrize("n", [1, 7, 250, 20000])
@pytest.mark.parametrize("phrase", ["Write {n} words about the sea.", "Tell a story in about {n} words."])
def test_write_n_words_gives_exactly_n_words(phrase: str, n: int) -> None:
    text = text_of(user(phrase.format(n=n)))
    assert len(text.split()) == n
    assert re.fullmatch(r"[A-Z][a-z]*( [a-z]+)*\.", text)
    assert tokens.count(text) == n + 1  # the load tests rely on this to size output


def test_write_n_words_varies_with_the_request() -> None:
    assert text_of(user("Write 30 words.")) != text_of(user("Write 30 words, please."))


@pytest.mark.parametrize(
    "prompt",
    ["Count from 1 to 1002.", "Write 20001 words.", "Write 0 words.", "Reply with exactly:   "],
    ids=["count-too-long", "too-many-words", "zero-words", "empty-exact"],
)
def test_out_of_range_directive_falls_back_to_default(prompt: str) -> None:
    text = text_of(user(prompt))
    assert 20 <= len(text.split()) <= 40


def test_system_directive_wins_over_user() -> None:
    system = {"role": "system", "content": "You are terse. Always reply with exactly: SYS"}
    assert text_of(system, user("Reply with exactly: USER")) == "SYS"


def test_later_system_directive_wins() -> None:
    first = {"role": "system", "content": "Reply with exactly: one"}
    second = {"role": "developer", "content": "Reply with exactly: two"}
    assert text_of(first, user("hi"), second, user("Count from 1 to 2")) == "two"


def test_system_without_directive_leaves_user_directive() -> None:
    first = {"role": "system", "content": "Reply with exactly: one"}
    plain = {"role": "system", "content": "You are a helpful assistant."}
    assert text_of(first, plain, user("hi")) == "one"
    assert text_of(plain, user("Count from 1 to 3")) == "1, 2, 3"


def test_only_the_last_user_message_counts() -> None:
    history = [user("Reply with exactly: old"), {"role": "assistant", "content": "old"}]
    assert "old" not in text_of(*history, user("Tell me about rivers."))


# tool results


def tool_turn(*results: tuple[str, str, Any]) -> list[dict[str, Any]]:
    """A user question, the assistant's calls (id, name) and the results, in OpenAI form."""
    calls = [{"id": i, "type": "function", "function": {"name": n, "arguments": "{}"}} for i, n, _ in results]
    return [
        user("What is the weather in 'Paris'? Use get_weather."),
        {"role": "assistant", "content": None, "tool_calls": calls},
        *({"role": "tool", "tool_call_id": i, "content": c} for i, _, c in results),
    ]


def test_tool_result_is_reported_verbatim_with_the_tool_name() -> None:
    text = text_of(*tool_turn(("call_a", "get_weather", '{"temp": 22}')), tools=TOOLS)
    assert text == 'The get_weather tool returned: {"temp": 22}.'


def test_several_tool_results_and_array_content() -> None:
    parts = [{"type": "text", "text": "12:00"}, {"type": "text", "text": "CET"}]
    text = text_of(*tool_turn(("a", "get_weather", "sunny"), ("b", "get_time", parts)), tools=TOOLS)
    assert text == "The get_weather tool returned: sunny. The get_time tool returned: 12:00\nCET."


def test_system_directive_wins_over_tool_result() -> None:
    system = {"role": "system", "content": "Reply with exactly: done"}
    assert text_of(system, *tool_turn(("a", "get_weather", "sunny")), tools=TOOLS) == "done"


def test_tool_result_turn_with_json_object() -> None:
    text = text_of(*tool_turn(("a", "get_weather", "sunny")), tools=TOOLS, response_format={"type": "json_object"})
    assert json.loads(text) == {"answer": "The get_weather tool returned: sunny."}


# tool calls


def test_auto_without_mention_answers_in_text() -> None:
    assert answer(req(user("Tell me a joke."), tools=TOOLS)).tool_calls == ()


@pytest.mark.parametrize(
    "prompt",
    ["Use get_weather for Rome.", "What does GET WEATHER say?", "call get-weather"],
    ids=["exact-name", "spaced-any-case", "hyphenated"],
)
def test_auto_calls_a_mentioned_tool(prompt: str) -> None:
    result = answer(req(user(prompt), tools=TOOLS))
    assert result.text == ""
    assert [name for name, _ in called(result)] == ["get_weather"]


def test_part_of_a_longer_name_is_not_a_mention() -> None:
    assert answer(req(user("Use get_weather_forecast."), tools=TOOLS)).tool_calls == ()


def test_none_never_calls() -> None:
    assert answer(req(user("Use get_weather."), tools=TOOLS, tool_choice="none")).tool_calls == ()


def test_required_without_mention_calls_the_first_tool() -> None:
    assert [n for n, _ in called(answer(req(user("Hello."), tools=TOOLS, tool_choice="required")))] == ["get_weather"]


def test_required_with_mention_calls_the_mentioned_tool() -> None:
    result = answer(req(user("What time is it? Use get_time."), tools=TOOLS, tool_choice="required"))
    assert [n for n, _ in called(result)] == ["get_time"]


def test_named_choice_calls_exactly_that_tool() -> None:
    choice = {"type": "function", "function": {"name": "get_time"}}
    result = answer(req(user("Use get_weather for 'Paris' and 'Rome'."), tools=TOOLS, tool_choice=choice))
    assert [n for n, _ in called(result)] == ["get_time"]


def test_parallel_calls_every_mentioned_tool_in_order_of_mention() -> None:
    prompt = "First get_time for 'Europe/Paris', then get_weather for 'Paris', then ping."
    assert called(answer(req(user(prompt), tools=TOOLS))) == [
        ("get_time", {"timezone": "Europe/Paris"}),
        ("get_weather", {"city": "Paris"}),
        ("ping", {}),
    ]


def test_parallel_fans_out_over_quoted_values() -> None:
    result = answer(req(user("Use get_weather for 'Paris' and 'Tokyo'."), tools=TOOLS))
    assert called(result) == [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Tokyo"})]


@pytest.mark.parametrize(
    ("prompt", "cities"),
    [
        ("Use get_weather for city='Paris' and 'Tokyo'.", ["Paris", "Tokyo"]),
        ("Use get_weather for 'Paris' with unit='fahrenheit'.", ["Paris"]),
    ],
    ids=["named-value-joins", "other-property-value-stays-out"],
)
def test_fan_out_counts_only_values_for_the_free_argument(prompt: str, cities: list[str]) -> None:
    result = called(answer(req(user(prompt), tools=TOOLS)))
    assert [args["city"] for _, args in result] == cities
    assert all(args.get("unit", "fahrenheit") == "fahrenheit" for _, args in result)


def test_not_parallel_gives_at_most_one_call() -> None:
    for prompt in ("Use get_weather for 'Paris' and 'Tokyo'.", "Use get_time and get_weather."):
        result = answer(req(user(prompt), tools=TOOLS, parallel_tool_calls=False))
        assert len(result.tool_calls) == 1


def test_call_keys_are_24_hex_unique_and_stable() -> None:
    request = req(user("Use get_weather for 'Paris', 'Tokyo' and 'Lima'."), tools=TOOLS)
    keys = [call.key for call in answer(request).tool_calls]
    assert all(re.fullmatch(r"[0-9a-f]{24}", k) for k in keys)
    assert len(set(keys)) == 3
    assert keys == [call.key for call in answer(request).tool_calls]


def test_arguments_validate_and_use_only_valid_hints() -> None:
    prompt = "Use get_weather: city='Oslo', unit=Kelvin, days=30."
    result = answer(req(user(prompt), tools=TOOLS))
    ((_, arguments),) = called(result)
    Draft202012Validator(WEATHER["function"]["parameters"]).validate(arguments)
    assert arguments["city"] == "Oslo"
    assert arguments["unit"] in ("celsius", "fahrenheit")  # Kelvin is not a member
    assert 1 <= arguments["days"] <= 14  # 30 is out of range


def test_arguments_use_natural_json_spacing() -> None:
    result = answer(req(user("Use get_weather: city=Oslo, days=2."), tools=TOOLS))
    assert result.tool_calls[0].arguments == '{"city": "Oslo", "days": 2}'


@pytest.mark.parametrize("parameters", [None, {"type": "object", "properties": {}}], ids=["absent", "empty"])
def test_tool_without_parameters_gets_empty_object(parameters: dict[str, Any] | None) -> None:
    result = answer(req(user("Run ping now."), tools=[fn("ping", parameters)]))
    assert result.tool_calls[0].arguments == "{}"


def test_tool_calls_win_over_json_mode_and_directives() -> None:
    options = {"tools": TOOLS, "response_format": {"type": "json_object"}}
    result = answer(req(user("Reply with exactly: no. Use get_time for 'UTC'."), **options))
    assert called(result) == [("get_time", {"timezone": "UTC"})]


def test_no_new_call_after_a_tool_result() -> None:
    result = answer(req(*tool_turn(("a", "get_weather", "sunny")), tools=TOOLS, tool_choice="required"))
    assert result.tool_calls == ()


# vision


def png_part(rgb: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> dict[str, Any]:
    buffer = io.BytesIO()
    Image.new("RGB", size, rgb).save(buffer, "PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return {"type": "image_url", "image_url": {"url": url}}


def images_of(*messages: dict[str, Any]) -> list[Any]:
    parts = [p for m in messages if isinstance(m["content"], list) for p in m["content"] if p["type"] == "image_url"]
    return [decode_image_url(p["image_url"]["url"]) for p in parts]


def test_one_image_is_described() -> None:
    message = user([{"type": "text", "text": "What is in this image?"}, png_part((255, 0, 0))])
    assert text_of(message, images=images_of(message)) == "The image is a 64x48 image, mostly red."


def test_several_images_are_numbered_and_only_the_last_message_counts() -> None:
    earlier = user([png_part((0, 0, 0))])
    last = user([{"type": "text", "text": "Compare these."}, png_part((255, 0, 0)), png_part((0, 0, 255), (10, 20))])
    text = text_of(earlier, {"role": "assistant", "content": "Black."}, last, images=images_of(earlier, last))
    assert text == "Image 1 is a 64x48 image, mostly red. Image 2 is a 10x20 image, mostly blue."


def test_images_are_decoded_when_the_caller_did_not() -> None:
    https = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    text = text_of(user([png_part((0, 128, 0)), https]))
    assert text == "Image 1 is a 64x48 image, mostly green. Image 2 is an image at https://example.com/cat.png."


def test_directive_wins_over_vision() -> None:
    message = user([{"type": "text", "text": "Reply with exactly: seen"}, png_part((255, 0, 0))])
    assert text_of(message, images=images_of(message)) == "seen"


# default and JSON modes


@pytest.mark.parametrize(
    "prompt",
    ["What is the capital of France?", "", "Explain photosynthesis briefly, with an example.", "?!"],
    ids=["question", "empty", "long", "punctuation"],
)
def test_default_answer_is_20_to_40_plain_words(prompt: str) -> None:
    text = text_of(user(prompt))
    assert 20 <= len(text.split()) <= 40
    assert re.fullmatch(r"[A-Za-z ,.]+", text)


def test_default_answer_mentions_the_topic_and_varies() -> None:
    answers = {text_of(user(f"Tell me about {topic}.")) for topic in ("volcanoes", "glaciers", "deserts")}
    assert len(answers) == 3
    assert "volcanoes" in text_of(user("Tell me about volcanoes."))


def test_json_object_wraps_the_text() -> None:
    text = text_of(user("Reply with exactly: hi"), response_format={"type": "json_object"})
    assert json.loads(text) == {"answer": "hi"}


def test_json_schema_answer_validates_and_uses_hints() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "age", "tags"],
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer", "minimum": 0},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema, "strict": True}}
    value = json.loads(text_of(user("Extract: name: 'Ada', age=36."), response_format=response_format))
    Draft202012Validator(schema).validate(value)
    assert (value["name"], value["age"]) == ("Ada", 36)
