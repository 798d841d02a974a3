"""The stream.* checks on hand-built streams: one passing and one failing case each."""

from __future__ import annotations

import pytest

from chatconform.checks import STREAM_CHECKS, registry
from chatconform.profile import load_profile
from chatconform.sse import Event, parse
from tests.checks.handmade import USAGE, chunk, request, run, stream, text_stream, titles

PROFILE = load_profile()
TEXT = "one two three"


def test_a_correct_stream_passes_every_stream_check() -> None:
    ex = text_stream(TEXT, usage=USAGE, req=request(stream=True, stream_options={"include_usage": True}))
    assert registry.run(ex, STREAM_CHECKS, text=TEXT, finish_reason="stop", profile=PROFILE) == []


def test_content_type_reports_json_instead_of_a_stream() -> None:
    ex = text_stream(TEXT)
    ex.headers["content-type"] = "application/json"
    [finding] = run(ex, "stream.content_type")
    assert (finding.expected, finding.observed) == ("text/event-stream", "application/json")
    # The other checks stand behind it as their gate: one cause, one finding, whichever is named.
    assert all(run(ex, name) == [finding] for name in STREAM_CHECKS if name != "error.not_in_200")
    assert registry.run(ex, STREAM_CHECKS) == [finding]


def test_framing_reports_sse_problems_named_events_and_non_json() -> None:
    ex = text_stream(TEXT)
    ex.sse_problems = ["stream ended inside an event (no blank line after the last data line)"]
    ex.events.insert(1, Event("{}", event="content_block_delta"))
    ex.events.insert(2, Event("not json"))
    assert titles(run(ex, "stream.framing")) == [
        "SSE: stream ended inside an event (no blank line after the last data line)",
        "a named SSE event 'content_block_delta' (OpenAI streams send data: lines only)",
        "chunk 1 is not a JSON object",
    ]


def test_benign_sse_variations_pass_framing() -> None:
    raw = b": keep-alive\r\ndata:" + b'{"a": 1}' + b"\r\n\r\ndata: [DONE]\r\n\r\n"
    reader = parse(raw)
    ex = stream([])
    ex.events, ex.sse_problems = reader.events, reader.problems
    assert run(ex, "stream.framing") == []


@pytest.mark.parametrize(
    ("mutate", "title"),
    [
        (lambda ex: ex.events.pop(), "the stream ended without data: [DONE] (truncated, or passed off as complete)"),
        (lambda ex: ex.events.append(Event("[DONE]")), "data: [DONE] was sent 2 times"),
        (lambda ex: ex.events.append(Event('{"late": true}')), "1 event(s) after data: [DONE]"),
        (
            lambda ex: setattr(ex, "error", "disconnect: RemoteProtocolError"),
            "the stream broke off (disconnect: RemoteProtocolError): a truncated answer",
        ),
    ],
    ids=["no-done", "done-twice", "after-done", "transport-error"],
)
def test_done_reports_truncation_and_repeats(mutate: object, title: str) -> None:
    ex = text_stream(TEXT)
    mutate(ex)  # type: ignore[operator]
    assert title in titles(run(ex, "stream.done"))


def test_chunk_schema_reports_the_chunk_and_field() -> None:
    ex = text_stream(TEXT)
    bad = chunk({"content": 5})
    ex.events.insert(2, Event(__import__("json").dumps(bad)))
    [finding] = run(ex, "stream.chunk_schema")
    assert finding.path == "$.chunks[2].choices[0].delta.content"


def test_constant_fields_reports_a_changing_id() -> None:
    chunks = [chunk({"role": "assistant", "content": ""}), chunk({"content": "a"}), chunk({}, "stop")]
    chunks[1]["id"] = "chatcmpl-2"
    [finding] = run(stream(chunks), "stream.constant_fields", profile=PROFILE)
    assert (finding.title, finding.path) == ("id changes between chunks", "$.chunks[1].id")


def test_role_must_come_once_and_first() -> None:
    late = stream([chunk({"content": "a"}), chunk({"role": "assistant", "content": "b"}), chunk({}, "stop")])
    assert titles(run(late, "stream.role")) == ["the role is not in the first delta"]
    twice = stream([chunk({"role": "assistant"}), chunk({"role": "assistant", "content": "b"}), chunk({}, "stop")])
    assert titles(run(twice, "stream.role")) == ["the role is sent 2 times"]


def test_finish_reason_once_on_the_last_choice_chunk_without_leaks() -> None:
    early = stream([chunk({"role": "assistant"}, "stop"), chunk({"content": "a"}, "stop")])
    assert titles(run(early, "stream.finish_reason")) == ["2 chunks carry a finish_reason"]
    leak = text_stream(TEXT, finish_reason="end_turn")
    assert titles(run(leak, "stream.finish_reason")) == [
        "Anthropic stop_reason 'end_turn' leaked into finish_reason (OpenAI says 'stop')"
    ]
    never = text_stream(TEXT, finish_reason=None)
    assert titles(run(never, "stream.finish_reason")) == ["no chunk carries a finish_reason"]


def test_usage_chunk_when_asked_and_not_when_not() -> None:
    asked = request(stream=True, stream_options={"include_usage": True})
    missing = text_stream(TEXT, req=asked)
    assert titles(run(missing, "stream.usage_chunk")) == ["include_usage was asked but no chunk carries usage"]
    unasked = text_stream(TEXT, usage=USAGE)
    assert titles(run(unasked, "stream.usage_chunk")) == ["a usage chunk although include_usage was not asked"]
    in_finish = stream([chunk({"role": "assistant", "content": "a"}), chunk({}, "stop", usage=USAGE)], req=asked)
    assert titles(run(in_finish, "stream.usage_chunk")) == ["the usage chunk has choices"]


def test_text_compares_the_reassembled_deltas() -> None:
    assert run(text_stream(TEXT), "stream.text", text=TEXT) == []
    [finding] = run(text_stream("one two"), "stream.text", text=TEXT)
    assert finding.observed == '"one two"'


def test_a_truncated_stream_is_reported_once_by_done() -> None:
    asked = request(stream=True, stream_options={"include_usage": True})
    ex = text_stream(TEXT, finish_reason=None, req=asked)
    ex.events.pop()  # no [DONE], no finish_reason, no usage: one cause
    assert titles(run(ex, "stream.done")) == [
        "the stream ended without data: [DONE] (truncated, or passed off as complete)"
    ]
    assert run(ex, "stream.finish_reason") == [] and run(ex, "stream.usage_chunk") == []
    ex.error = "disconnect: ReadError"
    assert titles(run(ex, "stream.done")) == ["the stream broke off (disconnect: ReadError): a truncated answer"]


def test_a_stream_cut_after_a_stop_finish_is_still_truncated() -> None:
    ex = text_stream(TEXT)
    ex.events.pop()  # the finish chunk came, [DONE] did not: passed off as complete
    assert run(ex, "stream.finish_reason") == []
    assert len(run(ex, "stream.done")) == 1
