"""The rate search against a loopback server of known capacity: it finds that capacity, in bounded steps.

The stub (capacity_stub.py) serves 4 streams at once, each holding its slot
for 5 chunks 50 ms apart: 4 / 0.25 s = 16 requests/s. Offered more, its queue
grows through a step and TTFT with it, so a TTFT objective fails just above
the capacity: at 1.1 x capacity, the last requests of a 2 s step wait about
0.2 s, beyond the 100 ms of headroom the objective leaves. A busy machine
makes the stub slower (its sleeps overrun), never faster: the bounds below
are wide downwards.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.load.capacity_stub import serve_stub
from tests.load.runs import read_summary, run_load


def search(folder: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], float]:
    """A rate search against the stub: the finished run, its sweep.json and the stub's capacity."""
    with serve_stub(slots=4, chunks=5, interval_s=0.05) as (base, stub):
        done = run_load(folder, "--base-url", base, "--skip-preflight", "--find-max-rate", *args, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    return done, json.loads((folder / "sweep.json").read_text(encoding="utf-8")), stub.capacity


def test_the_rate_search_finds_the_capacity_of_a_known_server(tmp_path: Path) -> None:
    args = ["--rate", "5", "--search-steps", "6", "--search-precision", "0.2", "-t", "2s", "--slo", "ttft_p95_ms=150"]
    done, result, capacity = search(tmp_path / "s", *args)
    assert result["mode"] == "search" and 2 < len(result["steps"]) <= 6
    assert result["knee"] is not None and result["lowest_failing"] > result["knee"]
    assert 0.6 * capacity <= result["knee"] <= 1.1 * capacity, result
    assert f"highest rate that met the SLO: offered rate (requests/s) = {result['knee']:g}" in done.stdout
    # Every step is an open-loop run at its rate, with its own report.
    for step in result["steps"]:
        summary = read_summary(tmp_path / "s" / f"step-{step['step']:02d}-{step['load']:g}")
        assert summary["run"]["load"]["arrival"] == "constant" and summary["run"]["load"]["rate"] == step["load"]
    assert (tmp_path / "s" / "sweep.html").read_text(encoding="utf-8").count("<svg") == 1


def test_a_search_in_which_every_step_passed_claims_no_knee(tmp_path: Path) -> None:
    done, result, _ = search(
        tmp_path / "s", "--rate", "1", "--search-steps", "2", "-t", "1s", "--slo", "ttft_p95_ms=1000"
    )
    assert [s["load"] for s in result["steps"]] == [1.0, 2.0] and result["knee"] is None
    assert "no knee within the loads tried: every step up to offered rate (requests/s) = 2 met the SLO" in done.stdout
    assert "knee:" not in done.stdout
