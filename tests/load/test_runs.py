"""Whole `chatconform load` runs in subprocesses (Locust's gevent must not enter pytest's process).

Each run is bounded to a few seconds. Timing assertions use wide bounds: the
tight figures are bench/load_accuracy.py's job.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from chatconform.target import mock_subprocess
from tests.load.runs import KEY, accounted, read_summary, run_load, run_plain_locust


@pytest.fixture(scope="module")
def bare_mock() -> Iterator[str]:
    """The mock without latency or faults: the API base URL."""
    with mock_subprocess(["--latency", "none"], api_keys=[KEY]) as (root, _):
        yield root + "/v1"


def test_measured_latency_matches_the_mock(tmp_path: Path) -> None:
    with mock_subprocess(["--ttft-ms", "200", "--itl-ms", "20", "--jitter-ms", "0"], api_keys=[KEY]) as (root, _):
        done = run_load(
            tmp_path / "r", "--base-url", root + "/v1", "-u", "10", "-r", "10", "-t", "4s", "--output-words", "20"
        )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = read_summary(tmp_path / "r")
    m = summary["metrics"]
    assert m["ttft_ms"]["p50"] == pytest.approx(200, abs=40)
    assert m["itl_ms"]["p50"] == pytest.approx(20, abs=10)
    assert m["tpot_ms"]["p50"] == pytest.approx(20, abs=10)
    # "Write 20 words" is 21 tokens, one per chunk: the last arrives 20 gaps after the first.
    assert m["e2e_ms"]["p50"] == pytest.approx(600, abs=60)
    assert summary["tokens"]["completion"] == 21 * summary["requests"]["succeeded"] > 0
    assert summary["tokens"]["estimated_requests"] == 0


def test_faults_are_all_accounted_and_the_ledger_agrees(tmp_path: Path) -> None:
    faults = ["--fault", "error_rate=0.1", "--fault", "error_statuses=429,500", "--fault", "disconnect_rate=0.08"]
    with mock_subprocess(["--latency", "none", "--seed", "3", *faults], api_keys=[KEY]) as (root, _):
        done = run_load(
            tmp_path / "r",
            "--base-url",
            root + "/v1",
            "-u",
            "4",
            "-t",
            "3s",
            "--output-words",
            "10",
            "--scenario",
            "mix",
            "--models",
            "claude-haiku-4-5,claude-opus-4-7",
            "--skip-preflight",  # its one chat completion would be on the ledger and, by design, not in the summary
        )
        ledger = httpx.get(root + "/mock/ledger", headers={"authorization": f"Bearer {KEY}"}).json()["totals"]
    assert done.returncode == 0, done.stdout + done.stderr
    summary = read_summary(tmp_path / "r")
    accounted(summary)
    assert summary["requests"]["interrupted"] == 0
    assert {"http_429", "http_500", "disconnect"} <= set(summary["requests"]["failed"])
    assert ledger["requests"] == summary["requests"]["succeeded"]
    assert ledger["prompt_tokens"] == summary["tokens"]["prompt"]
    assert ledger["completion_tokens"] == summary["tokens"]["completion"]
    assert ledger["cost_usd"] == pytest.approx(summary["cost_usd"], abs=1e-9)
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "failed: http_429" in page and KEY not in page
    # The failures by scenario and kind, in the summary and on the terminal; they add up to the run's.
    by = summary["requests"]["by_scenario"]
    assert sum(t["sent"] for t in by.values()) == summary["requests"]["sent"]
    assert sum(n for t in by.values() for n in t["failed"].values()) == summary["requests"]["failed_total"]
    assert "failures by scenario:" in done.stdout
    for name, t in by.items():
        if t["failed"]:
            kinds = ", ".join(f"{k}: {n}" for k, n in t["failed"].items())
            assert f"    {name}: {sum(t['failed'].values())} of {t['sent']} sent ({kinds})" in done.stdout


def test_impossible_slo_fails_the_run_and_names_it(tmp_path: Path, bare_mock: str) -> None:
    done = run_load(
        tmp_path / "r",
        "--base-url",
        bare_mock,
        "-u",
        "2",
        "-t",
        "2s",
        "--output-words",
        "5",
        "--slo",
        "ttft_p50_ms=0.001",
        "--slo",
        "error_rate=0.5",
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "SLO FAILED" in done.stdout and "ttft_p50_ms" in done.stdout
    summary = read_summary(tmp_path / "r")
    assert [v["slo"] for v in summary["slo"]["violations"]] == ["ttft_p50_ms"]
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "SLO FAILED" in page and "ttft_p50_ms" in page


def test_two_workers_sum_their_figures(tmp_path: Path, bare_mock: str) -> None:
    # --max-requests ends the run once both workers have sent their share (150 each), well before -t.
    done = run_load(
        tmp_path / "r",
        "--base-url",
        bare_mock,
        "--workers",
        "2",
        "-u",
        "4",
        "-t",
        "30s",
        "--output-words",
        "5",
        "--max-requests",
        "300",
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = read_summary(tmp_path / "r")
    accounted(summary)
    assert summary["run"]["workers"] == 2
    assert summary["requests"]["sent"] == 300 and summary["run"]["stopped_by"] == "max_requests"
    # Locust aggregates its own rows across workers by another path: both must count the same requests.
    with (tmp_path / "r" / "locust_stats.csv").open(encoding="utf-8") as stats:
        rows = {(r["Type"], r["Name"]): int(r["Request Count"]) for r in csv.DictReader(stats)}
    assert rows[("POST", "stream")] == summary["requests"]["sent"] > 0
    # Locust's own total counts requests only: the TTFT and ITL rows do not inflate its count or its rate.
    assert rows[("", "Aggregated")] == rows[("POST", "stream")]
    assert rows[("TTFT", "stream")] == summary["metrics"]["ttft_ms"]["count"]
    # Locust's ITL row samples three gaps per request ("Write 5 words": 6 chunks, 5 gaps); the summary has all.
    assert rows[("ITL", "stream")] == 3 * summary["requests"]["succeeded"]
    assert summary["metrics"]["itl_ms"]["count"] == 5 * summary["requests"]["succeeded"]


def test_max_requests_bounds_a_run(tmp_path: Path, bare_mock: str) -> None:
    done = run_load(
        tmp_path / "r",
        "--base-url",
        bare_mock,
        "-u",
        "3",
        "-t",
        "30s",
        "--output-words",
        "5",
        "--max-requests",
        "7",
        timeout=25,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = read_summary(tmp_path / "r")
    assert summary["requests"]["sent"] == summary["requests"]["succeeded"] == 7
    assert summary["run"]["stopped_by"] == "max_requests"
    assert summary["run"]["bounds"]["max_requests"] == 7


def test_open_loop_sweep_finds_the_knee(tmp_path: Path) -> None:
    # Two users at ~0.2 s per request serve 4 requests/s on time, not 200: the second step misses the lag SLO
    # (its sends run seconds late). The bound is wide: on a busy machine the first sends of a step start late.
    with mock_subprocess(["--ttft-ms", "100", "--itl-ms", "10", "--jitter-ms", "0"], api_keys=[KEY]) as (root, _):
        done = run_load(
            tmp_path / "s",
            "--base-url",
            root + "/v1",
            "--arrival",
            "constant",
            "--sweep",
            "4,200",
            "-u",
            "2",
            "-t",
            "2s",
            "--output-words",
            "10",
            "--slo",
            "send_lag_p95_ms=400",
        )
    assert done.returncode == 0, done.stdout + done.stderr
    sweep = json.loads((tmp_path / "s" / "sweep.json").read_text(encoding="utf-8"))
    assert [s["passed"] for s in sweep["steps"]] == [True, False]
    assert sweep["knee"] == 4 and sweep["goodput"]["requests_per_s"] > 0
    assert (tmp_path / "s" / "sweep.html").read_text(encoding="utf-8").count("<svg") == 1
    step = read_summary(tmp_path / "s" / "step-01-4")
    assert step["run"]["load"] == {**step["run"]["load"], "arrival": "constant", "rate": 4.0}
    assert "sends ran late" in (tmp_path / "s" / "step-02-200" / "report.html").read_text(encoding="utf-8")


def test_stages_shape_ends_the_run_when_the_stages_end(tmp_path: Path, bare_mock: str) -> None:
    done = run_load(
        tmp_path / "r", "--base-url", bare_mock, "--stages", "1:1s,3:1s", "-t", "30s", "--output-words", "5", timeout=25
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = read_summary(tmp_path / "r")
    assert summary["run"]["stopped_by"] == "stages"
    assert summary["throughput"]["duration_s"] < 10


def test_plain_locust_runs_the_top_level_locustfile(tmp_path: Path, bare_mock: str) -> None:
    folder = tmp_path / "p"
    args = ["-u", "2", "-t", "2s", "--host", bare_mock, "--report-dir", str(folder), "--only-summary"]
    done = run_plain_locust(tmp_path, *args, "--loglevel", "WARNING", "--output-words", "5", "StreamingChatUser")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = read_summary(folder)
    assert summary["requests"]["succeeded"] > 0 and summary["run"]["scenario"] == "stream"


def test_bad_options_fail_before_any_request(tmp_path: Path) -> None:
    done = run_load(tmp_path / "r", "--base-url", "http://127.0.0.1:9/v1", "--slo", "ttft_p42_ms=1")
    assert done.returncode == 2
    assert "unknown SLO 'ttft_p42_ms'" in done.stdout
    assert not (tmp_path / "r").exists()


def test_the_pytest_side_never_imports_locust() -> None:
    code = (
        "import sys, chatconform.pytest.plugin, chatconform.load.cli, chatconform.load.summary, "
        "chatconform.load.report, chatconform.load.sweep; "
        "print(sorted(m for m in ('locust', 'gevent') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
