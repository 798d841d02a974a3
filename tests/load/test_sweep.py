"""The sweep's exit code: the knee when one was found, else why the lowest load failed; Ctrl-C always says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatconform.load import exits, summary, sweep
from tests.load.test_recorder import record
from tests.load.test_summary import RUN


@pytest.mark.parametrize(
    ("codes", "expected", "knee"),
    [
        ([0, 0, 3], exits.OK, 2.0),
        ([0, exits.TARGET_FAILED], exits.OK, 1.0),
        ([exits.TARGET_FAILED], exits.TARGET_FAILED, None),
        ([3], exits.SLO_FAILED, None),
        ([0, exits.INTERRUPTED], exits.INTERRUPTED, 1.0),
    ],
    ids=["knee", "target-fails-past-the-knee", "target-fails-at-once", "slo-at-once", "interrupted"],
)
def test_sweep_exit_codes(tmp_path: Path, codes: list[int], expected: int, knee: float | None) -> None:
    def step(load: float, folder: Path) -> int:
        folder.mkdir(parents=True)
        built = summary.build(record(range(20)), RUN, {})  # an SLO that passes: only the code decides
        (folder / "summary.json").write_text(json.dumps(built), encoding="utf-8")
        return codes[int(load) - 1]

    assert sweep.run([1.0, 2.0, 3.0, 4.0][: len(codes) + 1], step, tmp_path, "users") == expected
    result = json.loads((tmp_path / "sweep.json").read_text(encoding="utf-8"))
    assert len(result["steps"]) == len(codes) and result["knee"] == knee
