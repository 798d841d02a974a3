"""The README's example of a user's own tests runs as written, and is counted in the report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.plugin.inner import run

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "test_my_gateway.py"


def test_the_example_passes_against_the_built_in_mock_and_is_reported(pytester: pytest.Pytester) -> None:
    shutil.copy(EXAMPLE, pytester.path / EXAMPLE.name)
    result = run(pytester, "--models", "claude-haiku-4-5", "--report-dir", "out")
    result.assert_outcomes(passed=3)
    cases = json.loads((pytester.path / "out" / "compat.json").read_text())["cases"]
    assert {c["feature"] for c in cases} == {"other", "tools"}  # unmarked tests are counted as "other"
    assert all(c["outcome"] == "pass" for c in cases)
