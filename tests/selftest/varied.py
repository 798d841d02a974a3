"""The mutation catalogue again, with the mock behind the rewriting layer answering in its varied voice.

A suite that catches a gateway bug only when the upstream words its answers exactly as documented would
let the same bug through in front of a real model. `OnVaried` pairs a mutation (or the control) with a
seed of `--answers varied`; the self-test session serves those plans from a second `VariantServer`
whose mocks vary their answers by that seed (tests/selftest/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.selftest.benign import Variation
from tests.selftest.mutations import CONTROL, MUTATIONS, Mutation

VARIED_SEED = 7  # any seed: bench/varied_seeds.py shows the suites hold for 20 of them
# Under tool_choice auto a model may make no call, so a gateway that drops `tools` is caught only where the
# choice is forced: the varied run of that mutation adds the `required` case, where no call is a departure.
WIDER_SELECT = {"tools-dropped": "test_tool_choice and (auto-nonstream or required-nonstream)"}
# Mutations that one answer cannot tell from a model's legitimate choice: keeping only the first of two
# parallel calls looks like a model that chose to make one (tool_choice auto; no choice forces two calls).
# Behind a varied upstream they must make the run inconclusive on the catching check, never a pass.
UNDECIDABLE = frozenset({"parallel-calls-truncated"})


@dataclass(frozen=True)
class OnVaried:
    plan: Mutation | Variation
    seed: int = VARIED_SEED

    @property
    def name(self) -> str:
        return self.plan.name  # the rewrite's name on the varied server

    @property
    def select(self) -> str:
        return WIDER_SELECT.get(self.plan.name, self.plan.select)

    @property
    def undecidable(self) -> bool:
        return self.plan.name in UNDECIDABLE

    @property
    def catches(self) -> tuple[str, ...]:
        return self.plan.catches if isinstance(self.plan, Mutation) else ()


VARIED_MUTATIONS = [OnVaried(m) for m in MUTATIONS]
VARIED_CONTROL = OnVaried(CONTROL)
