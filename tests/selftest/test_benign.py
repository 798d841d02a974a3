"""What a correct gateway may do differently from the mock never fails the suites."""

from __future__ import annotations

import pytest

from tests.selftest.benign import VARIATIONS, Variation
from tests.selftest.runner import RunPool

PASSING = {"pass", "policy", "unsupported"}


@pytest.mark.parametrize("plan", VARIATIONS, ids=[v.name for v in VARIATIONS])
def test_benign_variation_passes(runs: RunPool, plan: Variation) -> None:
    run = runs.result(plan)
    assert run.exit_code == 0, f"{plan.what}: the suites failed a correct answer\n{run.describe()}"
    assert run.outcomes["pass"] > 0 and set(run.outcomes) <= PASSING, run.describe()
