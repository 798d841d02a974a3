"""LiteLLM end to end: the suites run through LiteLLM's proxy in front of the upstream mock, and the outcome must
match the committed list of LiteLLM's deviations (docs/compat/litellm-deviations.toml): every failure is a
declared deviation (reported xfail with its reason), every declared deviation still occurs, nothing else
fails. Refresh docs/compat/litellm.md with `.venv/bin/python -m tests.e2e.litellm_run`.
Skipped when .venv-litellm has not been created."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from chatconform.deviations import load_deviations
from tests.e2e.litellm_gateway import INSTALL_HINT, installed
from tests.e2e.litellm_run import COMPAT_DOC, DEVIATIONS, RunOutcome, run_through_litellm

pytestmark = pytest.mark.skipif(not installed(), reason=f"LiteLLM is not installed; create it with: {INSTALL_HINT}")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    return run_through_litellm(tmp_path_factory.mktemp("litellm-e2e"))


@pytest.fixture(scope="module")
def report(run: RunOutcome) -> dict[str, Any]:
    compat = run.report_dir / "compat.json"
    assert compat.is_file(), f"the run wrote no report:\n{run.output[-3000:]}"
    data: dict[str, Any] = json.loads(compat.read_text())
    return data


def _unexplained(report: dict[str, Any]) -> str:
    return "\n".join(
        f"{c['nodeid']}: {[f['check'] + ': ' + f['title'] for f in c['findings']] or c['detail']}"
        for c in report["cases"]
        if c["outcome"] in ("fail", "error")
    )


def test_every_failure_is_a_declared_deviation(run: RunOutcome, report: dict[str, Any]) -> None:
    assert report["counts"]["fail"] == 0 and report["counts"]["error"] == 0, _unexplained(report)
    assert run.returncode == 0, run.output[-3000:]


def test_every_declared_deviation_still_occurs(report: dict[str, Any]) -> None:
    known = report["meta"]["known_deviations"]
    declared = {d.id for d in load_deviations(DEVIATIONS).entries}
    assert known["no_longer_occurring"] == []
    assert set(known["xfailed"]) == declared, f"never seen: {sorted(declared - set(known['xfailed']))}"
    xfailed = [c for c in report["cases"] if c["outcome"] == "xfail"]
    assert all(c["detail"].startswith("known deviation ") and c["findings"] for c in xfailed)


def test_the_run_tested_both_directions_and_the_fault_paths(report: dict[str, Any]) -> None:
    outcomes = Counter((c["feature"], c["outcome"]) for c in report["cases"])
    assert outcomes["translation", "pass"] >= 25, outcomes
    assert outcomes["upstream_faults", "pass"] >= 5, outcomes  # stall, cancel, mid-stream error, ...
    assert not any(
        c["outcome"] == "unsupported" for c in report["cases"] if c["feature"] in ("translation", "upstream_faults")
    ), "a gateway-mode test did not run"
    models = {c["model"] for c in report["cases"]}
    assert {"claude-haiku-4-5", "anthropic/claude-haiku-4-5", "claude-sonnet-4-6"} <= models


def test_the_committed_report_names_every_deviation() -> None:
    doc = Path(COMPAT_DOC).read_text(encoding="utf-8").replace("\\", "")
    for deviation in load_deviations(DEVIATIONS).entries:
        assert f"known deviation {deviation.id}:" in doc, f"refresh {COMPAT_DOC.name}: python -m tests.e2e.litellm_run"
