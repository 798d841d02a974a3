"""The circuit breaker's two rules, its once-only trip, and its advice."""

from __future__ import annotations

from collections.abc import Sequence

from chatconform.load import breaker
from chatconform.load.breaker import Breaker


def feed(b: Breaker, outcomes: Sequence[str | None]) -> list[str]:
    return [reason for outcome in outcomes if (reason := b.observe(outcome)) is not None]


def test_the_first_50_all_failing_trip_it_once_naming_the_kinds() -> None:
    b = Breaker()
    trips = feed(b, ["http_401"] * 49)
    assert trips == [] and b.tripped is None
    trips = feed(b, ["http_401"] * 1 + ["timeout"] * 100)
    assert trips == ["the first 50 requests all failed (http_401: 50)"]


def test_one_success_among_the_first_50_keeps_it_closed() -> None:
    b = Breaker()
    assert feed(b, [None] + ["http_500"] * 60) == []


def test_a_target_that_breaks_down_later_trips_the_window_rule() -> None:
    b = Breaker()
    assert feed(b, [None] * 300) == []
    # 90% of the last 200 failed: 180 failures among them, the 200 before all succeeded.
    outcomes: list[str | None] = []
    for i in range(200):
        outcomes.append(None if i % 10 == 0 else ("http_429" if i % 2 else "timeout"))
    trips = feed(b, outcomes)
    assert len(trips) == 1
    assert trips[0].startswith("180 of the last 200 requests failed (")
    assert "http_429: 100" in trips[0] and "timeout: 80" in trips[0]


def test_a_failure_rate_just_below_the_bound_keeps_it_closed() -> None:
    b = Breaker()
    outcomes: list[str | None] = [None if i % 10 in (0, 5) else "http_500" for i in range(2000)]  # 80% failed
    assert feed(b, outcomes) == []


def test_the_window_counts_exactly_the_last_200() -> None:
    b = Breaker()
    feed(b, [None] + ["http_500"] * 100 + [None] * 200)  # those failures have slid out of the window
    assert feed(b, ["http_500"] * 179) == []  # the window: 21 successes, 179 failures
    assert feed(b, ["http_500"]) == ["180 of the last 200 requests failed (http_500: 180)"]


def test_disabled_it_never_trips() -> None:
    b = Breaker(enabled=False)
    assert feed(b, ["connect"] * 500) == [] and b.tripped is None


def test_advice_follows_the_most_frequent_failure() -> None:
    assert "--api-key" in breaker.advice({"http_401": 50, "http_500": 2})
    assert "/v1" in breaker.advice({"http_404": 9})
    assert "lower -u" in breaker.advice({"http_429": 9, "timeout": 1})
    assert "logs" in breaker.advice({"http_502": 3})
    assert "truncated" in breaker.advice({"truncated": 3})
