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


@dataclass(frozen=True)
class OnVaried:
    plan: Mutation | Variation
    seed: int = VARIED_SEED

    @property
    def name(self) -> str:
        return self.plan.name  # the rewrite's name on the varied server

    @property
    def select(self) -> str:
        return self.plan.select

    @property
    def catches(self) -> tuple[str, ...]:
        return self.plan.catches if isinstance(self.plan, Mutation) else ()


VARIED_MUTATIONS = [OnVaried(m) for m in MUTATIONS]
VARIED_CONTROL = OnVaried(CONTROL)
