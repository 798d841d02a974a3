"""Open-loop schedules: one global sequence shared exactly by the load processes; the budget."""

from __future__ import annotations

import pytest

from chatconform.load.schedule import ArrivalSchedule, Budget, share


def drain(schedule: ArrivalSchedule) -> list[tuple[int, float]]:
    out = []
    while (slot := schedule.claim()) is not None:
        out.append((slot.index, slot.due))
    return out


def test_constant_rate_slots_are_evenly_spaced() -> None:
    slots = drain(ArrivalSchedule("constant", 4.0, start=10.0, limit=5))
    assert slots == [(0, 10.0), (1, 10.25), (2, 10.5), (3, 10.75), (4, 11.0)]


@pytest.mark.parametrize("kind", ["constant", "poisson"])
def test_processes_split_the_global_schedule_without_overlap_or_gap(kind: str) -> None:
    alone = drain(ArrivalSchedule(kind, 20.0, 0.0, limit=50, seed=3))
    parts = [drain(ArrivalSchedule(kind, 20.0, 0.0, limit=50, index=i, count=3, seed=3)) for i in range(3)]
    merged = sorted(slot for part in parts for slot in part)
    assert [i for i, _ in merged] == [i for i, _ in alone] == list(range(50))
    assert [t for _, t in merged] == pytest.approx([t for _, t in alone])
    assert [len(p) for p in parts] == [share(50, i, 3) for i in range(3)] == [17, 17, 16]


def test_poisson_mean_gap_is_one_over_the_rate() -> None:
    slots = drain(ArrivalSchedule("poisson", 50.0, 0.0, limit=20000, seed=1))
    mean_gap = slots[-1][1] / (len(slots) - 1)
    assert mean_gap == pytest.approx(1 / 50, rel=0.03)


@pytest.mark.parametrize(
    ("kind", "rate", "message"),
    [("closed", 1.0, "constant, poisson or trace"), ("poisson", 0.0, "positive")],
    ids=["closed-loop", "zero-rate"],
)
def test_bad_schedules_are_refused(kind: str, rate: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ArrivalSchedule(kind, rate, 0.0, limit=10)


def test_budget_stops_at_its_limit() -> None:
    budget = Budget(2)
    assert [budget.take() for _ in range(4)] == [True, True, False, False]
    assert budget.exhausted


def test_the_clock_starts_at_the_first_claim_not_at_construction() -> None:
    schedule = ArrivalSchedule("constant", 10.0, None, limit=3)
    first = schedule.claim(now=500.0)
    assert first is not None and first.due == 500.0  # spawning the first user is not send lag
    assert [s.due for s in iter(schedule.claim, None)] == [500.1, 500.2]


def test_a_trace_schedule_follows_its_offsets_and_ends_with_them() -> None:
    offsets = [0.0, 0.0, 0.5, 2.25]
    alone = drain(ArrivalSchedule("trace", 0.0, 100.0, limit=1000, offsets=offsets))
    assert alone == [(0, 100.0), (1, 100.0), (2, 100.5), (3, 102.25)]
    parts = [drain(ArrivalSchedule("trace", 0.0, 100.0, limit=1000, index=i, count=2, offsets=offsets)) for i in (0, 1)]
    assert parts == [[(0, 100.0), (2, 100.5)], [(1, 100.0), (3, 102.25)]]
    assert drain(ArrivalSchedule("trace", 0.0, 0.0, limit=2, offsets=offsets)) == [(0, 0.0), (1, 0.0)]
