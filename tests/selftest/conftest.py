"""Fixtures of the self-tests: the rewritten mocks, the hostile server, and the pool of suite runs.

Every test here takes its case as the parameter `plan`; the pool starts the
runs of all collected cases at once (see `RunPool`), so tests mostly wait
for results that are already on their way.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from chatconform.profile import load_profile
from chatconform.target import session_key
from tests.selftest.benign import VARIATIONS, Variation
from tests.selftest.hostile import HOSTILE_SELECT, Hostile, HostileServer, serve_hostile
from tests.selftest.mutations import CONTROL, MUTATIONS, Mutation
from tests.selftest.rewrite import VariantServer, serve_variants
from tests.selftest.runner import Plan, RunPool, SuiteRun, run_suites
from tests.selftest.varied import VARIED_SEED, OnVaried

HOSTILE_TIMEOUT_S = 2.0
HOSTILE_WALL_LIMIT_S = 60.0


@pytest.fixture(scope="session")
def selftest_key() -> str:
    return session_key(load_profile())


@pytest.fixture(scope="session")
def variants(selftest_key: str) -> Iterator[VariantServer]:
    plans: list[Mutation | Variation] = [*MUTATIONS, *VARIATIONS, CONTROL]
    rewrites = {p.name: p.rewrite for p in plans}
    assert len(rewrites) == len(MUTATIONS) + len(VARIATIONS) + 1, "mutation and variation names must differ"
    with serve_variants(rewrites, selftest_key) as server:
        yield server


@pytest.fixture(scope="session")
def varied_variants(selftest_key: str) -> Iterator[VariantServer]:
    """The same rewrites in front of mocks that answer in their varied voice (seed VARIED_SEED)."""
    plans: list[Mutation | Variation] = [*MUTATIONS, CONTROL]
    with serve_variants({p.name: p.rewrite for p in plans}, selftest_key, "varied", VARIED_SEED) as server:
        yield server


@pytest.fixture(scope="session")
def hostile_server() -> Iterator[HostileServer]:
    with serve_hostile() as server:
        yield server


@pytest.fixture(scope="session")
def exact_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tokenhub profile with `[expect] exact_answers = true`. The upstream behind the mutations is the
    deterministic mock, so a case that a real model could make inconclusive (one call where two were asked
    for, with tool_choice auto) is a departure there, as in the user's own runs against the mock."""
    text = resources.files("chatconform.profiles").joinpath("tokenhub.toml").read_text(encoding="utf-8")
    assert "[expect]\n" in text, "the tokenhub profile has no [expect] table to extend"
    path = tmp_path_factory.mktemp("profile") / "tokenhub-exact.toml"
    path.write_text(text.replace("[expect]\n", "[expect]\nexact_answers = true\n", 1))
    return path


@pytest.fixture(scope="session")
def runs(
    request: pytest.FixtureRequest,
    variants: VariantServer,
    varied_variants: VariantServer,
    hostile_server: HostileServer,
    selftest_key: str,
    exact_profile: Path,
) -> Iterator[RunPool]:
    def launch(plan: Plan) -> SuiteRun:
        if isinstance(plan, OnVaried):
            assert plan.seed == varied_variants.seed, "one varied server per session"
            return run_suites(varied_variants.base_url(plan.name), selftest_key, plan.select)
        if isinstance(plan, Hostile):
            return run_suites(
                hostile_server.base_url(plan.name),
                selftest_key,
                HOSTILE_SELECT,
                request_timeout=HOSTILE_TIMEOUT_S,
                wall_limit_s=HOSTILE_WALL_LIMIT_S,
                # These test the per-request bounds; what the pre-flight makes of them is test_preflight's.
                options=("--skip-preflight",),
            )
        assert isinstance(plan, (Mutation, Variation))
        options = ("--profile", str(exact_profile)) if isinstance(plan, Mutation) else ()
        return run_suites(variants.base_url(plan.name), selftest_key, plan.select, options=options)

    pool = RunPool(launch, waits=lambda plan: isinstance(plan, Hostile))
    if not hasattr(request.config, "workerinput"):  # under xdist each worker runs only its own share
        pool.start(_collected_plans(request.session))
    yield pool
    pool.close()


def _collected_plans(session: pytest.Session) -> list[Plan]:
    plans: list[Plan] = []
    for item in session.items:
        plan = getattr(getattr(item, "callspec", None), "params", {}).get("plan")
        if isinstance(plan, (Mutation, Variation, Hostile, OnVaried)):
            plans.append(plan)
    return plans
