"""tools.* and the streamed tool-call checks, on hand-built exchanges."""

from __future__ import annotations

import json

from chatconform.exchange import Exchange
from tests.checks.handmade import (
    CLOCK,
    WEATHER,
    call,
    calls_answer,
    calls_stream,
    request,
    run,
    text_answer,
    titles,
    tool_delta,
)

REQ = request(tools=[WEATHER, CLOCK])


def test_call_shape_passes_a_well_formed_call() -> None:
    assert run(calls_answer(call("get_weather", '{"city": "Paris"}'), req=REQ), "tools.call_shape") == []


def test_call_shape_rejects_arguments_as_an_object() -> None:
    found = run(calls_answer(call("get_weather", {"city": "Paris"}), req=REQ), "tools.call_shape")
    assert titles(found) == ["arguments are not a JSON string holding an object"]
    assert "dict, not a JSON string" in found[0].observed
    assert found[0].path == "$.choices[0].message.tool_calls[0].function.arguments"


def test_call_shape_names_missing_id_and_wrong_type() -> None:
    bad = {"type": "tool_use", "function": {"name": "get_time", "arguments": "{}"}}
    assert titles(run(calls_answer(bad, req=REQ), "tools.call_shape")) == [
        "tool call has no id",
        'tool call type is not "function"',
    ]


def test_arguments_schema_passes_valid_arguments_and_a_no_argument_tool() -> None:
    ex = calls_answer(call("get_weather", '{"city": "Paris", "days": 3}'), call("get_time", "{}", "call_2"), req=REQ)
    assert run(ex, "tools.arguments_schema") == []


def test_arguments_schema_reports_a_schema_violation() -> None:
    found = run(calls_answer(call("get_weather", '{"city": "Paris", "days": 30}'), req=REQ), "tools.arguments_schema")
    assert titles(found) == ["arguments do not match the get_weather schema"]
    assert found[0].observed.startswith(".days: 30 is greater than the maximum of 14")


def test_arguments_schema_reports_an_unoffered_tool() -> None:
    found = run(calls_answer(call("get_stock", "{}"), req=REQ), "tools.arguments_schema")
    assert titles(found) == ["call to a tool that was not offered"]


def test_arguments_schema_takes_tools_from_expect() -> None:
    ex = calls_answer(call("get_weather", '{"city": 7}'), req=request())
    assert titles(run(ex, "tools.arguments_schema", tools=[WEATHER])) == [
        "arguments do not match the get_weather schema"
    ]


def test_finish_reason_default_and_configured() -> None:
    ex = calls_answer(call("get_time", "{}"), req=REQ, finish_reason="stop")
    assert titles(run(ex, "tools.finish_reason")) == ["wrong finish_reason after tool calls"]
    assert run(ex, "tools.finish_reason", finish_reason="stop") == []


def test_finish_reason_of_a_stream_is_the_final_one() -> None:
    ex = calls_stream(tool_delta(0, "call_1", "get_time", "{}"), finish_reason="tool_use")
    assert run(ex, "tools.finish_reason")[0].observed == '"tool_use"'
    assert run(calls_stream(tool_delta(0, "call_1", "get_time", "{}")), "tools.finish_reason") == []


def test_expected_calls_names_count_and_arguments() -> None:
    ex = calls_answer(call("get_weather", '{"city": "Tokyo"}', "a"), call("get_weather", '{"city": "Paris"}', "b"))
    paris_tokyo = [{"city": "Paris"}, {"city": "Tokyo"}]
    assert run(ex, "tools.expected_calls", call_count=2, tool_names=["get_weather"] * 2, arguments=paris_tokyo) == []
    found = run(
        ex,
        "tools.expected_calls",
        call_count=1,
        tool_names=["get_time"],
        arguments=[{"city": "Rome"}],
        argument_values=[{"city": "Rome"}],
    )
    assert titles(found) == [
        "wrong number of tool calls",
        "the tools called are not the ones asked for",
        "argument objects differ from the ones asked for",
        "the argument values asked for are not in the calls",
    ]


def test_expected_argument_values_allow_extra_optional_arguments() -> None:
    ex = calls_answer(call("get_weather", '{"city": "Paris", "unit": "celsius"}'))
    assert run(ex, "tools.expected_calls", argument_values=[{"city": "Paris"}]) == []
    assert titles(run(ex, "tools.expected_calls", argument_values=[{"city": "Paris"}, {"city": "Paris"}])) == [
        "the argument values asked for are not in the calls"
    ]
    assert titles(run(ex, "tools.expected_calls", arguments=[{"city": "Paris"}])) == [
        "argument objects differ from the ones asked for"
    ]


def test_result_used_needs_the_mentioned_values() -> None:
    assert run(text_answer("It is 21 °C and sunny in Paris."), "tools.result_used", mentions=["21"]) == []
    found = run(text_answer("I will check the weather."), "tools.result_used", mentions=["21"])
    assert titles(found) == ["the answer does not use the tool result"]
    assert titles(run(text_answer(""), "tools.result_used", mentions=["21"])) == [
        "the answer does not use the tool result"
    ]


def test_stream_index_passes_openai_framing() -> None:
    ex = calls_stream(
        tool_delta(0, "call_a", "get_weather", ""),
        tool_delta(0, arguments='{"city": "Paris"}'),
        tool_delta(1, "call_b", "get_weather", '{"ci'),
        tool_delta(1, arguments='ty": "Tokyo"}'),
    )
    assert run(ex, "tools.stream_index") == []
    assert run(ex, "tools.stream_once") == []
    assert run(ex, "tools.stream_arguments") == []
    assert run(ex, "tools.expected_calls", arguments=[{"city": "Paris"}, {"city": "Tokyo"}]) == []


def test_stream_index_reports_all_calls_at_index_0() -> None:
    ex = calls_stream(
        tool_delta(0, "call_a", "get_weather", '{"city": "Paris"}'),
        tool_delta(0, "call_b", "get_weather", '{"city": "Tokyo"}'),
    )
    assert titles(run(ex, "tools.stream_index")) == ["2 calls share one index"]


def test_stream_index_reports_a_missing_index_and_a_1_based_start() -> None:
    assert titles(run(calls_stream(tool_delta(None, "call_a", "get_time", "{}")), "tools.stream_index")) == [
        "tool-call delta without a valid index"
    ]
    found = run(calls_stream(tool_delta(1, "call_a", "get_time", "{}")), "tools.stream_index")
    assert titles(found) == ["tool-call indices are not 0, 1, 2, ... in order"]


def test_stream_once_reports_missing_first_fields_and_repeats() -> None:
    ex = calls_stream(tool_delta(0, arguments='{"ci'), tool_delta(0, "call_a", "get_weather", 'ty": "P"}'))
    assert titles(run(ex, "tools.stream_once")) == [
        "first delta of a call has no id",
        'first delta of a call has no type "function"',
        "first delta of a call has no function name",
        "id sent again in a later delta of the same call",
        "type sent again in a later delta of the same call",
        "function.name sent again in a later delta of the same call",
    ]


def test_stream_arguments_reports_broken_json() -> None:
    broken = calls_stream(tool_delta(0, "call_a", "get_weather", '{"city": '))
    assert titles(run(broken, "tools.stream_arguments")) == ["argument fragments do not join into a JSON object"]


def test_expected_calls_tolerates_a_real_models_choices_and_keeps_the_contract() -> None:
    def calls(*cities: str, choice: object = "auto") -> Exchange:
        deltas = [tool_delta(i, f"call_{i}", "get_weather", json.dumps({"city": c})) for i, c in enumerate(cities)]
        ex = calls_stream(*deltas)
        ex.request_body = {**(ex.request_body or {}), "tool_choice": choice}
        return ex

    both = {
        "call_count": 2,
        "tool_names": ["get_weather"] * 2,
        "argument_values": [{"city": "Paris"}, {"city": "Tokyo"}],
    }
    assert run(calls("Tokyo", "Paris, France"), "tools.expected_calls", **both) == []  # another order, more words
    [one] = run(calls("Paris"), "tools.expected_calls", **both)  # one call where two could run in parallel
    assert one.inconclusive
    [none] = run(calls(choice="auto"), "tools.expected_calls", call_count=1)  # auto let the model answer instead
    assert none.inconclusive
    for strict in ("required", {"type": "function", "function": {"name": "get_weather"}}):
        [lost] = run(calls(choice=strict), "tools.expected_calls", call_count=1)  # a lost call: the gateway's
        assert not lost.inconclusive and lost.title == "wrong number of tool calls"
    [rome] = run(calls("Rome"), "tools.expected_calls", call_count=1, argument_values=[{"city": "Paris"}])
    assert not rome.inconclusive


def test_whole_answer_checks_read_a_reassembled_stream() -> None:
    ex = calls_stream(tool_delta(0, "call_a", "get_weather", '{"city": 1}'))
    assert titles(run(ex, "tools.arguments_schema", tools=[WEATHER])) == [
        "arguments do not match the get_weather schema"
    ]
    assert run(ex, "tools.call_shape") == []
