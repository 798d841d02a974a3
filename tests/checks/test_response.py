"""The response.* checks on hand-built non-stream exchanges: one passing and one failing case each."""

from __future__ import annotations

import pytest

from chatconform.checks import RESPONSE_CHECKS, registry
from chatconform.exchange import Exchange
from chatconform.profile import load_profile
from tests.checks.handmade import request, run, text_answer, titles, whole

PROFILE = load_profile()


def good(text: str = "BASIC-OK", **kw: object) -> Exchange:
    """A complete, correct answer (the handmade one lacks `logprobs`, which the schema requires)."""
    ex = text_answer(text, **kw)  # type: ignore[arg-type]
    ex.body["choices"][0]["logprobs"] = None
    return ex


def test_a_correct_answer_passes_every_response_check() -> None:
    ex = good()
    assert registry.run(ex, RESPONSE_CHECKS, text="BASIC-OK", finish_reason="stop", profile=PROFILE) == []


def test_ok_reports_a_failed_status_and_a_transport_error() -> None:
    failed = text_answer("x", status=503)
    assert titles(run(failed, "response.ok")) == ["the request failed with status 503"]
    broken = text_answer("x")
    broken.error = "timeout"
    assert titles(run(broken, "response.ok")) == ["the request did not complete: timeout"]


def test_ok_reports_a_body_not_declared_as_json() -> None:
    ex = text_answer("x")
    ex.headers["content-type"] = "text/plain"
    [finding] = run(ex, "response.ok")
    assert (finding.expected, finding.observed) == ("application/json", "text/plain")


def test_schema_names_the_field_and_the_request() -> None:
    ex = good()
    ex.body["created"] = "yesterday"
    ex.headers["x-request-id"] = "req_123"
    [finding] = run(ex, "response.schema")
    assert finding.path == "$.created"
    assert finding.observed == '"yesterday"'
    assert finding.request_id == "req_123"
    assert "request: req_123" in finding.render()


def test_schema_reports_a_missing_required_field() -> None:
    ex = good()
    del ex.body["choices"][0]["finish_reason"]
    [finding] = run(ex, "response.schema")
    assert finding.title == "chat.completion: required field 'finish_reason' is missing"
    assert finding.path == "$.choices[0]"


def test_envelope_reports_object_id_created_in_ms_and_another_model() -> None:
    ex = text_answer("x")
    ex.body.update(object="chat.completion.chunk", id="", created=1_700_000_000_000, model="gpt-4o")
    assert titles(run(ex, "response.envelope", profile=PROFILE)) == [
        "object is not 'chat.completion'",
        "id is missing or empty",
        "created is in milliseconds, not seconds",
        "the answer names another model than the one requested: gpt-4o",
    ]


@pytest.mark.parametrize("answered", ["claude-haiku-4-5", "anthropic/claude-haiku-4-5", "claude-haiku-4-5-20251001"])
def test_envelope_accepts_either_form_and_a_dated_version_of_the_requested_model(answered: str) -> None:
    ex = text_answer("x", req=request(model="anthropic/claude-haiku-4-5"))
    ex.body["model"] = answered
    assert run(ex, "response.envelope", profile=PROFILE) == []


@pytest.mark.parametrize(
    ("value", "title"),
    [
        ("end_turn", "Anthropic stop_reason 'end_turn' leaked into finish_reason (OpenAI says 'stop')"),
        ("tool_use", "Anthropic stop_reason 'tool_use' leaked into finish_reason (OpenAI says 'tool_calls')"),
        ("", "finish_reason is an empty string"),
        (None, "finish_reason is not one of OpenAI's values"),
        ("length", "finish_reason should be 'stop'"),
    ],
    ids=["end-turn", "tool-use", "empty", "null", "unexpected-length"],
)
def test_finish_reason_names_leaks(value: object, title: str) -> None:
    assert titles(run(text_answer("x", finish_reason=value), "response.finish_reason", finish_reason="stop")) == [title]


def test_message_reports_role_blocks_and_null_content() -> None:
    assert titles(run(whole({"role": "model"}), "response.message")) == ["message role is not 'assistant'"]
    blocks = whole({"content": [{"type": "text", "text": "hi"}]})
    assert titles(run(blocks, "response.message")) == ["content is an array of blocks, not a string"]
    assert titles(run(whole({"content": None}), "response.message")) == ["content is null without tool_calls"]


def test_text_compares_loosely_but_not_blindly() -> None:
    assert run(text_answer('"BASIC-OK."\n'), "response.text", text="BASIC-OK") == []
    [finding] = run(text_answer("Sure! BASIC-OK"), "response.text", text="BASIC-OK")
    assert (finding.expected, finding.observed) == ('"BASIC-OK"', '"Sure! BASIC-OK"')
