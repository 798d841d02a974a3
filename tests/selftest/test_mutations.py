"""Each known gateway bug, injected into the mock's traffic, fails the suites with the check made to catch it."""

from __future__ import annotations

import pytest

from tests.selftest.benign import Variation
from tests.selftest.mutations import CONTROL, MUTATIONS, Mutation
from tests.selftest.runner import RunPool

FAILED = 1  # pytest's exit code for "tests failed"; 2-4 would be an interrupted run or an internal error


def test_the_catalogue_is_large_enough() -> None:
    assert len(MUTATIONS) >= 25
    assert len({m.name for m in MUTATIONS}) == len(MUTATIONS)


@pytest.mark.parametrize("plan", [CONTROL], ids=[CONTROL.name])
def test_the_unmutated_layer_passes_every_selection(runs: RunPool, plan: Variation) -> None:
    """The control: what fails below fails because of the mutation, not because of the rewriting layer."""
    run = runs.result(plan)
    assert run.exit_code == 0, run.describe()
    assert run.cases and set(run.outcomes) <= {"pass", "policy", "unsupported"}, run.describe()


@pytest.mark.parametrize("plan", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_is_caught(runs: RunPool, plan: Mutation) -> None:
    run = runs.result(plan)
    assert run.exit_code == FAILED, run.describe()
    assert "error" not in run.outcomes, run.describe()
    missing = set(plan.catches) - run.failing_checks
    assert not missing, f"{plan.what}: not reported by {sorted(missing)}\n{run.describe()}"
