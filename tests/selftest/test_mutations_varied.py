"""Each known gateway bug is still caught when the upstream behind it words its answers as another model might.

The upstream is the mock with `--answers varied` (seed `VARIED_SEED`): quotes around an exact reply, text
before a tool call, one call where two could run in parallel, other JSON whitespace and key order. A run may
then hold inconclusive tests (a model's legitimate choice left them undecided), never a failure of its own.
"""

from __future__ import annotations

import pytest

from tests.selftest.runner import RunPool
from tests.selftest.test_mutations import FAILED
from tests.selftest.varied import VARIED_CONTROL, VARIED_MUTATIONS, OnVaried


@pytest.mark.parametrize("plan", [VARIED_CONTROL], ids=[f"varied-{VARIED_CONTROL.name}"])
def test_the_unmutated_layer_passes_with_varied_answers(runs: RunPool, plan: OnVaried) -> None:
    run = runs.result(plan)
    assert run.exit_code == 0, run.describe()
    assert run.cases and set(run.outcomes) <= {"pass", "policy", "unsupported", "inconclusive"}, run.describe()
    assert "pass" in run.outcomes, run.describe()


@pytest.mark.parametrize("plan", VARIED_MUTATIONS, ids=[f"varied-{p.name}" for p in VARIED_MUTATIONS])
def test_mutation_is_caught_with_varied_answers(runs: RunPool, plan: OnVaried) -> None:
    run = runs.result(plan)
    if plan.undecidable:
        # Not a pass: the run says it could not decide, and names the check that could not.
        assert run.exit_code == 0 and set(run.outcomes) == {"inconclusive"}, run.describe()
        assert all(any(f"[{c}]" in case["detail"] for c in plan.catches) for case in run.cases), run.describe()
        return
    assert run.exit_code == FAILED, run.describe()
    assert "error" not in run.outcomes, run.describe()
    missing = set(plan.catches) - run.failing_checks
    assert not missing, f"{plan.plan.name}: not reported by {sorted(missing)}\n{run.describe()}"
