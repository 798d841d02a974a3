"""length.* on hand-built answers."""

from __future__ import annotations

from tests.checks.handmade import request, run, text_answer, text_stream, titles

CUT = {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}
OVER = {"prompt_tokens": 20, "completion_tokens": 11, "total_tokens": 31}


def test_finish_reason_length() -> None:
    assert run(text_answer("One two", finish_reason="length"), "length.finish_reason") == []
    found = run(text_stream("One two", finish_reason="max_tokens"), "length.finish_reason")
    assert titles(found) == ['a cut answer does not report finish_reason "length"']


def test_token_bound_reads_either_request_field() -> None:
    assert run(text_answer("x", usage=CUT, req=request(max_tokens=10)), "length.token_bound") == []
    found = run(text_answer("x", usage=OVER, req=request(max_completion_tokens=10)), "length.token_bound")
    assert titles(found) == ["more completion tokens than the requested bound"]
    assert found[0].expected == "≤ 10"


def test_token_bound_needs_usage() -> None:
    found = run(text_stream("x"), "length.token_bound", max_tokens=10)
    assert titles(found) == ["no completion_tokens to compare with the bound"]
    assert run(text_stream("x", usage=CUT), "length.token_bound", max_tokens=10) == []


def test_text_nonempty() -> None:
    assert run(text_answer("Once"), "length.text_nonempty") == []
    assert titles(run(text_stream(""), "length.text_nonempty")) == ["a cut answer has no text"]
