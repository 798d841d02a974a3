"""A hostile endpoint is a failed test within the per-request timeout: never a hang, a crash or a harness error.
Through the raw client the failure names a check; through the SDK it is the SDK's own error, in one line.
An endpoint that sends no byte at all before the timeout is the one exception: nothing could be tested, so
each test is "could not test" (an error) with what the transport saw, not a contract failure."""

from __future__ import annotations

import pytest

from tests.selftest.conftest import HOSTILE_TIMEOUT_S
from tests.selftest.hostile import HOSTILE, LINGER_S, RAW_TESTS, Hostile
from tests.selftest.runner import RunPool

FAILED = 1  # pytest's "tests failed"; 2 (interrupted), 3 (internal error) or a kill would be a harness problem
CASES = 4
# Child start-up and report writing, plus four requests each bounded by the timeout; wide on purpose.
WALL_BOUND_S = 45.0
# Well below LINGER_S (20 s), how long the server would keep each one going. The slack over the timeout is
# the first SDK test's setup (the child imports openai then) on a machine busy with the other runs.
CASE_BOUND_S = HOSTILE_TIMEOUT_S + 6.0


def test_the_bounds_would_see_a_hang() -> None:
    assert CASE_BOUND_S < LINGER_S / 2 and WALL_BOUND_S < CASES * LINGER_S


@pytest.mark.parametrize("plan", HOSTILE, ids=[h.name for h in HOSTILE])
def test_hostile_endpoint_is_a_failed_test_in_time(runs: RunPool, plan: Hostile) -> None:
    run = runs.result(plan)
    assert run.exit_code == FAILED, run.describe()
    assert run.seconds < WALL_BOUND_S, run.describe()
    assert run.outcomes == {"error" if plan.could_not_test else "fail": CASES}, run.describe()
    slow = [c["test"] for c in run.cases if c["duration_s"] > CASE_BOUND_S]
    assert not slow, f"{slow} overran the request timeout\n{run.describe()}"


@pytest.mark.parametrize("plan", HOSTILE, ids=[h.name for h in HOSTILE])
def test_hostile_endpoint_is_named_by_a_check(runs: RunPool, plan: Hostile) -> None:
    run = runs.result(plan)
    raw = [c for c in run.cases if c["test"] in RAW_TESTS]
    assert len(raw) == len(RAW_TESTS), run.describe()
    if plan.could_not_test:
        assert all(not c["findings"] and "no byte of an answer" in c["detail"] for c in raw), run.describe()
        assert all(c["detail"].startswith("could not test: ") for c in run.cases), run.describe()
        return
    assert all(c["findings"] for c in raw), f"a raw-client failure without a named check\n{run.describe()}"
    missing = set(plan.catches) - {f["check"] for c in raw for f in c["findings"]}
    assert not missing, f"not reported by {sorted(missing)}\n{run.describe()}"
