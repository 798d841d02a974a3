"""The error.* checks on hand-built error answers: one passing and one failing case each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatconform.checks import ERROR_CHECKS, registry
from chatconform.exchange import Exchange
from tests.checks.handmade import request, run, text_answer, text_stream, titles

ENVELOPE = {"error": {"message": "Bad.", "type": "invalid_request_error", "param": "messages", "code": None}}


def answer(status: int, body: Any = ENVELOPE, content_type: str = "application/json", **headers: str) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ex = Exchange(
        "POST",
        "http://127.0.0.1:1/v1/chat/completions",
        {},
        {},
        status=status,
        headers={"content-type": content_type, **headers},
        raw=raw,
    )
    ex.body = body if not isinstance(body, bytes) else None
    return ex


def test_a_correct_error_passes_every_error_check() -> None:
    ex = answer(429, {"error": {**ENVELOPE["error"], "type": "rate_limit_error"}}, **{"retry-after": "2"})
    assert registry.run(ex, ERROR_CHECKS, status=429, error_type="rate_limit_error", retry_after_required=True) == []


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (200, "bad input was answered with 200"),
        (500, "a server error (500) for bad input"),
        (422, "wrong status 422"),
    ],
    ids=["ok", "server-error", "other-4xx"],
)
def test_status_reports_acceptance_server_errors_and_the_wrong_code(status: int, title: str) -> None:
    assert titles(run(answer(status), "error.status", status=400)) == [title]


def test_status_without_an_expected_code_wants_any_4xx() -> None:
    assert run(answer(404), "error.status") == []
    assert run(answer(404), "error.status", status=(404, 405)) == []


def test_content_type_must_be_json() -> None:
    [finding] = run(answer(400, content_type="text/html"), "error.content_type")
    assert finding.observed == "text/html"


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ({"detail": "Not Found"}, "a framework error ({detail: ...}) instead of the OpenAI envelope"),
        ({"error": "bad request"}, "error is a string, not an object"),
        (b"<html>502</html>", "the error body is not JSON"),
        (
            {"error": {"message": "Bad.", "type": "invalid_request_error"}},
            "error envelope: required field 'param' is missing",
        ),
    ],
    ids=["detail", "string-error", "html", "missing-keys"],
)
def test_envelope_names_the_usual_departures(body: Any, title: str) -> None:
    assert titles(run(answer(400, body), "error.envelope")) == [title]


def test_code_compares_code_type_and_param_when_given() -> None:
    error = {"message": "x", "type": "invalid_request_error", "param": "model", "code": "not_found"}
    ex = answer(404, {"error": error})
    assert run(ex, "error.code", error_param="model") == []
    [finding] = run(ex, "error.code", error_code="model_not_found")
    assert (finding.path, finding.expected, finding.observed) == ("$.error.code", '"model_not_found"', '"not_found"')


@pytest.mark.parametrize("value", ["2", "0.5", "Wed, 21 Oct 2015 07:28:00 GMT"])
def test_retry_after_accepts_seconds_and_dates(value: str) -> None:
    assert run(answer(429, **{"retry-after": value}), "error.retry_after") == []


def test_retry_after_reports_garbage_and_absence_when_required() -> None:
    assert titles(run(answer(429, **{"retry-after": "soon"}), "error.retry_after")) == [
        "Retry-After is not a number of seconds or an HTTP date"
    ]
    assert run(answer(429), "error.retry_after") == []
    assert titles(run(answer(429), "error.retry_after", retry_after_required=True)) == ["a 429 without Retry-After"]


def test_not_in_200_catches_errors_passed_off_as_success() -> None:
    assert run(text_answer("fine"), "error.not_in_200") == []
    assert titles(run(answer(200), "error.not_in_200")) == ["an error object under status 200"]
    broken = text_stream("a b")
    broken.events.insert(2, type(broken.events[0])(json.dumps(ENVELOPE)))
    assert titles(run(broken, "error.not_in_200")) == ["an error event inside a 200 stream"]


def test_a_default_model_standing_in_is_named() -> None:
    missing = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 64}
    answered = text_answer("hi", req=missing)
    assert titles(run(answered, "error.model_substituted")) == [
        "a request for no model was answered by claude-haiku-4-5"
    ]
    unknown = text_answer("hi", req=request(model="claude-does-not-exist-0"))
    [finding] = run(unknown, "error.model_substituted")
    assert 'unknown model "claude-does-not-exist-0"' in finding.title and finding.observed.endswith("claude-haiku-4-5")
    assert run(text_answer("hi"), "error.model_substituted") == []  # a known model answered for itself
