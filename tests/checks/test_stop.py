"""stop.* on hand-built answers."""

from __future__ import annotations

from tests.checks.handmade import request, run, text_answer, text_stream, titles

COUNT = "1, 2, 3, 4, 5, 6, 7"
REQ = request(stop=", 5")


def test_absent_passes_when_the_text_stops_before_the_sequence() -> None:
    assert run(text_answer("1, 2, 3, 4", req=REQ), "stop.absent") == []
    assert run(text_stream("1, 2, 3, 4"), "stop.absent", stop=[", 5", "x"]) == []


def test_absent_fails_when_the_sequence_is_in_the_text() -> None:
    found = run(text_answer(COUNT, req=REQ), "stop.absent")
    assert titles(found) == ["the text contains a stop sequence"]
    assert found[0].expected == 'no occurrence of [", 5"]'


def test_finish_reason_stop() -> None:
    assert run(text_answer("1, 2", finish_reason="stop"), "stop.finish_reason") == []
    assert run(text_stream("1, 2", finish_reason="stop_sequence"), "stop.finish_reason")[0].observed == (
        '"stop_sequence"'
    )


def test_cut_passes_an_exact_cut() -> None:
    assert run(text_answer("1, 2, 3, 4", req=REQ), "stop.cut", unstopped=COUNT) == []
    assert run(text_answer("1, 2", req=request(stop=[", 5", ", 3"])), "stop.cut", unstopped=COUNT) == []


def test_cut_fails_on_an_early_cut_and_on_other_text() -> None:
    assert titles(run(text_answer("1, 2", req=REQ), "stop.cut", unstopped=COUNT)) == [
        "the text was not cut at the first stop sequence"
    ]
    assert titles(run(text_answer("One, two", req=REQ), "stop.cut", unstopped=COUNT)) == [
        "the text is not a cut of the unstopped answer"
    ]


def test_cut_tolerates_a_real_models_formatting_and_is_inconclusive_without_the_sequence() -> None:
    cut_before_five = text_answer("1, 2, 3, 4", req=REQ)
    assert run(text_answer("1,2,3,\n4", req=REQ), "stop.cut", unstopped=COUNT) == []  # other spacing, same words
    [finding] = run(cut_before_five, "stop.cut", unstopped="1\n2\n3\n4\n5\n6")  # ", 5" cannot occur
    assert finding.inconclusive and "contains none of the stop sequences" in finding.title
