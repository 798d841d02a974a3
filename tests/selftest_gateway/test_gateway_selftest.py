"""The gateway-mode suites pass against a correct translation and fail, with the right check, on each
injected mistranslation (mutations.py). Each run is a real pytest subprocess against a real loop:
suites -> reference gateway (thread) -> upstream mock (thread)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.selftest_gateway.harness import gateway_loop, run_suites
from tests.selftest_gateway.mutations import BENIGN, MUTATIONS, Mutation


def test_the_reference_gateway_passes_every_gateway_test(tmp_path: Path) -> None:
    with gateway_loop() as loop:
        run = run_suites(loop, tmp_path)
    counts = run.report.get("counts", {})
    assert run.returncode == 0, run.summary()
    assert counts.get("pass", 0) >= 50 and counts.get("fail") == 0 and counts.get("error") == 0, counts
    assert counts.get("unsupported") == 0, run.summary()  # every gateway test ran, the stall tests included


def test_there_are_enough_mutations_each_named_once() -> None:
    names = [m.name for m in MUTATIONS]
    assert len(names) >= 10 and len(set(names)) == len(names)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_a_mistranslation_is_caught_by_its_check(tmp_path: Path, mutation: Mutation) -> None:
    with gateway_loop(mutation.gateway) as loop:
        run = run_suites(loop, tmp_path, "-k", mutation.select, suites=mutation.suites)
    assert run.report.get("cases"), f"-k {mutation.select!r} selected nothing:\n{run.output[-2000:]}"
    assert run.returncode == 1, f"{mutation.name} went unnoticed:\n{run.summary()}"
    assert not run.cases("error"), run.summary()
    assert mutation.check in run.failed_checks(), f"expected {mutation.check}; got:\n{run.summary()}"
    if mutation.says:
        titles = run.titles(mutation.check)
        assert any(mutation.says in t for t in titles), f"{mutation.check} did not say {mutation.says!r}: {titles}"


@pytest.mark.parametrize("name", list(BENIGN))
def test_a_rewrite_that_keeps_the_meaning_passes(tmp_path: Path, name: str) -> None:
    with gateway_loop(BENIGN[name]) as loop:
        run = run_suites(loop, tmp_path, "-k", "test_tools_and_tool_choice or test_output_schema")
    assert run.report.get("cases") and run.returncode == 0, run.summary()
